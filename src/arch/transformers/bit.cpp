// BiT: transformers' modeling_bit.py. A ResNet V2 of weight-standardized convs and GroupNorm(+activation) layers:
// a 7x7 stem, stages of pre-activation (default) or post-activation bottlenecks with a 1x1 projection in each
// stage's first layer, and a final GroupNorm for pre-activation models.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr ws_conv(int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  auto c = conv2d(in, out, k, false, groups);
  c->cls = "WeightStandardizedConv2d";
  return c;
}

// BitGroupNormActivation: an nn.GroupNorm (weight, bias over the channels) with its activation child.
ModulePtr gn_act(const Config& c, int64_t ch, bool act = true) {
  media::require(c, ch % media::dim(c, "num_groups", 32) == 0, "channels not divisible by num_groups");
  auto n = layer_norm(ch, true, "BitGroupNormActivation");
  n->add("activation", leaf(act ? act_class(c.s("hidden_act", "relu")) : "Identity"));
  return n;
}

// make_div: to a multiple of 8, never 10% below the value.
int64_t make_div(double v) {
  int64_t n = std::max<int64_t>(8, static_cast<int64_t>(v + 4) / 8 * 8);
  if (static_cast<double>(n) < 0.9 * v) n += 8;
  return n;
}

ModulePtr bottleneck(const Config& c, bool preact, int64_t in, int64_t out, bool first, bool dp) {
  int64_t mid = make_div(static_cast<double>(out) * 0.25);
  auto l = make(preact ? "BitPreActivationBottleneckLayer" : "BitBottleneckLayer");
  if (first) {
    auto d = make("BitDownsampleConv");
    d->add("conv", ws_conv(in, out, 1));
    d->add("norm", preact ? leaf("Identity") : gn_act(c, out, false));
    l->add("downsample", d);
  }
  if (preact) {
    l->add("norm1", gn_act(c, in));
    l->add("conv1", ws_conv(in, mid, 1));
    l->add("norm2", gn_act(c, mid));
    l->add("conv2", ws_conv(mid, mid, 3));
    l->add("norm3", gn_act(c, mid));
    l->add("conv3", ws_conv(mid, out, 1));
    l->add("drop_path", leaf(dp ? "BitDropPath" : "Identity"));
  } else {
    l->add("conv1", ws_conv(in, mid, 1));
    l->add("norm1", gn_act(c, mid));
    l->add("conv2", ws_conv(mid, mid, 3));
    l->add("norm2", gn_act(c, mid));
    l->add("conv3", ws_conv(mid, out, 1));
    l->add("norm3", gn_act(c, out, false));
    l->add("drop_path", leaf(dp ? "BitDropPath" : "Identity"));
    l->add("activation", leaf(act_class(c.s("hidden_act", "relu"))));
  }
  return l;
}

ModulePtr bit_model(const Config& c) {
  bool preact = c.s("layer_type", "preactivation") == "preactivation";
  int64_t embed = media::dim(c, "embedding_size", 64);
  auto hidden = media::dims(c, "hidden_sizes", {256, 512, 1024, 2048});
  auto depths = media::dims(c, "depths", {3, 4, 6, 3}, 0);
  double width = c.f("width_factor", 1);
  media::require(c, !hidden.empty() && depths.size() >= hidden.size() && width > 0 && width <= 64,
                 "hidden_sizes/depths/width_factor are inconsistent");
  std::string pad = c.s("global_padding", "");
  auto emb = make("BitEmbeddings");
  emb->add("convolution", ws_conv(media::dim(c, "num_channels", 3), embed, 7));
  emb->add("pooler", leaf("BitMaxPool2d"));
  emb->add("pad", leaf(pad == "SAME" || pad == "same" ? "Identity" : "ConstantPad2d"));
  emb->add("norm", preact ? leaf("Identity") : gn_act(c, embed));

  bool dp = c.f("drop_path_rate", 0) > 0;  // linear from 0: only the very first layer keeps an Identity
  auto stages = make("ModuleList");
  int64_t prev = embed;
  for (size_t i = 0; i < hidden.size(); ++i) {
    int64_t out = make_div(static_cast<double>(hidden[i]) * width);
    auto seq = make("Sequential");
    for (int64_t j = 0; j < depths[i]; ++j)
      seq->add(std::to_string(j), bottleneck(c, preact, j == 0 ? prev : out, out, j == 0, dp && (i > 0 || j > 0)));
    auto st = make("BitStage");
    st->add("layers", seq);
    stages->add(std::to_string(i), st);
    if (depths[i] > 0) prev = out;
  }
  auto enc = make("BitEncoder");
  enc->add("stages", stages);
  auto m = make("BitModel");
  m->add("embedder", emb);
  m->add("encoder", enc);
  m->add("norm", preact ? gn_act(c, hidden.back()) : leaf("Identity"));
  m->add("pooler", leaf("AdaptiveAvgPool2d"));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"BitEmbeddings"};
  if (cls == "BitModel") return {bit_model(c), no_split};
  if (cls != "BitForImageClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("bit", bit_model(c));
  auto head = make("Sequential");
  head->add("0", leaf("Flatten"));
  head->add("1", media::linear_or_identity(media::dims(c, "hidden_sizes", {256, 512, 1024, 2048}).back(),
                                           heads::num_labels(c)));
  root->add("classifier", head);
  return {root, no_split};
}

MEMFIT_FAMILY({"bit"}, "Bit", build);

}  // namespace
}  // namespace memfit
