#!/usr/bin/env bash
# Adapts Debian's en-us acoustic model to noisy speech as Talkshop's front end passes it on
# (docs/recognition.md, "Adapting the acoustic model") with sphinxtrain from Debian: an MLLR
# transform (5 KB), a MAP-adapted model (8 MB) and its means alone (0.8 MB, what ships in
# models/noisy-room). Each output directory holds the files that replace the base model's:
# `talkshop serve` takes one as recognition.noisyRoomModel, the benchmarks as --noisy-room-model.
#
# Usage: scripts/adapt-model.sh [options] OUTPUT_DIR
#   --fold K/N        leave part K of the dev recordings out (test on it with
#                     `talkshop bench accuracy --fold K/N --noisy-room-model OUTPUT_DIR/map-means`)
#   --noise KINDS     noises mixed in (default pink,brown)
#   --snr LIST        SNRs in dB (default 15,9,6)
#   --denoiser KIND   the front end's denoiser, rnnoise (default) or deepfilter: a model fits
#                     only the denoiser it was adapted on (its directory's `denoiser` file)
#   --clean           also every recording without noise
#   --synthetic N     also N grammar sentences spoken by espeak-ng (default 0)
#   --speech DIR      labelled recordings (default speech/coffee-dev)
# Output: OUTPUT_DIR/mllr/, OUTPUT_DIR/map/, OUTPUT_DIR/map-means/.
set -euo pipefail
repository=$(cd "$(dirname "$0")/.." && pwd)
fold="" noise=pink,brown snr=15,9,6 synthetic=0 clean="" denoiser=rnnoise
speech=$repository/speech/coffee-dev
while [ $# -gt 1 ]; do
  case "$1" in
    --fold) fold=$2; shift 2 ;;
    --noise) noise=$2; shift 2 ;;
    --snr) snr=$2; shift 2 ;;
    --synthetic) synthetic=$2; shift 2 ;;
    --clean) clean=--clean; shift ;;
    --denoiser) denoiser=$2; shift 2 ;;
    --speech) speech=$2; shift 2 ;;
    *) echo "adapt-model: unknown option $1 (see the top of $0)" >&2; exit 2 ;;
  esac
done
[ $# -eq 1 ] || { sed -n '2,18p' "$0" >&2; exit 2; }
out=$(mkdir -p "$1" && cd "$1" && pwd)

"$repository/scripts/setup.sh" --adaptation
model=/usr/share/pocketsphinx/model/en-us/en-us
train=/usr/lib/sphinxtrain
talkshop=${TALKSHOP:-$repository/.build/release/talkshop}
if [ -z "${TALKSHOP:-}" ]; then (cd "$repository" && swift build -c release --product talkshop); fi
corpus=$out/corpus
rm -rf "$corpus" "$out/accum" "$out/mllr" "$out/map" "$out/map-means"
mkdir -p "$corpus" "$out/accum"

echo "adapt-model: 1/5 the corpus (noise $noise at $snr dB, through the front end's $denoiser)"
extra=()
if [ "$synthetic" -gt 0 ]; then
  # Grammar sentences in four espeak-ng voices; their words are known.
  mkdir -p "$corpus/synthetic"
  voices=(en-us en-gb en-us+f3 en-gb-scotland)
  n=0
  "$talkshop" grammar sample --grammar coffee -n "$synthetic" --seed 41 \
    --grammars-directory "$repository/grammars" --catalogs-directory "$repository/catalogs" | cut -f1 |
    while IFS= read -r sentence; do
      file=$corpus/synthetic/synthetic-$(printf '%04d' $n).wav
      espeak-ng -v "${voices[$((n % 4))]}" -s $((140 + (n % 3) * 15)) -w "$corpus/synthetic/say.wav" "$sentence"
      sox "$corpus/synthetic/say.wav" -r 16000 -c 1 -b 16 "$file" pad 0.5 0.5
      printf '%s\t%s\n' "$file" "$sentence"
      n=$((n + 1))
    done > "$corpus/synthetic.tsv"
  extra=(--sentences "$corpus/synthetic.tsv")
fi
"$talkshop" audio adaptation-set --labels "$speech/labels.json" ${fold:+--fold "$fold"} \
  --noise "$noise" --snr "$snr" $clean "${extra[@]}" --output "$corpus" --noisy-room-model off --denoiser "$denoiser" \
  --grammars-directory "$repository/grammars" --catalogs-directory "$repository/catalogs" "$speech"

echo "adapt-model: 2/5 features (sphinx_fe, the model's own parameters)"
sphinx_fe -argfile "$model/feat.params" -samprate 16000 -c "$corpus/adapt.fileids" \
  -di "$corpus/wav" -do "$corpus/mfc" -ei wav -eo mfc -mswav yes > "$out/sphinx_fe.log" 2>&1

echo "adapt-model: 3/5 the model in the form sphinxtrain reads"
python3 "$repository/scripts/sendump-to-mixture-weights.py" "$model/sendump" "$out/mixture_weights"
pocketsphinx_mdef_convert -text "$model/mdef" "$out/mdef.txt" > /dev/null 2>&1

echo "adapt-model: 4/5 statistics (bw)"
"$train/bw" -hmmdir "$model" -moddeffn "$out/mdef.txt" -mixwfn "$out/mixture_weights" \
  -ts2cbfn .ptm. -feat 1s_c_d_dd -svspec 0-12/13-25/26-38 -cmn current -agc none \
  -dictfn "$corpus/adapt.dic" -fdictfn "$model/noisedict" -ctlfn "$corpus/adapt.fileids" \
  -lsnfn "$corpus/adapt.transcription" -cepdir "$corpus/mfc" -accumdir "$out/accum" > "$out/bw.log" 2>&1 \
  || { tail -20 "$out/bw.log" >&2; exit 1; }
grep -E "^overall>" "$out/bw.log" | tail -1 || true

echo "adapt-model: 5/5 MLLR transform and MAP models"
mkdir -p "$out/mllr" "$out/map" "$out/map-means"
"$train/mllr_solve" -meanfn "$model/means" -varfn "$model/variances" \
  -outmllrfn "$out/mllr/mllr_matrix" -accumdir "$out/accum" > "$out/mllr_solve.log" 2>&1 \
  || { tail -20 "$out/mllr_solve.log" >&2; exit 1; }
"$train/map_adapt" -moddeffn "$out/mdef.txt" -ts2cbfn .ptm. -meanfn "$model/means" -varfn "$model/variances" \
  -mixwfn "$out/mixture_weights" -tmatfn "$model/transition_matrices" -accumdir "$out/accum" \
  -mapmeanfn "$out/map/means" -mapvarfn "$out/map/variances" -mapmixwfn "$out/map/mixture_weights" \
  -maptmatfn "$out/map/transition_matrices" > "$out/map_adapt.log" 2>&1 \
  || { tail -20 "$out/map_adapt.log" >&2; exit 1; }
# Back to the compressed weights PocketSphinx loads (2 MB instead of 8).
"$train/mk_s2sendump" -pocketsphinx yes -moddeffn "$out/mdef.txt" -mixwfn "$out/map/mixture_weights" \
  -sendumpfn "$out/map/sendump" > "$out/mk_s2sendump.log" 2>&1 || { tail -20 "$out/mk_s2sendump.log" >&2; exit 1; }
rm "$out/map/mixture_weights"
# The means alone: what Talkshop ships (docs/recognition.md, "Adapting the acoustic model").
cp "$out/map/means" "$out/map-means/means"
for adapted in mllr map map-means; do echo "$denoiser" > "$out/$adapted/denoiser"; done
rm -rf "$corpus/mfc" "$corpus/wav" "$corpus/synthetic" "$out/accum" "$out/mixture_weights" "$out/mdef.txt"
echo "adapt-model: done: $out/mllr ($(wc -c < "$out/mllr/mllr_matrix") bytes), $out/map ($(du -sh "$out/map" | cut -f1)), $out/map-means ($(du -sh "$out/map-means" | cut -f1))"
echo "  try one: talkshop bench accuracy --noisy-room-model $out/map-means --labels …/labels.json --noise pink --snr 12,6 ${fold:+--fold $fold }…"
