#!/usr/bin/env bash
# The README's first command: a sample bundle that uses all four background-fetch APIs,
# against a local endpoint this script starts and stops. Run twice on one data dir, so the
# second launch shows the token and the data stored by the first.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${FTRUN_BIN:-target/debug/ftrun}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# The endpoint answers after 100 ms, as a real one might: the app starts meanwhile.
"$bin" serve fixtures/bgfetch-demo/server-data.json --delay-ms 100 --port-file "$work/port" 2>/dev/null &
server=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$work/port")/prefetch"

for launch in 1 2; do
  echo
  echo "=== launch $launch: ftrun run fixtures/bgfetch-demo --prefetch-url $url"
  "$bin" run fixtures/bgfetch-demo --data-dir "$work/data" --prefetch-url "$url" --query "from=demo&launch=$launch"
  sleep 0.1 # let the server's log lines reach the terminal
done
echo
echo "=== what is stored now: ftrun cache list"
"$bin" cache list --data-dir "$work/data"
