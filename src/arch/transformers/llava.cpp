// LLaVA, LLaVA-NeXT, LLaVA-OneVision and Mistral3: transformers' modeling_llava.py, modeling_llava_next.py,
// modeling_llava_onevision.py, modeling_mistral3.py (vision tower + multi-modal projector + language model,
// AutoModel'ed from the nested configs; NeXT and OneVision add image_newline). LLaVA-NeXT-Video
// (modeling_llava_next_video.py) is NeXT plus a vision_resampler pooler (a Conv2d only in `conv` mode);
// Video-LLaVA (modeling_video_llava.py) has a video_tower and an image_tower, both AutoModel of vision_config;
// LightOnOCR (modeling_lighton_ocr.py) is Mistral3's projector as vision_projection, without biases, between
// vision_encoder and language_model.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// LlavaConfig / LlavaNextConfig: a vision_config dict defaults to clip_vision_model, an absent one is CLIP ViT-L/14-336;
// an absent text_config is LlamaConfig().
SubConfig llava_vision(const Config& c) {
  if (c.opt_sub("vision_config")) return sub_config(c, "vision_config", {{"model_type", "clip_vision_model"}}, "");
  return sub_config(c, "vision_config",
                    {{"model_type", "clip_vision_model"}, {"intermediate_size", 4096}, {"hidden_size", 1024},
                     {"patch_size", 14}, {"image_size", 336}, {"num_hidden_layers", 24},
                     {"num_attention_heads", 16}, {"projection_dim", 768}},
                    "");
}

SubConfig llava_text(const Config& c) {
  if (c.opt_sub("text_config")) return sub_config(c, "text_config", {{"model_type", "llama"}}, "");
  return sub_config(c, "text_config",
                    {{"model_type", "llama"}, {"vocab_size", 32000}, {"hidden_size", 4096},
                     {"intermediate_size", 11008}, {"num_hidden_layers", 32}, {"num_attention_heads", 32}},
                    "");
}

// LlavaOnevisionConfig: SigLIP (no head) and Qwen2 by default.
SubConfig onevision_vision(const Config& c) {
  if (c.opt_sub("vision_config")) return sub_config(c, "vision_config", {{"model_type", "siglip_vision_model"}}, "");
  return sub_config(c, "vision_config",
                    {{"model_type", "siglip_vision_model"}, {"hidden_size", 1152}, {"intermediate_size", 4304},
                     {"patch_size", 14}, {"image_size", 384}, {"num_hidden_layers", 26},
                     {"num_attention_heads", 16}, {"vision_use_head", false}},
                    "");
}

// `kind`: "Llava", "VipLlava", "LlavaNext", "LlavaNextVideo", "VideoLlava", "LlavaOnevision", "Mistral3" or "LightOnOcr".
Model build(const Config& c, std::string_view cls, const std::string& kind) {
  bool lighton = kind == "LightOnOcr", mistral3 = kind == "Mistral3" || lighton, onevision = kind == "LlavaOnevision";
  bool newline = kind == "LlavaNext" || kind == "LlavaNextVideo" || onevision, video = kind == "VideoLlava";
  SubConfig vc = mistral3 ? sub_config(c, "vision_config",
                                       {{"model_type", "pixtral"}, {"intermediate_size", 4096}, {"hidden_size", 1024},
                                        {"patch_size", 14}, {"image_size", 1540}, {"num_hidden_layers", 24},
                                        {"num_attention_heads", 16}, {"hidden_act", "gelu"}},
                                       "")
                          : onevision ? onevision_vision(c) : llava_vision(c);
  SubConfig tc = mistral3 ? sub_config(c, "text_config",
                                       {{"model_type", "mistral"}, {"head_dim", 128}, {"hidden_size", 5120},
                                        {"intermediate_size", 32768}, {"num_attention_heads", 32},
                                        {"num_hidden_layers", 40}, {"num_key_value_heads", 8}, {"vocab_size", 131072}},
                                       "")
                          : onevision ? sub_config(c, "text_config", {{"model_type", "qwen2"}}, "") : llava_text(c);
  Model vision = vision_tower_for(vc.c);
  Model text = auto_model(tc.c);
  int64_t vh = vc.c.i("hidden_size"), th = tc.c.i("hidden_size"), vocab = tc.c.i("vocab_size");
  bool bias = !lighton && c.b("multimodal_projector_bias", !mistral3);
  std::string act = lighton ? "gelu" : c.s("projector_hidden_act", "gelu");

  auto m = make(kind + "Model");
  if (video) m->add("video_tower", vision_tower_for(vc.c).root);
  m->add(video ? "image_tower" : lighton ? "vision_encoder" : "vision_tower", vision.root);
  if (mistral3) {
    auto p = make(kind + "MultiModalProjector");
    p->add("norm", rms_norm(kind + "RMSNorm", vh));
    int64_t merge = c.i("spatial_merge_size", 2);
    if (merge <= 0 || merge > 64) c.missing("spatial_merge_size");
    auto pm = make(kind + "PatchMerger");
    pm->add("merging_layer", linear(vh * merge * merge, vh, false));
    p->add("patch_merger", pm);
    p->add("linear_1", linear(vh * (lighton ? 1 : num_feature_layers(c)), th, bias));
    p->add("act", leaf(act_class(act)));
    p->add("linear_2", linear(th, th, bias));
    m->add(lighton ? "vision_projection" : "multi_modal_projector", p);
  } else if (kind == "VipLlava") {
    // VipLlavaMultiModalProjector: a LayerNorm over the concatenated feature layers, then LLaVA's two biased Linears.
    const Json& layers = c.raw().contains("vision_feature_layers") ? c.raw()["vision_feature_layers"] : Json();
    int64_t n = layers.is_array() ? static_cast<int64_t>(layers.size()) : 1;
    if (n < 1 || n > 1024) c.missing("vision_feature_layers");
    auto p = make("VipLlavaMultiModalProjector");
    p->add("projector_layernorm", layer_norm(n * vh));
    p->add("linear_1", linear(n * vh, th, true));
    p->add("act", leaf(act_class(act)));
    p->add("linear_2", linear(th, th, true));
    m->add("multi_modal_projector", p);
  } else {
    m->add("multi_modal_projector", llava_projector(kind + "MultiModalProjector", vh * num_feature_layers(c), th, bias, act));
  }
  if (newline) m->param("image_newline", {th});
  m->add("language_model", text.root);
  if (kind == "LlavaNextVideo") {
    auto pool = make("LlavaNextVideoPooler");
    std::string mode = c.s("spatial_pool_mode", "average");
    int64_t stride = c.i("spatial_pool_stride", 2);
    if (stride <= 0 || stride > 64) c.missing("spatial_pool_stride");
    if (mode == "conv")
      pool->add("pool", conv2d(vh, c.i("spatial_pool_out_channels", vh), stride));
    else if (mode == "average" || mode == "max")
      pool->add("pool", leaf(mode == "max" ? "MaxPool2d" : "AvgPool2d"));
    else
      c.missing("spatial_pool_mode");
    m->add("vision_resampler", pool);
  }
  Model base{m, vision.no_split};
  merge_no_split(base.no_split, text.no_split);

  std::vector<std::string> tops{"vision_tower", "multi_modal_projector"};
  if (video) tops = {"video_tower", "image_tower", "multi_modal_projector"};
  if (lighton) tops = {"vision_encoder", "vision_projection"};
  if (newline) tops.push_back("image_newline");
  std::string head_cls = kind + "ForConditionalGeneration";
  // Original LLaVA checkpoints name LlavaLlamaForCausalLM, which transformers builds as LlavaForConditionalGeneration.
  if (cls == head_cls || (kind == "Llava" && cls != "LlavaModel")) {
    bool tied = c.b("tie_word_embeddings", mistral3) || (!mistral3 && tc.c.b("tie_word_embeddings", false));
    Model out = conditional_generation(head_cls, base, th, vocab, tied);
    out.to_checkpoint = llava_checkpoint_names(tops, !mistral3 || !tied);
    return out;
  }
  if (cls != kind + "Model") heads::unsupported(cls);
  return base;
}

MEMFIT_FAMILY({"llava"}, "Llava", [](const Config& c, std::string_view cls) { return build(c, cls, "Llava"); },
              "", "", true);
// VipLlava (modeling_vipllava.py): LLaVA whose projector normalises the concatenation of several vision layers.
MEMFIT_FAMILY({"vipllava"}, "VipLlava", [](const Config& c, std::string_view cls) { return build(c, cls, "VipLlava"); });
MEMFIT_FAMILY({"llava_next"}, "LlavaNext",
              [](const Config& c, std::string_view cls) { return build(c, cls, "LlavaNext"); });
MEMFIT_FAMILY({"llava_onevision"}, "LlavaOnevision",
              [](const Config& c, std::string_view cls) { return build(c, cls, "LlavaOnevision"); });
MEMFIT_FAMILY({"llava_next_video"}, "LlavaNextVideo",
              [](const Config& c, std::string_view cls) { return build(c, cls, "LlavaNextVideo"); });
MEMFIT_FAMILY({"video_llava"}, "VideoLlava",
              [](const Config& c, std::string_view cls) { return build(c, cls, "VideoLlava"); });
MEMFIT_FAMILY({"lighton_ocr"}, "LightOnOcr",
              [](const Config& c, std::string_view cls) { return build(c, cls, "LightOnOcr"); });
MEMFIT_FAMILY({"mistral3"}, "Mistral3", [](const Config& c, std::string_view cls) { return build(c, cls, "Mistral3"); });

}  // namespace
}  // namespace memfit
