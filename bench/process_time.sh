#!/usr/bin/env bash
# Whole-process timing: `memfit estimate-memory MODEL` from process start to table printed, median of N runs,
# next to what the real `accelerate estimate-memory` took for the same model (tests/data/results timings).
# usage: bench/process_time.sh [N]   (after `make build`)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-21}
bin=build/memfit
models=("bert-base-cased" "meta-llama/Llama-3.1-70B" "HuggingFaceM4/idefics-80b-instruct" "timm/resnet50.a1_in1k"
        "deepseek-ai/DeepSeek-V3")
printf "%-40s %12s %14s\n" model "memfit (ms)" "accelerate (s)"
for m in "${models[@]}"; do
  times=()
  for ((i = 0; i < n; i++)); do
    s=$(date +%s%N)
    "$bin" estimate-memory "$m" --offline >/dev/null 2>&1 || true
    e=$(date +%s%N)
    times+=($(( (e - s) / 1000 )))
  done
  med=$(printf "%s\n" "${times[@]}" | sort -n | sed -n "$(( (n + 1) / 2 ))p")
  f="tests/data/results/$([[ $m == timm/* ]] && echo timm || echo transformers)/$(echo "$m" | sed 's|/|__|; s|^\([^_]*\)$|___\1|').json"
  acc=$(grep -o '"process_start_to_table_printed_s": [0-9.]*' "$f" 2>/dev/null | awk '{printf "%.2f", $2}')
  printf "%-40s %12.2f %14s\n" "$m" "$(echo "$med / 1000" | bc -l)" "${acc:-?}"
done
