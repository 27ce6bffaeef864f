// HunYuan-VL's vision tower (hunyuan_vl_vision): transformers' modeling_hunyuan_vl.py HunYuanVLVisionTransformer.
// A patch conv with (max_image_size / patch_size)^2 + 1 learned positions, SigLIP-style LayerNorm blocks of biased
// q/k/v/o attention + fc1/fc2 MLP, and a patch merger (strided conv, 1x1 conv, Linear to the text width, RMSNorms,
// newline / begin / end / separator embeddings).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vision_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1152), inter = media::dim(c, "intermediate_size", 4304);
  int64_t patch = media::dim(c, "patch_size", 16), side = media::dim(c, "max_image_size", 2048) / patch;
  int64_t text = media::dim(c, "text_hidden_size", 3072), merge = media::dim(c, "spatial_merge_size", 2);
  media::require(c, side <= 4096 && 4 * h <= media::kMaxDim, "max_image_size / hidden_size too large");
  auto emb = make("HunYuanVLVisionPatchEmbed");
  emb->add("patch_embedding", conv2d(media::dim(c, "num_channels", 3), h, patch));
  emb->add("position_embedding", embedding(side * side + 1, h));
  auto attn = make("HunYuanVLVisionAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj", "o_proj"}) attn->add(n, linear(h, h));
  auto mlp = make("HunYuanVLVisionMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto block = make("HunYuanVLVisionBlock");
  block->add("layer_norm1", layer_norm(h));
  block->add("self_attn", attn);
  block->add("layer_norm2", layer_norm(h));
  block->add("mlp", mlp);
  auto merger = make("HunYuanVLVisionPatchMerger");
  merger->add("proj_conv", conv2d(h, 2 * h, merge));
  merger->add("proj_act", leaf(act_class(c.s("hidden_act", "gelu"))));
  merger->add("proj_out", conv2d(2 * h, 4 * h, 1));
  merger->add("mlp", linear(4 * h, text));
  merger->param("image_newline", {4 * h});
  merger->param("image_begin", {text});
  merger->param("image_end", {text});
  merger->param("image_sep", {text});
  merger->add("before_rms", rms_norm("HunYuanVLRMSNorm", h));
  merger->add("after_rms", rms_norm("HunYuanVLRMSNorm", text));
  auto m = make("HunYuanVLVisionTransformer");
  m->add("embeddings", emb);
  m->add("layers", repeat(block, media::count(c, "num_hidden_layers", 27)));
  m->add("patch_merger", merger);
  return m;
}

MEMFIT_FAMILY({"hunyuan_vl_vision"}, "HunYuanVLVision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "HunYuanVLVisionTransformer") heads::unsupported(cls);
  return {vision_model(c), {"HunYuanVLDenseV1DecoderLayer", "HunYuanVLVisionBlock"}};
}, "HunYuanVLVisionTransformer");

}  // namespace
}  // namespace memfit
