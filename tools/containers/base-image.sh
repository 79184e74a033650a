#!/usr/bin/env bash
# Builds the services' container base image from this machine's own files, as an OCI image layout:
#   base-image.sh OUT_DIR   -> OUT_DIR/{oci-layout,index.json,blobs/sha256/*}, tag = the .NET runtime version
# One layer: the .NET host and the Microsoft.NETCore.App + Microsoft.AspNetCore.App runtimes installed here
# (/usr/share/dotnet), Debian's ffmpeg and ffprobe (the media steps run them), the shared libraries all of these load
# (ldd closure, plus what the runtime dlopens: OpenSSL, ICU, zlib),
# an ld.so cache, /etc/passwd with the `app` user (uid 1654, as Microsoft's images) and /tmp. It is what the .NET SDK's
# container support needs as ContainerBaseImage where mcr.microsoft.com cannot be reached; the images built on it run
# (tests/MerFactory.Distributed.Tests/Containers starts them with unshare --root). native-layer.sh adds a service's own
# native dependencies on top.
set -euo pipefail
. "$(dirname "$0")/oci-lib.sh"
OUT=${1:?output dir}; DOTNET=${DOTNET_ROOT:-/usr/share/dotnet}
RUNTIME=$(ls "$DOTNET/shared/Microsoft.NETCore.App" | sort -V | tail -1)
ASPNET=$(ls "$DOTNET/shared/Microsoft.AspNetCore.App" | sort -V | tail -1)
ROOT=$(mktemp -d); WORK=$(mktemp -d); trap 'rm -rf "$ROOT" "$WORK"' EXIT
mkdir -p "$ROOT/usr/share/dotnet/shared/Microsoft.NETCore.App" "$ROOT/usr/share/dotnet/shared/Microsoft.AspNetCore.App" \
  "$ROOT/usr/bin" "$ROOT/etc" "$ROOT/tmp" "$ROOT/home/app" "$ROOT/proc" "$ROOT/dev" "$ROOT/app"
cp -a "$DOTNET/dotnet" "$DOTNET/host" "$ROOT/usr/share/dotnet/"
cp -a "$DOTNET/shared/Microsoft.NETCore.App/$RUNTIME" "$ROOT/usr/share/dotnet/shared/Microsoft.NETCore.App/"
cp -a "$DOTNET/shared/Microsoft.AspNetCore.App/$ASPNET" "$ROOT/usr/share/dotnet/shared/Microsoft.AspNetCore.App/"
ln -s ../share/dotnet/dotnet "$ROOT/usr/bin/dotnet"
cp -L /usr/bin/ffmpeg /usr/bin/ffprobe "$ROOT/usr/bin/"
# Native libraries: what the host and runtime link, and what the runtime opens by name at run time.
NEEDED=$( { find "$ROOT/usr/share/dotnet" -name '*.so' -o -name dotnet -type f; echo "$ROOT/usr/bin/ffmpeg"; echo "$ROOT/usr/bin/ffprobe";
            for l in libssl.so.3 libcrypto.so.3 libz.so.1 libgcc_s.so.1 libstdc++.so.6; do ls /usr/lib/x86_64-linux-gnu/$l; done;
            ls /usr/lib/x86_64-linux-gnu/libicu{uc,i18n,data}.so.[0-9]*[0-9]; } | sort -u)
# Libraries already in the root (the runtime's own, found next to each other) stay where they are.
skip_library() { case $1 in "$ROOT"/*) return 0 ;; esac; return 1; }
for f in $NEEDED; do
  case "$f" in "$ROOT"*) ;; *) cp -L --parents "$f" "$ROOT" ;; esac
  copy_closure "$ROOT" "$f"
done
ldconfig -r "$ROOT" 2>/dev/null || true
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1654:1654:app:/home/app:/usr/sbin/nologin\n' > "$ROOT/etc/passwd"
printf 'root:x:0:\napp:x:1654:\n' > "$ROOT/etc/group"
chmod 755 "$ROOT"; chmod 1777 "$ROOT/tmp"; chown 1654:1654 "$ROOT/home/app"
read -r DIFF_ID LAYER LAYER_SIZE < <(layer "$ROOT" "$WORK")
image "$WORK" "$RUNTIME" "$(jq -cn --arg runtime "$RUNTIME" --arg aspnet "$ASPNET" --arg diff "$DIFF_ID" --arg from "$DOTNET" \
  '{architecture:"amd64",os:"linux",config:{Env:["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","APP_UID=1654","DOTNET_VERSION=\($runtime)","ASPNET_VERSION=\($aspnet)","DOTNET_RUNNING_IN_CONTAINER=true"],WorkingDir:"/"},rootfs:{type:"layers",diff_ids:[$diff]},history:[{created_by:"tools/containers/base-image.sh: .NET \($runtime) and ASP.NET Core \($aspnet) from \($from) with their native libraries"}]}')" \
  "$(jq -cn --arg d "$LAYER" --argjson s "$LAYER_SIZE" '[{mediaType:"application/vnd.oci.image.layer.v1.tar+gzip",digest:$d,size:$s}]')"
echo "$RUNTIME"
