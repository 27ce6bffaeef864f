// timm EdgeNeXt (timm/models/edgenext.py) from its registered arguments: a patch (or overlapping) conv stem, four
// EdgeNeXtStages (LayerNorm2d + conv downsample unless downsample_block, ConvBlocks of depthwise conv + LayerNorm +
// Mlp + gamma, then SplitTransposeBlocks: depthwise convs over channel splits, Fourier position encoding, cross-
// covariance attention), and a NormMlpClassifierHead (or norm_pre + ClassifierHead).
#include <cmath>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Opts {
  bool bias, gamma;
  double expand;
};

ModulePtr conv_block(const Opts& o, int64_t dim, int64_t out, int64_t k) {
  auto b = make("ConvBlock");
  if (o.gamma) b->param("gamma", {out});
  b->add("conv_dw", conv2d(dim, out, k, o.bias, dim));
  b->add("norm", layer_norm(out));
  b->add("mlp", timm::mlp(out, static_cast<int64_t>(o.expand * static_cast<double>(out)), out));
  b->add("drop_path", leaf("Identity"));
  return b;
}

ModulePtr split_transpose(const Opts& o, int64_t dim, int64_t scales, int64_t heads, bool pos) {
  auto b = make("SplitTransposeBlock");
  if (o.gamma) {
    b->param("gamma_xca", {dim});
    b->param("gamma", {dim});
  }
  int64_t width = std::max<int64_t>((dim + scales - 1) / scales, dim / scales);
  b->add("convs", timm::seq(std::max<int64_t>(1, scales - 1), [&](int64_t) { return conv2d(width, width, 3, o.bias, width); },
                           "ModuleList"));
  if (pos) {
    auto pe = make("PositionalEncodingFourier");
    pe->add("token_projection", conv2d(64, dim, 1));
    b->add("pos_embd", pe);
  }
  b->add("norm_xca", layer_norm(dim));
  auto xca = make("CrossCovarianceAttn");
  xca->param("temperature", {heads, 1, 1});
  xca->add("qkv", linear(dim, 3 * dim, true));
  xca->add("attn_drop", leaf("Dropout"));
  xca->add("proj", linear(dim, dim));
  xca->add("proj_drop", leaf("Dropout"));
  b->add("xca", xca);
  b->add("norm", layer_norm(dim));
  b->add("mlp", timm::mlp(dim, static_cast<int64_t>(o.expand * static_cast<double>(dim)), dim));
  b->add("drop_path", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  auto dims = a.ints("dims"), depths = a.ints("depths"), globals = a.ints("global_block_counts");
  auto ks = a.ints("kernel_sizes"), heads = a.ints("heads"), scales = a.ints("d2_scales");
  const Json& pos = a.raw("use_pos_emb");
  for (auto* v : {&dims, &depths, &globals, &ks, &heads, &scales})
    if (v->size() != 4) a.unsupported("per-stage lists are not four long");
  if (!pos.is_array() || pos.size() != 4) a.unsupported("use_pos_emb");
  for (auto d : dims) timm::checked(d, 1, 1 << 16, "dims");
  for (auto s : scales) timm::checked(s, 1, 64, "d2_scales");
  std::string stem_type = a.s("stem_type");
  if (stem_type != "patch" && stem_type != "overlap") a.unsupported("stem_type " + stem_type);
  Opts o{a.b("conv_bias"), a.f("ls_init_value") > 0, a.f("expand_ratio")};
  bool ds_block = a.b("downsample_block");
  auto root = make("EdgeNeXt");
  auto stem = make("Sequential");
  stem->add("0", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), dims[0], stem_type == "patch" ? 4 : 9, o.bias));
  stem->add("1", layer_norm(dims[0], true, "LayerNorm2d"));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t in = dims[0];
  for (int i = 0; i < 4; ++i) {
    int64_t out = dims[i], depth = timm::checked(depths[i], 0, 1000, "depths");
    auto st = make("EdgeNeXtStage");
    if (ds_block || i == 0) {
      st->add("downsample", leaf("Identity"));
    } else {
      auto ds = make("Sequential");
      ds->add("0", layer_norm(in, true, "LayerNorm2d"));
      ds->add("1", conv2d(in, out, 2, o.bias));
      st->add("downsample", ds);
      in = out;
    }
    st->add("blocks", timm::seq(depth, [&](int64_t j) {
              ModulePtr b = j < depth - globals[i] ? conv_block(o, in, out, ks[i])
                                                   : split_transpose(o, in, scales[i], heads[i], pos[i].get<bool>());
              in = out;
              return b;
            }));
    stages->add(std::to_string(i), st);
    in = out;
  }
  root->add("stages", stages);
  if (a.b("head_norm_first")) {
    root->add("norm_pre", layer_norm(in, true, "LayerNorm2d"));
    root->add("head", timm::classifier_head(in, a.i("num_classes")));
  } else {
    root->add("norm_pre", leaf("Identity"));
    root->add("head", timm::norm_mlp_head(in, a.i("num_classes")));
  }
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"EdgeNeXt"}, build);

}  // namespace
}  // namespace memfit
