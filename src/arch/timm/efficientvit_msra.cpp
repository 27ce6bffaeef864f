// timm EfficientVitMsra (timm/models/efficientvit_msra.py) from its registered arguments: PatchEmbedding of four
// ConvNorms, EfficientVitStages (subsample: res1 / PatchMerging with SE / res2; EfficientVitBlocks of ResidualDrop
// depthwise ConvNorms, ConvMlps and LocalWindowAttention over CascadedGroupAttention with per-head qkv / dw
// ConvNorms, attention_biases + attention_bias_idxs), global pool, NormLinear head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr conv_norm(int64_t in, int64_t out, int64_t k = 1, int64_t groups = 1) {
  return timm::conv_bn(in, out, k, groups);
}
ModulePtr residual(ModulePtr m) { return timm::wrap("ResidualDrop", "m", std::move(m)); }

ModulePtr conv_mlp(int64_t dim, int64_t hidden) {
  auto m = make("ConvMlp");
  m->add("pw1", conv_norm(dim, hidden));
  m->add("act", leaf("ReLU"));
  m->add("pw2", conv_norm(hidden, dim));
  return m;
}

// Sequential(ResidualDrop(depthwise ConvNorm), ResidualDrop(ConvMlp)): the res1 / res2 of a subsampling stage.
ModulePtr dw_ffn(int64_t dim) {
  auto s = make("Sequential");
  s->add("0", residual(conv_norm(dim, dim, 3, dim)));
  s->add("1", residual(conv_mlp(dim, dim * 2)));
  return s;
}

ModulePtr cascaded_attention(int64_t dim, int64_t kd, int64_t heads, double ar, int64_t res,
                             const std::vector<int64_t>& kernels) {
  int64_t vd = static_cast<int64_t>(ar * static_cast<double>(kd)), n = res * res;
  auto a = make("CascadedGroupAttention");
  a->add("qkvs", timm::seq(heads, [&](int64_t) { return conv_norm(dim / heads, kd * 2 + vd); }, "ModuleList"));
  a->add("dws", timm::seq(heads, [&](int64_t i) { return conv_norm(kd, kd, kernels[i], kd); }, "ModuleList"));
  auto proj = make("Sequential");
  proj->add("0", leaf("ReLU"));
  proj->add("1", conv_norm(vd * heads, dim));
  a->add("proj", proj);
  a->param("attention_biases", {heads, n});
  a->buffer("attention_bias_idxs", {n, n}, DType::I64, false);
  return a;
}

Model build(const timm::Args& a) {
  auto dims = a.ints("embed_dim"), kds = a.ints("key_dim"), depth = a.ints("depth"), heads = a.ints("num_heads"),
       windows = a.ints("window_size"), kernels = a.ints("kernels");
  const size_t n = dims.size();
  if (n == 0 || kds.size() < n || depth.size() < n || heads.size() < n || windows.size() < n)
    a.unsupported("per-stage arguments of different lengths");
  const Json& downs = a.raw("down_ops");
  if (!downs.is_array() || downs.size() < n) a.unsupported("down_ops");
  for (size_t i = 0; i < n; ++i)
    if (heads[i] < 1 || static_cast<size_t>(heads[i]) > kernels.size()) a.unsupported("more heads than kernels");
  auto root = make("EfficientVitMsra");
  auto pe = make("PatchEmbedding");
  int64_t d0 = timm::checked(dims[0], 8, 1 << 16, "embed_dim");
  std::vector<int64_t> chs{timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), d0 / 8, d0 / 4, d0 / 2, d0};
  for (int i = 0; i < 4; ++i) {
    if (i) pe->add("relu" + std::to_string(i), leaf("ReLU"));
    pe->add("conv" + std::to_string(i + 1), conv_norm(chs[i], chs[i + 1], 3));
  }
  root->add("patch_embed", pe);
  int64_t res = a.ints("img_size").front() / 16, prev = d0;
  auto stages = make("Sequential");
  for (size_t i = 0; i < n; ++i) {
    int64_t dim = timm::checked(dims[i], 1, 1 << 16, "embed_dim"), kd = timm::checked(kds[i], 1, 4096, "key_dim");
    double ar = static_cast<double>(dim) / static_cast<double>(kd * heads[i]);
    auto st = make("EfficientVitStage");
    const Json& op = downs[i];
    if (op.is_array() && op.size() == 2 && op[0] == "subsample") {
      res = (res - 1) / timm::checked(op[1].get<int64_t>(), 1, 64, "down_ops stride") + 1;
      int64_t hid = prev * 4;
      auto pm = make("PatchMerging");
      pm->add("conv1", conv_norm(prev, hid));
      pm->add("act", leaf("ReLU"));
      pm->add("conv2", conv_norm(hid, hid, 3, hid));
      pm->add("se", timm::se_module(hid, timm::make_divisible(static_cast<double>(hid) * 0.25, 8, 0, 0.0)));
      pm->add("conv3", conv_norm(hid, dim));
      auto ds = make("Sequential");
      ds->add("res1", dw_ffn(prev));
      ds->add("patchmerge", pm);
      ds->add("res2", dw_ffn(dim));
      st->add("downsample", ds);
    } else {
      if (prev != dim) a.unsupported("a stage without subsample that changes width");
      st->add("downsample", leaf("Identity"));
    }
    int64_t wr = std::min(timm::checked(windows[i], 1, 1024, "window_size"), res);
    st->add("blocks", timm::seq(timm::checked(depth[i], 0, 1024, "depth"), [&](int64_t) {
      auto lwa = make("LocalWindowAttention");
      lwa->add("attn", cascaded_attention(dim, kd, heads[i], ar, wr, kernels));
      auto b = make("EfficientVitBlock");
      b->add("dw0", residual(conv_norm(dim, dim, 3, dim)));
      b->add("ffn0", residual(conv_mlp(dim, dim * 2)));
      b->add("mixer", residual(lwa));
      b->add("dw1", residual(conv_norm(dim, dim, 3, dim)));
      b->add("ffn1", residual(conv_mlp(dim, dim * 2)));
      return b;
    }));
    stages->add(std::to_string(i), st);
    prev = dim;
  }
  root->add("stages", stages);
  root->add("global_pool", a.s("global_pool") == "avg" ? timm::select_pool() : leaf("Identity"));
  root->add("head", timm::norm_linear(prev, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"EfficientVitMsra"}, build);

}  // namespace
}  // namespace memfit
