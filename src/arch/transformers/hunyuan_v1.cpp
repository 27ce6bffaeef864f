// Hunyuan V1 dense and MoE: transformers' modeling_hunyuan_v1_dense.py and modeling_hunyuan_v1_moe.py. Llama-shaped
// decoders whose attention adds per-head query_layernorm / key_layernorm after o_proj (q/k/v/o biased by
// attention_bias). The MoE layer's mlp is HunYuanMoEV1Moe: gate.wg (Linear hidden -> experts, float32), fused
// experts of intermediate_size and a shared_mlp of the same width. Both attentions read config.head_dim without a
// fallback, so the class default None fails as in transformers. MoE checkpoints hold per-expert gate/up/down_proj
// (conversion_mapping "qwen2_moe").
#include <fmt/format.h>

#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

DecoderSpec hunyuan_spec(const Config& c, const std::string& prefix) {
  if (!c.has("head_dim"))
    throw ConfigError(fmt::format("config key `head_dim` is null: {}Attention needs it, as in transformers "
                                  "(model_type `{}`)", prefix, c.model_type()));
  DecoderSpec s = moe::read(c, prefix);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.attention = [s] {
    auto a = decoder_attention(s);
    a->add("query_layernorm", rms_norm(s.prefix + "RMSNorm", s.head_dim));
    a->add("key_layernorm", rms_norm(s.prefix + "RMSNorm", s.head_dim));
    return a;
  };
  return s;
}

MEMFIT_FAMILY({"hunyuan_v1_dense"}, "HunYuanDenseV1", [](const Config& c, std::string_view cls) {
  return decoder_for(hunyuan_spec(c, "HunYuanDenseV1"), cls);
});

MEMFIT_FAMILY({"hunyuan_v1_moe"}, "HunYuanMoEV1", [](const Config& c, std::string_view cls) {
  const std::string p = "HunYuanMoEV1";
  DecoderSpec s = hunyuan_spec(c, p);
  const int64_t experts = moe::experts_count(c, {"num_experts"}, 1);
  auto gate = make(p + "Gate");
  gate->add("wg", linear(s.hidden, experts, false));
  auto block = make(p + "Moe");
  block->add("gate", gate);
  block->add("experts", moe::experts(p + "Experts", experts, s.hidden, s.inter, act_class(s.act)));
  block->add("shared_mlp", decoder_mlp(s));
  auto layer = moe::layer(s, s.attention(), block);
  Model m = moe::decoder(s, cls, [layer](int64_t) { return layer; });
  m.to_checkpoint = moe::split_experts();
  return m;
});

}  // namespace
}  // namespace memfit
