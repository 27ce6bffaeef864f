// timm GhostNet V1/V2/V3 (timm/models/ghostnet.py) and RepGhostNet (timm/models/repghost.py) from their registered
// cfgs and width: conv stem, stages of GhostBottlenecks (GhostModule primary + cheap depthwise convs; V2's DFC
// attention short_conv; V3's train-time re-parameterisable branches of effnet ConvBnActs) or RepGhostBottlenecks
// (RepGhostModule with its fusion BatchNorm), a final ConvBnAct, then pool, conv_head and classifier.
#include <cmath>
#include <functional>

#include "arch/timm/effnet_builder.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// _efficientnet_blocks.ConvBnAct: conv (bias-free, `groups`), bn1 (BatchNormAct2d), aa, drop_path.
ModulePtr eff_conv_bn_act(int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  auto m = make("ConvBnAct");
  m->add("conv", conv2d(in, out, k, false, groups));
  m->add("bn1", timm::bn_act(out));
  m->add("aa", leaf("Identity"));
  m->add("drop_path", leaf("Identity"));
  return m;
}

ModulePtr conv_bn_seq(int64_t in, int64_t out, int64_t k, int64_t groups) {
  auto s = make("Sequential");
  s->add("0", conv2d(in, out, k, false, groups));
  s->add("1", batch_norm(out));
  s->add("2", leaf("ReLU"));
  return s;
}

// The DFC attention branch: 1x1 conv, then (1, 5) and (5, 1) depthwise convs, each with a BatchNorm2d.
ModulePtr short_conv(int64_t in, int64_t out) {
  auto s = make("Sequential");
  s->add("0", conv2d(in, out, 1, false));
  s->add("1", batch_norm(out));
  s->add("2", conv2d(out, out, 1, 5, false, out));
  s->add("3", batch_norm(out));
  s->add("4", conv2d(out, out, 5, 1, false, out));
  s->add("5", batch_norm(out));
  return s;
}

// GhostModule (V1) / GhostModuleV2 (`attn`): primary_conv, cheap_operation (+ short_conv).
ModulePtr ghost_module(int64_t in, int64_t out, bool attn) {
  auto m = make(attn ? "GhostModuleV2" : "GhostModule");
  int64_t init = (out + 1) / 2, fresh = init;
  if (attn) m->add("gate_fn", leaf("Sigmoid"));
  m->add("primary_conv", conv_bn_seq(in, init, 1, 1));
  m->add("cheap_operation", conv_bn_seq(init, fresh, 3, init));
  if (attn) m->add("short_conv", short_conv(in, out));
  return m;
}

// GhostModuleV3 in its training structure (three conv branches, scale and skip), short_conv in `shortcut` mode.
ModulePtr ghost_module_v3(int64_t in, int64_t out, bool shortcut, bool act) {
  auto m = make("GhostModuleV3");
  int64_t init = (out + 1) / 2, fresh = init;
  m->add("gate_fn", leaf("Sigmoid"));
  m->add("primary_conv", leaf("Identity"));
  m->add("cheap_operation", leaf("Identity"));
  m->add("primary_rpr_conv", timm::seq(3, [&](int64_t) { return eff_conv_bn_act(in, init, 1); }, "ModuleList"));
  m->add("primary_activation", leaf(act ? "ReLU" : "Identity"));
  m->add("cheap_rpr_skip", batch_norm(init));
  m->add("cheap_rpr_conv", timm::seq(3, [&](int64_t) { return eff_conv_bn_act(init, fresh, 3, init); }, "ModuleList"));
  m->add("cheap_rpr_scale", eff_conv_bn_act(init, fresh, 1, init));
  m->add("cheap_activation", leaf(act ? "ReLU" : "Identity"));
  m->add("short_conv", shortcut ? short_conv(in, out) : leaf("Identity"));
  return m;
}

// _SE_LAYER: the effnet SqueezeExcite with a hard-sigmoid gate, rd rounded by make_divisible(divisor=4).
ModulePtr se_layer(int64_t chs, double ratio) {
  return timm::effnet_se(chs, timm::make_divisible(static_cast<double>(chs) * ratio, 4), "Hardsigmoid");
}

ModulePtr shortcut(int64_t in, int64_t out, int64_t k, int64_t stride, bool v3) {
  if (in == out && stride == 1) return v3 ? leaf("Identity") : make("Sequential");
  auto s = make("Sequential");
  s->add("0", conv2d(in, in, k, false, in));
  s->add("1", batch_norm(in));
  s->add("2", conv2d(in, out, 1, false));
  s->add("3", batch_norm(out));
  return s;
}

ModulePtr bottleneck(const std::string& version, int64_t idx, int64_t in, int64_t mid, int64_t out, int64_t k,
                     int64_t stride, double se) {
  if (version == "v3") {
    auto b = make("GhostBottleneckV3");
    b->add("conv_dw", leaf("Identity"));
    b->add("bn_dw", leaf("Identity"));
    b->add("ghost1", ghost_module_v3(in, mid, idx > 1, true));
    if (stride > 1) {
      b->add("dw_rpr_conv", timm::seq(3, [&](int64_t) { return eff_conv_bn_act(mid, mid, k, mid); }, "ModuleList"));
      b->add("dw_rpr_scale", eff_conv_bn_act(mid, mid, 1, mid));
    } else {
      b->add("dw_rpr_conv", make("ModuleList"));
      b->add("dw_rpr_scale", leaf("Identity"));
    }
    b->add("se", se > 0 ? se_layer(mid, se) : leaf("Identity"));
    b->add("ghost2", ghost_module_v3(mid, out, false, false));
    b->add("shortcut", shortcut(in, out, k, stride, true));
    return b;
  }
  auto b = make("GhostBottleneck");
  b->add("ghost1", ghost_module(in, mid, version == "v2" && idx > 1));
  if (stride > 1) {
    b->add("conv_dw", conv2d(mid, mid, k, false, mid));
    b->add("bn_dw", batch_norm(mid));
  }
  if (se > 0) b->add("se", se_layer(mid, se));
  b->add("ghost2", ghost_module(mid, out, false));
  b->add("shortcut", shortcut(in, out, k, stride, false));
  return b;
}

// RepGhostModule: primary_conv, fusion_conv / fusion_bn (an Identity + BatchNorm2d when reparam), cheap_operation.
ModulePtr rep_ghost_module(int64_t in, int64_t out, bool relu, bool reparam) {
  auto m = make("RepGhostModule");
  auto primary = make("Sequential");
  primary->add("0", conv2d(in, out, 1, false));
  primary->add("1", batch_norm(out));
  primary->add("2", leaf(relu ? "ReLU" : "Identity"));
  m->add("primary_conv", primary);
  auto fconv = make("Sequential"), fbn = make("Sequential");
  if (reparam) {
    fconv->add("0", leaf("Identity"));
    fbn->add("0", batch_norm(out));
  }
  m->add("fusion_conv", fconv);
  m->add("fusion_bn", fbn);
  auto cheap = make("Sequential");
  cheap->add("0", conv2d(out, out, 3, false, out));
  cheap->add("1", batch_norm(out));
  m->add("cheap_operation", cheap);
  m->add("relu", leaf(relu ? "ReLU" : "Identity"));
  return m;
}

ModulePtr rep_bottleneck(bool reparam, int64_t in, int64_t mid, int64_t out, int64_t k, int64_t stride, double se) {
  auto b = make("RepGhostBottleneck");
  b->add("ghost1", rep_ghost_module(in, mid, true, reparam));
  if (stride > 1) {
    b->add("conv_dw", conv2d(mid, mid, k, false, mid));
    b->add("bn_dw", batch_norm(mid));
  }
  if (se > 0) b->add("se", se_layer(mid, se));
  b->add("ghost2", rep_ghost_module(mid, out, false, reparam));
  b->add("shortcut", shortcut(in, out, k, stride, false));
  return b;
}

using Bottleneck = std::function<ModulePtr(int64_t idx, int64_t in, int64_t mid, int64_t out, int64_t k,
                                           int64_t stride, double se)>;

// GhostNet / RepGhostNet around their bottleneck; the final ConvBnAct is `final_mult` x the last expansion wide.
Model build_net(const timm::Args& a, const std::string& cls, const Bottleneck& bottleneck, double final_mult) {
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  double width = a.f("width");
  if (!(width > 0 && width <= 64)) a.unsupported("width");
  const Json& cfgs = a.raw("cfgs");
  if (!cfgs.is_array() || cfgs.empty() || cfgs.size() > 64) a.unsupported("cfgs is not a list of stages");
  auto ch = [&](double c) { return timm::make_divisible(c * width, 4); };
  auto root = make(cls);
  int64_t prev = ch(16);
  root->add("conv_stem", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), prev, 3, false));
  root->add("bn1", batch_norm(prev));
  root->add("act1", leaf("ReLU"));
  auto stages = make("Sequential");
  int64_t idx = 0;
  double exp = 0;
  for (size_t s = 0; s < cfgs.size(); ++s) {
    auto st = make("Sequential");
    if (!cfgs[s].is_array() || cfgs[s].size() > 64) a.unsupported("cfgs stage is not a list");
    for (size_t j = 0; j < cfgs[s].size(); ++j) {
      const Json& c = cfgs[s][j];
      if (!c.is_array() || c.size() != 5) a.unsupported("cfgs entry is not [k, exp, c, se, s]");
      int64_t k = timm::checked(c[0].get<int64_t>(), 1, 31, "kernel size");
      exp = c[1].get<double>();
      int64_t out = ch(c[2].get<double>()), mid = ch(exp);
      st->add(std::to_string(j), bottleneck(idx++, prev, mid, out, k, c[4].get<int64_t>(), c[3].get<double>()));
      prev = out;
    }
    stages->add(std::to_string(s), st);
  }
  auto last = make("Sequential");
  int64_t out = ch(exp * final_mult);
  last->add("0", eff_conv_bn_act(prev, out, 1));
  stages->add(std::to_string(cfgs.size()), last);
  root->add("blocks", stages);
  root->add("global_pool", timm::select_pool());
  root->add("conv_head", conv2d(out, 1280, 1, true));
  root->add("act2", leaf("ReLU"));
  root->add("flatten", leaf(a.s("global_pool").empty() ? "Identity" : "Flatten"));
  root->add("classifier", timm::fc_or_identity(1280, a.i("num_classes")));
  return timm::model(root);
}

Model build_ghostnet(const timm::Args& a) {
  std::string version = a.s("version");
  if (version != "v1" && version != "v2" && version != "v3") a.unsupported("version " + version);
  return build_net(a, "GhostNet", [&](int64_t idx, int64_t in, int64_t mid, int64_t out, int64_t k, int64_t stride,
                                      double se) { return bottleneck(version, idx, in, mid, out, k, stride, se); }, 1.0);
}

Model build_repghost(const timm::Args& a) {
  bool reparam = a.b("reparam");
  return build_net(a, "RepGhostNet", [&](int64_t, int64_t in, int64_t mid, int64_t out, int64_t k, int64_t stride,
                                         double se) { return rep_bottleneck(reparam, in, mid, out, k, stride, se); }, 2.0);
}

MEMFIT_TIMM_CLASS({"GhostNet"}, build_ghostnet);
MEMFIT_TIMM_CLASS({"RepGhostNet"}, build_repghost);

}  // namespace
}  // namespace memfit
