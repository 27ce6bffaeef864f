// PP-OCRv6 text recognisers: transformers' modeling_pp_ocrv6_small_rec.py / modeling_pp_ocrv6_tiny_rec.py, whose
// AutoModel is the PP-LCNetV4 backbone alone (modeling_pp_lcnet_v4.py: a large or small conv stem, then stages of
// depth-wise separable layers from block_configs [kernel, in, out, stride, use_se]; Conv2d + BatchNorm2d conv
// layers, an optional learnable affine block, squeeze-excitation 1x1 convs). The text detector
// (modeling_pp_ocrv6_small_det.py) adds a neck of residual squeeze-excitation and depth-wise separable convs.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/hgnet.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string P = "PPLCNetV4";

ModulePtr conv_layer(int64_t in, int64_t out, int64_t k, int64_t groups, const std::string& act, bool lab) {
  return hgnet::conv_layer(P, in, out, k, groups, act, lab);
}

ModulePtr dw_layer(const Config& c, int64_t in, int64_t out, int64_t k, bool stride1, bool se) {
  media::require(c, k <= 64 && in <= media::kMaxDim / 2, "block_configs out of range");
  auto l = make(P + "DepthwiseSeparableConvLayer");
  bool rep = stride1 && in == out;
  l->add("token_conv", rep ? conv2d(in, out, k, true, in) : conv_layer(in, in, k, in, "", false));
  l->add("token_squeeze_excitation", hgnet::lcnet_se(c, P, in, se));
  l->add("channel_conv1", conv_layer(in, 2 * in, 1, 1, "", false));
  l->add("channel_act_fn", leaf("GELUActivation"));
  l->add("channel_conv2", conv_layer(2 * in, out, 1, 1, "", false));
  return l;
}

const Json& at(const Config& c, const Json& j, size_t i) {
  if (!j.is_array() || j.size() <= i) c.missing("block_configs");
  return j[i];
}

ModulePtr encoder(const Config& c) {
  auto ch = media::dims(c, "stem_channels", {3, 48, 96});
  media::require(c, ch.size() >= 3, "stem_channels too short");
  ModulePtr stem;
  if (c.s("stem_type", "large") == "large") {
    stem = hgnet::stem(c, P, P + "LargeStem");
  } else {
    stem = make(P + "SmallStem");
    stem->add("conv1", conv_layer(ch[0], ch[1], 3, 1, "", false));
    stem->add("act_fn", leaf("GELUActivation"));
    stem->add("conv2", conv_layer(ch[1], ch[2], 3, 1, "", false));
  }
  auto it = c.raw().find("block_configs");
  if (it == c.raw().end() || !it->is_array() || it->size() > 64) c.missing("block_configs");
  auto stages = make("ModuleList");
  for (size_t s = 0; s < it->size(); ++s) {
    const Json& blocks = (*it)[s];
    if (!blocks.is_array() || blocks.size() > static_cast<size_t>(media::kMaxCount)) c.missing("block_configs");
    auto list = make("ModuleList");
    for (size_t b = 0; b < blocks.size(); ++b) {
      const Json& cfg = blocks[b];
      auto num = [&](size_t i) {
        const Json& v = at(c, cfg, i);
        if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > media::kMaxDim) c.missing("block_configs");
        return v.get<int64_t>();
      };
      const Json& stride = at(c, cfg, 3);
      bool stride1 = stride.is_number_integer() && stride.get<int64_t>() == 1;
      const Json& se = at(c, cfg, 4);
      list->add(std::to_string(b), dw_layer(c, num(1), num(2), num(0), stride1, se.is_boolean() && se.get<bool>()));
    }
    auto blk = make(P + "Block");
    blk->add("blocks", list);
    stages->add(std::to_string(s), blk);
  }
  auto e = make(P + "Encoder");
  e->add("convolution", stem);
  e->add("blocks", stages);
  return e;
}

// The recogniser model: load_backbone(config) under `backbone`.
Model rec_model(const Config& c, std::string_view cls, const std::string& p) {
  if (cls != p + "Model") heads::unsupported(cls);
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "pp_lcnet_v4"}}, "pp_lcnet_v4");
  if (bc.c.s("model_type", "pp_lcnet_v4") != "pp_lcnet_v4")
    heads::unsupported(p + "Model with a " + bc.c.s("model_type", "") + " backbone");
  auto backbone = make(P + "Backbone");
  backbone->add("encoder", encoder(bc.c));
  auto m = make(std::string(cls));
  m->add("backbone", backbone);
  std::vector<std::string> no_split{P + "DepthwiseSeparableConvLayer"};
  if (p == "PPOCRV6SmallRec") no_split.push_back(p + "Block");
  return {m, no_split};
}

ModulePtr se_module(int64_t in, int64_t r) {
  auto m = make("PPOCRV6SmallDetSqueezeExcitationModule");
  m->add("avg_pool", leaf("AdaptiveAvgPool2d"));
  m->add("conv1", conv2d(in, in / r, 1));
  m->add("conv2", conv2d(in / r, in, 1));
  m->add("act_fn", leaf("ReLU"));
  return m;
}

ModulePtr det_neck(const Config& c) {
  int64_t out = media::dim(c, "neck_out_channels", 96), r = media::dim(c, "reduction", 4);
  int64_t k = media::dim(c, "dilated_kernel_size", 7);
  media::require(c, k <= 64 && out / 4 / r >= 1, "neck sizes out of range");
  auto insert = make("ModuleList"), input = make("ModuleList");
  auto channels = media::dims(c, "layer_list_out_channels", {12, 18, 42, 360});
  for (size_t i = 0; i < channels.size(); ++i) {
    auto rse = make("PPOCRV6SmallDetResidualSqueezeExcitationLayer");
    rse->add("in_conv", conv2d(channels[i], out, 1, false));
    rse->add("squeeze_excitation_block", se_module(out, r));
    insert->add(std::to_string(i), rse);
    auto dw = make("PPOCRV6SmallDetDepthwiseSeparableConvLayer");
    dw->add("depthwise_convolution", conv2d(out, out, k, true, out));
    dw->add("squeeze_excitation_module", se_module(out / 4, r));
    dw->add("pointwise_convolution", conv2d(out, out / 4, 1, false));
    input->add(std::to_string(i), dw);
  }
  auto n = make("PPOCRV6SmallDetNeck");
  n->add("insert_conv", insert);
  n->add("input_conv", input);
  return n;
}

MEMFIT_FAMILY({"pp_ocrv6_small_det"}, "PPOCRV6SmallDet", [](const Config& c, std::string_view cls) {
  Model m = rec_model(c, cls, "PPOCRV6SmallDet");
  m.root->add("neck", det_neck(c));
  return m;
});
MEMFIT_FAMILY({"pp_ocrv6_small_rec"}, "PPOCRV6SmallRec",
              [](const Config& c, std::string_view cls) { return rec_model(c, cls, "PPOCRV6SmallRec"); });
MEMFIT_FAMILY({"pp_ocrv6_tiny_rec"}, "PPOCRV6TinyRec",
              [](const Config& c, std::string_view cls) { return rec_model(c, cls, "PPOCRV6TinyRec"); });

}  // namespace
}  // namespace memfit
