// MiniCPM-V 4.6: transformers' modeling_minicpmv4_6.py MiniCPMV4_6Model. The vision tower is SigLIP's (embeddings
// without a position_ids buffer, encoder, post_layernorm, no pooling head) plus a window-attention merger (attention,
// LayerNorm, then pre_norm / linear_1 / linear_2 over window_kernel_size-merged patches); the language model is
// AutoModel of text_config (Qwen3.5's text model by default); the merger is merger_times DownsampleMLPs (LayerNorm,
// Linear, GELU, Linear over 4x the vision width), the last one projecting to the text width.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model vision_model(const Config& v) {
  Json over = v.raw();
  over["vision_use_head"] = false;
  SubConfig vc = make_config(Json::object(), over, "minicpmv4_6_vision");
  Model m = siglip_vision_model(vc.c, "MiniCPMV4_6", false);
  int64_t h = media::dim(v, "hidden_size", 768), inter = media::dim(v, "intermediate_size", 3072);
  auto win = media::dims(v, "window_kernel_size", {2, 2});
  media::require(v, win.size() == 2 && win[0] * win[1] <= 1024, "window_kernel_size must be [h, w]");
  int64_t wh = h * win[0] * win[1], wi = inter * win[0] * win[1];
  media::require(v, wi <= media::kMaxDim, "window_kernel_size too large");
  auto attn = make("MiniCPMV4_6VisionAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) attn->add(n, linear(h, h));
  auto merger = make("MiniCPMV4_6ViTWindowAttentionMerger");
  merger->add("self_attn", attn);
  merger->add("layer_norm1", layer_norm(h));
  merger->add("pre_norm", layer_norm(wh));
  merger->add("linear_1", linear(wh, wi));
  merger->add("linear_2", linear(wi, h));
  m.root->add("vit_merger", merger);
  return m;
}

ModulePtr downsample_mlp(int64_t h, int64_t out) {
  auto m = make("MiniCPMV4_6DownsampleMLP");
  m->add("pre_norm", layer_norm(4 * h));
  m->add("linear_1", linear(4 * h, 4 * h));
  m->add("act", leaf("GELU"));
  m->add("linear_2", linear(4 * h, out));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "minicpmv4_6_vision"}}, "minicpmv4_6_vision");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "qwen3_5_text"}}, "qwen3_5_text");
  Model vision = vision_model(vc.c), text = auto_model(tc.c);
  int64_t vh = media::dim(vc.c, "hidden_size", 768), th = tc.c.i("hidden_size");
  int64_t times = media::count(c, "merger_times", 1);
  std::vector<ModulePtr> mlps;
  for (int64_t i = 0; i + 1 < times; ++i) mlps.push_back(downsample_mlp(vh, vh));
  mlps.push_back(downsample_mlp(vh, th));
  auto merger = make("MiniCPMV4_6Merger");
  merger->add("mlp", module_list(mlps));
  auto m = make("MiniCPMV4_6Model");
  m->add("vision_tower", vision.root);
  m->add("language_model", text.root);
  m->add("merger", merger);
  Model base{m, {"MiniCPMV4_6ViTWindowAttentionMerger", "MiniCPMV4_6VisionEmbeddings", "MiniCPMV4_6VisionEncoderLayer"}};
  merge_no_split(base.no_split, text.no_split);
  if (cls == "MiniCPMV4_6Model") return base;
  if (cls != "MiniCPMV4_6ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, tc.c.i("vocab_size"), c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"minicpmv4_6"}, "MiniCPMV4_6", build);

}  // namespace
}  // namespace memfit
