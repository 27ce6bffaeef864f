// timm ByobNet's blocks (timm/models/byobnet.py): BasicBlock, BottleneckBlock, DarkBlock, EdgeBlock, RepVggBlock and
// MobileOneBlock (train-time branches), SelfAttnBlock, with create_shortcut; and the LayerFn they build from.
#include "arch/timm/byobnet.h"

#include <cmath>
#include <map>

#include "arch/timm/create_attn.h"
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit::timm::byob {
using namespace blocks;

namespace {
std::map<std::string, BlockFn, std::less<>>& registry() {
  static std::map<std::string, BlockFn, std::less<>> r;
  return r;
}

// create_shortcut: None (no module) for downsample '' when the shape changes, DownsampleAvg / a 1x1 ConvNormAct
// otherwise, Identity when in and out agree.
void add_shortcut(Module& m, const Layers& l, const Block& b) {
  if (b.in == b.out && b.stride == 1 && b.dilation.first == b.dilation.second) {
    m.add("shortcut", leaf("Identity"));
  } else if (b.downsample == "avg") {
    auto d = make("DownsampleAvg");
    d->add("pool", leaf(b.stride > 1 || b.dilation.first > 1 ? "AvgPool2d" : "Identity"));
    d->add("conv", l.conv_norm_act(b.in, b.out, 1, 1, 1, false));
    m.add("shortcut", d);
  } else if (b.downsample == "conv1x1") {
    m.add("shortcut", l.conv_norm_act(b.in, b.out, 1, b.stride, 1, false));
  } else if (!b.downsample.empty()) {
    l.a->unsupported("downsample '" + b.downsample + "'");
  }
}

ModulePtr attn_or_identity(const Layers& l, bool use, int64_t chs) {
  auto m = use ? l.attn_module(chs) : nullptr;
  return m ? m : leaf("Identity");
}

void add_tail(Module& m, bool linear_out) {
  m.add("drop_path", leaf("Identity"));
  m.add("act", leaf(linear_out ? "Identity" : "ReLU"));
}

ModulePtr basic_like(const Layers& l, const Block& b, const std::string& type) {
  const bool dark = type == "dark", edge = type == "edge";
  b.accept(*l.a, {"kernel_size", "attn_last", "linear_out"});
  const int64_t k = static_cast<int64_t>(b.num("kernel_size", 3));
  const int64_t mid = make_divisible(b.out * b.bottle_ratio), g = num_groups(*l.a, b.group_size, mid);
  const bool attn_last = b.flag("attn_last", !edge);
  auto m = make(dark ? "DarkBlock" : edge ? "EdgeBlock" : "BasicBlock");
  add_shortcut(*m, l, b);
  if (dark) m->add("conv1_1x1", l.conv_norm_act(b.in, mid, 1));
  else m->add("conv1_kxk", l.conv_norm_act(b.in, mid, k, b.stride, edge ? g : 1));
  m->add("attn", attn_or_identity(l, !attn_last, mid));
  if (edge) m->add("conv2_1x1", l.conv_norm_act(mid, b.out, 1, 1, 1, false));
  else m->add("conv2_kxk", l.conv_norm_act(mid, b.out, k, dark ? b.stride : 1, g, false));
  m->add("attn_last", attn_or_identity(l, attn_last, b.out));
  add_tail(*m, b.flag("linear_out", false));
  return m;
}

ModulePtr bottleneck(const Layers& l, const Block& b) {
  b.accept(*l.a, {"kernel_size", "attn_last", "linear_out", "extra_conv", "bottle_in"});
  const int64_t k = static_cast<int64_t>(b.num("kernel_size", 3));
  const int64_t mid = make_divisible((b.flag("bottle_in", false) ? b.in : b.out) * b.bottle_ratio);
  const int64_t g = num_groups(*l.a, b.group_size, mid);
  const bool attn_last = b.flag("attn_last", false);
  auto m = make("BottleneckBlock");
  add_shortcut(*m, l, b);
  m->add("conv1_1x1", l.conv_norm_act(b.in, mid, 1));
  m->add("conv2_kxk", l.conv_norm_act(mid, mid, k, b.stride, g));
  m->add("conv2b_kxk", b.flag("extra_conv", false) ? l.conv_norm_act(mid, mid, k, 1, g) : leaf("Identity"));
  m->add("attn", attn_or_identity(l, !attn_last, mid));
  m->add("conv3_1x1", l.conv_norm_act(mid, b.out, 1, 1, 1, false));
  m->add("attn_last", attn_or_identity(l, attn_last, b.out));
  add_tail(*m, b.flag("linear_out", false));
  return m;
}

// RepVggBlock / MobileOneBlock at train time: identity BN, kxk branch(es), 1x1 scale branch, attn, act.
ModulePtr reparam(const Layers& l, const Block& b, bool one) {
  b.accept(*l.a, {"kernel_size", "inference_mode", "num_conv_branches"});
  if (b.flag("inference_mode", false)) l.a->unsupported("inference_mode (reparameterized) blocks");
  const int64_t k = static_cast<int64_t>(b.num("kernel_size", 3)), g = num_groups(*l.a, b.group_size, b.in);
  auto m = make(one ? "MobileOneBlock" : "RepVggBlock");
  if (b.in == b.out && b.stride == 1 && b.dilation.first == b.dilation.second) m->add("identity", l.norm_act(b.out, false));
  if (one) {
    const int64_t n = checked(static_cast<int64_t>(b.num("num_conv_branches", 1)), 0, 64, "num_conv_branches");
    m->add("conv_kxk", seq(n, [&](int64_t) { return l.conv_norm_act(b.in, b.out, k, b.stride, g, false); }, "ModuleList"));
    if (k > 1) m->add("conv_scale", l.conv_norm_act(b.in, b.out, 1, b.stride, g, false));
  } else {
    m->add("conv_kxk", l.conv_norm_act(b.in, b.out, k, b.stride, g, false));
    m->add("conv_1x1", l.conv_norm_act(b.in, b.out, 1, b.stride, g, false));
  }
  m->add("drop_path", leaf("Identity"));
  m->add("attn", attn_or_identity(l, true, b.out));
  m->add("act", leaf("ReLU"));
  return m;
}

ModulePtr self_attn_block(const Layers& l, const Block& b) {
  b.accept(*l.a, {"kernel_size", "extra_conv", "linear_out", "bottle_in", "post_attn_na"});
  if (l.self_attn.empty()) l.a->unsupported("self_attn block without a self_attn_layer");
  const int64_t k = static_cast<int64_t>(b.num("kernel_size", 3));
  const int64_t mid = make_divisible((b.flag("bottle_in", false) ? b.in : b.out) * b.bottle_ratio);
  const int64_t g = num_groups(*l.a, b.group_size, mid);
  const bool extra = b.flag("extra_conv", false);
  auto m = make("SelfAttnBlock");
  add_shortcut(*m, l, b);
  m->add("conv1_1x1", l.conv_norm_act(b.in, mid, 1));
  m->add("conv2_kxk", extra ? l.conv_norm_act(mid, mid, k, b.stride, g) : leaf("Identity"));
  m->add("self_attn", create_self_attn(*l.a, l.self_attn, l.self_attn_kwargs, mid, extra ? 1 : b.stride, b.feat_size));
  m->add("post_attn", b.flag("post_attn_na", true) ? l.norm_act(mid) : leaf("Identity"));
  m->add("conv3_1x1", l.conv_norm_act(mid, b.out, 1, 1, 1, false));
  add_tail(*m, b.flag("linear_out", false));
  return m;
}

const bool kBuiltin = [] {
  for (const char* t : {"basic", "dark", "edge"})
    register_block(t, [t](const Layers& l, const Block& b) { return basic_like(l, b, t); });
  register_block("bottle", bottleneck);
  register_block("rep", [](const Layers& l, const Block& b) { return reparam(l, b, false); });
  register_block("one", [](const Layers& l, const Block& b) { return reparam(l, b, true); });
  register_block("self_attn", self_attn_block);
  return true;
}();

}  // namespace

bool register_block(std::string type, BlockFn fn) {
  registry()[std::move(type)] = std::move(fn);
  return true;
}

const BlockFn* find_block(std::string_view type) {
  auto it = registry().find(type);
  return it == registry().end() ? nullptr : &it->second;
}

int64_t num_groups(const Args& a, int64_t group_size, int64_t chs) {
  if (!group_size) return 1;
  if (group_size < 0 || chs % group_size) a.unsupported("group size does not divide the channels");
  return chs / group_size;
}

ModulePtr Layers::norm_act(int64_t n, bool act) const {
  if (!evo) {
    auto b = bn_act(n);
    if (!act) b->children.back().second = leaf("Identity");
    return b;
  }
  auto e = make("EvoNorm2dS0a");
  e->param("weight", {n});
  e->param("bias", {n});
  if (act) e->param("v", {n});
  return e;
}

ModulePtr Layers::conv_norm_act(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t groups, bool act) const {
  auto m = make("ConvNormAct");
  m->add("conv", conv2d(in, out, k, false, groups));
  m->add("bn", norm_act(out, act));
  if (!aa.empty() && stride > 1) m->add("aa", leaf("AvgPool2d"));
  return m;
}

ModulePtr Layers::attn_module(int64_t chs) const {
  return attn.empty() ? nullptr : create_attn(*a, attn, attn_kwargs, chs);
}

void Block::accept(const Args& a, std::initializer_list<std::string_view> known) const {
  for (auto it = kwargs.begin(); it != kwargs.end(); ++it)
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) a.unsupported("block argument `" + it.key() + "`");
}

bool Block::flag(std::string_view k, bool def) const {
  auto it = kwargs.find(std::string(k));
  return it == kwargs.end() || it->is_null() ? def : (it->is_boolean() ? it->get<bool>() : it->is_number() && it->get<double>() != 0);
}

double Block::num(std::string_view k, double def) const {
  auto it = kwargs.find(std::string(k));
  return it != kwargs.end() && it->is_number() ? it->get<double>() : def;
}

}  // namespace memfit::timm::byob
