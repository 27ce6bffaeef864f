// InternVL 3: transformers' modeling_internvl.py. InternVLVisionModel (BEiT-like ViT: cls token, absolute positions,
// q/k/v + projection_layer, optional per-tensor q/k RMSNorms, layer scales lambda_1/2; a final LayerNorm only without
// mean pooling), a projector over 1/downsample_ratio^2 merged patches (LayerNorm, linear_1, act, linear_2) and the
// language model AutoModel builds from text_config (Qwen2 by default). Qianfan-OCR (modeling_qianfan_ocr.py): the same
// parts under its prefix, the vision layers directly under the vision model (after its layernorm), Qwen3 text.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vision_model(const Config& v, const std::string& p = "InternVL") {
  int64_t h = media::dim(v, "hidden_size", 1024), inter = media::dim(v, "intermediate_size", 4096);
  auto [ih, iw] = media::pair(v, "image_size", 448);
  auto [ph, pw] = media::pair(v, "patch_size", 14);
  bool layer_norm_type = v.s("norm_type", "layer_norm") == "layer_norm";
  auto norm = [&] { return layer_norm_type ? layer_norm(h) : rms_norm(p + "VisionRMSNorm", h); };

  auto pe = make(p + "VisionPatchEmbeddings");
  pe->add("projection", conv2d(media::dim(v, "num_channels", 3), h, ph, pw));
  auto emb = make(p + "VisionEmbeddings");
  emb->param("cls_token", {1, 1, h});
  if (v.b("use_mask_token", false)) emb->param("mask_token", {1, 1, h});
  emb->add("patch_embeddings", pe);
  if (v.b("use_absolute_position_embeddings", true))
    emb->param("position_embeddings", {1, (ih / ph) * (iw / pw) + 1, h});
  emb->add("dropout", leaf("Dropout"));

  bool bias = v.b("attention_bias", false), qk_norm = v.b("use_qk_norm", false);
  auto attn = make(p + "VisionAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj"}) attn->add(n, linear(h, h, bias));
  attn->add("projection_layer", linear(h, h));
  attn->add("projection_dropout", leaf("Identity"));
  attn->add("q_norm", qk_norm ? rms_norm(p + "VisionRMSNorm", h) : leaf("Identity"));
  attn->add("k_norm", qk_norm ? rms_norm(p + "VisionRMSNorm", h) : leaf("Identity"));
  auto mlp = make(p + "VisionMLP");
  mlp->add("activation_fn", leaf(act_class(v.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto layer = make(p + "VisionLayer");
  layer->add("attention", attn);
  layer->add("mlp", mlp);
  layer->add("layernorm_before", norm());
  layer->add("layernorm_after", norm());
  layer->param("lambda_1", {h});
  layer->param("lambda_2", {h});
  auto layers = repeat(layer, media::count(v, "num_hidden_layers", 24));
  auto m = make(p + "VisionModel");
  m->add("embeddings", emb);
  auto final_norm = v.b("use_mean_pooling", true) ? leaf("Identity") : layer_norm(h);
  if (p == "QianfanOCR") {  // layers directly under the model, after the final norm
    m->add("layernorm", final_norm);
    m->add("layers", layers);
    return m;
  }
  auto enc = make(p + "VisionEncoder");
  enc->add("layer", layers);
  m->add("encoder", enc);
  m->add("layernorm", final_norm);
  return m;
}

Model build(const Config& c, std::string_view cls, const std::string& p = "InternVL") {
  bool qianfan = p == "QianfanOCR";
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", qianfan ? "qwen3" : "qwen2"}}, "");
  Model text = auto_model(tc.c);
  int64_t vh = media::dim(vc.c, "hidden_size", 1024), th = tc.c.i("hidden_size");
  double ratio = c.f("downsample_ratio", 0.5);
  media::require(c, ratio > 0 && ratio <= 1, "downsample_ratio must lie in (0, 1]");
  auto scale = static_cast<int64_t>(1.0 / ratio);
  int64_t merged = vh * scale * scale;
  auto proj = make(p + "MultiModalProjector");
  proj->add("layer_norm", layer_norm(merged));
  proj->add("linear_1", linear(merged, th));
  proj->add("act", leaf(act_class(c.s("projector_hidden_act", "gelu"))));
  proj->add("linear_2", linear(th, th));

  auto m = make(p + "Model");
  m->add("vision_tower", vision_model(vc.c, p));
  m->add("multi_modal_projector", proj);
  m->add("language_model", text.root);
  Model base{m, {p + "VisionLayer"}};
  merge_no_split(base.no_split, text.no_split);
  if (cls == p + "Model") return base;
  if (cls != p + "ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, tc.c.i("vocab_size"), c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"internvl"}, "InternVL", [](const Config& c, std::string_view cls) { return build(c, cls); });
MEMFIT_FAMILY({"qianfan_ocr"}, "QianfanOCR",
              [](const Config& c, std::string_view cls) { return build(c, cls, "QianfanOCR"); });
MEMFIT_FAMILY({"internvl_vision"}, "InternVLVision", [](const Config& c, std::string_view cls) {
  if (cls != "InternVLVisionModel") heads::unsupported(cls);
  return Model{vision_model(c), {"InternVLVisionLayer"}};
});

// Qianfan-OCR's vision tower alone (qianfan_ocr_vision): InternVL's vision model under its own names.
MEMFIT_FAMILY({"qianfan_ocr_vision"}, "QianfanOCRVision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "QianfanOCRVisionModel") heads::unsupported(cls);
  return {vision_model(c, "QianfanOCR"), {"QianfanOCRVisionLayer"}};
});

}  // namespace
}  // namespace memfit
