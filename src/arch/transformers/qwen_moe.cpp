// Qwen2-MoE and Qwen3-MoE: transformers' modeling_qwen2_moe.py and modeling_qwen3_moe.py. Qwen2/Qwen3 decoders whose
// MLP is a sparse MoE block on every `decoder_sparse_step`-th layer not in `mlp_only_layers` (a dense MLP otherwise).
#include <algorithm>

#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// Layer i is sparse unless listed in mlp_only_layers or off the decoder_sparse_step grid.
std::function<ModulePtr(int64_t)> sparse_every(const Config& c, int64_t experts, ModulePtr sparse, ModulePtr dense) {
  std::vector<int64_t> mlp_only = c.has("mlp_only_layers") ? c.ints("mlp_only_layers") : std::vector<int64_t>{};
  int64_t step = moe::dim(c, "decoder_sparse_step", c.i("decoder_sparse_step", 1));
  return [=](int64_t i) {
    bool is_sparse = std::find(mlp_only.begin(), mlp_only.end(), i) == mlp_only.end() && experts > 0 &&
                     (i + 1) % step == 0;
    return is_sparse ? sparse : dense;
  };
}

MEMFIT_FAMILY({"qwen2_moe"}, "Qwen2Moe", [](const Config& c, std::string_view cls) {
  DecoderSpec s = moe::read(c, "Qwen2Moe");
  s.qkv_bias = c.b("qkv_bias", true);
  int64_t experts = moe::experts_count(c, {"num_experts"}, 60);
  int64_t moe_inter = moe::count(c, {"moe_intermediate_size"}, 1408);
  int64_t shared_inter = moe::count(c, {"shared_expert_intermediate_size"}, 5632);
  auto attn = decoder_attention(s);
  auto sparse = moe::layer(s, attn, moe::qwen2_block("Qwen2Moe", experts, s.hidden, moe_inter, shared_inter, act_class(s.act)));
  auto dense = moe::layer(s, attn, decoder_mlp(s));
  Model m = moe::decoder(s, cls, sparse_every(c, experts, sparse, dense));
  m.to_checkpoint = moe::split_experts();
  return m;
});

// Qwen3-MoE, and Qwen3-VL-MoE's text model (qwen3_vl_moe_text: the same tree under the Qwen3VLMoeText prefix).
Model qwen3_moe(const Config& c, std::string_view cls, const std::string& p) {
  DecoderSpec s = moe::read(c, p);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.qk_norm = true;
  int64_t experts = moe::experts_count(c, {"num_local_experts", "num_experts"}, 128);
  int64_t moe_inter = moe::count(c, {"moe_intermediate_size"}, 768);
  auto block = make(p + "SparseMoeBlock");
  block->add("experts", moe::experts(p + "Experts", experts, s.hidden, moe_inter, act_class(s.act)));
  block->add("gate", moe::router(p + "TopKRouter", experts, s.hidden));
  auto attn = decoder_attention(s);
  Model m = moe::decoder(s, cls, sparse_every(c, experts, moe::layer(s, attn, block), moe::layer(s, attn, decoder_mlp(s))));
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"qwen3_moe"}, "Qwen3Moe",
              [](const Config& c, std::string_view cls) { return qwen3_moe(c, cls, "Qwen3Moe"); });
MEMFIT_FAMILY({"qwen3_vl_moe_text"}, "Qwen3VLMoeText", [](const Config& c, std::string_view cls) {
  Model m = qwen3_moe(c, cls, "Qwen3VLMoeText");
  m.no_split.push_back("Qwen3VLMoeVisionBlock");
  return m;
});

}  // namespace
}  // namespace memfit
