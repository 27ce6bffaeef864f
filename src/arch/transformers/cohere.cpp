// Cohere (Command-R): transformers' modeling_cohere.py. A parallel-residual Llama: one input_layernorm per layer,
// CohereLayerNorm (weight only) norms, optional per-head q_norm/k_norm of shape [heads, head_dim].
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr cohere_norm(std::vector<int64_t> shape) {
  auto m = make("CohereLayerNorm");
  m->param("weight", std::move(shape));
  return m;
}

MEMFIT_FAMILY({"cohere"}, "Cohere", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Cohere", /*tie_default=*/true);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  if (c.b("use_qk_norm", false)) {
    s.attention = [s] {
      auto a = qkvo_attention("CohereAttention", {s.hidden, s.heads, s.kv_heads, s.head_dim, s.qkv_bias, s.o_bias});
      a->add("q_norm", cohere_norm({s.heads, s.head_dim}));
      a->add("k_norm", cohere_norm({s.kv_heads, s.head_dim}));
      return a;
    };
  }
  s.norm = [](int64_t dim) { return cohere_norm({dim}); };
  s.layer_norms = {"input_layernorm"};
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
