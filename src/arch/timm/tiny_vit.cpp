// timm TinyVit (timm/models/tiny_vit.py) from its registered arguments: PatchEmbed of two ConvNorms, a ConvLayer of
// MBConvs, TinyVitStages (PatchMerging, TinyVitBlocks of window Attention with attention_biases + the
// attention_bias_idxs buffer, NormMlp and a depthwise local ConvNorm), NormMlpClassifierHead with LayerNorm2d.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr conv_norm(int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  return timm::conv_bn(in, out, k, groups);
}

// MBConv / PatchMerging: 1x1, depthwise 3x3, 1x1 ConvNorms with activations between.
ModulePtr three_convs(const char* cls, int64_t in, int64_t mid, int64_t out, bool act3) {
  auto m = make(cls);
  m->add("conv1", conv_norm(in, mid, 1));
  m->add("act1", leaf("GELU"));
  m->add("conv2", conv_norm(mid, mid, 3, mid));
  m->add("act2", leaf("GELU"));
  m->add("conv3", conv_norm(mid, out, 1));
  if (act3) {
    m->add("act3", leaf("GELU"));
    m->add("drop_path", leaf("Identity"));
  }
  return m;
}

ModulePtr tiny_vit_block(int64_t dim, int64_t heads, int64_t window, int64_t hidden, int64_t local_k) {
  int64_t n = window * window;
  auto at = make("Attention");
  at->add("norm", layer_norm(dim));
  at->add("qkv", linear(dim, dim * 3));
  at->add("proj", linear(dim, dim));
  at->param("attention_biases", {heads, n});
  at->buffer("attention_bias_idxs", {n, n}, DType::I64, false);
  auto mlp = make("NormMlp");
  mlp->add("norm", layer_norm(dim));
  mlp->add("fc1", linear(dim, hidden));
  mlp->add("act", leaf("GELU"));
  mlp->add("drop1", leaf("Dropout"));
  mlp->add("fc2", linear(hidden, dim));
  mlp->add("drop2", leaf("Dropout"));
  auto b = make("TinyVitBlock");
  b->add("attn", at);
  b->add("drop_path1", leaf("Identity"));
  b->add("mlp", mlp);
  b->add("drop_path2", leaf("Identity"));
  b->add("local_conv", conv_norm(dim, dim, local_k, dim));
  return b;
}

Model build(const timm::Args& a) {
  if (a.layer("act_layer") != "nn.GELU") a.unsupported("act_layer " + a.layer("act_layer"));
  auto dims = a.ints("embed_dims"), depths = a.ints("depths"), heads = a.ints("num_heads"),
       windows = a.ints("window_sizes");
  const size_t n = depths.size();
  if (n == 0 || dims.size() != n || heads.size() != n || windows.size() != n)
    a.unsupported("embed_dims / depths / num_heads / window_sizes lengths differ");
  for (auto d : dims) timm::checked(d, 2, 1 << 16, "embed_dims");
  const double mlp_ratio = a.f("mlp_ratio"), expand = a.f("mbconv_expand_ratio");
  if (mlp_ratio <= 0 || expand * static_cast<double>(dims[0]) < 1 || mlp_ratio > 64 || expand > 64)
    a.unsupported("mlp_ratio / mbconv_expand_ratio out of range");
  const int64_t local_k = timm::checked(a.i("local_conv_size"), 1, 64, "local_conv_size");
  auto root = make("TinyVit");
  auto pe = make("PatchEmbed");
  pe->add("conv1", conv_norm(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), dims[0] / 2, 3));
  pe->add("act", leaf("GELU"));
  pe->add("conv2", conv_norm(dims[0] / 2, dims[0], 3));
  root->add("patch_embed", pe);
  auto stages = make("Sequential");
  for (size_t s = 0; s < n; ++s) {
    int64_t dim = dims[s], depth = timm::checked(depths[s], 0, 1024, "depths");
    if (s == 0) {
      int64_t mid = static_cast<int64_t>(static_cast<double>(dim) * expand);
      auto cl = make("ConvLayer");
      cl->add("blocks", timm::seq(depth, [&](int64_t) { return three_convs("MBConv", dim, mid, dim, true); }));
      stages->add("0", cl);
      continue;
    }
    int64_t h = timm::checked(heads[s], 1, dim, "num_heads"), w = timm::checked(windows[s], 1, 1024, "window_sizes");
    int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * mlp_ratio);
    auto st = make("TinyVitStage");
    st->add("downsample", three_convs("PatchMerging", dims[s - 1], dim, dim, false));
    st->add("blocks", timm::seq(depth, [&](int64_t) { return tiny_vit_block(dim, h, w, hidden, local_k); }));
    stages->add(std::to_string(s), st);
  }
  root->add("stages", stages);
  root->add("head", timm::norm_mlp_head(dims.back(), a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"TinyVit"}, build);

}  // namespace
}  // namespace memfit
