// Granite (3.x dense): transformers' modeling_granite.py. The Llama tree; its embedding/residual/attention/logits
// multipliers are scalars, not tensors.
#include "arch/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace {

MEMFIT_FAMILY({"granite"}, "Granite", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Granite");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
