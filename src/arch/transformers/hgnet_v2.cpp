// HGNet-V2: transformers' modeling_hgnet_v2.py (HGNetV2Backbone is what AutoModel builds). A five-conv stem, and
// stages of an optional depth-wise downsample and basic layers: layer_num conv (or light 1x1 + depth-wise) layers
// whose outputs are concatenated and squeezed / excited by two 1x1 conv layers.
#include "arch/transformers/hgnet.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace hgnet {
using namespace blocks;

ModulePtr conv_layer(const std::string& p, int64_t in, int64_t out, int64_t k, int64_t groups, const std::string& act,
                     bool lab) {
  auto l = make(p + "ConvLayer");
  l->add("convolution", conv2d(in, out, k, false, groups));
  l->add("normalization", batch_norm(out));
  l->add("activation", leaf(act.empty() ? "Identity" : act_class(act)));
  if (!act.empty() && lab) {
    auto a = make(p + "LearnableAffineBlock");
    a->param("scale", {1}).param("bias", {1});
    l->add("lab", a);
  } else {
    l->add("lab", leaf("Identity"));
  }
  return l;
}

ModulePtr lcnet_se(const Config& c, const std::string& p, int64_t ch, bool use) {
  if (!use) return leaf("Identity");
  int64_t r = media::dim(c, "reduction", 4);
  auto m = make(p + "SqueezeExcitationModule");
  m->add("avg_pool", leaf("AdaptiveAvgPool2d"));
  auto convs = make("ModuleList");
  convs->add("0", conv2d(ch, ch / r, 1));
  convs->add("1", leaf("ReLU"));
  convs->add("2", conv2d(ch / r, ch, 1));
  convs->add("3", leaf("Hardsigmoid"));
  m->add("convolutions", convs);
  return m;
}

ModulePtr stem(const Config& c, const std::string& p, std::string cls) {
  std::string act = c.s("hidden_act", "relu");
  bool lab = c.b("use_learnable_affine_block", false);
  auto ch = media::dims(c, "stem_channels", {3, 32, 48});
  media::require(c, ch.size() >= 3, "stem_channels needs 3 entries");
  auto s = make(std::move(cls));
  s->add("stem1", conv_layer(p, ch[0], ch[1], 3, 1, act, lab));
  s->add("stem2a", conv_layer(p, ch[1], ch[1] / 2, 2, 1, act, lab));
  s->add("stem2b", conv_layer(p, ch[1] / 2, ch[1], 2, 1, act, lab));
  s->add("stem3", conv_layer(p, ch[1] * 2, ch[1], 3, 1, act, lab));
  s->add("stem4", conv_layer(p, ch[1], ch[2], 1, 1, act, lab));
  s->add("pool", leaf("MaxPool2d"));
  return s;
}

}  // namespace hgnet

namespace {
using namespace blocks;
using hgnet::conv_layer;

const std::string P = "HGNetV2";

ModulePtr basic_layer(const Config& c, int64_t in, int64_t mid, int64_t out, int64_t n, int64_t k, bool light) {
  bool lab = c.b("use_learnable_affine_block", false);
  media::require(c, k <= 64 && in + n * mid <= media::kMaxDim, "stage sizes out of range");
  auto layers = make("ModuleList");
  for (int64_t i = 0; i < n; ++i) {
    int64_t cin = i == 0 ? in : mid;
    ModulePtr b;
    if (light) {
      b = make(P + "ConvLayerLight");
      b->add("conv1", conv_layer(P, cin, mid, 1, 1, "", lab));
      b->add("conv2", conv_layer(P, mid, mid, k, mid, "relu", lab));
    } else {
      b = conv_layer(P, cin, mid, k, 1, "relu", lab);
    }
    layers->add(std::to_string(i), b);
  }
  auto agg = make("Sequential");
  agg->add("0", conv_layer(P, in + n * mid, out / 2, 1, 1, "relu", lab));
  agg->add("1", conv_layer(P, out / 2, out, 1, 1, "relu", lab));
  auto l = make(P + "BasicLayer");
  l->add("layers", layers);
  l->add("aggregation", agg);
  l->add("drop_path", leaf("Identity"));
  return l;
}

bool flag(const Config& c, std::string_view key, size_t i) {
  auto it = c.raw().find(key);
  return it != c.raw().end() && it->is_array() && it->size() > i && (*it)[i].is_boolean() && (*it)[i].get<bool>();
}

ModulePtr backbone(const Config& c) {
  auto in = media::dims(c, "stage_in_channels", {48, 128, 512, 1024});
  auto mid = media::dims(c, "stage_mid_channels", {48, 96, 192, 384});
  auto out = media::dims(c, "stage_out_channels", {128, 512, 1024, 2048});
  auto blocks = media::dims(c, "stage_num_blocks", {1, 1, 3, 1}, 0);
  auto layers = media::dims(c, "stage_numb_of_layers", {6, 6, 6, 6}, 0);
  auto kernels = media::dims(c, "stage_kernel_size", {3, 3, 5, 5});
  size_t n = in.size();
  media::require(c, mid.size() >= n && out.size() >= n && blocks.size() >= n && layers.size() >= n &&
                        kernels.size() >= n && n <= 64,
                 "per-stage lists shorter than stage_in_channels");
  auto stages = make("ModuleList");
  for (size_t s = 0; s < n; ++s) {
    auto st = make(P + "Stage");
    st->add("downsample", flag(c, "stage_downsample", s) ? conv_layer(P, in[s], in[s], 3, in[s], "", false)
                                                          : leaf("Identity"));
    bool light = flag(c, "stage_light_block", s);
    auto rest = basic_layer(c, out[s], mid[s], out[s], layers[s], kernels[s], light);
    auto list = make("ModuleList");
    for (int64_t i = 0; i < blocks[s]; ++i)
      list->add(std::to_string(i), i == 0 ? basic_layer(c, in[s], mid[s], out[s], layers[s], kernels[s], light) : rest);
    st->add("blocks", list);
    stages->add(std::to_string(s), st);
  }
  auto enc = make(P + "Encoder");
  enc->add("stages", stages);
  auto m = make(P + "Backbone");
  m->add("embedder", hgnet::stem(c, P, P + "Embeddings"));
  m->add("encoder", enc);
  return m;
}

MEMFIT_FAMILY({"hgnet_v2"}, "HGNetV2", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "HGNetV2Backbone") heads::unsupported(cls);
  return {backbone(c), {"HGNetV2BasicLayer"}};
}, "HGNetV2Backbone");

}  // namespace
}  // namespace memfit
