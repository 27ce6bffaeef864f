// ResNet as transformers builds it (modeling_resnet.py, microsoft/resnet-50): a conv stem, stages of basic or
// bottleneck layers made of ResNetConvLayer (conv + BatchNorm + act) with a ResNetShortCut where shapes change.
// (timm's ResNet is timm/resnet.cpp.) ResNetBackbone (load_backbone of a resnet backbone_config) is the same stem and
// encoder without the pooler.
#include "arch/transformers/resnet.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
using namespace blocks;

namespace {

ModulePtr conv_layer(int64_t in, int64_t out, int64_t k, const std::string& act) {
  auto m = make("ResNetConvLayer");
  m->add("convolution", conv2d(in, out, k, false));
  m->add("normalization", batch_norm(out));
  m->add("activation", leaf(act.empty() ? "Identity" : act_class(act)));
  return m;
}

ModulePtr shortcut(int64_t in, int64_t out, bool needed) {
  if (!needed) return leaf("Identity");
  auto m = make("ResNetShortCut");
  m->add("convolution", conv2d(in, out, 1, false));
  m->add("normalization", batch_norm(out));
  return m;
}

ModulePtr res_layer(bool bottleneck, int64_t in, int64_t out, int64_t stride, const std::string& act) {
  auto m = make(bottleneck ? "ResNetBottleNeckLayer" : "ResNetBasicLayer");
  m->add("shortcut", shortcut(in, out, in != out || stride != 1));
  auto seq = make("Sequential");
  if (bottleneck) {
    int64_t mid = out / 4;
    seq->add("0", conv_layer(in, mid, 1, "relu"));
    seq->add("1", conv_layer(mid, mid, 3, "relu"));
    seq->add("2", conv_layer(mid, out, 1, ""));
  } else {
    seq->add("0", conv_layer(in, out, 3, "relu"));
    seq->add("1", conv_layer(out, out, 3, ""));
  }
  m->add("layer", seq);
  m->add("activation", leaf(act_class(act)));
  return m;
}

}  // namespace

ModulePtr resnet_model(const Config& c, bool backbone) {
  std::string act = c.s("hidden_act", "relu");
  std::string type = c.s("layer_type", "bottleneck");
  media::require(c, type == "bottleneck" || type == "basic", "layer_type must be `basic` or `bottleneck`");
  bool bottleneck = type == "bottleneck";
  int64_t emb = media::dim(c, "embedding_size", 64);
  auto hidden = media::dims(c, "hidden_sizes", {256, 512, 1024, 2048});
  auto depths = media::dims(c, "depths", {3, 4, 6, 3});
  media::require(c, !hidden.empty() && hidden.size() == depths.size(), "hidden_sizes and depths differ in length");

  auto stem = make("ResNetEmbeddings");
  stem->add("embedder", conv_layer(media::dim(c, "num_channels", 3), emb, 7, act));
  stem->add("pooler", leaf("MaxPool2d"));

  auto stages = make("ModuleList");
  int64_t in = emb;
  for (size_t i = 0; i < hidden.size(); ++i) {
    int64_t stride = i > 0 || c.b("downsample_in_first_stage", false) ? 2 : 1;
    auto layers = make("Sequential");
    layers->add("0", res_layer(bottleneck, in, hidden[i], stride, act));
    auto rest = res_layer(bottleneck, hidden[i], hidden[i], 1, act);
    for (int64_t k = 1; k < depths[i]; ++k) layers->add(std::to_string(k), rest);
    auto stage = make("ResNetStage");
    stage->add("layers", layers);
    stages->add(std::to_string(i), stage);
    in = hidden[i];
  }
  auto enc = make("ResNetEncoder");
  enc->add("stages", stages);

  auto m = make(backbone ? "ResNetBackbone" : "ResNetModel");
  m->add("embedder", stem);
  m->add("encoder", enc);
  if (!backbone) m->add("pooler", leaf("AdaptiveAvgPool2d"));
  return m;
}

namespace {

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"ResNetConvLayer", "ResNetShortCut"};
  if (cls == "ResNetModel") return {resnet_model(c, false), no_split};
  if (cls == "ResNetForImageClassification") {
    auto root = make(std::string(cls));
    root->add("resnet", resnet_model(c, false));
    auto head = make("Sequential");
    head->add("0", leaf("Flatten"));
    head->add("1", media::linear_or_identity(media::dims(c, "hidden_sizes", {256, 512, 1024, 2048}).back(),
                                             heads::num_labels(c)));
    root->add("classifier", head);
    return {root, no_split};
  }
  heads::unsupported(cls);
}

MEMFIT_FAMILY({"resnet"}, "ResNet", build);

}  // namespace
}  // namespace memfit
