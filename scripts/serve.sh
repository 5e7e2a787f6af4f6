#!/usr/bin/env bash
# Installs what is missing, builds, and starts Talkshop with its embedded defaults.
# Extra arguments go to `talkshop serve` (see `talkshop serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product talkshop
exec .build/release/talkshop serve "$@"
