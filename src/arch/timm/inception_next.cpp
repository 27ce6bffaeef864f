// timm MetaNeXt, InceptionNeXt (timm/models/inception_next.py) from its registered arguments: a 4x4 patch conv +
// BatchNorm stem, MetaNeXtStages (norm + 2x2 conv downsample, MetaNeXtBlocks: InceptionDWConv2d token mixer with square
// and band depthwise branches, BatchNorm, ConvMlp, layer-scale gamma), and an MlpClassifierHead.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Mixer {
  int64_t square = 3, band = 11;
  double ratio = 0.125;
};

ModulePtr inception_dw(const Mixer& m, int64_t dim) {
  auto t = make("InceptionDWConv2d");
  int64_t gc = static_cast<int64_t>(static_cast<double>(dim) * m.ratio);
  t->add("dwconv_hw", conv2d(gc, gc, m.square, true, gc));
  t->add("dwconv_w", conv2d(gc, gc, 1, m.band, true, gc));
  t->add("dwconv_h", conv2d(gc, gc, m.band, 1, true, gc));
  return t;
}

Model build(const timm::Args& a) {
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  std::string norm = a.layer("norm_layer");
  if (norm != "nn.BatchNorm2d" && norm != "BatchNorm2d") a.unsupported("norm_layer " + norm);
  auto depths = a.ints("depths"), dims = a.ints("dims");
  if (dims.empty() || dims.size() > 8 || depths.size() != dims.size()) a.unsupported("depths / dims lengths");
  for (auto d : dims) timm::checked(d, 1, 1 << 16, "dims");
  std::vector<double> ratios;
  const Json& mr = a.raw("mlp_ratios");
  if (mr.is_array()) for (const auto& r : mr) ratios.push_back(r.get<double>());
  else ratios.assign(dims.size(), mr.get<double>());
  if (ratios.size() != dims.size()) a.unsupported("mlp_ratios length");
  if (a.raw("token_mixers").is_array()) a.unsupported("per-stage token_mixers");
  if (timm::layer_name(a.raw("token_mixers")) != "InceptionDWConv2d") a.unsupported("token_mixers " + a.layer("token_mixers"));
  Mixer mx;
  if (const Json* v = a.layer_kwarg("token_mixers", "square_kernel_size")) mx.square = v->get<int64_t>();
  if (const Json* v = a.layer_kwarg("token_mixers", "band_kernel_size")) mx.band = v->get<int64_t>();
  if (const Json* v = a.layer_kwarg("token_mixers", "branch_ratio")) mx.ratio = v->get<double>();
  if (!(mx.ratio >= 0 && mx.ratio <= 1)) a.unsupported("branch_ratio");
  bool gamma = a.has("ls_init_value") && a.f("ls_init_value") != 0;
  auto root = make("MetaNeXt");
  auto stem = make("Sequential");
  stem->add("0", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), dims[0], 4));
  stem->add("1", batch_norm(dims[0]));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t prev = dims[0];
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = dims[i], hidden = static_cast<int64_t>(ratios[i] * static_cast<double>(d));
    auto st = make("MetaNeXtStage");
    if (i > 0) {
      auto ds = make("Sequential");
      ds->add("0", batch_norm(prev));
      ds->add("1", conv2d(prev, d, 2));
      st->add("downsample", ds);
    } else {
      if (prev != d) a.unsupported("first stage changes width");
      st->add("downsample", leaf("Identity"));
    }
    auto blk = make("MetaNeXtBlock");
    if (gamma) blk->param("gamma", {d});
    blk->add("token_mixer", inception_dw(mx, d));
    blk->add("norm", batch_norm(d));
    blk->add("mlp", timm::conv_mlp(d, hidden, d));
    blk->add("drop_path", leaf("Identity"));
    st->add("blocks", repeat(blk, timm::checked(depths[i], 0, 1000, "depths"), "Sequential"));
    stages->add(std::to_string(i), st);
    prev = d;
  }
  root->add("stages", stages);
  int64_t hidden = static_cast<int64_t>(3.0 * static_cast<double>(prev));
  auto head = make("MlpClassifierHead");
  head->add("global_pool", timm::select_pool());
  head->add("fc1", linear(prev, hidden));
  head->add("act", leaf("GELU"));
  head->add("norm", layer_norm(hidden));
  head->add("fc2", linear(hidden, std::max<int64_t>(0, a.i("num_classes"))));
  head->add("drop", leaf("Dropout"));
  root->add("head", head);
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"MetaNeXt"}, build);

}  // namespace
}  // namespace memfit
