// PP-OCRv5 mobile text recogniser: transformers' modeling_pp_ocrv5_mobile_rec.py, whose AutoModel is the
// PP-LCNetV3 backbone alone (modeling_pp_lcnet_v3.py: a conv stem, then stages of depth-wise separable layers
// from block_configs [kernel, in, out, stride, use_se] with widths scaled by `scale` to multiples of `divisor`; each
// depth-wise and point-wise conv is a learnable rep layer of conv_symmetric_num kxk branches, a 1x1 branch for
// k > 1, an identity BatchNorm where shape is kept, and learnable affine blocks).
// PP-OCRv5 server text recogniser (modeling_pp_ocrv5_server_rec.py): AutoModel is the HGNetV2Backbone load_backbone
// builds (HGNetV2Config's defaults with every stage downsampling, as PPOCRV5ServerRecConfig passes them) under
// `backbone`; PPOCRV5ServerRecForTextRecognition adds the SVTR head (five conv-norm-SiLU layers, `depth` CLIP-style
// blocks with a fused qkv whose bias is the q / zero / v concatenation, a LayerNorm, the CTC Linear).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/hgnet.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string P = "PPLCNetV3";

ModulePtr conv_layer(int64_t in, int64_t out, int64_t k, int64_t groups, bool act) {
  auto l = make(P + "ConvLayer");
  l->add("convolution", conv2d(in, out, k, false, groups));
  l->add("normalization", batch_norm(out));
  l->add("activation", leaf(act ? "HardSwish" : "Identity"));
  return l;
}

ModulePtr affine() {
  auto a = make(P + "LearnableAffineBlock");
  a->param("scale", {1}).param("bias", {1});
  return a;
}

ModulePtr rep_layer(const Config& c, int64_t in, int64_t out, int64_t k, bool stride1, int64_t groups) {
  auto l = make(P + "LearnableRepLayer");
  if (in == out && stride1) l->add("identity", batch_norm(in));
  auto branches = make("ModuleList");
  auto conv = conv_layer(in, out, k, groups, false);
  for (int64_t i = 0, n = media::count(c, "conv_symmetric_num", 4); i < n; ++i) branches->add(std::to_string(i), conv);
  l->add("conv_symmetric", branches);
  if (k > 1) l->add("conv_small_symmetric", conv_layer(in, out, 1, groups, false));
  l->add("lab", affine());
  auto act = make(P + "ActLearnableAffineBlock");
  act->add("act", leaf(act_class(c.s("hidden_act", "hardswish"))));
  act->add("lab", affine());
  l->add("act", act);
  return l;
}

int64_t scaled(const Config& c, int64_t ch) {
  int64_t div = media::dim(c, "divisor", 16);
  double v = static_cast<double>(ch) * c.f("scale", 0.75);
  media::require(c, v > 0 && v <= static_cast<double>(media::kMaxDim), "scale out of range");
  int64_t n = std::max(div, static_cast<int64_t>(v + static_cast<double>(div) / 2) / div * div);
  if (static_cast<double>(n) < 0.9 * v) n += div;
  return n;
}

ModulePtr encoder(const Config& c) {
  auto it = c.raw().find("block_configs");
  if (it == c.raw().end() || !it->is_array() || it->size() > 64) c.missing("block_configs");
  auto stages = make("ModuleList");
  for (size_t s = 0; s < it->size(); ++s) {
    const Json& blocks = (*it)[s];
    if (!blocks.is_array() || blocks.size() > static_cast<size_t>(media::kMaxCount)) c.missing("block_configs");
    auto list = make("ModuleList");
    for (size_t b = 0; b < blocks.size(); ++b) {
      const Json& cfg = blocks[b];
      if (!cfg.is_array() || cfg.size() < 5) c.missing("block_configs");
      auto num = [&](size_t i) {
        if (!cfg[i].is_number_integer() || cfg[i].get<int64_t>() < 1 || cfg[i].get<int64_t>() > 65536)
          c.missing("block_configs");
        return cfg[i].get<int64_t>();
      };
      int64_t k = num(0), in = scaled(c, num(1)), out = scaled(c, num(2));
      media::require(c, k <= 64, "block kernel out of range");
      bool stride1 = cfg[3].is_number_integer() && cfg[3].get<int64_t>() == 1;
      auto l = make(P + "DepthwiseSeparableConvLayer");
      l->add("depthwise_convolution", rep_layer(c, in, in, k, stride1, in));
      l->add("squeeze_excitation_module", hgnet::lcnet_se(c, P, in, cfg[4].is_boolean() && cfg[4].get<bool>()));
      l->add("pointwise_convolution", rep_layer(c, in, out, 1, true, 1));
      list->add(std::to_string(b), l);
    }
    auto blk = make(P + "Block");
    blk->add("layers", list);
    stages->add(std::to_string(s), blk);
  }
  auto e = make(P + "Encoder");
  e->add("convolution", conv_layer(3, scaled(c, media::dim(c, "stem_channels", 16)), 3, 1, false));
  e->add("blocks", stages);
  return e;
}

MEMFIT_FAMILY({"pp_ocrv5_mobile_rec"}, "PPOCRV5MobileRec", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "PPOCRV5MobileRecModel") heads::unsupported(cls);
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "pp_lcnet_v3"}}, "pp_lcnet_v3");
  if (bc.c.s("model_type", "pp_lcnet_v3") != "pp_lcnet_v3")
    heads::unsupported("PPOCRV5MobileRecModel with a " + bc.c.s("model_type", "") + " backbone");
  auto backbone = make(P + "Backbone");
  backbone->add("encoder", encoder(bc.c));
  auto m = make("PPOCRV5MobileRecModel");
  m->add("backbone", backbone);
  return {m, {P + "DepthwiseSeparableConvLayer", "PPOCRV5MobileRecBlock"}};
});

// PPOCRV5ServerRecConvLayer: a bias-free (kh, kw) conv, BatchNorm2d, SiLU.
ModulePtr svtr_conv(int64_t in, int64_t out, int64_t kh, int64_t kw) {
  auto l = make("PPOCRV5ServerRecConvLayer");
  l->add("convolution", conv2d(in, out, kh, kw, false));
  l->add("normalization", batch_norm(out));
  l->add("activation", leaf(act_class("silu")));
  return l;
}

ModulePtr svtr_head(const Config& c, int64_t in) {
  const int64_t h = media::dim(c, "hidden_size", 120), heads = media::dim(c, "num_attention_heads", 8);
  media::divisible(c, h, heads, "hidden_size by num_attention_heads");
  auto k = media::dims(c, "conv_kernel_size", {1, 3});
  media::require(c, k.size() == 2 && k[0] <= 64 && k[1] <= 64 && in >= 8, "conv_kernel_size / backbone width");
  auto convs = module_list({svtr_conv(in, in / 8, k[0], k[1]), svtr_conv(in / 8, h, 1, 1), svtr_conv(h, in, 1, 1),
                            svtr_conv(2 * in, in / 8, k[0], k[1]), svtr_conv(in / 8, h, 1, 1)});
  auto attn = make("PPOCRV5ServerRecAttention");
  attn->add("qkv", linear(h, 3 * h, c.b("qkv_bias", true)));
  attn->add("projection", linear(h, h));
  const auto hidden = static_cast<int64_t>(static_cast<double>(h) * c.f("mlp_ratio", 2.0));
  media::require(c, hidden >= 1 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  auto mlp = make("PPOCRV5ServerRecMLP");
  mlp->add("fc1", linear(h, hidden));
  mlp->add("activation", leaf(act_class(c.s("hidden_act", "silu"))));
  mlp->add("fc2", linear(hidden, h));
  mlp->add("drop", leaf("Dropout"));
  auto block = make("PPOCRV5ServerRecBlock");
  block->add("self_attn", attn);
  block->add("layer_norm1", layer_norm(h));
  block->add("mlp", mlp);
  block->add("layer_norm2", layer_norm(h));
  auto enc = make("PPOCRV5ServerRecEncoderWithSVTR");
  enc->add("conv_block", convs);
  enc->add("svtr_block", repeat(block, media::count(c, "depth", 2)));
  enc->add("norm", layer_norm(h));
  auto head = make("PPOCRV5ServerRecHead");
  head->add("encoder", enc);
  head->add("head", linear(h, media::dim(c, "head_out_channels", 18385)));
  return head;
}

Model server_rec(const Config& c, std::string_view cls) {
  const bool task = cls == "PPOCRV5ServerRecForTextRecognition";
  if (cls != "PPOCRV5ServerRecModel" && !task) heads::unsupported(cls);
  // PPOCRV5ServerRecConfig's default_config_kwargs: HGNetV2 "L" with every stage downsampling (the other keys --
  // strides, return_idx, freeze flags -- change no tensor).
  SubConfig bc = sub_config(c, "backbone_config",
                            {{"model_type", "hgnet_v2"}, {"stage_downsample", Json::array({true, true, true, true})},
                             {"out_features", Json::array({"stage1", "stage2", "stage3", "stage4"})}},
                            "hgnet_v2");
  if (bc.c.s("model_type", "hgnet_v2") != "hgnet_v2")
    heads::unsupported("PPOCRV5ServerRecModel with a " + bc.c.s("model_type", "") + " backbone");
  Model bb = auto_model(bc.c);
  auto m = make("PPOCRV5ServerRecModel");
  m->add("backbone", bb.root);
  std::vector<std::string> no_split{"PPOCRV5ServerRecBlock"};
  merge_no_split(no_split, bb.no_split);
  if (!task) return {m, no_split};
  auto outs = media::dims(bc.c, "stage_out_channels", {128, 512, 1024, 2048});
  auto root = make(std::string(cls));
  root->add("model", m);
  root->add("head", svtr_head(c, outs.back()));
  return {root, no_split};
}

MEMFIT_FAMILY({"pp_ocrv5_server_rec"}, "PPOCRV5ServerRec", server_rec);

}  // namespace
}  // namespace memfit
