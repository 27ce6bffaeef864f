// SmolLM3: transformers' modeling_smollm3.py. The Llama tree (tied embeddings by default); the layers that skip
// RoPE (no_rope_layers) and sliding-window layer types change no tensor.
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

MEMFIT_FAMILY({"smollm3"}, "SmolLM3", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "SmolLM3", /*tie_default=*/true);
  s.kv_heads = c.i("num_key_value_heads", 4);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
