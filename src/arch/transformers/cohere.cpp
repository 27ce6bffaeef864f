// Cohere (Command-R): transformers' modeling_cohere.py. A parallel-residual Llama: one input_layernorm per layer,
// CohereLayerNorm (weight only) norms, optional per-head q_norm/k_norm of shape [heads, head_dim].
// Cohere2 (Command R7B, modeling_cohere2.py): the same layer without q/k norms, o_proj biased like q/k/v by
// attention_bias, and head_dim always hidden_size / num_attention_heads (Cohere2Config overwrites a given one).
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr cohere_norm(std::vector<int64_t> shape, const std::string& cls = "CohereLayerNorm") {
  auto m = make(cls);
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

MEMFIT_FAMILY({"cohere2"}, "Cohere2", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Cohere2", /*tie_default=*/true);
  s.head_dim = s.hidden / s.heads;  // Cohere2Config.__post_init__ sets it unconditionally
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.norm = [](int64_t dim) { return cohere_norm({dim}, "Cohere2LayerNorm"); };
  s.layer_norms = {"input_layernorm"};
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
