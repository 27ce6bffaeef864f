// timm ByobNet for MobileViT (timm/models/mobilevit.py configs on byobnet.py): ConvNormAct stem, stages of
// inverted-residual BottleneckBlocks and MobileVitBlocks (conv_kxk, conv_1x1, ViT Blocks, norm, conv_proj,
// conv_fusion), final_conv, ClassifierHead. mobilevit_xxs / xs / s.
#include <map>

#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

struct Stage {
  int64_t depth, chs, tdim, tdepth;  // tdim == 0: inverted residual blocks only
};

ModulePtr inverted_residual(int64_t in, int64_t out, double br) {
  int64_t mid = timm::make_divisible(in * br);
  auto b = make("BottleneckBlock");
  b->add("conv1_1x1", timm::conv_norm_act(in, mid, 1));
  b->add("conv2_kxk", timm::conv_norm_act(mid, mid, 3, mid));
  b->add("conv2b_kxk", leaf("Identity"));
  b->add("attn", leaf("Identity"));
  b->add("conv3_1x1", timm::conv_norm_act(mid, out, 1));
  b->add("attn_last", leaf("Identity"));
  b->add("drop_path", leaf("Identity"));
  b->add("act", leaf("Identity"));
  return b;
}

ModulePtr mobilevit_block(int64_t chs, int64_t tdim, int64_t tdepth) {
  auto tb = make("Block");
  tb->add("norm1", layer_norm(tdim));
  tb->add("attn", timm::attention(tdim, 4));
  tb->add("ls1", leaf("Identity"));
  tb->add("drop_path1", leaf("Identity"));
  tb->add("norm2", layer_norm(tdim));
  tb->add("mlp", timm::mlp(tdim, tdim * 2, tdim));
  tb->add("ls2", leaf("Identity"));
  tb->add("drop_path2", leaf("Identity"));
  auto b = make("MobileVitBlock");
  b->add("conv_kxk", timm::conv_norm_act(chs, chs, 3));
  b->add("conv_1x1", conv2d(chs, tdim, 1, false));
  b->add("transformer", repeat(tb, tdepth, "Sequential"));
  b->add("norm", layer_norm(tdim));
  b->add("conv_proj", timm::conv_norm_act(tdim, chs, 1));
  b->add("conv_fusion", timm::conv_norm_act(2 * chs, chs, 3));
  return b;
}

Model build(const Config& c, std::string_view arch) {
  struct Variant {
    std::vector<Stage> stages;
    double br;
    int64_t features;
  };
  static const std::map<std::string, Variant, std::less<>> variants{
      {"mobilevit_xxs", {{{1, 16, 0, 0}, {3, 24, 0, 0}, {1, 48, 64, 2}, {1, 64, 80, 4}, {1, 80, 96, 3}}, 2.0, 320}},
      {"mobilevit_xs", {{{1, 32, 0, 0}, {3, 48, 0, 0}, {1, 64, 96, 2}, {1, 80, 120, 4}, {1, 96, 144, 3}}, 4.0, 384}},
      {"mobilevit_s", {{{1, 32, 0, 0}, {3, 64, 0, 0}, {1, 96, 144, 2}, {1, 128, 192, 4}, {1, 160, 240, 3}}, 4.0, 640}},
  };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  const Variant& v = it->second;
  auto root = make("ByobNet");
  root->add("stem", timm::conv_norm_act(timm::in_chans(c), 16, 3));
  auto stages = make("Sequential");
  int64_t prev = 16;
  for (size_t s = 0; s < v.stages.size(); ++s) {
    const Stage& st = v.stages[s];
    auto seq = make("Sequential");
    int64_t k = 0;
    for (; k < st.depth; ++k) {
      seq->add(std::to_string(k), inverted_residual(prev, st.chs, v.br));
      prev = st.chs;
    }
    if (st.tdim) seq->add(std::to_string(k), mobilevit_block(st.chs, st.tdim, st.tdepth));
    stages->add(std::to_string(s), seq);
  }
  root->add("stages", stages);
  root->add("final_conv", timm::conv_norm_act(prev, v.features, 1));
  root->add("head", timm::classifier_head(v.features, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"mobilevit_"}, build);

}  // namespace
}  // namespace memfit
