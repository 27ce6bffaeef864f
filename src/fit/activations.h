// Activation memory of one training micro-batch (Korthikanti et al. 2022, "Reducing Activation Recomputation in
// Large Transformer Models"), generalized to the model's own widths (GQA/MLA projections, gated MLPs, MoE top-k),
// with or without dropout masks, eager vs fused (sdpa/flash) attention, tensor parallelism and full recomputation;
// plus the fp32 logits over the vocabulary and their gradient.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// What the activation formula needs from a transformer, read from config.json (text_config for multimodal models).
struct LayerShape {
  int64_t hidden = 0, heads = 0, layers = 0, vocab = 0;
  int64_t q_width = 0, k_width = 0, v_width = 0;  // per token: query, key and value projection widths
  int64_t o_width = 0;        // attention output (input of the output projection): heads * value head size
  int64_t ffn = 0;            // intermediate size of the dense MLP (or one expert)
  bool gated = false;         // SwiGLU/GeGLU MLP: gate and up projections (4 saved ffn-wide tensors, not 2)
  bool rms_norm_fp32 = false; // RMSNorm layers (transformers upcasts their input to fp32 and saves it)
  int64_t experts_per_token = 0;  // MoE top-k (0: dense)
  int64_t shared_ffn = 0;     // MoE: always-active shared expert width
  int64_t dense_layers = 0;   // MoE models whose first layers keep a dense MLP (first_k_dense_replace)
  int64_t dense_ffn = 0;      // ... and its width
  bool attention_dropout = false, hidden_dropout = false;
  bool lm_head = false;       // the task model returns logits over the vocabulary
};

// Reads the shape; `m` is the task model (gated MLP and LM-head detection from its tensor names and class).
LayerShape layer_shape(const Json& config, const Model& m, const std::string& cls);

struct ActivationOptions {
  int64_t batch = 1, seq_len = 2048;
  std::string attention = "sdpa";  // eager | sdpa | flash
  bool checkpointing = false;      // full recomputation: keep each layer's input only
  int tp = 1;
  int act_bytes = 2;               // 2 (16-bit training) or 4 (fp32)
};

// Bytes of saved activations of one layer for one micro-batch, as Korthikanti's terms: replicated part
// s*b*(2 norm inputs + attention input + MLP input) * e (norm inputs at 4 B for fp32-upcasting RMSNorms)
// + dropout masks (1 B each), partitioned part / t:
// s*b*(q + k + v + attention output + MLP: 2*ffn (4*ffn gated, times top-k for MoE)) * e, and eager attention's
// a*s^2*b*(e + mask 1 + dropout output e) / t, or sdpa/flash's fp32 log-sum-exp a*s*b*4 / t.
// For GPT-style layers (q = k = v = h, ffn = 4h, dropout, e = 2, t = 1) this is s*b*h*(34 + 5*a*s/h).
// `dense`: one of an MoE model's leading dense layers.
uint64_t layer_activation_bytes(const LayerShape& s, const ActivationOptions& o, bool dense = false);
// All layers: the sum over layers, or with checkpointing L * s*b*h*e (layer inputs) + the largest layer's activations.
uint64_t activation_bytes(const LayerShape& s, const ActivationOptions& o);
// Logits at the loss's backward, b*s*V each: the fp32 log-softmax output the loss saves (4 B), the gradient flowing
// into it (4 B) and the fp32 logits' gradient it produces (4 B), plus the 16-bit logits the LM head returned when
// training in 16 bits (2 B); in fp32 the returned logits are the fp32 ones (4 B). Divided by t (vocab-parallel
// head). 0 for models without an LM head.
uint64_t logits_bytes(const LayerShape& s, const ActivationOptions& o);

}  // namespace memfit
