// BitNet b1.58: transformers' modeling_bitnet.py. Llama with a sub-norm before each output projection:
// attn_sub_norm [hidden] after attention, ffn_sub_norm [intermediate] inside the MLP (unquantised layout).
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

MEMFIT_FAMILY({"bitnet"}, "BitNet", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "BitNet");
  s.act = c.s("hidden_act", "relu2");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.attention = [s] {
    auto a = decoder_attention(s);
    a->add("attn_sub_norm", rms_norm("BitNetRMSNorm", s.hidden));
    return a;
  };
  s.mlp = [s] {
    auto m = decoder_mlp(s);
    m->add("ffn_sub_norm", rms_norm("BitNetRMSNorm", s.inter));
    return m;
  };
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
