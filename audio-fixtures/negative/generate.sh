#!/usr/bin/env bash
# Builds the non-command audio for `talkshop bench false-accepts`: TV-like talk that mentions
# coffee, prices and orders without being a grammar sentence (espeak-ng, several voices and
# speeds), music-like tone sequences, pink noise, café babble and silence; over 20 minutes.
# Output goes to audio-fixtures/negative/generated/ (not committed: it is regenerated in about
# a minute). The few short clips the tests use are committed next to this script.
set -euo pipefail
cd "$(dirname "$0")"
out=generated
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

encode() { # wav in → ogg opus out, 16 kHz mono
  sox "$1" -r 16000 -c 1 -b 16 "$tmp/norm.wav"
  opusenc --quiet --bitrate 24 "$tmp/norm.wav" "$2"
}

echo "talk: espeak-ng, 4 voices × 2 speeds"
n=0
for voice in en-us en-gb en-us+f3 en-gb-scotland; do
  for speed in 140 175; do
    n=$((n + 1))
    espeak-ng -v "$voice" -s "$speed" -g 6 -w "$tmp/talk.wav" -f tv-talk.txt
    encode "$tmp/talk.wav" "$out/talk-$n.opus"
    printf '  %s\n' "$out/talk-$n.opus"
  done
done

echo "music: tone sequences with harmonics, 4 × 60 s"
for i in 1 2 3 4; do
  notes=""
  for step in $(seq 1 120); do
    freq=$(( 220 + ((step * (i + 3) * 37) % 440) ))
    notes="$notes $freq"
  done
  : > "$tmp/music.list"
  for freq in $notes; do
    sox -n -r 16000 -c 1 -b 16 "$tmp/note-$freq.wav" synth 0.5 pluck "$freq" synth 0.5 sine mix $((freq * 2)) vol 0.5 2>/dev/null
    echo "$tmp/note-$freq.wav" >> "$tmp/music.list"
  done
  sox $(cat "$tmp/music.list") "$tmp/music.wav"
  encode "$tmp/music.wav" "$out/music-$i.opus"
  printf '  %s\n' "$out/music-$i.opus"
done

echo "noise: pink and brown, 3 × 60 s"
sox -n -r 16000 -c 1 -b 16 "$tmp/pink.wav" synth 60 pinknoise vol 0.3
encode "$tmp/pink.wav" "$out/pink-noise.opus"
sox -n -r 16000 -c 1 -b 16 "$tmp/pink-loud.wav" synth 60 pinknoise vol 0.8
encode "$tmp/pink-loud.wav" "$out/pink-noise-loud.opus"
sox -n -r 16000 -c 1 -b 16 "$tmp/brown.wav" synth 60 brownnoise vol 0.5
encode "$tmp/brown.wav" "$out/brown-noise.opus"

echo "babble: three voices talking over each other, 2 min"
espeak-ng -v en-us -s 160 -w "$tmp/b1.wav" -f tv-talk.txt
espeak-ng -v en-gb+f2 -s 150 -w "$tmp/b2.wav" -f tv-talk.txt
espeak-ng -v en-us+m3 -s 170 -w "$tmp/b3.wav" -f tv-talk.txt
sox -m "$tmp/b1.wav" "$tmp/b2.wav" "|sox $tmp/b3.wav -p trim 20" "$tmp/babble.wav" trim 0 120
encode "$tmp/babble.wav" "$out/babble.opus"

echo "silence: 60 s with a faint hiss"
sox -n -r 16000 -c 1 -b 16 "$tmp/silence.wav" synth 60 whitenoise vol 0.002
encode "$tmp/silence.wav" "$out/silence.opus"

total=0
for f in "$out"/*.opus; do
  d=$(opusinfo "$f" | sed -n 's/.*Playback length: \([0-9]*\)m:\([0-9.]*\)s.*/\1 \2/p' | awk '{print $1*60+$2}')
  total=$(awk -v a="$total" -v b="$d" 'BEGIN{print a+b}')
done
echo "total: $(awk -v t="$total" 'BEGIN{printf "%.1f minutes", t/60}') in $out/"
