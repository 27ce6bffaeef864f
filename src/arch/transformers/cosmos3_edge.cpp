// Cosmos3 Edge's language model (cosmos3_edge_text, modeling_cosmos3_edge.py): a Llama decoder whose MLP is CLIP's
// fc1/fc2 pair (no bias by default, relu2) and whose interleaved M-RoPE keeps inv_freq as a [3, head_dim / 2] matrix
// (temporal, height and width masks of the frequencies). Cosmos3EdgeModel (cosmos3_edge): the vision tower
// (`visual`), a patch-merging projector (LayerNorm over the vision width, linear_fc1 over merge^2 patches, GELU,
// linear_fc2 to the text width) and the language model.
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
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

Model cosmos3_edge(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "cosmos3_edge_vision"}}, "cosmos3_edge_vision");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "cosmos3_edge_text"}}, "cosmos3_edge_text");
  Model text = auto_model(tc.c);
  int64_t vh = vc.c.i("hidden_size"), merge = vc.c.i("spatial_merge_size"), th = tc.c.i("hidden_size");
  int64_t proj = c.i("projector_hidden_size");
  auto projector = make("Cosmos3EdgePatchMerger");
  projector->add("norm", layer_norm(vh));
  projector->add("linear_fc1", linear(vh * merge * merge, proj));
  projector->add("act_fn", leaf("GELU"));
  projector->add("linear_fc2", linear(proj, th));
  auto m = make("Cosmos3EdgeModel");
  m->add("visual", auto_model(vc.c).root);
  m->add("projector", projector);
  m->add("language_model", text.root);
  Model base{m, {"Cosmos3EdgeTextDecoderLayer", "Cosmos3EdgeVisionEncoderLayer"}};
  if (cls == "Cosmos3EdgeModel") return base;
  if (cls != "Cosmos3EdgeForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, tc.c.i("vocab_size"), c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"cosmos3_edge"}, "Cosmos3Edge", cosmos3_edge);

}  // namespace
}  // namespace memfit
