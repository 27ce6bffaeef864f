// timm EfficientFormerV2 (timm/models/efficientformer_v2.py) from its registered arguments: Stem4 of two
// ConvNormActs, EfficientFormerV2Stages (Downsample ConvNorm, with Attention2dDownsample in the last stage; blocks of
// ConvMlpWithNorm with a depthwise mid conv, LayerScale2d, and in the last `num_vit` blocks of stages 3-4 an
// Attention2d with talking heads, attention_biases + attention_bias_idxs), norm, head, head_dist.
#include "arch/timm/defs.h"
#include "arch/timm/efficientformer_parts.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// ConvNorm: conv (bias) + BatchNorm2d.
ModulePtr conv_norm(int64_t in, int64_t out, int64_t k = 1, int64_t groups = 1) {
  return timm::conv_bn(in, out, k, groups, true);
}

ModulePtr cna(int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  return timm::conv_norm_act(in, out, k, groups, true);
}

ModulePtr layer_scale2d(int64_t dim, bool on) { return timm::layer_scale(dim, on, "LayerScale2d"); }

// Attention2d(dim): key_dim 32, 8 heads, attn_ratio 4; with a stride, a depthwise stride_conv and a smaller grid.
ModulePtr attention2d(int64_t dim, int64_t rh, int64_t rw, int64_t stride) {
  const int64_t kd = 32, heads = 8, dh = 4 * kd * heads, kh = kd * heads;
  auto m = make("Attention2d");
  if (stride) {
    rh = ceil_div(rh, stride), rw = ceil_div(rw, stride);
    m->add("stride_conv", conv_norm(dim, dim, 3, dim));
    m->add("upsample", leaf("Upsample"));
  }
  m->add("q", conv_norm(dim, kh));
  m->add("k", conv_norm(dim, kh));
  m->add("v", conv_norm(dim, dh));
  m->add("v_local", conv_norm(dh, dh, 3, dh));
  m->add("talking_head1", conv2d(heads, heads, 1));
  m->add("talking_head2", conv2d(heads, heads, 1));
  m->add("act", leaf("GELU"));
  m->add("proj", conv_norm(dh, dim));
  m->param("attention_biases", {heads, rh * rw});
  m->buffer("attention_bias_idxs", {rh * rw, rh * rw}, DType::I64, false);
  return m;
}

// Attention2dDownsample(dim -> out): key_dim 16, 8 heads, attn_ratio 4, queries on the stride-2 grid.
ModulePtr attention2d_down(int64_t dim, int64_t out, int64_t rh, int64_t rw) {
  const int64_t kd = 16, heads = 8, dh = 4 * kd * heads, kh = kd * heads;
  auto q = make("LocalGlobalQuery");
  q->add("pool", leaf("AvgPool2d"));
  q->add("local", conv2d(dim, dim, 3, true, dim));
  q->add("proj", conv_norm(dim, kh));
  auto m = make("Attention2dDownsample");
  m->add("q", q);
  m->add("k", conv_norm(dim, kh));
  m->add("v", conv_norm(dim, dh));
  m->add("v_local", conv_norm(dh, dh, 3, dh));
  m->add("act", leaf("GELU"));
  m->add("proj", conv_norm(dh, out));
  int64_t n = rh * rw, n2 = ceil_div(rh, 2) * ceil_div(rw, 2);
  m->param("attention_biases", {heads, n});
  m->buffer("attention_bias_idxs", {n2, n}, DType::I64, false);
  return m;
}

ModulePtr block(int64_t dim, int64_t hidden, bool attn, int64_t rh, int64_t rw, int64_t stride, bool ls) {
  auto b = make("EfficientFormerV2Block");
  if (attn) {
    b->add("token_mixer", attention2d(dim, rh, rw, stride));
    b->add("ls1", layer_scale2d(dim, ls));
    b->add("drop_path1", leaf("Identity"));
  }
  auto mlp = make("ConvMlpWithNorm");
  mlp->add("fc1", cna(dim, hidden, 1));
  mlp->add("mid", cna(hidden, hidden, 3, hidden));
  mlp->add("drop1", leaf("Dropout"));
  mlp->add("fc2", conv_norm(hidden, dim));
  mlp->add("drop2", leaf("Dropout"));
  b->add("mlp", mlp);
  b->add("ls2", layer_scale2d(dim, ls));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  if (a.s("norm_layer") != "batchnorm2d" || a.s("act_layer") != "gelu")
    a.unsupported("norm / act other than batchnorm2d / gelu");
  auto depths = a.ints("depths"), dims = a.ints("embed_dims"), img = a.ints("img_size");
  if (img.size() == 1) img.push_back(img[0]);
  const size_t n = depths.size();
  if (n == 0 || dims.size() < n || img.size() != 2) a.unsupported("depths / embed_dims lengths differ");
  std::vector<bool> downs(n, true);
  downs[0] = false;
  if (const Json& d = a.raw("downsamples"); d.is_array() && !d.empty()) {
    if (d.size() < n) a.unsupported("downsamples shorter than depths");
    for (size_t i = 0; i < n; ++i) downs[i] = d[i].get<bool>();
  }
  const Json& ratios = a.raw("mlp_ratios");
  auto ratio = [&](size_t s, int64_t b) -> double {
    const Json& r = ratios.is_array() ? ratios.at(s) : ratios;
    return r.is_array() ? r.at(b).get<double>() : r.get<double>();
  };
  const int64_t num_vit = a.i("num_vit");
  const bool ls = a.has("layer_scale_init_value");
  int64_t prev = timm::checked(dims[0], 2, 1 << 16, "embed_dims");
  auto root = make("EfficientFormerV2");
  auto stem = make("Stem4");
  stem->add("conv1", cna(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), prev / 2, 3));
  stem->add("conv2", cna(prev / 2, prev, 3));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t stride = 4;
  for (size_t i = 0; i < n; ++i) {
    int64_t dim = timm::checked(dims[i], 1, 1 << 16, "embed_dims"), depth = timm::checked(depths[i], 0, 1024, "depths");
    int64_t rh = ceil_div(img[0], stride), rw = ceil_div(img[1], stride);
    auto st = make("EfficientFormerV2Stage");
    if (downs[i]) {
      auto ds = make("Downsample");
      ds->add("conv", conv_norm(prev, dim, 3));
      if (i >= 3) ds->add("attn", attention2d_down(prev, dim, rh, rw));
      st->add("downsample", ds);
      rh = ceil_div(rh, 2), rw = ceil_div(rw, 2), stride *= 2;
    } else {
      if (prev != dim) a.unsupported("a stage that changes width without downsampling");
      st->add("downsample", leaf("Identity"));
    }
    st->add("blocks", timm::seq(depth, [&](int64_t b) {
      int64_t hidden =
          timm::checked(static_cast<int64_t>(static_cast<double>(dim) * ratio(i, b)), 1, 1 << 20, "mlp width");
      return block(dim, hidden, i >= 2 && b > depth - num_vit - 1, rh, rw, i == 2 ? 2 : 0, ls);
    }));
    stages->add(std::to_string(i), st);
    prev = dim;
  }
  root->add("stages", stages);
  root->add("norm", batch_norm(prev));
  timm::add_distilled_heads(*root, prev, a.i("num_classes"), a.b("distillation"));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"EfficientFormerV2"}, build);

}  // namespace
}  // namespace memfit
