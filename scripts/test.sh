#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests
swift build --build-tests
source scripts/postgres-for-tests.sh
swift test --skip-build "$@"
