#!/usr/bin/env bash
# Regenerates the worked examples of the README's "Will it fit" section (real output of the binary), as markdown on
# stdout. Usage: bench/fit_examples.sh [path/to/memfit] > /tmp/examples.md, then paste over the README's examples.
set -u
M=${1:-build/memfit}
export HF_HUB_OFFLINE=1
D=bench/fit_data
run() {
  echo '```console'
  echo "\$ memfit fit $*" | sed "s|$D/|bench/fit_data/|"
  "$M" fit "$@" 2>&1
  echo '```'
  echo
}
verdict() {
  echo "- \`memfit fit $*\`:"
  "$M" fit "$@" --format json 2>&1 | python3 -c '
import json, sys
t = sys.stdin.read()
try:
    j = json.loads(t)
except Exception:
    print("  " + t.strip()); sys.exit()
print("  " + j["verdict"])
for l in j.get("vllm", {}).get("log", []): print("  vLLM would log: " + l)
for s in j["suggestions"]: print("  would fit with `%s`: %.2f GiB" % (s["change"], s["total_bytes_per_gpu"] / 2**30))
'
}
echo "Llama-3.1-8B on a 24 GB card (the config: \`bench/fit_data/make_configs.py\`), transformers at 8K and 32K:"
echo
run $D/Llama-3.1-8B --gpu RTX-4090 --context 8k
verdict $D/Llama-3.1-8B --gpu RTX-4090 --context 32k
echo
echo "The same under vLLM:"
echo
verdict $D/Llama-3.1-8B --gpu RTX-4090 --engine vllm --max-model-len 8k
verdict $D/Llama-3.1-8B --gpu RTX-4090 --engine vllm --max-model-len 32k
echo
echo "Does \`vllm serve Qwen/Qwen3-32B --max-model-len 32000\` start on one H100, and what would?"
echo
run $D/Qwen3-32B --gpu H100-80GB --engine vllm --max-model-len 32000
echo "A Q4_K_M GGUF of a 70B on a 24 GB card with llama.cpp (the \`-ngl\` that fits; a .gguf file gives its exact tensors):"
echo
run meta-llama/Llama-3.1-70B --gpu RTX-4090 --engine llama.cpp --quantization gguf-q4_k_m
echo "Training (terms from src/fit/training.h):"
echo
verdict meta-llama/Llama-3.1-70B --gpu-memory 48GB --train qlora --grad-checkpointing
verdict meta-llama/Llama-3.1-70B --gpu H100-80GB --gpus 8 --train full --zero 3 --grad-checkpointing
echo
echo "What fits a 24 GB card (catalog and HF cache, smallest first):"
echo
echo '```console'
echo '$ memfit search --gpu RTX-4090 --limit 8'
"$M" search --gpu RTX-4090 --limit 8 2>&1
echo '```'
