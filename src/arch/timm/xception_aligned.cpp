// timm XceptionAligned (timm/models/xception_aligned.py): ConvNormAct stem, XceptionModules (ConvNormAct shortcut,
// stack of SeparableConv2d conv_dw/bn_dw/conv_pw/bn_pw), ClassifierHead. xception41 and xception65.
#include <array>

#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr separable(int64_t in, int64_t out, bool act) {
  auto s = make("SeparableConv2d");
  s->add("conv_dw", conv2d(in, in, 3, false, in));
  s->add("bn_dw", batch_norm(in));
  s->add("act_dw", leaf(act ? "ReLU" : "Identity"));
  s->add("conv_pw", conv2d(in, out, 1, false));
  s->add("bn_pw", batch_norm(out));
  s->add("act_pw", leaf(act ? "ReLU" : "Identity"));
  return s;
}

ModulePtr xception_module(int64_t in, std::array<int64_t, 3> out, int stride, bool no_skip = false,
                          bool start_with_relu = true) {
  auto m = make("XceptionModule");
  if (!no_skip && (out[2] != in || stride != 1)) m->add("shortcut", timm::conv_norm_act(in, out[2], 1));
  auto stack = make("Sequential");
  for (int i = 0; i < 3; ++i) {
    if (start_with_relu) stack->add("act" + std::to_string(i + 1), leaf("ReLU"));
    stack->add("conv" + std::to_string(i + 1), separable(in, out[i], !start_with_relu));
    in = out[i];
  }
  m->add("stack", stack);
  return m;
}

Model build(const Config& c, std::string_view arch) {
  int middle = arch == "xception65" ? 16 : arch == "xception41" ? 8 : 0;
  if (!middle) timm::unsupported(arch);
  auto root = make("XceptionAligned");
  auto stem = make("Sequential");
  stem->add("0", timm::conv_norm_act(timm::in_chans(c), 32, 3));
  stem->add("1", timm::conv_norm_act(32, 64, 3));
  root->add("stem", stem);
  auto blocks = make("Sequential");
  int i = 0;
  auto add = [&](ModulePtr b) { blocks->add(std::to_string(i++), std::move(b)); };
  add(xception_module(64, {128, 128, 128}, 2));
  add(xception_module(128, {256, 256, 256}, 2));
  add(xception_module(256, {728, 728, 728}, 2));
  auto mid = xception_module(728, {728, 728, 728}, 1);
  for (int k = 0; k < middle; ++k) add(mid);
  add(xception_module(728, {728, 1024, 1024}, 2));
  add(xception_module(1024, {1536, 1536, 2048}, 1, true, false));
  root->add("blocks", blocks);
  root->add("act", leaf("Identity"));
  root->add("head", timm::classifier_head(2048, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"xception41", "xception65"}, build);

}  // namespace
}  // namespace memfit
