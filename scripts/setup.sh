#!/usr/bin/env bash
# Installs the Debian packages Talkshop needs, and nothing when they are all present.
# Usage: scripts/setup.sh            (called by scripts/serve.sh)
#        scripts/setup.sh --tests    also what only the tests need (called by scripts/test.sh)
set -euo pipefail

packages=(
  libopus-dev          # Opus codec (AudioCodec)
  libpocketsphinx-dev  # speech decoder (Recognition)
  pocketsphinx-en-us   # US English acoustic model and dictionary
  pocketsphinx         # pocketsphinx_batch, the reference for the benchmarks
  libsqlite3-dev       # database (Storage)
  espeak-ng            # spoken fixtures and replies
  libespeak-ng-dev     # speech synthesis library (replies)
  opus-tools           # opusenc / opusinfo / opusdec for fixtures and interop tests
  sox                  # mixing noise into fixtures
  python3-websockets   # an independent WebSocket client for the interop test
  pkg-config
)
if [ "${1:-}" = "--tests" ]; then
  packages+=(
    chromium             # the headless browser that drives the try page in its test
    fonts-dejavu-core    # so the page's screenshots have text
  )
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
