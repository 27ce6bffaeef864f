// SAM: transformers' modeling_sam.py. A ViT image encoder with windowed attention and relative positions plus a conv
// neck, a prompt encoder (points, boxes, masks) and a two-way-transformer mask decoder. The prompt encoder's
// positional embedding is tied to the model's shared_image_embedding. SAM-HQ (modeling_sam_hq.py) is the same tree
// with an HQ token and feature-fusion convs in the mask decoder.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/sam_vit.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr positional_embedding(const Config& vision) {
  auto m = make("SamPositionalEmbedding");
  m->param("positional_embedding", {2, media::dim(vision, "num_pos_feats", 128)});
  return m;
}

ModulePtr prompt_encoder(const Config& vision, const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 256), mic = media::dim(c, "mask_input_channels", 16);
  media::require(c, mic >= 4, "mask_input_channels must be at least 4");
  auto mask = make("SamMaskEmbedding");
  mask->add("activation", leaf(act_class(c.s("hidden_act", "gelu"))));
  mask->add("conv1", conv2d(1, mic / 4, 2));
  mask->add("conv2", conv2d(mic / 4, mic, 2));
  mask->add("conv3", conv2d(mic, h, 1));
  mask->add("layer_norm1", layer_norm(mic / 4, true, "SamLayerNorm"));
  mask->add("layer_norm2", layer_norm(mic, true, "SamLayerNorm"));

  auto m = make("SamPromptEncoder");
  auto shared = make("SamPositionalEmbedding");
  shared->tie("positional_embedding", {2, media::dim(vision, "num_pos_feats", 128)},
              "shared_image_embedding.positional_embedding");
  m->add("shared_embedding", shared);
  m->add("mask_embed", mask);
  m->add("no_mask_embed", embedding(1, h));
  m->add("point_embed", repeat(embedding(1, h), media::count(c, "num_point_embeddings", 4)));
  m->add("not_a_point_embed", embedding(1, h));
  return m;
}

ModulePtr attention(int64_t h, int64_t downsample) {
  auto a = make("SamAttention");
  int64_t inner = h / downsample;
  a->add("q_proj", linear(h, inner));
  a->add("k_proj", linear(h, inner));
  a->add("v_proj", linear(h, inner));
  a->add("out_proj", linear(inner, h));
  return a;
}

// SamFeedForward: proj_in, proj_out and num_layers - 2 hidden Linears.
ModulePtr feed_forward(int64_t in, int64_t hidden, int64_t out, int64_t layers) {
  auto m = make("SamFeedForward");
  m->add("activation", leaf("ReLU"));
  m->add("proj_in", linear(in, hidden));
  m->add("proj_out", linear(hidden, out));
  m->add("layers", repeat(linear(hidden, hidden), std::max<int64_t>(layers - 2, 0)));
  return m;
}

ModulePtr mask_decoder(const Config& c, bool hq) {
  int64_t h = media::dim(c, "hidden_size", 256), down = media::dim(c, "attention_downsample_rate", 2);
  media::require(c, h >= 8 && h / down > 0, "mask decoder hidden_size too small");
  int64_t masks = media::count(c, "num_multimask_outputs", 3) + 1;
  auto block = make("SamTwoWayAttentionBlock");
  block->add("self_attn", attention(h, 1));
  block->add("layer_norm1", layer_norm(h));
  block->add("cross_attn_token_to_image", attention(h, down));
  block->add("layer_norm2", layer_norm(h));
  block->add("mlp", sam_mlp_block("Sam", c, h, media::dim(c, "mlp_dim", 2048), "relu"));
  block->add("layer_norm3", layer_norm(h));
  block->add("layer_norm4", layer_norm(h));
  block->add("cross_attn_image_to_token", attention(h, down));
  auto tr = make("SamTwoWayTransformer");
  tr->add("layers", repeat(block, media::count(c, "num_hidden_layers", 2)));
  tr->add("final_attn_token_to_image", attention(h, down));
  tr->add("layer_norm_final_attn", layer_norm(h));

  auto m = make("SamMaskDecoder");
  m->add("iou_token", embedding(1, h));
  m->add("mask_tokens", embedding(masks, h));
  m->add("transformer", tr);
  m->add("upscale_conv1", media::conv_transpose2d(h, h / 4, 2));
  m->add("upscale_conv2", media::conv_transpose2d(h / 4, h / 8, 2));
  m->add("upscale_layer_norm", layer_norm(h / 4, true, "SamLayerNorm"));
  m->add("activation", leaf("GELU"));
  m->add("output_hypernetworks_mlps", repeat(feed_forward(h, h, h / 8, 3), masks));
  m->add("iou_prediction_head", feed_forward(h, media::dim(c, "iou_head_hidden_dim", 256), masks,
                                             media::count(c, "iou_head_depth", 3)));
  if (hq) {  // SAM-HQ: an HQ output token, its MLP, and the ViT-feature / embedding / mask fusion convs
    m->add("hq_token", embedding(1, h));
    m->add("hq_mask_mlp", feed_forward(h, h, h / 8, 3));
    m->add("compress_vit_conv1", media::conv_transpose2d(media::dim(c, "vit_dim", 768), h, 2));
    m->add("compress_vit_norm", layer_norm(h, true, "SamHQLayerNorm"));
    m->add("compress_vit_conv2", media::conv_transpose2d(h, h / 8, 2));
    m->add("encoder_conv1", media::conv_transpose2d(h, h / 4, 2));
    m->add("encoder_norm", layer_norm(h / 4, true, "SamHQLayerNorm"));
    m->add("encoder_conv2", media::conv_transpose2d(h / 4, h / 8, 2));
    m->add("mask_conv1", conv2d(h / 8, h / 4, 3));
    m->add("mask_norm", layer_norm(h / 4, true, "SamHQLayerNorm"));
    m->add("mask_conv2", conv2d(h / 4, h / 8, 3));
  }
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"SamVisionAttention"};
  Json empty = Json::object();
  auto sub = [&](const char* key) {
    return c.opt_sub(key).value_or(Config(empty, c.model_type(), std::string(key) + "."));
  };
  if (cls == "SamVisionModel" || cls == "SamHQVisionModel") {  // SAM-HQ's is SAM's vision encoder under its prefix
    auto root = make(std::string(cls));
    Config vision = c.model_type() == "sam" ? sub("vision_config") : c;
    root->add("vision_encoder", sam_vision_encoder(vision, "Sam", "SamVisionSdpaAttention"));
    return {root, no_split};
  }
  bool hq = cls == "SamHQModel";
  if (cls != "SamModel" && !hq) heads::unsupported(cls);
  Config vision = sub("vision_config");
  auto root = make(std::string(cls));
  root->add("shared_image_embedding", positional_embedding(vision));
  root->add("vision_encoder", sam_vision_encoder(vision, "Sam", "SamVisionSdpaAttention"));
  root->add("prompt_encoder", prompt_encoder(vision, sub("prompt_encoder_config")));
  root->add("mask_decoder", mask_decoder(sub("mask_decoder_config"), hq));
  return {root, no_split};
}

MEMFIT_FAMILY({"sam"}, "Sam", build);
MEMFIT_FAMILY({"sam_vision_model"}, "SamVision", build);
MEMFIT_FAMILY({"sam_hq"}, "SamHQ", build);
MEMFIT_FAMILY({"sam_hq_vision_model"}, "SamHQVision", build);

}  // namespace
}  // namespace memfit
