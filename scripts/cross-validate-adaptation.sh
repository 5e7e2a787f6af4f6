#!/usr/bin/env bash
# Cross-validates the noisy-room model recipe (scripts/adapt-model.sh): for each of N parts of
# the dev recordings, adapts on the other parts and measures `bench accuracy` on that part with
# and without the adapted model; prints the sums over all parts. No recording is ever tested
# by a model that heard it.
# Usage: scripts/cross-validate-adaptation.sh [--folds N] [--variant map-means|map|mllr]
#          [--noise KINDS] [--snr LIST] [--denoiser rnnoise|deepfilter]
#          [--adapt "adapt-model.sh options"] WORK_DIR
set -euo pipefail
repository=$(cd "$(dirname "$0")/.." && pwd)
folds=2 variant=map-means noise=pink snr=12,6 adapt="" denoiser=rnnoise
speech=$repository/speech/coffee-dev
while [ $# -gt 1 ]; do
  case "$1" in
    --folds) folds=$2; shift 2 ;;
    --variant) variant=$2; shift 2 ;;
    --noise) noise=$2; shift 2 ;;
    --snr) snr=$2; shift 2 ;;
    --adapt) adapt=$2; shift 2 ;;
    --denoiser) denoiser=$2; shift 2 ;;
    *) echo "cross-validate-adaptation: unknown option $1 (see the top of $0)" >&2; exit 2 ;;
  esac
done
[ $# -eq 1 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
work=$1
export TALKSHOP=${TALKSHOP:-$repository/.build/release/talkshop}
[ -x "$TALKSHOP" ] || (cd "$repository" && swift build -c release --product talkshop)

declare -A sums
for fold in $(seq 1 "$folds"); do
  model=$work/fold$fold
  # shellcheck disable=SC2086 # --adapt holds several options
  [ -d "$model/$variant" ] || "$repository/scripts/adapt-model.sh" --fold "$fold/$folds" --denoiser "$denoiser" $adapt "$model" | grep "^adapt-model: done"
  for with in off "$model/$variant"; do
    name=$([ "$with" = off ] && echo base || echo adapted)
    for run in clean noisy; do
      options=(--labels "$speech/labels.json" --fold "$fold/$folds" --noisy-room-model "$with" --denoiser "$denoiser"
        --grammars-directory "$repository/grammars" --catalogs-directory "$repository/catalogs")
      [ $run = noisy ] && options+=(--noise "$noise" --snr "$snr")
      while IFS='|' read -r _ condition accepted _; do
        condition=$(echo "$condition" | xargs) accepted=$(echo "$accepted" | xargs)
        count=${accepted%%/*} total=${accepted##*/}
        sums[$name|$condition]=$(( ${sums[$name|$condition]:-0} + count ))
        [ "$name" = base ] && sums[total|$condition]=$(( ${sums[total|$condition]:-0} + total ))
        echo "fold $fold/$folds, $name, $condition: $count/$total"
      done < <("$TALKSHOP" bench accuracy "${options[@]}" "$speech" 2>/dev/null | grep -E '^\| (clean|[a-z]+ [0-9.]+ dB) \|')
    done
  done
done
echo
echo "| condition | base model | $variant, cross-validated |"
echo "|---|---|---|"
for key in "${!sums[@]}"; do [[ $key == total\|* ]] && echo "${key#total|}"; done | sort | while read -r condition; do
  echo "| $condition | ${sums[base|$condition]}/${sums[total|$condition]} | ${sums[adapted|$condition]}/${sums[total|$condition]} |"
done
