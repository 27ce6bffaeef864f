// LightGlue: transformers' modeling_lightglue.py (AutoModel builds LightGlueForKeypointMatching) with its keypoint
// detector, SuperPoint (modeling_superpoint.py: VGG-style conv blocks, a keypoint score head and a descriptor head).
// The matcher: an optional input projection, a positional encoder, layers of self + cross attention each with an
// MLP over the concatenated message (fc1, LayerNorm, fc2), per-layer match assignment and token confidence heads.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr superpoint(const Config& c) {
  auto sizes = media::dims(c, "encoder_hidden_sizes", {64, 64, 128, 128});
  media::require(c, sizes.size() >= 2, "encoder_hidden_sizes needs two entries");
  int64_t dec = media::dim(c, "decoder_hidden_size", 256), last = sizes.back();
  auto blocks = make("ModuleList");
  auto block = [](int64_t in, int64_t out, bool pool) {
    auto b = make("SuperPointConvBlock");
    b->add("conv_a", conv2d(in, out, 3));
    b->add("conv_b", conv2d(out, out, 3));
    b->add("relu", leaf("ReLU"));
    if (pool) b->add("pool", leaf("MaxPool2d"));
    return b;
  };
  blocks->add("0", block(1, sizes[0], true));
  for (size_t i = 1; i + 1 < sizes.size(); ++i) blocks->add(std::to_string(i), block(sizes[i - 1], sizes[i], true));
  blocks->add(std::to_string(sizes.size() - 1), block(sizes[sizes.size() - 2], last, false));
  auto enc = make("SuperPointEncoder");
  enc->add("conv_blocks", blocks);
  auto kp = make("SuperPointInterestPointDecoder");
  kp->add("relu", leaf("ReLU"));
  kp->add("pool", leaf("MaxPool2d"));
  kp->add("conv_score_a", conv2d(last, dec, 3));
  kp->add("conv_score_b", conv2d(dec, media::dim(c, "keypoint_decoder_dim", 65), 1));
  auto desc = make("SuperPointDescriptorDecoder");
  desc->add("relu", leaf("ReLU"));
  desc->add("pool", leaf("MaxPool2d"));
  desc->add("conv_descriptor_a", conv2d(last, dec, 3));
  desc->add("conv_descriptor_b", conv2d(dec, media::dim(c, "descriptor_decoder_dim", 256), 1));
  auto m = make("SuperPointForKeypointDetection");
  m->add("encoder", enc);
  m->add("keypoint_decoder", kp);
  m->add("descriptor_decoder", desc);
  return m;
}

ModulePtr matcher_layer(const Config& c, int64_t h) {
  int64_t heads = media::dim(c, "num_attention_heads", 4), kv = media::dim(c, "num_key_value_heads", heads);
  int64_t hd = c.i("head_dim", h / heads), inter = media::dim(c, "intermediate_size", 512);
  media::require(c, hd > 0 && hd * heads <= media::kMaxDim, "head_dim out of range");
  bool bias = c.b("attention_bias", true);
  auto attn = make("LightGlueAttention");
  attn->add("q_proj", linear(h, heads * hd, bias));
  attn->add("k_proj", linear(h, kv * hd, bias));
  attn->add("v_proj", linear(h, kv * hd, bias));
  attn->add("o_proj", linear(heads * hd, h, bias));
  auto mlp = make("LightGlueMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(inter, inter));
  mlp->add("fc2", linear(inter, h));
  mlp->add("layer_norm", layer_norm(inter));
  auto l = make("LightGlueTransformerLayer");
  l->add("self_attention", attn);
  l->add("self_mlp", mlp);
  l->add("cross_attention", attn);
  l->add("cross_mlp", mlp);
  return l;
}

ModulePtr lightglue(const Config& c) {
  SubConfig kc = sub_config(c, "keypoint_detector_config", {{"model_type", "superpoint"}}, "superpoint");
  if (kc.c.s("model_type", "superpoint") != "superpoint")
    heads::unsupported("LightGlue with a " + kc.c.s("model_type", "") + " keypoint detector");
  int64_t d = media::dim(c, "descriptor_dim", 256), h = media::dim(c, "hidden_size", 256);
  int64_t heads = media::dim(c, "num_attention_heads", 4), kd = media::dim(kc.c, "descriptor_decoder_dim", 256);
  int64_t n = media::count(c, "num_hidden_layers", 9);
  auto pos = make("LightGluePositionalEncoder");
  pos->add("projector", linear(2, d / heads / 2, false));
  auto match = make("LightGlueMatchAssignmentLayer");
  match->add("final_projection", linear(d, d));
  match->add("matchability", linear(d, 1));
  auto conf = make("LightGlueTokenConfidenceLayer");
  conf->add("token", linear(d, 1));
  auto m = make("LightGlueForKeypointMatching");
  m->add("keypoint_detector", superpoint(kc.c));
  m->add("input_projection", d != kd ? linear(kd, d) : leaf("Identity"));
  m->add("positional_encoder", pos);
  m->add("transformer_layers", repeat(matcher_layer(c, h), n));
  m->add("match_assignment_layers", repeat(match, n));
  m->add("token_confidence", repeat(conf, n > 0 ? n - 1 : 0));
  return m;
}

MEMFIT_FAMILY({"lightglue"}, "LightGlue", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "LightGlueForKeypointMatching") heads::unsupported(cls);
  return {lightglue(c), {}};
}, "LightGlueForKeypointMatching");

}  // namespace
}  // namespace memfit
