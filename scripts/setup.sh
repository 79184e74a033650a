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
  # The CLI as users run it, compiled ahead of time: self-contained, with the .NET runtime and the CLI in one composite
  # ReadyToRun image, so the generic code the framework instantiates over MerFactory's and MassTransit's types is
  # precompiled too (a framework-dependent ReadyToRun CLI still JIT-compiled ~3,000 methods for one photo). It still
  # runs as `dotnet .build/merfactory/merfactory.dll` (or .build/merfactory/merfactory).
  case "$(uname -m)" in aarch64|arm64) RID=linux-arm64 ;; *) RID=linux-x64 ;; esac
  KIND="self-contained-composite $RID"
  # Intermediate files of another kind of publish must not be mixed into this one (a stale composite half breaks it).
  if [ "$(cat .build/merfactory.kind 2>/dev/null)" != "$KIND" ]; then
    rm -rf .build/merfactory "cli/MerFactory.Cli/obj/Release/net10.0/$RID"
  fi
  dotnet publish cli/MerFactory.Cli -c Release -r "$RID" --self-contained true -p:PublishReadyToRun=true \
    -p:PublishReadyToRunComposite=true -o .build/merfactory -nologo -clp:ErrorsOnly
  echo "$KIND" > .build/merfactory.kind
fi
