// timm FocalNet (timm/models/focalnet.py) from its registered arguments: a Downsample stem, FocalNetStages
// (Downsample, FocalNetBlocks: norm1, FocalModulation f / h / proj / focal_layers depthwise convs, LayerScale2d,
// conv Mlp), norm, then ClassifierHead (or NormMlpClassifierHead with head_hidden_size).
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr downsample(const timm::Args& a, int64_t in, int64_t out, int64_t stride, bool overlap) {
  int64_t k = overlap ? (stride == 4 ? 7 : 3) : stride;
  auto d = make("Downsample");
  d->add("proj", conv2d(in, out, k));
  d->add("norm", timm::norm(a, a.layer("norm_layer"), out));
  return d;
}

ModulePtr norm_or_id(const timm::Args& a, bool on, int64_t dim) {
  return on ? timm::norm(a, a.layer("norm_layer"), dim) : leaf("Identity");
}

ModulePtr layer_scale(bool on, int64_t dim) {
  if (!on) return leaf("Identity");
  auto ls = make("LayerScale2d");
  ls->param("gamma", {dim});
  return ls;
}

ModulePtr modulation(const timm::Args& a, int64_t dim, int64_t level, int64_t window) {
  auto m = make("FocalModulation");
  m->add("f", conv2d(dim, 2 * dim + level + 1, 1));
  m->add("h", conv2d(dim, dim, 1));
  m->add("act", leaf("GELU"));
  m->add("proj", conv2d(dim, dim, 1));
  m->add("proj_drop", leaf("Dropout"));
  m->add("focal_layers", timm::seq(level, [&](int64_t k) {
           auto s = make("Sequential");
           s->add("0", conv2d(dim, dim, 2 * k + window, false, dim));
           s->add("1", leaf("GELU"));
           return s;
         }, "ModuleList"));
  m->add("norm", norm_or_id(a, a.b("use_post_norm_in_modulation"), dim));
  return m;
}

ModulePtr block(const timm::Args& a, int64_t dim, int64_t level, int64_t window) {
  bool post = a.b("use_post_norm"), ls = a.has("layerscale_value");
  int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * a.f("mlp_ratio"));
  auto b = make("FocalNetBlock");
  b->add("norm1", norm_or_id(a, !post, dim));
  b->add("modulation", modulation(a, dim, level, window));
  b->add("norm1_post", norm_or_id(a, post, dim));
  b->add("ls1", layer_scale(ls, dim));
  b->add("drop_path1", leaf("DropPath"));
  b->add("norm2", norm_or_id(a, !post, dim));
  b->add("mlp", timm::mlp(dim, hidden, dim, true, false, "Mlp", true));
  b->add("norm2_post", norm_or_id(a, post, dim));
  b->add("ls2", layer_scale(ls, dim));
  b->add("drop_path2", leaf("DropPath"));
  return b;
}

Model build(const timm::Args& a) {
  auto depths = a.ints("depths"), levels = a.ints("focal_levels"), windows = a.ints("focal_windows");
  size_t n = depths.size();
  if (n == 0 || levels.size() < n || windows.size() < n) a.unsupported("depths / focal_levels / focal_windows lengths");
  int64_t dim0 = timm::checked(a.i("embed_dim"), 1, 1 << 14, "embed_dim");
  bool overlap = a.b("use_overlap_down");
  auto root = make("FocalNet");
  root->add("stem", downsample(a, a.i("in_chans"), dim0, 4, overlap));
  auto layers = make("Sequential");
  int64_t in = dim0;
  for (size_t i = 0; i < n; ++i) {
    int64_t out = dim0 << i;
    auto st = make("FocalNetStage");
    st->add("downsample", i > 0 ? downsample(a, in, out, 2, overlap) : leaf("Identity"));
    int64_t level = timm::checked(levels[i], 0, 64, "focal_levels"), window = timm::checked(windows[i], 1, 64, "focal_windows");
    st->add("blocks", timm::seq(timm::checked(depths[i], 0, 1024, "depths"),
                                [&](int64_t) { return block(a, out, level, window); }, "ModuleList"));
    layers->add(std::to_string(i), st);
    in = out;
  }
  root->add("layers", layers);
  int64_t classes = a.i("num_classes");
  if (a.has("head_hidden_size")) {
    root->add("norm", leaf("Identity"));
    root->add("head", timm::norm_mlp_head(in, classes, "LayerNorm2d", a.i("head_hidden_size")));
  } else {
    root->add("norm", timm::norm(a, a.layer("norm_layer"), in));
    root->add("head", timm::classifier_head(in, classes));
  }
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"FocalNet"}, build);

}  // namespace
}  // namespace memfit
