// timm StarNet (timm/models/starnet.py) from its registered arguments: a ConvBN + act stem, four stages of a stride-2
// ConvBN down-sampler followed by star Blocks (depthwise ConvBN, two 1x1 expansions f1/f2 multiplied, 1x1 ConvBN g back,
// depthwise conv), BatchNorm2d, global pool and a Linear head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// ConvBN: nn.Sequential of conv (with bias, as nn.Conv2d defaults) and, when `bn`, a BatchNorm2d.
ModulePtr conv_bn(int64_t in, int64_t out, int64_t k, bool bn = true, int64_t groups = 1) {
  auto m = make("ConvBN");
  m->add("conv", conv2d(in, out, k, true, groups));
  if (bn) m->add("bn", batch_norm(out));
  return m;
}

ModulePtr star_block(int64_t dim, int64_t ratio, const std::string& act) {
  auto b = make("Block");
  b->add("dwconv", conv_bn(dim, dim, 7, true, dim));
  b->add("f1", conv_bn(dim, ratio * dim, 1, false));
  b->add("f2", conv_bn(dim, ratio * dim, 1, false));
  b->add("g", conv_bn(ratio * dim, dim, 1, true));
  b->add("dwconv2", conv_bn(dim, dim, 7, false, dim));
  b->add("act", leaf(act));
  b->add("drop_path", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  std::string act = a.layer("act_layer");
  if (auto dot = act.rfind('.'); dot != std::string::npos) act = act.substr(dot + 1);
  auto depths = a.ints("depths");
  int64_t base = timm::checked(a.i("base_dim"), 1, 1 << 16, "base_dim");
  int64_t ratio = timm::checked(a.i("mlp_ratio"), 1, 64, "mlp_ratio");
  if (depths.empty() || depths.size() > 8) a.unsupported("depths");
  auto root = make("StarNet");
  auto stem = make("Sequential");
  const int64_t stem_chs = 32;
  stem->add("0", conv_bn(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), stem_chs, 3));
  stem->add("1", leaf(act));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t prev = stem_chs;
  for (size_t i = 0; i < depths.size(); ++i) {
    int64_t dim = base << i;
    auto st = make("Sequential");
    st->add("0", conv_bn(prev, dim, 3));
    for (int64_t j = 0; j < timm::checked(depths[i], 0, 1000, "depths"); ++j)
      st->add(std::to_string(j + 1), star_block(dim, ratio, act));
    stages->add(std::to_string(i), st);
    prev = dim;
  }
  root->add("stages", stages);
  root->add("norm", batch_norm(prev));
  root->add("global_pool", timm::select_pool());
  root->add("flatten", leaf(a.s("global_pool").empty() ? "Identity" : "Flatten"));
  root->add("head", timm::fc_or_identity(prev, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"StarNet"}, build);

}  // namespace
}  // namespace memfit
