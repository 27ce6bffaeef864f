// CLIP and SigLIP dual encoders: transformers' modeling_clip.py (CLIPModel) and modeling_siglip.py (SiglipModel);
// the towers themselves live in vision_towers.cpp.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"
#include "arch/transformers/vision_towers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// CLIPModel and the families that copy it under their own prefix (MetaClip2, CLIPSeg's CLIPSegModel, OwlViT's
// OwlViTModel and Owlv2Model, whose towers are ...TextTransformer / ...VisionTransformer with `pre_layernorm` and whose
// _no_split_modules is only the encoder layer).
Model clip(const Config& c, std::string_view cls, const std::string& p = "CLIP") {
  bool owlvit = p == "OwlViT" || p == "Owlv2";
  SubConfig tc = sub_config(c, "text_config", Json::object(), "");
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "");
  Model text = clip_text_model(tc.c, p), vision = clip_vision_model(vc.c, p);
  if (owlvit) {
    text.root->cls = p + "TextTransformer";
    vision.root->cls = p + "VisionTransformer";
    for (auto& [name, _] : vision.root->children)
      if (name == "pre_layrnorm") name = "pre_layernorm";
    text.no_split = {p + "EncoderLayer"};
  }
  int64_t th = tc.c.i("hidden_size", 512), vh = vc.c.i("hidden_size", 768);
  auto root = make(std::string(cls));
  if (cls == p + "Model") {
    int64_t proj = c.i("projection_dim", 512);
    root->add("text_model", text.root);
    root->add("vision_model", vision.root);
    root->add("visual_projection", linear(vh, proj, false));
    root->add("text_projection", linear(th, proj, false));
    root->param("logit_scale", {});
  } else if (cls == p + "TextModelWithProjection" && !owlvit) {
    root->add("text_model", text.root);
    root->add("text_projection", linear(th, tc.c.i("projection_dim", 512), false));
  } else if (cls == p + "VisionModelWithProjection" && !owlvit) {
    root->add("vision_model", vision.root);
    root->add("visual_projection", linear(vh, vc.c.i("projection_dim", 512), false));
  } else if (cls == p + "ForImageClassification" && !owlvit) {
    root->add("vision_model", vision.root);
    root->add("classifier", linear(vh, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, text.no_split};
}

Model siglip(const Config& c, std::string_view cls) {
  SubConfig tc = sub_config(c, "text_config", Json::object(), "siglip_text_model");
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "siglip_vision_model");
  auto root = make(std::string(cls));
  Model vision = siglip_vision_model(vc.c);
  if (cls == "SiglipModel") {
    root->add("text_model", siglip_text_model(tc.c).root);
    root->add("vision_model", vision.root);
    root->param("logit_scale", {1}).param("logit_bias", {1});
  } else if (cls == "SiglipForImageClassification") {
    root->add("vision_model", vision.root);
    root->add("classifier", linear(vc.c.i("hidden_size", 768), heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, vision.no_split};
}

// A tower on its own (AutoModel of a clip_vision_model / clip_text_model / siglip_vision_model config): the tower
// is the root, and _no_split_modules is the whole family's.
Model tower(std::string_view cls, const std::string& want, Model m, std::vector<std::string> no_split) {
  if (cls != want) heads::unsupported(cls);
  m.no_split = std::move(no_split);
  return m;
}

MEMFIT_FAMILY({"clip"}, "CLIP", [](const Config& c, std::string_view cls) { return clip(c, cls); });
MEMFIT_FAMILY({"metaclip_2"}, "MetaClip2",
              [](const Config& c, std::string_view cls) { return clip(c, cls, "MetaClip2"); });
MEMFIT_FAMILY({"clipseg"}, "CLIPSeg", [](const Config& c, std::string_view cls) { return clip(c, cls, "CLIPSeg"); });
MEMFIT_FAMILY({"owlvit"}, "OwlViT", [](const Config& c, std::string_view cls) { return clip(c, cls, "OwlViT"); });
// OWLv2 (modeling_owlv2.py): Owlv2Model is OwlViTModel under its own prefix (960-pixel images by default).
MEMFIT_FAMILY({"owlv2"}, "Owlv2", [](const Config& c, std::string_view cls) { return clip(c, cls, "Owlv2"); });
MEMFIT_FAMILY({"siglip"}, "Siglip", siglip);
MEMFIT_FAMILY({"clip_vision_model"}, "CLIPVision", [](const Config& c, std::string_view cls) {
  return tower(cls, "CLIPVisionModel", clip_vision_model(c),
               {"CLIPEncoderLayer", "CLIPTextEmbeddings", "CLIPVisionEmbeddings"});
});
MEMFIT_FAMILY({"clip_text_model"}, "CLIPText", [](const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"CLIPEncoderLayer", "CLIPTextEmbeddings", "CLIPVisionEmbeddings"};
  if (cls == "CLIPTextModelWithProjection") {  // e.g. Sam3Model's text encoder: text_model + a bias-free projection
    auto root = make("CLIPTextModelWithProjection");
    root->add("text_model", clip_text_model(c).root);
    root->add("text_projection", linear(c.i("hidden_size", 512), c.i("projection_dim", 512), false));
    return Model{root, no_split};
  }
  return tower(cls, "CLIPTextModel", clip_text_model(c), no_split);
});
MEMFIT_FAMILY({"siglip_vision_model"}, "SiglipVision", [](const Config& c, std::string_view cls) {
  return tower(cls, "SiglipVisionModel", siglip_vision_model(c),
               {"SiglipEncoderLayer", "SiglipMultiheadAttentionPoolingHead", "SiglipTextEmbeddings",
                "SiglipVisionEmbeddings"});
});

}  // namespace
}  // namespace memfit
