// Shared building blocks: the torch.nn layers and recurring transformer pieces every family file composes.
// Each returns a fresh module named by its PyTorch class, with parameters in PyTorch's order.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tree/module.h"
#include "core/file_scope.h"

namespace memfit::blocks {

// nn.Linear(in, out, bias): weight [out, in], bias [out].
ModulePtr linear(int64_t in, int64_t out, bool bias = true);
// transformers' Conv1D(nf=out, nx=in) of GPT-2: weight [in, out], bias [out].
ModulePtr conv1d_gpt2(int64_t out, int64_t in);
// nn.Embedding(num, dim): weight [num, dim].
ModulePtr embedding(int64_t num, int64_t dim, std::string cls = "Embedding");
// nn.LayerNorm(dim) (weight, bias) or a family's norm class with the same layout.
ModulePtr layer_norm(int64_t dim, bool bias = true, std::string cls = "LayerNorm");
// An RMSNorm-style norm with only a weight of [dim] (LlamaRMSNorm, T5LayerNorm, ...).
ModulePtr rms_norm(std::string cls, int64_t dim);
// A module without tensors (activation, dropout, identity, pooling): only matters for the module layout.
ModulePtr leaf(std::string cls);

// nn.Conv2d: weight [out, in/groups, kh, kw], bias [out].
ModulePtr conv2d(int64_t in, int64_t out, int64_t kh, int64_t kw, bool bias = true, int64_t groups = 1);
inline ModulePtr conv2d(int64_t in, int64_t out, int64_t k, bool bias = true, int64_t groups = 1) {
  return conv2d(in, out, k, k, bias, groups);
}
// nn.BatchNorm2d(n): weight, bias, running_mean, running_var, num_batches_tracked (int64 scalar).
ModulePtr batch_norm(int64_t n, std::string cls = "BatchNorm2d");

// A rotary embedding module: non-persistent float32 buffers inv_freq [dim/2] and original_inv_freq [dim/2].
ModulePtr rotary(std::string cls, int64_t rotary_dim);

// q/k/v/o projections of a decoder attention (LlamaAttention layout).
struct AttnShape {
  int64_t hidden, heads, kv_heads, head_dim;
  bool qkv_bias = false, o_bias = false;
};
ModulePtr qkvo_attention(std::string cls, const AttnShape& s);

// gate_proj / up_proj / down_proj (+ act_fn) of a gated MLP (LlamaMLP layout).
ModulePtr gated_mlp(std::string cls, int64_t hidden, int64_t intermediate, bool bias = false,
                    std::string act_cls = "SiLUActivation");

// gate_up_proj (one fused [2*intermediate, hidden] Linear) / down_proj (+ activation_fn): Phi-3 and GLM-4's MLP.
ModulePtr gate_up_mlp(std::string cls, int64_t hidden, int64_t intermediate, std::string act_cls);

// ACT2FN's module class name for a config's hidden_act string.
std::string act_class(const std::string& act);

}  // namespace memfit::blocks
