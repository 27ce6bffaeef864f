// RegNet: transformers' modeling_regnet.py. A conv stem (embedder) and stages of X layers (1x1, grouped 3x3, 1x1
// conv layers with a projection shortcut when the shape changes) or Y layers (X plus squeeze-and-excitation).
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr conv_layer(int64_t in, int64_t out, int64_t k, int64_t groups, const std::string& act) {
  auto l = make("RegNetConvLayer");
  l->add("convolution", conv2d(in, out, k, false, groups));
  l->add("normalization", batch_norm(out));
  l->add("activation", leaf(act.empty() ? "Identity" : act_class(act)));
  return l;
}

ModulePtr reg_layer(const Config& c, bool y, int64_t in, int64_t out, int64_t stride) {
  std::string act = c.s("hidden_act", "relu");
  int64_t gw = media::dim(c, "groups_width", 64), groups = std::max<int64_t>(1, out / gw);
  media::require(c, out % groups == 0, "hidden_sizes not divisible by their groups");
  auto l = make(y ? "RegNetYLayer" : "RegNetXLayer");
  if (in != out || stride != 1) {
    auto sc = make("RegNetShortCut");
    sc->add("convolution", conv2d(in, out, 1, false));
    sc->add("normalization", batch_norm(out));
    l->add("shortcut", sc);
  } else {
    l->add("shortcut", leaf("Identity"));
  }
  auto seq = make("Sequential");
  seq->add("0", conv_layer(in, out, 1, 1, act));
  seq->add("1", conv_layer(out, out, 3, groups, act));
  if (y) {
    int64_t reduced = static_cast<int64_t>(std::nearbyint(static_cast<double>(in) / 4));
    auto se = make("RegNetSELayer");
    se->add("pooler", leaf("AdaptiveAvgPool2d"));
    auto att = make("Sequential");
    att->add("0", conv2d(out, reduced, 1));
    att->add("1", leaf("ReLU"));
    att->add("2", conv2d(reduced, out, 1));
    att->add("3", leaf("Sigmoid"));
    se->add("attention", att);
    seq->add("2", se);
  }
  seq->add(y ? "3" : "2", conv_layer(out, out, 1, 1, ""));
  l->add("layer", seq);
  l->add("activation", leaf(act_class(act)));
  return l;
}

ModulePtr regnet_model(const Config& c) {
  bool y = c.s("layer_type", "y") == "y";
  int64_t embed = media::dim(c, "embedding_size", 32);
  auto hidden = media::dims(c, "hidden_sizes", {256, 512, 1024, 2048});
  auto depths = media::dims(c, "depths", {3, 4, 6, 3}, 0);
  media::require(c, !hidden.empty() && depths.size() >= hidden.size() && hidden.size() <= 64,
                 "hidden_sizes/depths lengths are inconsistent");
  auto emb = make("RegNetEmbeddings");
  emb->add("embedder", conv_layer(media::dim(c, "num_channels", 3), embed, 3, 1, c.s("hidden_act", "relu")));
  auto stages = make("ModuleList");
  for (size_t i = 0; i < hidden.size(); ++i) {
    int64_t in = i == 0 ? embed : hidden[i - 1];
    int64_t stride = i == 0 && !c.b("downsample_in_first_stage", true) ? 1 : 2;
    auto seq = make("Sequential");
    auto rest = reg_layer(c, y, hidden[i], hidden[i], 1);
    // nn.Sequential(first, *rest): depth 0 still builds the first layer.
    seq->add("0", reg_layer(c, y, in, hidden[i], stride));
    for (int64_t j = 1; j < depths[i]; ++j) seq->add(std::to_string(j), rest);
    auto st = make("RegNetStage");
    st->add("layers", seq);
    stages->add(std::to_string(i), st);
  }
  auto enc = make("RegNetEncoder");
  enc->add("stages", stages);
  auto m = make("RegNetModel");
  m->add("embedder", emb);
  m->add("encoder", enc);
  m->add("pooler", leaf("AdaptiveAvgPool2d"));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"RegNetYLayer"};
  if (cls == "RegNetModel") return {regnet_model(c), no_split};
  if (cls != "RegNetForImageClassification") heads::unsupported(cls);
  auto m = regnet_model(c);
  auto root = make(std::string(cls));
  root->add("regnet", m);
  auto head = make("Sequential");
  head->add("0", leaf("Flatten"));
  head->add("1", media::linear_or_identity(media::dims(c, "hidden_sizes", {256, 512, 1024, 2048}).back(),
                                           heads::num_labels(c)));
  root->add("classifier", head);
  return {root, no_split};
}

MEMFIT_FAMILY({"regnet"}, "RegNet", build);

}  // namespace
}  // namespace memfit
