# Shared by base-image.sh and native-layer.sh (sourced, not run): a file's shared libraries copied with it, a
# reproducible layer, and blobs, configs and manifests added to an OCI image layout ($OUT).

# copy_closure ROOT FILE...: every shared library FILE loads (ldd), copied into ROOT at its own path (symlinks
# resolved), unless `skip_library PATH` (defined by the caller) says the image already has it.
copy_closure() {
  local root=$1 file lib; shift
  for file in "$@"; do
    { ldd "$file" 2>/dev/null || true; } | { grep -o '/[^ ]*' || true; } | while read -r lib; do
      if [ -e "$lib" ] && ! skip_library "$lib"; then cp -L --parents -n "$lib" "$root"; fi
    done
  done
}

# blob FILE: stores FILE in $OUT/blobs and prints "sha256:DIGEST SIZE".
blob() {
  local digest; digest=$(sha256sum "$1" | cut -d' ' -f1)
  mkdir -p "$OUT/blobs/sha256"; cp "$1" "$OUT/blobs/sha256/$digest"
  echo "sha256:$digest $(stat -c %s "$1")"
}

# layer ROOT WORK: ROOT as a gzipped layer blob with sorted names, fixed times and owners (the same files give the same
# digest); prints "DIFF_ID DIGEST SIZE".
layer() {
  local root=$1 work=$2 diff_id
  tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$root" -cf "$work/layer.tar" .
  diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  gzip -n -6 -f "$work/layer.tar"
  echo "$diff_id $(blob "$work/layer.tar.gz")"; rm -f "$work/layer.tar.gz"
}

# image WORK TAG CONFIG_JSON LAYERS_JSON: the config blob, a manifest over LAYERS_JSON (an array of
# {mediaType,digest,size}) and an index entry named TAG (replacing one of the same name).
image() {
  local work=$1 tag=$2 config manifest size
  printf '%s' "$3" > "$work/config.json"; read -r config size < <(blob "$work/config.json")
  jq -cn --arg c "$config" --argjson s "$size" --argjson layers "$4" \
    '{schemaVersion:2,mediaType:"application/vnd.oci.image.manifest.v1+json",config:{mediaType:"application/vnd.oci.image.config.v1+json",digest:$c,size:$s},layers:$layers}' \
    > "$work/manifest.json"
  read -r manifest size < <(blob "$work/manifest.json")
  echo '{"imageLayoutVersion":"1.0.0"}' > "$OUT/oci-layout"
  [ -f "$OUT/index.json" ] || echo '{"schemaVersion":2,"manifests":[]}' > "$OUT/index.json"
  jq -c --arg d "$manifest" --argjson s "$size" --arg t "$tag" \
    '.manifests |= (map(select(.annotations["org.opencontainers.image.ref.name"] != $t)) + [{mediaType:"application/vnd.oci.image.manifest.v1+json",digest:$d,size:$s,annotations:{"org.opencontainers.image.ref.name":$t}}])' \
    "$OUT/index.json" > "$work/index.json"
  mv "$work/index.json" "$OUT/index.json"
}
