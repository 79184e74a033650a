#!/usr/bin/env bash
# Installs everything MerFactory needs on a fresh Debian machine (idempotent): OS packages for media,
# models, the local broker and database, the s3rver stand-in, and a Release build of the solution.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
PACKAGES="ffmpeg docker-registry skopeo jq rabbitmq-server postgresql opencv-data libdlib-data pocketsphinx pocketsphinx-en-us pocketsphinx-testdata espeak-ng sox libgtk-3-0 libgdk-pixbuf-2.0-0 libgomp1 chromium fonts-liberation"
missing=$(for p in $PACKAGES; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || echo "$p"; done)
if [ -n "$missing" ]; then
  echo "setup: installing OS packages: $missing"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
bash tools/s3/setup.sh
if [ "${MERFACTORY_SKIP_BUILD:-0}" != 1 ]; then
  dotnet build MerFactory.sln -c Release -nologo -clp:ErrorsOnly
  # The CLI as users run it, compiled ahead of time (ReadyToRun): a run does not spend its first seconds in the JIT.
  case "$(uname -m)" in aarch64|arm64) RID=linux-arm64 ;; *) RID=linux-x64 ;; esac
  dotnet publish cli/MerFactory.Cli -c Release -r "$RID" --self-contained false -p:PublishReadyToRun=true \
    -o .build/merfactory -nologo -clp:ErrorsOnly
fi
