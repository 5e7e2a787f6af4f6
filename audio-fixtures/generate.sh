#!/usr/bin/env bash
# Synthesizes the spoken test commands with espeak-ng and encodes them in every input format
# Talkshop accepts. Run from anywhere; writes next to this script. Needs espeak-ng, opus-tools, sox
# (scripts/setup.sh installs them). The outputs are committed; rerun only to add fixtures.
#
#   <name>.opus      Ogg Opus, 16 kHz mono, 24 kbit/s (as a smart speaker would send)
#   <name>.ul        headerless G.711 μ-law, 8 kHz (a phone bridge)
#   <name>.l16       headerless signed 16-bit little-endian PCM, 16 kHz
#   manifest.json    what each fixture says and its intended intent
set -euo pipefail
cd "$(dirname "$0")"

# name|voice|text|intent
fixtures=(
  "large-latte|en-us|i would like a large latte|orderDrink"
  "small-americano-two-shots|en-us|can i get a small americano with two shots|orderDrink"
  "yes|en-us|yes|yes"
  "no|en-us|no|no"
  "cancel|en-us|cancel|cancel"
  "order-status|en-us|where is my order|whereIsMyOrder"
  "whats-in-my-cart|en-us|what is in my cart|cartContents"
  "the-usual|en-us|order the usual|orderTheUsual"
  "tv-chatter|en-gb|and in other news the weather will be cloudy tomorrow|none"
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "[" > manifest.json.tmp
first=1
for entry in "${fixtures[@]}"; do
  IFS='|' read -r name voice text intent <<< "$entry"
  echo "fixture: $name"
  espeak-ng -v "$voice" -s 150 -w "$tmp/$name-22k.wav" "$text"
  # 0.3 s of silence either side, like a real device's capture.
  sox "$tmp/$name-22k.wav" -r 16000 -c 1 -b 16 "$tmp/$name.wav" pad 0.3 0.3
  opusenc --quiet --bitrate 24 --comment "talkshop_text=$text" "$tmp/$name.wav" "$name.opus"
  sox "$tmp/$name.wav" -r 8000 -e u-law -t ul "$name.ul"
  sox "$tmp/$name.wav" -e signed-integer -b 16 -L -t raw "$name.l16"
  [ $first -eq 1 ] || echo "," >> manifest.json.tmp
  first=0
  printf '  {"name": "%s", "text": "%s", "intent": "%s"}' "$name" "$text" "$intent" >> manifest.json.tmp
done
printf '\n]\n' >> manifest.json.tmp
mv manifest.json.tmp manifest.json
echo "wrote ${#fixtures[@]} fixtures"
