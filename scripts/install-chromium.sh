#!/usr/bin/env bash
# Headless Chromium for the picture tests (tests/pictures.rs): Debian's/Ubuntu's package, when
# no Chromium is on PATH. Used by .ci/run; a developer may run it once too.
set -euo pipefail
for c in chromium chromium-browser google-chrome; do
  if command -v "$c" >/dev/null 2>&1; then exit 0; fi
done
if [ -n "${FTRUN_CHROME:-}" ] && [ -x "$FTRUN_CHROME" ]; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing Chromium (apt-get install chromium) for the picture tests" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
