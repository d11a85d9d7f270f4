#!/usr/bin/env bash
# What the Linux release binary is built with (`make release`, `make npm-pack`): Rust's musl
# target for this machine's architecture and musl-gcc (Debian's/Ubuntu's musl-tools) for the C
# code (QuickJS, ring, mimalloc). Each is installed only when missing.
set -euo pipefail
host=$(rustc -vV | sed -n 's/^host: //p')
case "$host" in
  *-unknown-linux-gnu) musl=${host%-gnu}-musl ;;
  *) echo "install-musl.sh: $host is not Linux/glibc; nothing to do" >&2; exit 0 ;;
esac
if ! rustup target list --installed | grep -qx "$musl"; then
  echo "installing Rust's $musl target (rustup target add)" >&2
  rustup target add "$musl"
fi
if ! command -v musl-gcc >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "installing musl-gcc (apt-get install musl-tools)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends musl-tools >/dev/null
fi
