// timm XceptionAligned (timm/models/xception_aligned.py) from its registered block_cfg: ConvNormAct stem, XceptionModules
// (ConvNormAct shortcut, stack of act + SeparableConv2d conv_dw/bn_dw/conv_pw/bn_pw) or, with preact,
// PreXceptionModules (conv shortcut, norm, PreSeparableConv2d stack), ClassifierHead.
#include <array>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
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

ModulePtr xception_module(int64_t in, std::array<int64_t, 3> out, int64_t stride, bool no_skip, bool relu_first) {
  auto m = make("XceptionModule");
  if (!no_skip && (out[2] != in || stride != 1)) {
    auto sc = make("ConvNormAct");
    sc->add("conv", conv2d(in, out[2], 1, false));
    sc->add("bn", timm::bn_act(out[2]));
    m->add("shortcut", sc);
  }
  auto stack = make("Sequential");
  for (int i = 0; i < 3; ++i) {
    if (relu_first) stack->add("act" + std::to_string(i + 1), leaf("ReLU"));
    stack->add("conv" + std::to_string(i + 1), separable(in, out[i], !relu_first));
    in = out[i];
  }
  m->add("stack", stack);
  return m;
}

ModulePtr pre_xception_module(int64_t in, std::array<int64_t, 3> out, int64_t stride, bool no_skip) {
  auto m = make("PreXceptionModule");
  m->add("shortcut", !no_skip && (out[2] != in || stride != 1) ? conv2d(in, out[2], 1, false) : leaf("Identity"));
  m->add("norm", timm::bn_act(in));
  auto stack = make("Sequential");
  for (int i = 0; i < 3; ++i) {
    auto s = make("PreSeparableConv2d");
    s->add("norm", i > 0 ? timm::bn_act(in) : leaf("Identity"));
    s->add("conv_dw", conv2d(in, in, 3, false, in));
    s->add("conv_pw", conv2d(in, out[i], 1, false));
    stack->add("conv" + std::to_string(i + 1), s);
    in = out[i];
  }
  m->add("stack", stack);
  return m;
}

Model build(const timm::Args& a) {
  std::string norm = a.layer("norm_layer");
  if (norm != "nn.BatchNorm2d" && norm != "BatchNorm2d") a.unsupported("norm_layer " + norm);
  bool preact = a.b("preact");
  const Json& cfg = a.raw("block_cfg");
  if (!cfg.is_array() || cfg.empty() || cfg.size() > 256) a.unsupported("block_cfg is not a list of blocks");
  auto root = make("XceptionAligned");
  auto stem = make("Sequential");
  stem->add("0", timm::conv_norm_act(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), 32, 3));
  stem->add("1", preact ? conv2d(32, 64, 3, false) : timm::conv_norm_act(32, 64, 3));
  root->add("stem", stem);
  auto blocks = make("Sequential");
  int64_t last = 64, curr_stride = 2, output_stride = a.i("output_stride");
  for (size_t i = 0; i < cfg.size(); ++i) {
    const Json& b = cfg[i];
    if (!b.is_object() || !b.contains("in_chs") || !b.contains("out_chs")) a.unsupported("block_cfg entry");
    int64_t in = timm::checked(b.at("in_chs").get<int64_t>(), 1, 1 << 16, "in_chs");
    std::array<int64_t, 3> out{};
    if (b.at("out_chs").is_array()) {
      if (b.at("out_chs").size() != 3) a.unsupported("out_chs is not three long");
      for (int k = 0; k < 3; ++k) out[k] = timm::checked(b.at("out_chs")[k].get<int64_t>(), 1, 1 << 16, "out_chs");
    } else {
      out.fill(timm::checked(b.at("out_chs").get<int64_t>(), 1, 1 << 16, "out_chs"));
    }
    int64_t stride = b.value("stride", int64_t{1});
    if (stride > 1) {  // past output_stride a stride becomes a dilation (no tensors change but the shortcut's)
      if (curr_stride * stride > output_stride) stride = 1;
      else curr_stride *= stride;
    }
    bool no_skip = b.value("no_skip", false);
    blocks->add(std::to_string(i), preact ? pre_xception_module(in, out, stride, no_skip)
                                          : xception_module(in, out, stride, no_skip, b.value("start_with_relu", true)));
    last = out[2];
  }
  root->add("blocks", blocks);
  root->add("act", leaf(preact ? "ReLU" : "Identity"));
  root->add("head", timm::classifier_head(last, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"XceptionAligned"}, build);

}  // namespace
}  // namespace memfit
