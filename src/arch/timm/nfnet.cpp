// timm NormFreeNet (timm/models/nfnet.py) for nfnet_l0 and nfnet_f0..f3: deep_quad stem of ScaledStdConv2d (weight,
// bias, gain), NormFreeBlocks (DownsampleAvg, conv1, grouped conv2 + conv2b, conv3, SEModule attn_last), final_conv,
// ClassifierHead.
#include <map>

#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

struct Variant {
  std::vector<int64_t> depths;
  double feat_mult, bottle, rd_ratio;
  int64_t group_size;
};

ModulePtr std_conv(int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  auto m = conv2d(in, out, k, true, groups);
  m->cls = "ScaledStdConv2d";
  m->param("gain", {out, 1, 1, 1});
  return m;
}

ModulePtr nf_block(int64_t in, int64_t out, const Variant& v, bool down) {
  int64_t mid = timm::make_divisible(out * v.bottle, 8);
  int64_t groups = mid / v.group_size;
  mid = v.group_size * groups;
  auto b = make("NormFreeBlock");
  if (down) {
    auto d = make("DownsampleAvg");
    d->add("pool", leaf("AvgPool2d"));
    d->add("conv", std_conv(in, out, 1));
    b->add("downsample", d);
  }
  b->add("act1", leaf("SiLU"));
  b->add("conv1", std_conv(in, mid, 1));
  b->add("act2", leaf("SiLU"));
  b->add("conv2", std_conv(mid, mid, 3, groups));
  b->add("act2b", leaf("SiLU"));
  b->add("conv2b", std_conv(mid, mid, 3, groups));
  b->add("act3", leaf("SiLU"));
  b->add("conv3", std_conv(mid, out, 1));
  int64_t rd = timm::make_divisible(out * v.rd_ratio, 8, 0, 0.0);
  b->add("attn_last", timm::se_module(out, rd));
  b->add("drop_path", leaf("Identity"));
  return b;
}

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, Variant, std::less<>> variants{
      {"nfnet_l0", {{1, 2, 6, 3}, 1.5, 0.25, 0.25, 64}}, {"nfnet_f0", {{1, 2, 6, 3}, 2.0, 0.5, 0.5, 128}},
      {"nfnet_f1", {{2, 4, 12, 6}, 2.0, 0.5, 0.5, 128}}, {"nfnet_f2", {{3, 6, 18, 9}, 2.0, 0.5, 0.5, 128}},
      {"nfnet_f3", {{4, 8, 24, 12}, 2.0, 0.5, 0.5, 128}},
  };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  const Variant& v = it->second;
  const int64_t channels[] = {256, 512, 1536, 1536};
  auto stem = make("Sequential");
  stem->add("conv1", std_conv(timm::in_chans(c), 16, 3));
  stem->add("act2", leaf("SiLU"));
  stem->add("conv2", std_conv(16, 32, 3));
  stem->add("act3", leaf("SiLU"));
  stem->add("conv3", std_conv(32, 64, 3));
  stem->add("act4", leaf("SiLU"));
  stem->add("conv4", std_conv(64, 128, 3));
  auto root = make("NormFreeNet");
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t prev = 128;
  for (int s = 0; s < 4; ++s) {
    auto st = make("Sequential");
    for (int64_t k = 0; k < v.depths[s]; ++k) {
      st->add(std::to_string(k), nf_block(prev, channels[s], v, k == 0));
      prev = channels[s];
    }
    stages->add(std::to_string(s), st);
  }
  root->add("stages", stages);
  int64_t features = timm::make_divisible(static_cast<double>(static_cast<int64_t>(1536 * v.feat_mult)), 8);
  root->add("final_conv", std_conv(prev, features, 1));
  root->add("final_act", leaf("SiLU"));
  root->add("head", timm::classifier_head(features, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"nfnet_"}, build);

}  // namespace
}  // namespace memfit
