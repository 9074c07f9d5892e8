#!/bin/sh
# Re-fetch the vendored browser files of the web UI at the versions pinned in package-lock.json
# and copy them, each with its licence, into crates/web/ui/vendor/.
# Usage: crates/web/vendor-src/update.sh   (needs node + npm; nothing is fetched at run time)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../ui/vendor"
cd "$here"
npm ci --ignore-scripts --no-audit --no-fund
mkdir -p "$out"
nm="$here/node_modules"
cp "$nm/cytoscape/dist/cytoscape.min.js"                 "$out/cytoscape.min.js"
cp "$nm/cytoscape/LICENSE"                               "$out/cytoscape.LICENSE"
cp "$nm/cytoscape-dagre/dist/cytoscape-dagre.min.js"     "$out/cytoscape-dagre.min.js"
cp "$nm/cytoscape-dagre/LICENSE"                         "$out/cytoscape-dagre.LICENSE"
cp "$nm/@dagrejs/dagre/LICENSE"                          "$out/dagre.LICENSE"
cp "$nm/@dagrejs/graphlib/LICENSE"                       "$out/graphlib.LICENSE"
cp "$nm/topojson-client/dist/topojson-client.min.js"     "$out/topojson-client.min.js"
cp "$nm/topojson-client/LICENSE"                         "$out/topojson-client.LICENSE"
cp "$nm/world-atlas/land-110m.json"                      "$out/land-110m.json"
cp "$nm/world-atlas/LICENSE"                             "$out/world-atlas.LICENSE"
# The versions actually copied, for the record.
node -e '
const fs = require("fs");
const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
const names = ["cytoscape", "cytoscape-dagre", "topojson-client", "world-atlas"];
const lines = names.map(n => n + " " + lock.packages["node_modules/" + n].version);
fs.writeFileSync(process.argv[1], lines.join("\n") + "\n");
' "$out/VERSIONS"
echo "vendored into $out:"
cat "$out/VERSIONS"
