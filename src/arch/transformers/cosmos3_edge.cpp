// Cosmos3 Edge's language model (cosmos3_edge_text, modeling_cosmos3_edge.py): a Llama decoder whose MLP is CLIP's
// fc1/fc2 pair (no bias by default, relu2) and whose interleaved M-RoPE keeps inv_freq as a [3, head_dim / 2] matrix
// (temporal, height and width masks of the frequencies).
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

MEMFIT_FAMILY({"cosmos3_edge_text"}, "Cosmos3EdgeText", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Cosmos3EdgeText");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  const bool bias = c.b("mlp_bias", false);
  s.mlp = [s, bias] {
    auto m = make("Cosmos3EdgeTextMLP");
    m->add("activation_fn", leaf(act_class(s.act)));
    m->add("fc1", linear(s.hidden, s.inter, bias));
    m->add("fc2", linear(s.inter, s.hidden, bias));
    return m;
  };
  s.rotary_emb = [s] {
    auto r = make("Cosmos3EdgeTextRotaryEmbedding");
    const int64_t half = (s.head_dim + 1) / 2;
    r->buffer("inv_freq", {3, half}, DType::F32, false);
    r->buffer("original_inv_freq", {3, half}, DType::F32, false);
    return r;
  };
  return decoder_for(s, cls);
}, "Cosmos3EdgeTextModel");

}  // namespace
}  // namespace memfit
