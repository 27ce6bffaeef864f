// ERNIE 4.5 (dense): transformers' modeling_ernie4_5.py. Llama with every projection biased or not by use_bias.
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

MEMFIT_FAMILY({"ernie4_5"}, "Ernie4_5", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Ernie4_5", /*tie_default=*/true);
  s.kv_heads = c.i("num_key_value_heads", 2);
  s.head_dim = c.i("head_dim", 128);
  s.qkv_bias = s.o_bias = s.mlp_bias = c.b("use_bias", false);
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
