// VideoLLaMA 3's vision tower (video_llama_3_vision): transformers' modeling_video_llama_3.py VideoLlama3VisionModel.
// SigLIP's encoder layers over a biased patch conv without learned positions, a 2D rotary embedding (inv_freq
// over a quarter of the head dimension) and a post LayerNorm.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr vision_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 768), heads = media::dim(c, "num_attention_heads", 12);
  int64_t inter = media::dim(c, "intermediate_size", 3072);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  int64_t rot = h / heads / 2;
  auto rope = make("VideoLlama3VisionRotaryEmbedding");
  rope->buffer("inv_freq", {(rot + 1) / 2}, DType::F32, false);
  auto emb = make("VideoLlama3VisionEmbeddings");
  emb->add("patch_embedding", conv2d(media::dim(c, "num_channels", 3), h, media::dim(c, "patch_size", 16)));
  auto mlp = make("VideoLlama3VisionMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu_pytorch_tanh"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto layer = make("VideoLlama3VisionEncoderLayer");
  layer->add("layer_norm1", layer_norm(h));
  layer->add("self_attn", media::kvq_attention("VideoLlama3VisionAttention", h));
  layer->add("layer_norm2", layer_norm(h));
  layer->add("mlp", mlp);
  auto enc = make("VideoLlama3VisionEncoder");
  enc->add("layers", repeat(layer, media::count(c, "num_hidden_layers", 12)));
  auto m = make("VideoLlama3VisionModel");
  m->add("rotary_pos_emb", rope);
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("post_layernorm", layer_norm(h));
  return m;
}

MEMFIT_FAMILY({"video_llama_3_vision"}, "VideoLlama3Vision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "VideoLlama3VisionModel") heads::unsupported(cls);
  return {vision_model(c), {"VideoLlama3VisionEncoderLayer"}};
});

}  // namespace
}  // namespace memfit
