// timm ConvMixer (timm/models/convmixer.py) from its registered arguments: a patch conv + act + BatchNorm2d stem, depth
// blocks of a residual depthwise conv + act + BatchNorm2d and a pointwise conv + act + BatchNorm2d, pool and Linear.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr conv_act_bn(int64_t in, int64_t out, int64_t k, int64_t groups, const std::string& act) {
  auto s = make("Sequential");
  s->add("0", conv2d(in, out, k, true, groups));
  s->add("1", leaf(act));
  s->add("2", batch_norm(out));
  return s;
}

Model build(const timm::Args& a) {
  std::string act = a.layer("act_layer");
  if (auto dot = act.rfind('.'); dot != std::string::npos) act = act.substr(dot + 1);
  int64_t dim = timm::checked(a.i("dim"), 1, 1 << 16, "dim");
  int64_t k = timm::checked(a.i("kernel_size"), 1, 63, "kernel_size");
  auto root = make("ConvMixer");
  root->add("stem", conv_act_bn(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), dim, a.i("patch_size"), 1, act));
  auto mix = make("Sequential");
  auto res = make("Residual");
  res->add("fn", conv_act_bn(dim, dim, k, dim, act));
  mix->add("0", res);
  mix->add("1", conv2d(dim, dim, 1));
  mix->add("2", leaf(act));
  mix->add("3", batch_norm(dim));
  root->add("blocks", repeat(mix, timm::checked(a.i("depth"), 0, 1000, "depth"), "Sequential"));
  root->add("pooling", timm::select_pool());
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dim, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"ConvMixer"}, build);

}  // namespace
}  // namespace memfit
