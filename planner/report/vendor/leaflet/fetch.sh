#!/usr/bin/env bash
# Rebuild this folder from the npm registry's Leaflet package (the only network step; run by hand).
# The interactive map inlines these files, so it opens with no network at all.
set -euo pipefail
VERSION=${1:-1.9.4}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "leaflet@$VERSION" >/dev/null && tar xzf "leaflet-$VERSION.tgz")
cp "$tmp/package/dist/leaflet.js" "$tmp/package/dist/leaflet.css" "$tmp/package/LICENSE" "$here/"
mkdir -p "$here/images"
cp "$tmp/package/dist/images/layers.png" "$tmp/package/dist/images/layers-2x.png" \
   "$tmp/package/dist/images/marker-icon.png" "$here/images/"
(cd "$here" && sha256sum leaflet.js leaflet.css images/*.png)
