// SAM 2's promptable models: transformers' modeling_sam2.py (Sam2Model), modeling_sam2_video.py (Sam2VideoModel) and
// their copies (modeling_sam3_tracker.py, modeling_sam3_tracker_video.py, modeling_edgetam.py and, with its own
// memory attention and spatial perceiver, modeling_edgetam_video.py). The vision encoder is AutoModel of
// vision_config (sam2_vision_model / sam3_vision_model); a prompt encoder (a random-Fourier positional buffer, a mask
// conv stack, point embeddings in one table) and a mask decoder (a two-way transformer, upscaling transposed convs,
// hypernetwork MLPs, IoU and object-score heads, two skip convs). The video models add the memory attention (RoPE
// attention layers whose cos/sin tables are float32 buffers over the feature grid), the memory encoder (a strided
// mask down-sampler, ConvNeXt-style fuser blocks) and the object-pointer pieces.
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// <p>FeedForward: proj_in, proj_out and num_layers - 2 hidden Linears (ReLU between them).
ModulePtr feed_forward(const std::string& p, int64_t in, int64_t hidden, int64_t out, int64_t layers) {
  auto m = make(p + "FeedForward");
  m->add("activation", leaf("ReLU"));
  m->add("proj_in", linear(in, hidden));
  m->add("proj_out", linear(hidden, out));
  m->add("layers", repeat(linear(hidden, hidden), std::max<int64_t>(layers - 2, 0)));
  return m;
}

// q/k/v/o projections to hidden / downsample (k and v read `kv_in` features).
ModulePtr attention(std::string cls, int64_t h, int64_t inner, int64_t kv_in) {
  auto a = make(std::move(cls));
  a->add("q_proj", linear(h, inner));
  a->add("k_proj", linear(kv_in, inner));
  a->add("v_proj", linear(kv_in, inner));
  a->add("o_proj", linear(inner, h));
  return a;
}

ModulePtr positional_embedding(const std::string& p, const Config& pc) {
  auto m = make(p + "PositionalEmbedding");
  m->buffer("positional_embedding", {2, media::dim(pc, "hidden_size", 256) / 2}, DType::F32);
  return m;
}

ModulePtr prompt_encoder(const std::string& p, const Config& pc) {
  int64_t h = media::dim(pc, "hidden_size", 256), mic = media::dim(pc, "mask_input_channels", 16);
  media::require(pc, mic >= 4, "mask_input_channels must be at least 4");
  auto mask = make(p + "MaskEmbedding");
  mask->add("activation", leaf(act_class(pc.s("hidden_act", "gelu"))));
  mask->add("conv1", conv2d(1, mic / 4, 2));
  mask->add("conv2", conv2d(mic / 4, mic, 2));
  mask->add("conv3", conv2d(mic, h, 1));
  mask->add("layer_norm1", layer_norm(mic / 4, true, p + "LayerNorm"));
  mask->add("layer_norm2", layer_norm(mic / 4 * 4, true, p + "LayerNorm"));
  auto m = make(p + "PromptEncoder");
  m->add("shared_embedding", positional_embedding(p, pc));
  m->add("mask_embed", mask);
  m->add("no_mask_embed", embedding(1, h));
  m->add("point_embed", embedding(media::dim(pc, "num_point_embeddings", 4), h));
  m->add("not_a_point_embed", embedding(1, h));
  return m;
}

ModulePtr mask_decoder(const std::string& p, const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 256), down = media::dim(c, "attention_downsample_rate", 2);
  media::require(c, h >= 8 && h / down > 0, "mask decoder hidden_size too small");
  int64_t masks = media::count(c, "num_multimask_outputs", 3) + 1;
  int64_t layers = media::count(c, "num_hidden_layers", 2);
  auto block = make(p + "TwoWayAttentionBlock");
  block->add("self_attn", attention(p + "Attention", h, h, h));
  block->add("layer_norm1", layer_norm(h));
  block->add("cross_attn_token_to_image", attention(p + "Attention", h, h / down, h));
  block->add("layer_norm2", layer_norm(h));
  block->add("mlp", feed_forward(p, h, media::dim(c, "mlp_dim", 2048), h, layers));
  block->add("layer_norm3", layer_norm(h));
  block->add("layer_norm4", layer_norm(h));
  block->add("cross_attn_image_to_token", attention(p + "Attention", h, h / down, h));
  auto tr = make(p + "TwoWayTransformer");
  tr->add("layers", repeat(block, layers));
  tr->add("final_attn_token_to_image", attention(p + "Attention", h, h / down, h));
  tr->add("layer_norm_final_attn", layer_norm(h));

  auto m = make(p + "MaskDecoder");
  m->add("iou_token", embedding(1, h));
  m->add("mask_tokens", embedding(masks, h));
  m->add("transformer", tr);
  m->add("upscale_conv1", media::conv_transpose2d(h, h / 4, 2));
  m->add("upscale_conv2", media::conv_transpose2d(h / 4, h / 8, 2));
  m->add("upscale_layer_norm", layer_norm(h / 4, true, p + "LayerNorm"));
  m->add("activation", leaf("GELU"));
  m->add("output_hypernetworks_mlps", repeat(feed_forward(p, h, h, h / 8, 3), masks));
  m->add("iou_prediction_head", feed_forward(p, h, media::dim(c, "iou_head_hidden_dim", 256), masks,
                                             media::count(c, "iou_head_depth", 3)));
  m->add("conv_s0", conv2d(h, h / 8, 1));
  m->add("conv_s1", conv2d(h, h / 4, 1));
  m->add("obj_score_token", embedding(1, h));
  m->add("pred_obj_score_head", feed_forward(p, h, h, 1, 3));
  return m;
}

// <p>MemoryAttention: RoPE self- and cross-attention layers (the cross attention reads 64-channel memories), a final
// LayerNorm and the axial rotary table: cos and sin buffers [end_x * end_y, 4 * (dim / 4)]. EdgeTAM-Video's
// (modeling_edgetam_video.py): separate RoPESelfAttention / RoPECrossAttention classes, the feed-forward as an `mlp`
// (up_proj, down_proj; memory_attention_mlp_* keys) and a second rotary table rotary_emb_k over
// memory_attention_rope_k_sizes (16 x 16 by default).
ModulePtr memory_attention(const std::string& p, const Config& c) {
  const bool edgetam = p == "EdgeTamVideo";
  int64_t h = media::dim(c, "memory_attention_hidden_size", 256);
  int64_t down = media::dim(c, "memory_attention_downsample_rate", 1);
  int64_t heads = media::dim(c, "memory_attention_num_attention_heads", 1);
  int64_t ff = edgetam ? media::dim(c, "memory_attention_mlp_hidden_size", 2048)
                       : media::dim(c, "memory_attention_feed_forward_hidden_size", 2048);
  int64_t dim = h / (down * heads);
  media::require(c, h / down > 0 && dim % 4 == 0, "memory attention head dim must divide by 4");
  auto feat = media::dims(c, "memory_attention_rope_feat_sizes", {64, 64});
  media::require(c, feat.size() == 2 && feat[0] * feat[1] <= media::kMaxDim, "memory_attention_rope_feat_sizes");
  auto l = make(p + "MemoryAttentionLayer");
  l->add("self_attn", attention(p + (edgetam ? "RoPESelfAttention" : "RoPEAttention"), h, h / down, h));
  l->add("cross_attn_image", attention(p + (edgetam ? "RoPECrossAttention" : "RoPEAttention"), h, h / down, 64));
  if (edgetam) {
    auto mlp = make(p + "MemoryAttentionMLP");
    mlp->add("up_proj", linear(h, ff));
    mlp->add("down_proj", linear(ff, h));
    mlp->add("dropout", leaf("Dropout"));
    mlp->add("act_fn", leaf(act_class(c.s("memory_attention_mlp_hidden_act", "relu"))));
    l->add("mlp", mlp);
  } else {
    l->add("linear1", linear(h, ff));
    l->add("dropout", leaf("Dropout"));
    l->add("linear2", linear(ff, h));
  }
  for (const char* n : {"layer_norm1", "layer_norm2", "layer_norm3"}) l->add(n, layer_norm(h));
  for (const char* n : {"dropout1", "dropout2", "dropout3"}) l->add(n, leaf("Dropout"));
  auto rope = [&](const std::vector<int64_t>& size) {
    auto r = make(p + "VisionRotaryEmbedding");
    for (const char* n : {"rope_embeddings_cos", "rope_embeddings_sin"})
      r->buffer(n, {size[0] * size[1], dim / 4 * 4}, DType::F32, false);
    return r;
  };
  auto m = make(p + "MemoryAttention");
  m->add("layers", repeat(l, media::count(c, "memory_attention_num_layers", edgetam ? 2 : 4)));
  m->add("layer_norm", layer_norm(h));
  m->add("rotary_emb", rope(feat));
  if (edgetam) {
    auto k = media::dims(c, "memory_attention_rope_k_sizes", {16, 16});
    media::require(c, k.size() == 2 && k[0] * k[1] <= media::kMaxDim, "memory_attention_rope_k_sizes");
    m->add("rotary_emb_k", rope(k));
  }
  return m;
}

// EdgeTamVideoPerceiverResampler: 1-D and 2-D latent tables, a sine position encoding, layers of bias-free cross and
// self attention each followed by a LayerNorm + up/down MLP, three LayerNorms per layer, a final LayerNorm.
ModulePtr perceiver_resampler(const std::string& p, const Config& c) {
  const int64_t h = media::dim(c, "perceiver_resampler_hidden_size", 64);
  const int64_t inner = media::dim(c, "perceiver_resampler_attention_head_dim", 64) *
                        media::dim(c, "perceiver_resampler_num_attention_heads", 1);
  const int64_t mid = media::dim(c, "perceiver_resampler_mlp_intermediate_size", 256);
  auto attn = make(p + "PerceiverAttention");
  attn->add("q_proj", linear(h, inner, false));
  attn->add("k_proj", linear(h, inner, false));
  attn->add("v_proj", linear(h, inner, false));
  attn->add("o_proj", linear(inner, h, false));
  auto mlp = make(p + "PerceiverMLP");
  mlp->add("layer_norm", layer_norm(h));
  mlp->add("up_proj", linear(h, mid, false));
  mlp->add("down_proj", linear(mid, h, false));
  mlp->add("act_fn", leaf("GELU"));
  auto l = make(p + "PerceiverEncoderLayer");
  l->add("cross_attention", attn);
  l->add("mlp", mlp);
  l->add("dropout", leaf("Dropout"));
  l->add("self_attention", attn);
  l->add("self_mlp", mlp);
  for (const char* n : {"layer_norm_input", "layer_norm_latents", "layer_norm_self"}) l->add(n, layer_norm(h));
  auto m = make(p + "PerceiverResampler");
  if (int64_t n1 = media::count(c, "perceiver_resampler_num_latents", 256); n1 > 0) m->param("latents_1d", {n1, h});
  if (int64_t n2 = media::count(c, "perceiver_resampler_num_latents_2d", 256); n2 > 0) m->param("latents_2d", {n2, h});
  m->add("positional_encoding", leaf(p + "PositionEmbeddingSine"));
  m->add("layers", repeat(l, media::count(c, "perceiver_resampler_num_layers", 2)));
  m->add("layer_norm", layer_norm(h));
  return m;
}

ModulePtr memory_encoder(const std::string& p, const Config& c) {
  int64_t h = media::dim(c, "memory_encoder_hidden_size", 256), out = media::dim(c, "memory_encoder_output_channels", 64);
  int64_t stride = media::dim(c, "mask_downsampler_stride", 2), total = media::dim(c, "mask_downsampler_total_stride", 16);
  int64_t k = media::dim(c, "mask_downsampler_kernel_size", 3);
  media::require(c, stride >= 2 && k <= 64, "mask_downsampler_stride / kernel_size out of range");
  // int(log2(total) // log2(stride)) down-sampling layers, each multiplying the channels by stride^2.
  auto n = static_cast<int64_t>(std::floor(std::log2(static_cast<double>(total)) / std::log2(static_cast<double>(stride))));
  auto layers = make("ModuleList");
  int64_t in = 1;
  for (int64_t i = 0; i < n; ++i) {
    int64_t o = in * stride * stride;
    media::require(c, o <= media::kMaxDim, "mask down-sampler channels out of range");
    auto l = make(p + "MaskDownSamplerLayer");
    l->add("conv", conv2d(in, o, k));
    l->add("layer_norm", layer_norm(o, true, p + "LayerNorm"));
    l->add("activation", leaf(act_class(c.s("mask_downsampler_hidden_act", "gelu"))));
    layers->add(std::to_string(i), l);
    in = o;
  }
  auto ds = make(p + "MaskDownSampler");
  ds->add("layers", layers);
  ds->add("activation", leaf(act_class(c.s("mask_downsampler_hidden_act", "gelu"))));
  ds->add("final_conv", conv2d(in, media::dim(c, "mask_downsampler_embed_dim", 256), 1));

  int64_t e = media::dim(c, "memory_fuser_embed_dim", 256), mid = media::dim(c, "memory_fuser_intermediate_dim", 1024);
  int64_t fk = media::dim(c, "memory_fuser_kernel_size", 7);
  media::require(c, fk <= 64, "memory_fuser_kernel_size out of range");
  auto cx = make(p + "MemoryFuserCXBlock");
  cx->add("depthwise_conv", conv2d(e, e, fk, true, e));
  cx->add("layer_norm", layer_norm(e, true, p + "LayerNorm"));
  cx->add("activation", leaf(act_class(c.s("memory_fuser_hidden_act", "gelu"))));
  cx->add("pointwise_conv1", linear(e, mid));
  cx->add("pointwise_conv2", linear(mid, e));
  cx->param("scale", {e});
  auto fuser = make(p + "MemoryFuser");
  fuser->add("layers", repeat(cx, media::count(c, "memory_fuser_num_layers", 2)));

  auto m = make(p + "MemoryEncoder");
  m->add("mask_downsampler", ds);
  m->add("feature_projection", conv2d(h, h, 1));
  m->add("memory_fuser", fuser);
  m->add("position_encoding", leaf(p + "PositionEmbeddingSine"));
  m->add("projection", conv2d(h, out, 1));
  return m;
}

// `with_vision` false: Sam3VideoModel's tracker, built with remove_vision_encoder=True.
Model build(const Config& c, std::string_view cls, const std::string& p, const char* vision_type, bool video,
            bool with_vision = true) {
  if (cls != p + "Model") heads::unsupported(cls);
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", vision_type}}, vision_type);
  SubConfig pc = sub_config(c, "prompt_encoder_config", Json::object(), c.model_type());
  SubConfig mc = sub_config(c, "mask_decoder_config", Json::object(), c.model_type());
  Model vision = with_vision ? auto_model(vc.c) : Model{};
  int64_t hidden = media::dim(vc.c, "fpn_hidden_size", 256);
  auto root = make(std::string(cls));
  root->param("no_memory_embedding", {1, 1, hidden});
  root->add("shared_image_embedding", positional_embedding(p, pc.c));
  if (with_vision) root->add("vision_encoder", vision.root);
  root->add("prompt_encoder", prompt_encoder(p, pc.c));
  root->add("mask_decoder", mask_decoder(p, mc.c));
  if (video) {
    int64_t mem = media::dim(c, "memory_encoder_output_channels", 64);
    root->add("memory_attention", memory_attention(p, c));
    root->add("memory_encoder", memory_encoder(p, c));
    root->param("no_memory_positional_encoding", {1, 1, hidden});
    root->param("memory_temporal_positional_encoding", {media::count(c, "num_maskmem", 7), 1, 1, mem});
    root->param("no_object_pointer", {1, hidden});
    root->add("mask_downsample", conv2d(1, 1, 4));
    root->add("object_pointer_proj", feed_forward(p, hidden, hidden, hidden, 3));
    root->add("temporal_positional_encoding_projection_layer",
              c.b("enable_temporal_pos_encoding_for_object_pointers", true) ? linear(hidden, mem) : leaf("Identity"));
    if (c.b("enable_occlusion_spatial_embedding", true)) root->param("occlusion_spatial_embedding_parameter", {1, mem});
    if (p == "EdgeTamVideo") root->add("spatial_perceiver", perceiver_resampler(p, c));
  }
  return {root, vision.no_split};
}

// Sam3VideoModel (modeling_sam3_video.py): the SAM 3 detector (AutoModel of detector_config), the video tracker
// without its vision encoder, and a second vision neck (Sam3VisionNeck of the detector's vision_config).
Model sam3_video(const Config& c, std::string_view cls) {
  if (cls != "Sam3VideoModel") heads::unsupported(cls);
  SubConfig dc = sub_config(c, "detector_config", {{"model_type", "sam3"}}, "sam3");
  SubConfig tc = sub_config(c, "tracker_config", {{"model_type", "sam3_tracker_video"}}, "sam3_tracker_video");
  SubConfig vc = sub_config(dc.c, "vision_config", {{"model_type", "sam3_vision_model"}}, "sam3_vision_model");
  Model det = auto_model(dc.c);
  Model trk = build(tc.c, "Sam3TrackerVideoModel", "Sam3TrackerVideo", "sam3_vision_model", true, false);
  ModulePtr neck = auto_model(vc.c).root->child("neck");
  if (!neck) heads::unsupported("Sam3VideoModel with a vision model without a neck");
  auto root = make("Sam3VideoModel");
  root->add("detector_model", det.root);
  root->add("tracker_model", trk.root);
  root->add("tracker_neck", neck);
  merge_no_split(det.no_split, trk.no_split);
  return {root, det.no_split};
}

MEMFIT_FAMILY({"sam3_video"}, "Sam3Video", sam3_video);
MEMFIT_FAMILY({"sam2"}, "Sam2", [](const Config& c, std::string_view cls) {
  return build(c, cls, "Sam2", "sam2_vision_model", false);
});
MEMFIT_FAMILY({"edgetam"}, "EdgeTam", [](const Config& c, std::string_view cls) {
  return build(c, cls, "EdgeTam", "edgetam_vision_model", false);
});
MEMFIT_FAMILY({"sam2_video"}, "Sam2Video", [](const Config& c, std::string_view cls) {
  return build(c, cls, "Sam2Video", "sam2_vision_model", true);
});
// EdgeTAM-Video: Sam2VideoModel's parts with EdgeTAM's memory attention and the spatial perceiver; its default
// vision_config is a sam2_vision_model (EdgeTamVideoConfig's own default).
MEMFIT_FAMILY({"edgetam_video"}, "EdgeTamVideo", [](const Config& c, std::string_view cls) {
  return build(c, cls, "EdgeTamVideo", "sam2_vision_model", true);
});
MEMFIT_FAMILY({"sam3_tracker"}, "Sam3Tracker", [](const Config& c, std::string_view cls) {
  return build(c, cls, "Sam3Tracker", "sam3_vision_model", false);
});
MEMFIT_FAMILY({"sam3_tracker_video"}, "Sam3TrackerVideo", [](const Config& c, std::string_view cls) {
  return build(c, cls, "Sam3TrackerVideo", "sam3_vision_model", true);
});

}  // namespace
}  // namespace memfit
