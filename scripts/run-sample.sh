#!/usr/bin/env bash
# The main job on the embedded default: installs what is missing, builds, gathers a sample folder of real
# clips (a talking-face video, a face video, a photo, a speech recording) and runs `merfactory process` on it.
# Usage: scripts/run-sample.sh [OUTPUT_DIR] [extra merfactory options...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"; cd "$ROOT"
bash scripts/setup.sh
SHARED="${MERFACTORY_SHARED:-$(cd "$ROOT/.." && pwd)/shared}"
OUT="${1:-$ROOT/sample-out}"; shift || true
SAMPLE="$ROOT/.sample"
mkdir -p "$SAMPLE"
cp -u "$SHARED/data/media/openface_samples/default.wmv" "$SHARED/data/media/pyfeat/single_face.mp4" \
      "$SHARED/data/media/pyfeat/single_face.jpg" "$SHARED/data/speech/jfk.wav" "$SAMPLE/"
# AU models: OpenFace's and YuNet from shared/ (a user runs `merfactory models install` instead).
export AuModels__ModelsDirectory="${AuModels__ModelsDirectory:-$SHARED/data}"
export AuModels__YuNetModelPath="${AuModels__YuNetModelPath:-models/face_detection_yunet_2026may.onnx}"
# Voice activity model (Silero) for transcripts, also from shared/.
export Speech__Vad__ModelPath="${Speech__Vad__ModelPath:-$SHARED/data/models/silero_vad.onnx}"
# Without a model, `process` refuses LLM types; the sample then asks for the evidence (AU, transcripts, frames) only.
MODEL_ARGS=()
if ! printf '%s\n' "$@" | grep -qE '^(-cgm|--chatgpt-model|-hfm|--huggingface-model|-ovm|--ollama-vision-model|-otm|--ollama-text-model|--llm-route|--server|--evidence-only)(=|$)' \
   && [ -z "${GOOGLE_API_KEY:-}" ] && ! grep -qsE '^\s*(export\s+)?GOOGLE_API_KEY\s*=\s*\S' .env; then
  echo "No LLM configured (no model flag, no GOOGLE_API_KEY): running with --evidence-only."
  MODEL_ARGS=(--evidence-only)
fi
exec dotnet .build/merfactory/merfactory.dll process "$SAMPLE" "$OUT" "${MODEL_ARGS[@]}" "$@"
