#!/usr/bin/env bash
# Builds the services' container images as OCI image tarballs with the .NET SDK's own container support
# (PublishContainer), with no Docker daemon and no access to mcr.microsoft.com:
#   build-images.sh OUT_DIR [SERVICE...]     (default: every folder under services/; build them first:
#                                             dotnet build services/X -c Release, or any test project that builds them)
# 1. base-image.sh OUT_DIR/base: the base every image shares (.NET runtime, ffmpeg, the libraries they load).
# 2. native-layer.sh: per service, one more layer with what its own native libraries (runtimes/linux-x64) load and the
#    base lacks (au-service: OpenCV's GTK libraries), plus the files listed in EXTRA below; none when nothing is missing.
# 3. Debian's docker-registry on 127.0.0.1:$MERFACTORY_REGISTRY_PORT (default 15665) serves those bases to the SDK
#    (skopeo pushes them; DOTNET_CONTAINER_INSECURE_REGISTRIES lets the SDK pull over HTTP), which writes
#    OUT_DIR/SERVICE.tar (image merfactory/SERVICE:$MERFACTORY_IMAGE_TAG, default "local") and OUT_DIR/SERVICE.log,
#    from a fresh publish folder with only linux-x64's native assets (services/Directory.Build.targets).
# OUT_DIR/bases lists "SERVICE BASE_IMAGE". MERFACTORY_IMAGE_JOBS images (default 2) are built at once.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); REPO=$(cd "$HERE/../.." && pwd)
OUT=$(mkdir -p "${1:?output dir}" && cd "$1" && pwd); shift
CONFIGURATION=${CONFIGURATION:-Release}; TAG=${MERFACTORY_IMAGE_TAG:-local}; JOBS=${MERFACTORY_IMAGE_JOBS:-2}
REGISTRY=127.0.0.1:${MERFACTORY_REGISTRY_PORT:-15665}
SERVICES=("$@"); [ ${#SERVICES[@]} -gt 0 ] || mapfile -t SERVICES < <(cd "$REPO/services" && ls -d */ | tr -d /)
# What a service needs from Debian besides its own libraries' closure: the offline speech engine's model
# (libpocketsphinx itself usually comes with ffmpeg's libraries in the base; if not, it is added with its closure).
declare -A EXTRA=([transcribe]="/usr/lib/x86_64-linux-gnu/libpocketsphinx.so.3 /usr/share/pocketsphinx/model/en-us")

BASE_TAG=$(bash "$HERE/base-image.sh" "$OUT/base" | tail -1)
: > "$OUT/bases"
for service in "${SERVICES[@]}"; do
  project=$(ls "$REPO/services/$service"/*.csproj); name=$(basename "$project" .csproj)
  build=$REPO/services/$service/bin/$CONFIGURATION/net10.0
  [ -f "$build/$name.dll" ] || { echo "build-images.sh: $service is not built ($build/$name.dll)" >&2; exit 1; }
  args=(); [ -d "$build/runtimes/linux-x64" ] && args+=(--libs-of "$build/runtimes/linux-x64")
  for extra in ${EXTRA[$service]:-}; do args+=(--add "$extra"); done
  tag=$BASE_TAG; [ ${#args[@]} -gt 0 ] && tag=$(bash "$HERE/native-layer.sh" "$OUT/base" "$service" "${args[@]}" | tail -1)
  echo "$service $REGISTRY/merfactory/dotnet-base:$tag" >> "$OUT/bases"
done

mkdir -p "$OUT/registry"
printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' "$OUT/registry/data" "$REGISTRY" > "$OUT/registry/config.yml"
docker-registry serve "$OUT/registry/config.yml" > "$OUT/registry/log" 2>&1 & REGISTRY_PID=$!
trap 'kill "$REGISTRY_PID" 2>/dev/null; wait "$REGISTRY_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://$REGISTRY/v2/" > /dev/null && break; kill -0 "$REGISTRY_PID" || break; sleep 0.1; done
curl -sf "http://$REGISTRY/v2/" > /dev/null || { echo "build-images.sh: docker-registry did not answer on $REGISTRY:" >&2; cat "$OUT/registry/log" >&2; exit 1; }
for tag in $(cut -d: -f3 "$OUT/bases" | sort -u); do
  skopeo copy -q --dest-tls-verify=false "oci:$OUT/base:$tag" "docker://$REGISTRY/merfactory/dotnet-base:$tag"
done

publish() {
  local service=$1 base=$2 project
  project=$(ls "$REPO/services/$service"/*.csproj)
  if DOTNET_CONTAINER_INSECURE_REGISTRIES=$REGISTRY dotnet publish "$project" -c "$CONFIGURATION" --no-build -nodeReuse:false \
       -p:PublishDir="$OUT/publish/$service/" -t:PublishContainer -p:ContainerBaseImage="$base" -p:ContainerArchiveOutputPath="$OUT/$service.tar" \
       -p:ContainerRepository="merfactory/$service" -p:ContainerImageTag="$TAG" -p:ContainerRuntimeIdentifier=linux-x64 \
       > "$OUT/$service.log" 2>&1
  then echo "built merfactory/$service:$TAG on $base"
  else echo "FAILED merfactory/$service (see $OUT/$service.log)"; return 1
  fi
}
export -f publish; export REPO OUT REGISTRY CONFIGURATION TAG
xargs -P "$JOBS" -n 2 bash -c 'publish "$0" "$1"' < "$OUT/bases"
