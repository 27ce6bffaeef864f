// timm FastVit (timm/models/fastvit.py, train-time / non-reparameterized, RepMixer variants t8/t12/s12): MobileOneBlock
// stem, FastVitStages (PatchEmbed of ReparamLargeKernelConv + MobileOneBlock, RepMixerBlocks of RepMixer, ConvMlp and
// LayerScale2d), final MobileOneBlock with SE, ClassifierHead.
#include <map>
#include <tuple>

#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr cna(int64_t in, int64_t out, int64_t k, int64_t groups) { return timm::conv_norm_act(in, out, k, groups); }

// LayerScale2d: gamma [dim, 1, 1].
ModulePtr layer_scale2d(int64_t dim) {
  auto m = make("LayerScale2d");
  m->param("gamma", {dim, 1, 1});
  return m;
}

// MobileOneBlock(in, out, k, stride, depthwise, use_se, scale branch, conv branches).
ModulePtr mobileone(int64_t in, int64_t out, int64_t k, bool stride2, bool dw, bool se = false, bool scale = true,
                    int branches = 1) {
  int64_t groups = dw ? in : 1;
  auto m = make("MobileOneBlock");
  m->add("se", se ? timm::se_module(out, out / 16) : leaf("Identity"));
  if (out == in && !stride2) m->add("identity", batch_norm(in));
  if (branches > 0) {
    auto l = make("ModuleList");
    for (int b = 0; b < branches; ++b) l->add(std::to_string(b), cna(in, out, k, groups));
    m->add("conv_kxk", l);
  }
  if (k > 1 && scale) m->add("conv_scale", cna(in, out, 1, groups));
  m->add("act", leaf("GELU"));
  return m;
}

ModulePtr repmixer_block(int64_t dim, int64_t mlp_ratio) {
  auto rm = make("RepMixer");
  rm->add("norm", mobileone(dim, dim, 3, false, true, false, false, 0));
  rm->add("mixer", mobileone(dim, dim, 3, false, true));
  rm->add("layer_scale", layer_scale2d(dim));
  auto mlp = make("ConvMlp");
  mlp->add("conv", cna(dim, dim, 7, dim));
  mlp->add("fc1", conv2d(dim, dim * mlp_ratio, 1));
  mlp->add("act", leaf("GELU"));
  mlp->add("fc2", conv2d(dim * mlp_ratio, dim, 1));
  mlp->add("drop", leaf("Dropout"));
  auto b = make("RepMixerBlock");
  b->add("token_mixer", rm);
  b->add("mlp", mlp);
  b->add("layer_scale", layer_scale2d(dim));
  b->add("drop_path", leaf("Identity"));
  return b;
}

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, std::tuple<std::vector<int64_t>, std::vector<int64_t>, int64_t>, std::less<>>
      variants{
          {"fastvit_t8", {{2, 2, 4, 2}, {48, 96, 192, 384}, 3}},
          {"fastvit_t12", {{2, 2, 6, 2}, {64, 128, 256, 512}, 3}},
          {"fastvit_s12", {{2, 2, 6, 2}, {64, 128, 256, 512}, 4}},
      };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  const auto& [layers, dims, mlp_ratio] = it->second;
  auto stem = make("Sequential");
  stem->add("0", mobileone(timm::in_chans(c), dims[0], 3, true, false));
  stem->add("1", mobileone(dims[0], dims[0], 3, true, true));
  stem->add("2", mobileone(dims[0], dims[0], 1, false, false));
  auto root = make("FastVit");
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t prev = dims[0];
  for (int s = 0; s < 4; ++s) {
    auto st = make("FastVitStage");
    if (s > 0) {
      auto lk = make("ReparamLargeKernelConv");
      lk->add("large_conv", cna(prev, dims[s], 7, prev));
      lk->add("small_conv", cna(prev, dims[s], 3, prev));
      lk->add("se", leaf("Identity"));
      lk->add("act", leaf("Identity"));
      auto proj = make("Sequential");
      proj->add("0", lk);
      proj->add("1", mobileone(dims[s], dims[s], 1, false, false));
      auto pe = make("PatchEmbed");
      pe->add("proj", proj);
      st->add("downsample", pe);
    } else {
      st->add("downsample", leaf("Identity"));
    }
    st->add("pos_emb", leaf("Identity"));
    st->add("blocks", repeat(repmixer_block(dims[s], mlp_ratio), layers[s], "Sequential"));
    stages->add(std::to_string(s), st);
    prev = dims[s];
  }
  root->add("stages", stages);
  int64_t final_features = prev * 2;
  root->add("final_conv", mobileone(prev, final_features, 3, false, true, true));
  root->add("head", timm::classifier_head(final_features, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"fastvit_"}, build);

}  // namespace
}  // namespace memfit
