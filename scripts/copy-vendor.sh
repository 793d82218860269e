#!/usr/bin/env bash
# Copy the front-end libraries installed from the npm registry into Django's static tree.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/houqin/static/vendor
rm -rf "$dest"
mkdir -p "$dest/tabler/css" "$dest/tabler/js" "$dest/htmx"
# With their source maps: collectstatic's manifest storage follows the sourceMappingURL comments.
cp node_modules/@tabler/core/dist/css/tabler.min.css node_modules/@tabler/core/dist/css/tabler.min.css.map "$dest/tabler/css/"
cp node_modules/@tabler/core/dist/js/tabler.min.js node_modules/@tabler/core/dist/js/tabler.min.js.map "$dest/tabler/js/"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx/"
