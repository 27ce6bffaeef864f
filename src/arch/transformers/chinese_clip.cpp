// Chinese-CLIP: transformers' modeling_chinese_clip.py. A BERT text tower (ChineseCLIPTextModel: BERT embeddings
// and ChineseCLIPTextLayer; ChineseCLIPModel builds it without the pooler) beside CLIP's vision tower (its layers
// named ChineseCLIPVisionLayer), two bias-free projections to projection_dim and logit_scale.
#include "arch/blocks.h"
#include "arch/transformers/bert.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kP = "ChineseCLIP";

ModulePtr text_model(const Config& tc) {
  bert::BertShape s = bert::read(tc, kP + "Text", 30522);
  auto enc = make(kP + "TextEncoder");
  enc->add("layer", repeat(bert::layer(s), s.layers));
  auto m = make(kP + "TextModel");
  m->add("embeddings", bert::embeddings(s, false, tc));
  m->add("encoder", enc);
  return m;
}

ModulePtr vision_model(const Config& vc) {
  Model v = clip_vision_model(vc, kP);
  auto enc = v.root->child("encoder");
  enc->cls = kP + "VisionEncoder";
  for (auto& [_, layer] : enc->child("layers")->children) layer->cls = kP + "VisionLayer";
  return v.root;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{kP + "TextEmbeddings", kP + "TextLayer", kP + "VisionEmbeddings",
                                    kP + "VisionLayer"};
  SubConfig tc = sub_config(c, "text_config", Json::object(), "");
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "");
  if (cls != kP + "Model") heads::unsupported(cls);
  int64_t proj = c.i("projection_dim", 512);
  auto root = make(std::string(cls));
  root->add("text_model", text_model(tc.c));
  root->add("vision_model", vision_model(vc.c));
  root->add("visual_projection", linear(vc.c.i("hidden_size", 768), proj, false));
  root->add("text_projection", linear(tc.c.i("hidden_size", 768), proj, false));
  root->param("logit_scale", {});
  return {root, no_split};
}

MEMFIT_FAMILY({"chinese_clip"}, "ChineseCLIP", build);
// The vision tower on its own (AutoModel of a chinese_clip_vision_model config): ChineseCLIPModel's vision_model.
MEMFIT_FAMILY({"chinese_clip_vision_model"}, "ChineseCLIPVision", [](const Config& c, std::string_view cls) {
  if (cls != kP + "VisionModel") heads::unsupported(cls);
  auto root = vision_model(c);
  root->cls = kP + "VisionModel";
  return Model{root, {kP + "TextEmbeddings", kP + "TextLayer", kP + "VisionEmbeddings", kP + "VisionLayer"}};
});

}  // namespace
}  // namespace memfit
