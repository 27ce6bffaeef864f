// MobileViTV2: transformers' modeling_mobilevitv2.py. A conv stem, two MobileNet stages of inverted residuals, and
// three MobileViT stages (an inverted-residual downsample, a depth-wise kxk + 1x1 conv, transformer layers of
// one-group GroupNorm + separable linear self-attention (1x1 convs) + a 1x1-conv FFN, a GroupNorm, a projection).
// Stage widths are fixed in the modeling code and scaled by width_multiplier.
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

int64_t make_divisible(double v, int64_t div, int64_t min = 0) {
  if (min == 0) min = div;
  int64_t n = std::max(min, static_cast<int64_t>(v + static_cast<double>(div) / 2) / div * div);
  if (static_cast<double>(n) < 0.9 * v) n += div;
  return n;
}

// MobileViTV2ConvLayer: convolution, then BatchNorm2d and the activation where asked.
ModulePtr conv_layer(const Config& c, int64_t in, int64_t out, int64_t k, int64_t groups = 1, bool bias = false,
                     bool norm = true, bool act = true) {
  media::require(c, in % groups == 0 && out % groups == 0 && k <= 64, "channels not divisible by groups");
  auto l = make("MobileViTV2ConvLayer");
  l->add("convolution", conv2d(in, out, k, bias, groups));
  if (norm) l->add("normalization", batch_norm(out));
  if (act) l->add("activation", leaf(act_class(c.s("hidden_act", "swish"))));
  return l;
}

ModulePtr inverted_residual(const Config& c, int64_t in, int64_t out) {
  double x = static_cast<double>(in) * c.f("expand_ratio", 2.0);
  media::require(c, x > 0 && x <= static_cast<double>(media::kMaxDim), "expand_ratio out of range");
  int64_t e = make_divisible(static_cast<double>(static_cast<int64_t>(std::nearbyint(x))), 8);
  auto r = make("MobileViTV2InvertedResidual");
  r->add("expand_1x1", conv_layer(c, in, e, 1));
  r->add("conv_3x3", conv_layer(c, e, e, 3, e));
  r->add("reduce_1x1", conv_layer(c, e, out, 1, 1, false, true, false));
  return r;
}

ModulePtr mobilenet_layer(const Config& c, int64_t in, int64_t out, int64_t stages) {
  auto l = make("MobileViTV2MobileNetLayer");
  auto list = make("ModuleList");
  for (int64_t i = 0; i < stages; ++i) list->add(std::to_string(i), inverted_residual(c, i == 0 ? in : out, out));
  l->add("layer", list);
  return l;
}

ModulePtr group_norm(int64_t ch) { return layer_norm(ch, true, "GroupNorm"); }

ModulePtr vit_layer(const Config& c, int64_t in, int64_t out, int64_t d, int64_t blocks) {
  auto l = make("MobileViTV2Layer");
  l->add("downsampling_layer", inverted_residual(c, in, out));
  l->add("conv_kxk", conv_layer(c, out, out, media::dim(c, "conv_kernel_size", 3), out));
  l->add("conv_1x1", conv_layer(c, out, d, 1, 1, false, false, false));
  int64_t ffn = media::dim(c, "ffn_multiplier", 2) * d / 16 * 16;
  auto attn = make("MobileViTV2LinearSelfAttention");
  attn->add("qkv_proj", conv_layer(c, d, 1 + 2 * d, 1, 1, true, false, false));
  attn->add("attn_dropout", leaf("Dropout"));
  attn->add("out_proj", conv_layer(c, d, d, 1, 1, true, false, false));
  auto f = make("MobileViTV2FFN");
  f->add("conv1", conv_layer(c, d, ffn, 1, 1, true, false, true));
  f->add("dropout1", leaf("Dropout"));
  f->add("conv2", conv_layer(c, ffn, d, 1, 1, true, false, false));
  f->add("dropout2", leaf("Dropout"));
  auto tl = make("MobileViTV2TransformerLayer");
  tl->add("layernorm_before", group_norm(d));
  tl->add("attention", attn);
  tl->add("dropout1", leaf("Dropout"));
  tl->add("layernorm_after", group_norm(d));
  tl->add("ffn", f);
  auto tr = make("MobileViTV2Transformer");
  tr->add("layer", repeat(tl, blocks));
  l->add("transformer", tr);
  l->add("layernorm", group_norm(d));
  l->add("conv_projection", conv_layer(c, d, out, 1, 1, false, true, false));
  return l;
}

ModulePtr mvit_model(const Config& c, int64_t& last) {
  double w = c.f("width_multiplier", 1.0);
  media::require(c, w > 0 && w <= 64, "width_multiplier out of range");
  auto attn_dims = media::dims(c, "base_attn_unit_dims", {128, 192, 256});
  auto blocks = media::dims(c, "n_attn_blocks", {2, 4, 3}, 0);
  media::require(c, attn_dims.size() >= 3 && blocks.size() >= 3, "base_attn_unit_dims / n_attn_blocks need 3 entries");
  int64_t d0 = make_divisible(std::clamp(32 * w, 16.0, 64.0), 8, 16);
  int64_t d1 = make_divisible(64 * w, 16), d2 = make_divisible(128 * w, 8), d3 = make_divisible(256 * w, 8);
  int64_t d4 = make_divisible(384 * w, 8), d5 = make_divisible(512 * w, 8);
  auto unit = [&](int i) { return make_divisible(static_cast<double>(attn_dims[i]) * w, 8); };
  auto layers = make("ModuleList");
  layers->add("0", mobilenet_layer(c, d0, d1, 1));
  layers->add("1", mobilenet_layer(c, d1, d2, 2));
  layers->add("2", vit_layer(c, d2, d3, unit(0), blocks[0]));
  layers->add("3", vit_layer(c, d3, d4, unit(1), blocks[1]));
  layers->add("4", vit_layer(c, d4, d5, unit(2), blocks[2]));
  auto enc = make("MobileViTV2Encoder");
  enc->add("layer", layers);
  auto m = make("MobileViTV2Model");
  m->add("conv_stem", conv_layer(c, media::dim(c, "num_channels", 3), d0, 3));
  m->add("encoder", enc);
  last = d5;
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"MobileViTV2Layer"};
  int64_t last = 0;
  if (cls == "MobileViTV2Model") return {mvit_model(c, last), no_split};
  if (cls != "MobileViTV2ForImageClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("mobilevitv2", mvit_model(c, last));
  root->add("classifier", media::linear_or_identity(last, heads::num_labels(c)));
  return {root, no_split};
}

MEMFIT_FAMILY({"mobilevitv2"}, "MobileViTV2", build);

}  // namespace
}  // namespace memfit
