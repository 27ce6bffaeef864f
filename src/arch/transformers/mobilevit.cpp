// MobileViT (v1): transformers' modeling_mobilevit.py. A stride-2 conv stem, two MobileNet stages of inverted
// residuals (1 and 3 blocks), three MobileViT stages (an inverted-residual downsample, kxk and 1x1 convs, transformer
// layers in the transformers 4 layout over hidden_sizes[i] with int(hidden * mlp_ratio) FFNs, a LayerNorm, a 1x1
// projection and a kxk fusion conv over the concatenation), and a 1x1 expansion to neck_hidden_sizes[6].
// MobileViTForSemanticSegmentation drops the expansion and adds a DeepLabV3 head (ASPP of five branches).
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/transformers/vit_v4.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

int64_t make_divisible(double v, int64_t div) {
  int64_t n = std::max(div, static_cast<int64_t>(v + static_cast<double>(div) / 2) / div * div);
  if (static_cast<double>(n) < 0.9 * v) n += div;
  return n;
}

// MobileViTConvLayer: convolution, then BatchNorm2d and the activation where asked.
ModulePtr conv_layer(const Config& c, int64_t in, int64_t out, int64_t k, int64_t groups = 1, bool norm = true,
                     const std::string& act = "config", bool bias = false) {
  media::require(c, in % groups == 0 && out % groups == 0 && k <= 64, "channels not divisible by groups");
  auto l = make("MobileViTConvLayer");
  l->add("convolution", conv2d(in, out, k, bias, groups));
  if (norm) l->add("normalization", batch_norm(out));
  if (!act.empty()) l->add("activation", leaf(act_class(act == "config" ? c.s("hidden_act", "silu") : act)));
  return l;
}

ModulePtr inverted_residual(const Config& c, int64_t in, int64_t out) {
  double x = static_cast<double>(in) * c.f("expand_ratio", 4.0);
  media::require(c, x > 0 && x <= static_cast<double>(media::kMaxDim), "expand_ratio out of range");
  int64_t e = make_divisible(static_cast<double>(static_cast<int64_t>(std::nearbyint(x))), 8);
  auto r = make("MobileViTInvertedResidual");
  r->add("expand_1x1", conv_layer(c, in, e, 1));
  r->add("conv_3x3", conv_layer(c, e, e, 3, e));
  r->add("reduce_1x1", conv_layer(c, e, out, 1, 1, true, ""));
  return r;
}

ModulePtr mobilenet_layer(const Config& c, int64_t in, int64_t out, int64_t stages) {
  auto list = make("ModuleList");
  for (int64_t i = 0; i < stages; ++i) list->add(std::to_string(i), inverted_residual(c, i == 0 ? in : out, out));
  auto l = make("MobileViTMobileNetLayer");
  l->add("layer", list);
  return l;
}

// MobileViTTransformerLayer: the transformers 4 ViT layer over hidden_sizes[i] with an int(hidden * mlp_ratio) FFN.
ModulePtr transformer_layer(const Config& c, int64_t h) {
  media::divisible(c, h, media::dim(c, "num_attention_heads", 4), "hidden_sizes / num_attention_heads");
  auto inter = static_cast<int64_t>(static_cast<double>(h) * c.f("mlp_ratio", 2.0));
  media::require(c, inter > 0 && inter <= media::kMaxDim, "mlp_ratio out of range");
  Json j = c.raw();
  j["intermediate_size"] = inter;
  SubConfig lc = make_config(Json::object(), j, "mobilevit");
  auto l = vit_v4_layer(lc.c, "MobileViT", "MobileViTSelfAttention", h);
  l->cls = "MobileViTTransformerLayer";
  return l;
}

ModulePtr vit_layer(const Config& c, int64_t in, int64_t out, int64_t h, int64_t stages) {
  int64_t k = media::dim(c, "conv_kernel_size", 3);
  auto tr = make("MobileViTTransformer");
  tr->add("layer", repeat(transformer_layer(c, h), stages));
  auto l = make("MobileViTLayer");
  l->add("downsampling_layer", inverted_residual(c, in, out));  // every MobileViT stage has stride 2
  l->add("conv_kxk", conv_layer(c, out, out, k));
  l->add("conv_1x1", conv_layer(c, out, h, 1, 1, false, ""));
  l->add("transformer", tr);
  l->add("layernorm", layer_norm(h));
  l->add("conv_projection", conv_layer(c, h, out, 1));
  l->add("fusion", conv_layer(c, 2 * out, out, k));
  return l;
}

ModulePtr mobilevit_model(const Config& c, bool expand) {
  auto n = media::dims(c, "neck_hidden_sizes", {16, 32, 64, 96, 128, 160, 640});
  auto h = media::dims(c, "hidden_sizes", {144, 192, 240});
  media::require(c, n.size() >= (expand ? 7u : 6u) && h.size() >= 3, "neck_hidden_sizes / hidden_sizes too short");
  auto layers = make("ModuleList");
  layers->add("0", mobilenet_layer(c, n[0], n[1], 1));
  layers->add("1", mobilenet_layer(c, n[1], n[2], 3));
  layers->add("2", vit_layer(c, n[2], n[3], h[0], 2));
  layers->add("3", vit_layer(c, n[3], n[4], h[1], 4));
  layers->add("4", vit_layer(c, n[4], n[5], h[2], 3));
  auto enc = make("MobileViTEncoder");
  enc->add("layer", layers);
  auto m = make("MobileViTModel");
  m->add("conv_stem", conv_layer(c, media::dim(c, "num_channels", 3), n[0], 3));
  m->add("encoder", enc);
  if (expand) m->add("conv_1x1_exp", conv_layer(c, n[5], n[6], 1));
  return m;
}

ModulePtr deeplab(const Config& c) {
  auto n = media::dims(c, "neck_hidden_sizes", {16, 32, 64, 96, 128, 160, 640});
  auto rates = media::dims(c, "atrous_rates", {6, 12, 18});
  media::require(c, rates.size() == 3 && n.size() >= 2, "atrous_rates needs 3 values");
  int64_t in = n[n.size() - 2], out = media::dim(c, "aspp_out_channels", 256);
  auto convs = make("ModuleList");
  convs->add("0", conv_layer(c, in, out, 1, 1, true, "relu"));
  for (int i = 1; i <= 3; ++i) convs->add(std::to_string(i), conv_layer(c, in, out, 3, 1, true, "relu"));
  auto pool = make("MobileViTASPPPooling");
  pool->add("global_pool", leaf("AdaptiveAvgPool2d"));
  pool->add("conv_1x1", conv_layer(c, in, out, 1, 1, true, "relu"));
  convs->add("4", pool);
  auto aspp = make("MobileViTASPP");
  aspp->add("convs", convs);
  aspp->add("project", conv_layer(c, 5 * out, out, 1, 1, true, "relu"));
  aspp->add("dropout", leaf("Dropout"));
  auto d = make("MobileViTDeepLabV3");
  d->add("aspp", aspp);
  d->add("dropout", leaf("Dropout2d"));
  int64_t labels = heads::num_labels(c);
  media::require(c, labels >= 1, "num_labels must be at least 1 for semantic segmentation");
  d->add("classifier", conv_layer(c, out, labels, 1, 1, false, "", true));
  return d;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"MobileViTLayer"};
  if (cls == "MobileViTModel") return {mobilevit_model(c, true), no_split};
  auto root = make(std::string(cls));
  if (cls == "MobileViTForImageClassification") {
    auto n = media::dims(c, "neck_hidden_sizes", {16, 32, 64, 96, 128, 160, 640});
    root->add("mobilevit", mobilevit_model(c, true));
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", media::linear_or_identity(n.back(), heads::num_labels(c)));
    return {root, no_split};
  }
  if (cls != "MobileViTForSemanticSegmentation") heads::unsupported(cls);
  root->add("mobilevit", mobilevit_model(c, false));
  root->add("segmentation_head", deeplab(c));
  return {root, no_split};
}

MEMFIT_FAMILY({"mobilevit"}, "MobileViT", build);

}  // namespace
}  // namespace memfit
