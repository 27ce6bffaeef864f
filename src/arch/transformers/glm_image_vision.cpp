// GLM-Image's parts as their own model types: transformers' modeling_glm_image.py. glm_image_vision is
// GlmImageVisionModel (learned positions, a Conv2d patch_embed, blocks of LayerNorms + fused qkv attention +
// fc1/fc2 MLP); glm_image_vqmodel is GlmImageVQVAE (a codebook Embedding and the 1x1 quant / post-quant convs).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vision_model(const Config& v) {
  int64_t h = media::dim(v, "hidden_size", 1536), patch = media::dim(v, "patch_size", 16);
  int64_t side = media::dim(v, "image_size", 2048) / patch, inter = media::dim(v, "intermediate_size", 6144);
  media::require(v, side <= 4096, "image_size / patch_size too large");
  bool bias = v.b("attention_bias", true);
  auto emb = make("GlmImageVisionEmbeddings");
  emb->add("position_embedding", embedding(side * side, h));
  auto pe = make("GlmImageVisionPatchEmbed");
  pe->add("proj", conv2d(media::dim(v, "in_channels", 3), h, patch));
  auto attn = make("GlmImageVisionAttention");
  attn->add("qkv", linear(h, 3 * h, bias));
  attn->add("proj", linear(h, h, bias));
  auto mlp = make("GlmImageVisionMLP");
  mlp->add("activation_fn", leaf(act_class(v.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto block = make("GlmImageVisionBlock");
  block->add("norm1", layer_norm(h));
  block->add("norm2", layer_norm(h));
  block->add("attn", attn);
  block->add("mlp", mlp);
  auto m = make("GlmImageVisionModel");
  m->add("embeddings", emb);
  m->add("patch_embed", pe);
  m->add("blocks", repeat(block, media::count(v, "depth", 40)));
  return m;
}

ModulePtr vqvae(const Config& c) {
  int64_t embed = media::dim(c, "embed_dim", 2048), latent = media::dim(c, "latent_channels", 1536);
  auto q = make("GlmImageVQVAEVectorQuantizer");
  q->add("embedding", embedding(media::dim(c, "num_embeddings", 16384), embed));
  auto m = make("GlmImageVQVAE");
  m->add("quantize", q);
  m->add("quant_conv", conv2d(latent, embed, 1));
  m->add("post_quant_conv", conv2d(embed, latent, 1));
  return m;
}

MEMFIT_FAMILY({"glm_image_vision"}, "GlmImageVision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "GlmImageVisionModel") heads::unsupported(cls);
  return {vision_model(c), {"GlmImageTextDecoderLayer", "GlmImageVisionBlock"}};
});
MEMFIT_FAMILY({"glm_image_vqmodel"}, "GlmImageVQVAE", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "GlmImageVQVAE") heads::unsupported(cls);
  return {vqvae(c), {"GlmImageVQVAEVectorQuantizer"}};
}, "GlmImageVQVAE");

}  // namespace
}  // namespace memfit
