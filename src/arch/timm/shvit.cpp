// timm SHViT (timm/models/shvit.py) from its registered arguments: a Sequential stem of four Conv2dNorms, StageBlocks
// (downsample of Residual depthwise Conv2dNorm / FFN around a PatchMerging with SE; BasicBlocks of Residual
// depthwise conv, single-head SHSA mixer on a partial channel slice ('s') or Identity ('i'), Residual FFN), pool,
// flatten, NormLinear head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr conv_norm(int64_t in, int64_t out, int64_t k = 1, int64_t groups = 1) {
  return timm::conv_bn(in, out, k, groups, false, "Conv2dNorm", "c");
}
ModulePtr residual(ModulePtr m) { return timm::wrap("Residual", "m", std::move(m)); }

ModulePtr ffn(int64_t dim) {
  auto m = make("FFN");
  m->add("pw1", conv_norm(dim, dim * 2));
  m->add("act", leaf("ReLU"));
  m->add("pw2", conv_norm(dim * 2, dim));
  return m;
}

ModulePtr shsa(int64_t dim, int64_t qk, int64_t pdim) {
  auto m = make("SHSA");
  auto gn = make("GroupNorm1");
  gn->param("weight", {pdim});
  gn->param("bias", {pdim});
  m->add("pre_norm", gn);
  m->add("qkv", conv_norm(pdim, qk * 2 + pdim));
  auto proj = make("Sequential");
  proj->add("0", leaf("ReLU"));
  proj->add("1", conv_norm(dim, dim));
  m->add("proj", proj);
  return m;
}

Model build(const timm::Args& a) {
  if (a.layer("norm_layer") != "GroupNorm1") a.unsupported("norm_layer " + a.layer("norm_layer"));
  if (a.layer("act_layer") != "nn.ReLU") a.unsupported("act_layer " + a.layer("act_layer"));
  auto dims = a.ints("embed_dim"), pdims = a.ints("partial_dim"), qks = a.ints("qk_dim"), depth = a.ints("depth");
  const Json& types = a.raw("types");
  const size_t n = dims.size();
  if (n == 0 || pdims.size() < n || qks.size() < n || depth.size() < n || !types.is_array() || types.size() < n)
    a.unsupported("per-stage arguments of different lengths");
  int64_t d0 = timm::checked(dims[0], 8, 1 << 16, "embed_dim");
  auto root = make("SHViT");
  auto pe = make("Sequential");
  std::vector<int64_t> chs{timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), d0 / 8, d0 / 4, d0 / 2, d0};
  for (int i = 0; i < 4; ++i) {
    if (i) pe->add(std::to_string(2 * i - 1), leaf("ReLU"));
    pe->add(std::to_string(2 * i), conv_norm(chs[i], chs[i + 1], 3));
  }
  root->add("patch_embed", pe);
  auto stages = make("Sequential");
  int64_t prev = d0;
  for (size_t i = 0; i < n; ++i) {
    int64_t dim = timm::checked(dims[i], 1, 1 << 16, "embed_dim");
    int64_t pdim = timm::checked(pdims[i], 1, dim, "partial_dim"), qk = timm::checked(qks[i], 1, 4096, "qk_dim");
    const std::string type = types[i].is_string() ? types[i].get<std::string>() : "";
    auto st = make("StageBlock");
    if (prev != dim) {
      int64_t hid = prev * 4;
      auto pm = make("PatchMerging");
      pm->add("conv1", conv_norm(prev, hid));
      pm->add("act1", leaf("ReLU"));
      pm->add("conv2", conv_norm(hid, hid, 3, hid));
      pm->add("act2", leaf("ReLU"));
      pm->add("se", timm::se_module(hid, timm::make_divisible(static_cast<double>(hid) * 0.25, 8, 0, 0.0)));
      pm->add("conv3", conv_norm(hid, dim));
      auto ds = make("Sequential");
      ds->add("0", residual(conv_norm(prev, prev, 3, prev)));
      ds->add("1", residual(ffn(prev)));
      ds->add("2", pm);
      ds->add("3", residual(conv_norm(dim, dim, 3, dim)));
      ds->add("4", residual(ffn(dim)));
      st->add("downsample", ds);
    } else {
      st->add("downsample", leaf("Identity"));
    }
    st->add("blocks", timm::seq(timm::checked(depth[i], 0, 1024, "depth"), [&](int64_t) {
      auto b = make("BasicBlock");
      b->add("conv", residual(conv_norm(dim, dim, 3, dim)));
      b->add("mixer", type == "s" ? residual(shsa(dim, qk, pdim)) : leaf("Identity"));
      b->add("ffn", residual(ffn(dim)));
      return b;
    }));
    stages->add(std::to_string(i), st);
    prev = dim;
  }
  root->add("stages", stages);
  root->add("global_pool", timm::select_pool());
  root->add("flatten", leaf(a.b("global_pool") ? "Flatten" : "Identity"));
  root->add("head", timm::norm_linear(prev, a.i("num_classes"), "l", false));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"SHViT"}, build);

}  // namespace
}  // namespace memfit
