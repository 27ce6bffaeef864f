// AltCLIP: transformers' modeling_altclip.py. AltCLIPTextModel: an XLM-R text tower (AltRobertaModel without pooler:
// RoBERTa embeddings, AltRobertaLayer under encoder.layers), a Linear to project_dim (`transformation`) and pre_LN;
// CLIP's vision tower under the AltCLIP prefix; bias-free projections from project_dim and the vision width.
#include "arch/blocks.h"
#include "arch/transformers/bert.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr text_model(const Config& tc) {
  bert::BertShape s = bert::read(tc, "AltRoberta", 250002);
  auto enc = make("AltRobertaEncoder");
  enc->add("layers", repeat(bert::layer(s), s.layers));
  auto roberta = make("AltRobertaModel");
  roberta->add("embeddings", bert::embeddings(s, true, tc));
  roberta->add("encoder", enc);
  auto m = make("AltCLIPTextModel");
  m->add("roberta", roberta);
  m->add("transformation", linear(s.hidden, tc.i("project_dim", 768)));
  m->add("pre_LN", layer_norm(s.hidden));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "AltCLIPModel") heads::unsupported(cls);
  SubConfig tc = sub_config(c, "text_config", Json::object(), "");
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "");
  int64_t proj = c.i("projection_dim", 768);
  auto root = make(std::string(cls));
  root->add("text_model", text_model(tc.c));
  root->add("vision_model", clip_vision_model(vc.c, "AltCLIP").root);
  root->add("visual_projection", linear(vc.c.i("hidden_size", 768), proj, false));
  root->add("text_projection", linear(tc.c.i("project_dim", 768), proj, false));
  root->param("logit_scale", {});
  return {root, {"AltRobertaEmbeddings", "AltRobertaLayer", "AltCLIPEncoderLayer", "AltCLIPVisionEmbeddings"}};
}

MEMFIT_FAMILY({"altclip"}, "AltCLIP", build);

}  // namespace
}  // namespace memfit
