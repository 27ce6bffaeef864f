// MiniMax-M3-VL: transformers' modeling_minimax_m3_vl.py MiniMaxM3VLModel. A CLIP-like vision tower (a bias-free
// Conv3d patch embedding over temporal_patch_size x patch_size^2, pre_layrnorm, encoder layers of biased k/v/q/out
// attention and an fc1/fc2 MLP between two LayerNorms, a 3D RoPE computed on the fly: no tensors), a projector
// (linear_1 / linear_2 per patch into the text width, then merge_linear_1 / merge_linear_2 over the
// spatial_merge_size^2 patches merged into one token) and MiniMaxM3VLTextModel (model_type minimax_m3_vl_text); the
// task model is MiniMaxM3SparseForConditionalGeneration.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vision_tower(const Config& v) {
  int64_t h = media::dim(v, "hidden_size", 1280), inter = media::dim(v, "intermediate_size", 5120);
  int64_t patch = media::dim(v, "patch_size", 14), t = media::dim(v, "temporal_patch_size", 2);
  media::divisible(v, h, media::dim(v, "num_attention_heads", 16), "hidden_size / num_attention_heads");
  auto proj = make("Conv3d");
  proj->param("weight", {h, media::dim(v, "num_channels", 3), t, patch, patch});
  auto emb = make("MiniMaxM3VLVisionEmbeddings");
  emb->add("proj", proj);
  auto mlp = make("MiniMaxM3VLVisionMLP");
  mlp->add("activation_fn", leaf(act_class(v.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto layer = make("MiniMaxM3VLVisionEncoderLayer");
  layer->add("self_attn", media::kvq_attention("MiniMaxM3VLVisionAttention", h));
  layer->add("layer_norm1", layer_norm(h));
  layer->add("mlp", mlp);
  layer->add("layer_norm2", layer_norm(h));
  auto m = make("MiniMaxM3VLVisionModel");
  m->add("embeddings", emb);
  m->add("pre_layrnorm", layer_norm(h));
  m->add("layers", repeat(layer, media::count(v, "num_hidden_layers", 32)));
  m->add("rotary_emb", leaf("MiniMaxM3VL3DRotaryEmbedding"));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "minimax_m3_vl_vision");
  SubConfig tc = sub_config(c, "text_config", Json::object(), "minimax_m3_vl_text");
  (*tc.json)["model_type"] = "minimax_m3_vl_text";  // MiniMaxM3VLTextConfig whatever the dict says
  Model text = auto_model(tc.c);
  int64_t vh = media::dim(vc.c, "hidden_size", 1280), th = media::dim(tc.c, "hidden_size", 6144);
  int64_t ph = media::dim(c, "projector_hidden_size", 6144), merge = media::dim(vc.c, "spatial_merge_size", 2);
  media::require(vc.c, merge <= 64, "spatial_merge_size too large");
  auto proj = make("MiniMaxM3VLMultiModalProjector");
  proj->add("linear_1", linear(vh, ph));
  proj->add("act", leaf(act_class("gelu")));
  proj->add("linear_2", linear(ph, th));
  proj->add("merge_linear_1", linear(th * merge * merge, ph));  // merged_hidden_size, set by __post_init__
  proj->add("merge_act", leaf(act_class("gelu")));
  proj->add("merge_linear_2", linear(ph, th));
  auto m = make("MiniMaxM3VLModel");
  m->add("vision_tower", vision_tower(vc.c));
  m->add("multi_modal_projector", proj);
  m->add("language_model", text.root);
  Model base{m, {"MiniMaxM3VLDecoderLayer", "MiniMaxM3VLVisionEncoderLayer"}};
  if (cls == "MiniMaxM3VLModel") return base;
  if (cls != "MiniMaxM3SparseForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, media::dim(tc.c, "vocab_size", 200064),
                                c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"minimax_m3_vl"}, "MiniMaxM3VL", build);

}  // namespace
}  // namespace memfit
