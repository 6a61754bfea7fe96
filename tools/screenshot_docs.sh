#!/usr/bin/env bash
# Screenshot the built site (_site/, from tools/build_docs.py) in headless Chromium, to look at the pages as a browser renders them.
#   tools/screenshot_docs.sh [OUT_DIR] [PAGE ...]      default: _proc/screens, index.html pointcloud.losses.html
# and search.png: the search box with SEARCH (default chamfer) typed, its results listed.
# Needs chromium (Debian: apt-get install -y chromium). Serves _site/ on a local port (search needs http, not file://).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-_proc/screens}; shift || true
pages=("$@"); [ ${#pages[@]} -gt 0 ] || pages=(index.html pointcloud.losses.html)
[ -f _site/index.html ] || { echo "no _site/index.html: run python tools/build_docs.py first" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "no chromium found (apt-get install -y chromium)" >&2; exit 2; }
mkdir -p "$out"
port=${PORT:-8765}
python3 -m http.server "$port" --bind 127.0.0.1 --directory _site >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
for p in "${pages[@]}"; do
  png="$out/${p%.html}.png"
  nice "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=${WIDTH:-1400},${HEIGHT:-2200} \
       --virtual-time-budget=5000 --screenshot="$png" "http://127.0.0.1:$port/$p" >/dev/null 2>&1
  echo "$png"
done
# the search (a web worker: needs real time, so through the DevTools protocol)
python3 tools/cdp_screenshot.py "http://127.0.0.1:$port/index.html?q=${SEARCH:-chamfer}" "$out/search.png" --wait 6
