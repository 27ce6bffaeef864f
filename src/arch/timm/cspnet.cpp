// timm CspNet (timm/models/cspnet.py) for cspdarknet53: stem conv1, five CrossStages (conv_down, conv_exp,
// DarkBlocks conv1/attn/conv2, conv_transition_b, conv_transition), ClassifierHead.
#include <cmath>

#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr dark_block(int64_t in, int64_t out, double bottle) {
  int64_t mid = std::llround(out * bottle);
  auto b = make("DarkBlock");
  b->add("conv1", timm::conv_norm_act(in, mid, 1));
  b->add("attn", leaf("Identity"));
  b->add("conv2", timm::conv_norm_act(mid, out, 3));
  b->add("drop_path", leaf("Identity"));
  return b;
}

Model build(const Config& c, std::string_view arch) {
  if (arch != "cspdarknet53") timm::unsupported(arch);
  const int64_t depth[] = {1, 2, 8, 8, 4}, out_chs[] = {64, 128, 256, 512, 1024};
  auto root = make("CspNet");
  auto stem = make("Sequential");
  stem->add("conv1", timm::conv_norm_act(timm::in_chans(c), 32, 3));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t in = 32;
  for (int i = 0; i < 5; ++i) {
    double expand = i ? 1.0 : 2.0, bottle = i ? 1.0 : 0.5, block_ratio = i ? 0.5 : 1.0;
    int64_t out = out_chs[i], exp = std::llround(out * expand), block_out = std::llround(out * block_ratio);
    auto st = make("CrossStage");
    st->add("conv_down", timm::conv_norm_act(in, out, 3));
    st->add("conv_exp", timm::conv_norm_act(out, exp, 1));
    auto blocks = make("Sequential");
    int64_t prev = exp / 2;
    for (int64_t k = 0; k < depth[i]; ++k) {
      blocks->add(std::to_string(k), dark_block(prev, block_out, bottle));
      prev = block_out;
    }
    st->add("blocks", blocks);
    st->add("conv_transition_b", timm::conv_norm_act(prev, exp / 2, 1));
    st->add("conv_transition", timm::conv_norm_act(exp, out, 1));
    stages->add(std::to_string(i), st);
    in = out;
  }
  root->add("stages", stages);
  root->add("head", timm::classifier_head(in, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"cspdarknet"}, build);

}  // namespace
}  // namespace memfit
