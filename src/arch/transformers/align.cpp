// ALIGN: transformers' modeling_align.py. AlignModel = AlignTextModel (BERT's embeddings, encoder and pooler under
// AlignText names) + AlignVisionModel (EfficientNet's stem and MBConv blocks, without the top conv, under AlignVision
// names) + text_projection (text width -> projection_dim) and a scalar `temperature`.
#include "arch/blocks.h"
#include "arch/transformers/bert.h"
#include "arch/transformers/efficientnet.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr text_model(const Config& t) {
  return bert::model(bert::read(t, "AlignText", 30522), false, t, true);
}

Model build(const Config& c, std::string_view cls) {
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "align_text_model"}}, "align_text_model");
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "align_vision_model"}}, "align_vision_model");
  if (cls != "AlignModel") heads::unsupported(cls);
  auto m = make("AlignModel");
  m->add("text_model", text_model(tc.c));
  m->add("vision_model", efficientnet_model(vc.c, "AlignVision", false));
  m->add("text_projection", linear(tc.c.i("hidden_size", 768), c.i("projection_dim", 640)));
  m->param("temperature", {});
  return {m, {"AlignTextEmbeddings", "AlignVisionBlock"}};
}

MEMFIT_FAMILY({"align"}, "Align", build);

}  // namespace
}  // namespace memfit
