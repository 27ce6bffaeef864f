// Seed-OSS: transformers' modeling_seed_oss.py. Llama with q/k/v biases (attention_bias) and a separate switch for
// o_proj's bias (attention_out_bias).
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

MEMFIT_FAMILY({"seed_oss"}, "SeedOss", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "SeedOss");
  s.qkv_bias = c.b("attention_bias", true);
  s.o_bias = c.b("attention_out_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
