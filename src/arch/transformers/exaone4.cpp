// EXAONE 4.0: transformers' modeling_exaone4.py. Llama with per-head q_norm/k_norm and norms after attention and
// MLP only (post_attention_layernorm, post_feedforward_layernorm); sliding-window layer types change no tensor.
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace {

MEMFIT_FAMILY({"exaone4"}, "Exaone4", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Exaone4");
  s.kv_heads = c.i("num_key_value_heads", 32);
  s.qk_norm = true;
  s.layer_norms = {"post_attention_layernorm", "post_feedforward_layernorm"};
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
