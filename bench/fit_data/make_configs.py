#!/usr/bin/env python3
"""Writes the configs bench/fit_accuracy needs that the bundled catalog lacks, next to this script.

- Llama-3.1-8B: the catalog's Meta-Llama-3-8B (same tensors) with Llama 3.1's long-context RoPE and
  max_position_embeddings taken from the catalog's Llama-3.1-70B.
- Qwen3-32B: the catalog's Qwen3-8B with the 32B's dimensions from its model card (hidden 5120, 64 layers,
  64 query / 8 KV heads, intermediate 25600, context 40960, untied embeddings).
- LFM2-1.2B: copied from ../shared/fixtures/configs (a real config.json) when present.
Replace them with the Hub's own config.json files when the catalog gains these models.
"""
import json, os, shutil, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
cat = os.path.join(root, "data", "catalog")


def load(p):
    with open(os.path.join(cat, p, "config.json")) as f:
        return json.load(f)


def save(name, cfg):
    d = os.path.join(here, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")


l3 = load("meta-llama/Meta-Llama-3-8B")
l31 = load("meta-llama/Llama-3.1-70B")
for k in ("rope_scaling", "max_position_embeddings", "rope_theta"):
    if k in l31:
        l3[k] = l31[k]
save("Llama-3.1-8B", l3)

q = load("Qwen/Qwen3-8B")
q.update(hidden_size=5120, num_hidden_layers=64, num_attention_heads=64, num_key_value_heads=8,
         intermediate_size=25600, max_position_embeddings=40960, tie_word_embeddings=False)
if "layer_types" in q:
    q["layer_types"] = ["full_attention"] * 64
if "max_window_layers" in q:
    q["max_window_layers"] = 64
save("Qwen3-32B", q)

lfm = os.path.join(os.path.dirname(root), "..", "shared", "fixtures", "configs", "LiquidAI", "LFM2-1.2B", "config.json")
for cand in (lfm, "/work/shared/fixtures/configs/LiquidAI/LFM2-1.2B/config.json"):
    if os.path.exists(cand):
        os.makedirs(os.path.join(here, "LFM2-1.2B"), exist_ok=True)
        shutil.copy(cand, os.path.join(here, "LFM2-1.2B", "config.json"))
        break
print("configs written under", here, file=sys.stderr)
