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

# name|voice|text|intent|slots (JSON)
fixtures=(
  'large-latte|en-us|i would like a large latte|orderDrink|{"size": "large", "coffeeDrink": "latte"}'
  'small-double-americano|en-us|can i get a small double shot americano|orderDrink|{"size": "small", "numberOfShots": "double shot", "coffeeDrink": "americano"}'
  'yes|en-us|yes|yes|{}'
  'no|en-us|no|no|{}'
  'cancel|en-us|cancel|cancel|{}'
  'order-status|en-us|where is my order|whereIsMyOrder|{}'
  'whats-in-my-cart|en-us|what is in my cart|cartContents|{}'
  'the-usual|en-us|order the usual|orderTheUsual|{}'
  'tv-chatter|en-gb|and in other news the weather will be cloudy tomorrow|none|{}'
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "[" > manifest.json.tmp
first=1
for entry in "${fixtures[@]}"; do
  IFS='|' read -r name voice text intent slots <<< "$entry"
  echo "fixture: $name"
  espeak-ng -v "$voice" -s 150 -w "$tmp/$name-22k.wav" "$text"
  # 0.3 s of silence either side and a faint room tone (-60 dB pink noise), like a real
  # microphone's capture: devices never send digital silence around speech.
  sox "$tmp/$name-22k.wav" -r 16000 -c 1 -b 16 "$tmp/$name-padded.wav" pad 0.3 0.3
  sox "$tmp/$name-padded.wav" -p synth pinknoise vol 0.001 | sox -m "$tmp/$name-padded.wav" - "$tmp/$name.wav"
  opusenc --quiet --bitrate 24 --comment "talkshop_text=$text" "$tmp/$name.wav" "$name.opus"
  sox "$tmp/$name.wav" -r 8000 -e u-law -t ul "$name.ul"
  sox "$tmp/$name.wav" -e signed-integer -b 16 -L -t raw "$name.l16"
  [ $first -eq 1 ] || echo "," >> manifest.json.tmp
  first=0
  printf '  {"name": "%s", "text": "%s", "intent": "%s", "slots": %s}' "$name" "$text" "$intent" "$slots" >> manifest.json.tmp
done
printf '\n]\n' >> manifest.json.tmp
mv manifest.json.tmp manifest.json
echo "wrote ${#fixtures[@]} fixtures"

# Short non-command clips for the rejection tests (the long set: negative/generate.sh).
sox -n -r 16000 -c 1 -b 16 "$tmp/pink.wav" synth 3 pinknoise vol 0.4
opusenc --quiet --bitrate 24 "$tmp/pink.wav" negative/pink-noise.opus
sox -n -r 16000 -c 1 -b 16 "$tmp/silence.wav" synth 3 whitenoise vol 0.002
opusenc --quiet --bitrate 24 "$tmp/silence.wav" negative/silence.opus
for freq in 262 330 392 523 392 330; do
  sox -n -r 16000 -c 1 -b 16 "$tmp/note-$freq.wav" synth 0.5 pluck "$freq" vol 0.6
done
sox "$tmp"/note-262.wav "$tmp"/note-330.wav "$tmp"/note-392.wav "$tmp"/note-523.wav "$tmp/music.wav"
opusenc --quiet --bitrate 24 "$tmp/music.wav" negative/music.opus
echo "wrote negative/pink-noise.opus, negative/silence.opus, negative/music.opus"
