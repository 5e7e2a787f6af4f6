#!/usr/bin/env bash
# Builds near-miss audio for `talkshop bench false-accepts`: orders for another kind of shop,
# spoken by espeak-ng in four voices — grocery orders to play to the coffee grammar (real
# coffee orders to play to the grocery or pizza grammar are speech/coffee-dev). Sentences are
# sampled from grammars/grocery.yaml, keeping only the grocery shop's own intents (a "yes" or
# "what's in my cart" is valid in every shop, so not a near miss).
# Output: audio-fixtures/near-miss/generated/ (not committed: regenerated in under a minute).
set -euo pipefail
cd "$(dirname "$0")"
repository=$(cd ../.. && pwd)
talkshop=${TALKSHOP:-$repository/.build/release/talkshop}
[ -x "$talkshop" ] || talkshop=$repository/.build/debug/talkshop
out=generated
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$talkshop" grammar sample --grammar grocery -n 400 --seed 17 \
  --grammars-directory "$repository/grammars" --catalogs-directory "$repository/catalogs" 2>/dev/null \
  | awk -F '\t' '$2 ~ /^(addItem|askPrice|removeProduct)/ { print $1 }' | sort -u | head -80 > "$tmp/sentences.txt"

voices=(en-us en-gb en-us+f3 en-gb-scotland)
n=0
while IFS= read -r sentence; do
  voice=${voices[$((n % 4))]}
  espeak-ng -v "$voice" -s $((150 + (n % 3) * 15)) -w "$tmp/say.wav" "$sentence"
  # Half a second of room around the words, as a speaker's microphone would give.
  sox "$tmp/say.wav" -r 16000 -c 1 -b 16 "$tmp/padded.wav" pad 0.5 0.5
  opusenc --quiet --bitrate 24 "$tmp/padded.wav" "$out/grocery-$(printf '%02d' "$n").opus"
  n=$((n + 1))
done < "$tmp/sentences.txt"
echo "near-miss: $n grocery orders in $out/"
