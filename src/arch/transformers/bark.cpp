// Bark: transformers' modeling_bark.py. Three GPT-style models (semantic and coarse: causal, a persistent bool
// causal mask per attention; fine: bidirectional, one input embedding per codebook and one lm_head per predicted
// codebook, each head tied to the next codebook's embedding when tie_word_embeddings) and the EnCodec codec
// (AutoModel of codec_config).
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Gpt {
  int64_t h, heads, layers, block, in_vocab, out_vocab;
  bool bias;
};

Gpt read(const Config& c) {
  return {media::dim(c, "hidden_size", 768),       media::dim(c, "num_heads", 12),
          media::count(c, "num_layers", 12),       media::dim(c, "block_size", 1024),
          media::dim(c, "input_vocab_size", 10048), media::dim(c, "output_vocab_size", 10048), c.b("bias", true)};
}

ModulePtr block(const Config& c, const Gpt& g, bool causal) {
  media::divisible(c, g.h, g.heads, "hidden_size / num_heads");
  auto attn = make("BarkSelfAttention");
  attn->add("attn_dropout", leaf("Dropout"));
  attn->add("resid_dropout", leaf("Dropout"));
  attn->add("att_proj", linear(g.h, 3 * g.h, g.bias));
  attn->add("out_proj", linear(g.h, g.h, g.bias));
  if (causal) attn->buffer("bias", {1, 1, g.block, g.block}, DType::Bool);
  auto mlp = make("BarkMLP");
  mlp->add("in_proj", linear(g.h, 4 * g.h, g.bias));
  mlp->add("out_proj", linear(4 * g.h, g.h, g.bias));
  mlp->add("dropout", leaf("Dropout"));
  mlp->add("gelu", leaf("GELU"));
  auto b = make("BarkBlock");
  b->add("layernorm_1", layer_norm(g.h, !causal || g.bias));
  b->add("layernorm_2", layer_norm(g.h, !causal || g.bias));
  b->add("attn", attn);
  b->add("mlp", mlp);
  return b;
}

ModulePtr causal_model(const Config& c, const std::string& cls) {
  Gpt g = read(c);
  auto m = make(cls);
  m->add("input_embeds_layer", embedding(g.in_vocab, g.h));
  m->add("position_embeds_layer", embedding(g.block, g.h));
  m->add("drop", leaf("Dropout"));
  m->add("layers", repeat(block(c, g, true), g.layers));
  m->add("layernorm_final", layer_norm(g.h, g.bias));
  m->add("lm_head", linear(g.h, g.out_vocab, false));
  return m;
}

// BarkFineModel under `prefix` (its tie targets are full names).
ModulePtr fine_model(const Config& c, const std::string& prefix) {
  Gpt g = read(c);
  int64_t total = media::count(c, "n_codes_total", 8), given = media::count(c, "n_codes_given", 1);
  media::require(c, given <= total, "n_codes_given exceeds n_codes_total");
  bool tied = heads::ties_embeddings(c, true);
  std::vector<ModulePtr> heads_list;
  for (int64_t i = 0; i < total - given; ++i)
    heads_list.push_back(heads::lm_head(g.h, g.out_vocab, tied,
                                        prefix + "input_embeds_layers." + std::to_string(i + 1) + ".weight"));
  auto m = make("BarkFineModel");
  m->add("input_embeds_layers", repeat(embedding(g.in_vocab, g.h), total));
  m->add("position_embeds_layer", embedding(g.block, g.h));
  m->add("drop", leaf("Dropout"));
  m->add("layers", repeat(block(c, g, false), g.layers));
  m->add("layernorm_final", layer_norm(g.h));
  m->add("lm_heads", module_list(std::move(heads_list)));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "BarkModel") heads::unsupported(cls);
  auto m = make("BarkModel");
  m->add("semantic", causal_model(c.sub("semantic_config"), "BarkSemanticModel"));
  m->add("coarse_acoustics", causal_model(c.sub("coarse_acoustics_config"), "BarkCoarseModel"));
  m->add("fine_acoustics", fine_model(c.sub("fine_acoustics_config"), "fine_acoustics."));
  m->add("codec_model", auto_model(c.sub("codec_config")).root);
  return {m, {}};
}

MEMFIT_FAMILY({"bark"}, "Bark", build);

}  // namespace
}  // namespace memfit
