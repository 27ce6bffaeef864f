#!/usr/bin/env python3
"""memfit fit against published measurements: prints the README's accuracy table (setting, measured, memfit, error).

Run by hand (not by ctest):  python3 bench/fit_accuracy.py [path/to/memfit]
Sources of every measured value are in the `source` column; configs missing from the catalog are made by
bench/fit_data/make_configs.py. Goals (issue 8): vLLM KV capacity within 5 %, llama.cpp buffers within 5 %,
training peaks within 15 % (training rows: the README's Training memory section,
bench/training_accuracy).
"""
import json, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
memfit = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build", "memfit")
data = os.path.join(here, "fit_data")
GiB, MiB, GB = 2**30, 2**20, 1e9
env = dict(os.environ, HF_HUB_OFFLINE="1")


def fit(model, *args):
    if not model.startswith(("meta-llama/", "Qwen/", "openai/", "mistralai/", "google/")):
        model = os.path.join(data, model)
    p = subprocess.run([memfit, "fit", model, "--format", "json", *args], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        return None, p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"
    return json.loads(p.stdout), None


H100 = ["--gpu-memory", "79.18GiB", "--engine", "vllm", "--max-model-len", "16000"]
# (setting, source, model, args, extractor, measured, unit)
rows = [
    ("vLLM Llama-3.1-8B, H100, util 0.9, len 16000: available KV", "llm-d config_explorer",
     "Llama-3.1-8B", H100, lambda j: j["vllm"]["available_kv_bytes"], 51.38 * GiB, GiB),
    ("  same: activation peak of the profile run", "llm-d", "Llama-3.1-8B", H100,
     lambda j: j["vllm"]["activation_peak_bytes"], 4.76 * GiB, GiB),
    ("  same: weights", "llm-d", "Llama-3.1-8B", H100, lambda j: j["vllm"]["weights_bytes"], 14.99 * GiB, GiB),
    ("vLLM Qwen3-32B TP1, H100: available KV", "llm-d", "Qwen3-32B", H100,
     lambda j: j["vllm"]["available_kv_bytes"], 4.45 * GiB, GiB),
    ("vLLM Qwen3-32B TP2, 2 x H100: available KV", "llm-d", "Qwen3-32B", H100 + ["--gpus", "2"],
     lambda j: j["vllm"]["available_kv_bytes"], 34.49 * GiB, GiB),
    ("vLLM gpt-oss-20b (MXFP4), H100: available KV", "llm-d", "openai/gpt-oss-20b", H100,
     lambda j: j["vllm"]["available_kv_bytes"], 50.28 * GiB, GiB),
    ("  same: weights", "llm-d", "openai/gpt-oss-20b", H100, lambda j: j["vllm"]["weights_bytes"], 13.47 * GiB, GiB),
    ("vLLM Llama-3.3-70B FP8 TP2, 2 x H100: available KV", "llm-d (config: Llama-3.1-70B, --quantization fp8)",
     "meta-llama/Llama-3.1-70B", H100 + ["--gpus", "2", "--quantization", "fp8"],
     lambda j: j["vllm"]["available_kv_bytes"], 32.00 * GiB, GiB),
    ("vLLM gpt-oss-120b: KV bytes per token (5.38 GiB -> 78,384 tokens)", "hf-mem#60 (gpt-oss-20b layout x 36/24)",
     "openai/gpt-oss-20b", H100, lambda j: j["kv_bytes_per_token"] * 36 // 24, 5.38 * GiB / 78384, 1),
    ("llama.cpp Qwen3-30B-A3B f16, -c 4096: KV cache", "llama.cpp tools/fit-params README",
     "Qwen/Qwen3-30B-A3B", ["--gpu-memory", "24GiB", "--engine", "llama.cpp", "--context", "4096",
                            "--n-gpu-layers", "49", "--no-flash-attn"],
     lambda j: j["llamacpp"]["kv_bytes"], 384 * MiB, MiB),
    ("  same: compute buffer (no flash attention)", "llama.cpp tools/fit-params README", "Qwen/Qwen3-30B-A3B",
     ["--gpu-memory", "24GiB", "--engine", "llama.cpp", "--context", "4096", "--n-gpu-layers", "49",
      "--no-flash-attn"], lambda j: j["llamacpp"]["compute_buffer_bytes"], 898 * MiB, MiB),
    ("llama.cpp Llama-3.1-8B Q4_K_M, 8000 ctx: K + V cache", "huggingface.js#1225",
     "Llama-3.1-8B", ["--gpu-memory", "24GiB", "--engine", "llama.cpp", "--quantization", "gguf-q4_k_m",
                      "--context", "8000"], lambda j: j["llamacpp"]["kv_bytes"], 1.04 * GB, GB),
    ("  same: weights (whole file)", "huggingface.js#1225", "Llama-3.1-8B",
     ["--gpu-memory", "24GiB", "--engine", "llama.cpp", "--quantization", "gguf-q4_k_m", "--context", "8000"],
     lambda j: j["llamacpp"]["gpu_weights_bytes"] + j["llamacpp"]["cpu_weights_bytes"], 4.91 * GB, GB),
    ("llama.cpp LFM2-1.2B, 32,768 ctx f16: KV cache", "gguf-parser-go#31", "LFM2-1.2B",
     ["--gpu-memory", "24GiB", "--engine", "llama.cpp", "--context", "32768"],
     lambda j: j["llamacpp"]["kv_bytes"] - 10 * 3 * 2048 * 2, 384 * MiB, MiB),
]

print("| setting | measured | memfit | error | source |")
print("|---|---:|---:|---:|---|")
errors = []
for setting, source, model, args, get, measured, unit in rows:
    j, err = fit(model, *args)
    name = {GiB: "GiB", MiB: "MiB", GB: "GB", 1: "B"}[unit]
    fmt = (lambda v: f"{v / unit:,.2f} {name}") if unit != 1 else (lambda v: f"{v:,.0f} B")
    if j is None:
        print(f"| {setting} | {fmt(measured)} | n/a ({err}) | | {source} |")
        continue
    v = get(j)
    e = (v - measured) / measured * 100
    errors.append(abs(e))
    print(f"| {setting} | {fmt(measured)} | {fmt(v)} | {e:+.1f} % | {source} |")
if errors:
    print(f"\n{len(errors)} rows compared; median |error| {sorted(errors)[len(errors) // 2]:.1f} %, "
          f"max {max(errors):.1f} %", file=sys.stderr)
