// GIT (GenerativeImage2Text): transformers' modeling_git.py (GitModel, GitForCausalLM). Text embeddings (word,
// position, LayerNorm, position_ids), a CLIP vision tower under image_encoder.vision_model (GitVisionTransformer),
// BERT layers (GitLayer) under encoder.layer, a projection Sequential(Linear, LayerNorm) from the vision width, and
// one [1, 1, vision hidden] temporal embedding per frame when num_image_with_embedding is set. No _no_split_modules.
#include "arch/blocks.h"
#include "arch/transformers/bert.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr git_model(const Config& c) {
  bert::BertShape s = bert::read(c, "Git", 30522);
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "");
  int64_t vh = vc.c.i("hidden_size", 768);
  auto emb = make("GitEmbeddings");
  emb->add("word_embeddings", embedding(s.vocab, s.hidden));
  emb->add("position_embeddings", embedding(s.max_pos, s.hidden));
  emb->add("LayerNorm", layer_norm(s.hidden));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  ModulePtr tower = clip_vision_model(vc.c, "Git").root;
  tower->cls = "GitVisionTransformer";
  auto image_encoder = make("GitVisionModel");
  image_encoder->add("vision_model", tower);
  auto enc = make("GitEncoder");
  enc->add("layer", repeat(bert::layer(s), s.layers));
  auto seq = make("Sequential");
  seq->add("0", linear(vh, s.hidden));
  seq->add("1", layer_norm(s.hidden));
  auto proj = make("GitProjection");
  proj->add("visual_projection", seq);
  auto m = make("GitModel");
  m->add("embeddings", emb);
  m->add("image_encoder", image_encoder);
  m->add("encoder", enc);
  m->add("visual_projection", proj);
  if (auto frames = c.opt_i("num_image_with_embedding"); frames && *frames > 0) {
    if (*frames > 4096) c.missing("num_image_with_embedding");
    auto list = make("ParameterList");
    for (int64_t i = 0; i < *frames; ++i) list->param(std::to_string(i), {1, 1, vh});
    m->add("img_temporal_embedding", list);
  }
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls == "GitModel") return {git_model(c), {}};
  if (cls != "GitForCausalLM") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("git", git_model(c));
  root->add("output", linear(c.i("hidden_size", 768), c.i("vocab_size", 30522)));
  return {root, {}};
}

MEMFIT_FAMILY({"git"}, "Git", build);

}  // namespace
}  // namespace memfit
