// HyperCLOVA X (modeling_hyperclovax.py): Granite's Llama-shaped tree (its MuP multipliers are scalars), head_dim
// from the config (None -> hidden / heads), and, with use_post_norm (the default), two more RMSNorms per layer
// registered after the usual two: post_norm1 (after self_attn) and post_norm2 (after mlp); without it they are
// weightless Identity modules.
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;

MEMFIT_FAMILY({"hyperclovax"}, "HyperCLOVAX", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "HyperCLOVAX");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  if (c.b("use_post_norm", true))
    s.layer_norms = {"input_layernorm", "post_attention_layernorm", "post_norm1", "post_norm2"};
  return decoder_for(s, cls);
});

}  // namespace
