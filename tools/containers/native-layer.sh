#!/usr/bin/env bash
# Adds a service's own base image to the OCI layout that base-image.sh wrote: the base image plus one layer with what
# the service's native code needs and the base lacks (au-service's OpenCV links GTK, transcribe's offline engine is
# Debian's pocketsphinx, hf-server's llama.cpp needs libgomp).
#   native-layer.sh LAYOUT NAME [--libs-of DIR]... [--add PATH]...
#     --libs-of DIR  every shared library under DIR (a service's build or publish folder's runtimes/linux-x64, which
#                    the image's app layer ships already): what they load (ldd closure), not the files themselves
#     --add PATH     a library (copied with its ldd closure) or a folder copied whole (e.g. a model folder)
# Prints the tag to build the service on: BASE_TAG-NAME, or BASE_TAG itself when the base has everything already.
set -euo pipefail
. "$(dirname "$0")/oci-lib.sh"
OUT=${1:?layout}; NAME=${2:?name}; shift 2
LIBS_OF=(); ADD=()
while [ $# -gt 0 ]; do
  case $1 in
    --libs-of) LIBS_OF+=("$(realpath "${2:?folder}")"); shift 2 ;;
    --add) ADD+=("${2:?path}"); shift 2 ;;
    *) echo "native-layer.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
BASE_TAG=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$OUT/index.json")
BASE_MANIFEST=$OUT/blobs/sha256/$(jq -r '.manifests[0].digest' "$OUT/index.json" | cut -d: -f2)
BASE_CONFIG=$OUT/blobs/sha256/$(jq -r .config.digest "$BASE_MANIFEST" | cut -d: -f2)
ROOT=$(mktemp -d); WORK=$(mktemp -d); trap 'rm -rf "$ROOT" "$WORK"' EXIT
# What the base has, by file name (ldd may name the same library under /lib or /usr/lib).
for digest in $(jq -r '.layers[].digest' "$BASE_MANIFEST" | cut -d: -f2); do tar -tzf "$OUT/blobs/sha256/$digest"; done \
  | sed 's#.*/##' | grep '\.so' | sort -u > "$WORK/base-files"
# A library the app ships itself (a sibling found through $ORIGIN) or the base has is not copied.
skip_library() {
  local real dir; real=$(realpath "$1")
  for dir in "${LIBS_OF[@]}"; do case $real in "$dir"/*) return 0 ;; esac; done
  grep -qxF "${1##*/}" "$WORK/base-files"
}
for dir in "${LIBS_OF[@]}"; do
  while IFS= read -r -d '' library; do copy_closure "$ROOT" "$library"; done < <(find "$dir" -type f -name '*.so*' -print0)
done
for path in "${ADD[@]}"; do
  if [ -f "$path" ] && skip_library "$path"; then continue; fi
  cp -L -R --parents "$path" "$ROOT"
  if [ -f "$path" ]; then copy_closure "$ROOT" "$path"; fi
done
if [ -z "$(ls -A "$ROOT")" ]; then echo "$BASE_TAG"; exit 0; fi
# Everything lands in the loader's default folders (/lib and /usr/lib/x86_64-linux-gnu), so the base's ld.so cache
# stays valid: a library missing from it is looked up there.
chmod 755 "$ROOT"
read -r DIFF_ID LAYER LAYER_SIZE < <(layer "$ROOT" "$WORK")
TAG=$BASE_TAG-$NAME
image "$WORK" "$TAG" \
  "$(jq -c --arg diff "$DIFF_ID" --arg name "$NAME" '.rootfs.diff_ids += [$diff] | .history += [{created_by: "tools/containers/native-layer.sh: native dependencies of \($name)"}]' "$BASE_CONFIG")" \
  "$(jq -c --arg d "$LAYER" --argjson s "$LAYER_SIZE" '.layers + [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}]' "$BASE_MANIFEST")"
echo "$TAG"
