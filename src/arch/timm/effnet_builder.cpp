#include "arch/timm/effnet_builder.h"

#include <cctype>
#include <cmath>
#include <map>

namespace memfit::timm {
using namespace blocks;
namespace {

// One decoded block string: its type and options ("k" -> "3.5.7").
struct BlockStr {
  std::string type;
  std::map<std::string, std::string> opt;
  bool skip = false, noskip = false;
  bool has(const std::string& k) const { return opt.contains(k); }
  double num(const std::string& k, double def) const {
    auto it = opt.find(k);
    if (it == opt.end()) return def;
    try {
      return std::stod(it->second);
    } catch (...) {
      throw ConfigError("timm block option `" + k + "` is not a number");
    }
  }
  // _parse_ksize: "3" -> {3}, "3.5.7" -> {3, 5, 7}.
  std::vector<int64_t> ks(const std::string& k, int64_t def, int64_t lo = 1) const {
    auto it = opt.find(k);
    if (it == opt.end()) return {def};
    std::vector<int64_t> out;
    size_t pos = 0;
    while (pos <= it->second.size()) {
      size_t end = it->second.find('.', pos);
      if (end == std::string::npos) end = it->second.size();
      out.push_back(checked(std::stoll(it->second.substr(pos, end - pos)), lo, 63, "kernel size"));
      pos = end + 1;
    }
    return out;
  }
};

BlockStr decode(const std::string& s) {
  BlockStr b;
  size_t pos = 0;
  bool first = true;
  while (pos <= s.size()) {
    size_t end = s.find('_', pos);
    if (end == std::string::npos) end = s.size();
    std::string op = s.substr(pos, end - pos);
    pos = end + 1;
    if (first) {
      b.type = op, first = false;
    } else if (op == "noskip") {
      b.noskip = true;
    } else if (op == "skip") {
      b.skip = true;
    } else if (!op.empty() && op[0] == 'n') {
      // activation: no tensors
    } else {
      size_t d = op.find_first_of("0123456789");
      if (d != std::string::npos && d > 0) b.opt[op.substr(0, d)] = op.substr(d);
    }
  }
  return b;
}

// Python's round() (half to even) of a double.
int64_t py_round(double v) { return static_cast<int64_t>(std::nearbyint(v)); }

// _scale_stage_depth: the repeats of each block string of one stage after the depth multiplier.
std::vector<int64_t> scale_depth(const std::vector<int64_t>& repeats, double mult, bool trunc_round) {
  int64_t total = 0;
  for (auto r : repeats) total += r;
  int64_t scaled = trunc_round ? std::max<int64_t>(1, py_round(total * mult)) : static_cast<int64_t>(std::ceil(total * mult));
  std::vector<int64_t> out(repeats.size());
  for (size_t k = repeats.size(); k-- > 0;) {
    int64_t r = std::max<int64_t>(1, py_round(double(repeats[k]) / double(total) * double(scaled)));
    out[k] = r;
    total -= repeats[k];
    scaled -= r;
  }
  return out;
}

std::vector<int64_t> split_channels(int64_t chs, size_t n) {
  std::vector<int64_t> s(n, chs / static_cast<int64_t>(n));
  int64_t sum = 0;
  for (auto x : s) sum += x;
  s[0] += chs - sum;
  return s;
}

int64_t num_groups(int64_t group_size, int64_t chs) { return group_size ? chs / group_size : 1; }

}  // namespace

ModulePtr effnet_se(int64_t chs, int64_t rd, std::string gate) {
  auto s = make("SqueezeExcite");
  s->add("conv_reduce", conv2d(chs, rd, 1));
  s->add("act1", leaf("ReLU"));
  s->add("conv_expand", conv2d(rd, chs, 1));
  s->add("gate", leaf(std::move(gate)));
  return s;
}

RoundChannels::RoundChannels(const Json& fn) {
  if (layer_name(fn) != "round_channels") throw UnsupportedClass("not supported: round_chs_fn " + fn.dump());
  auto kw = fn.find("kwargs");
  if (kw == fn.end()) return;
  multiplier = kw->value("multiplier", 1.0);
  divisor = kw->value("divisor", int64_t{8});
  round_limit = kw->value("round_limit", 0.9);
  if (auto m = kw->find("channel_min"); m != kw->end() && m->is_number_integer()) channel_min = m->get<int64_t>();
}

int64_t RoundChannels::operator()(double chs) const {
  if (multiplier == 0) return static_cast<int64_t>(chs);
  return make_divisible(chs * multiplier, divisor, channel_min, round_limit);
}

EffnetBuilder::EffnetBuilder(const Args& a)
    : round_chs(a.raw("round_chs_fn")), a_(a), se_from_exp_(a.has("se_from_exp") && a.b("se_from_exp")) {
  norm_ = a.has("norm_layer") ? a.layer("norm_layer") : "nn.BatchNorm2d";
  if (norm_ == "GroupNormAct") {
    const Json* gs = a.layer_kwarg("norm_layer", "group_size");
    if (!gs || !gs->is_number_integer()) a.unsupported("GroupNormAct without a group_size");
    norm_group_size_ = gs->get<double>();
  } else if (norm_ != "nn.BatchNorm2d" && norm_ != "BatchNorm2d" && norm_ != "LayerNormAct2d" && norm_ != "EvoNorm2dS0" &&
             norm_ != "RmsNorm2d") {
    a.unsupported("norm_layer " + norm_);
  }
  if (a.has("aa_layer")) {  // create_aa's shorthands: nn.AvgPool2d, BlurPool2d (buffer `filt`, filt_size 3)
    std::string aa = a.layer("aa_layer");
    std::erase(aa, '_');
    std::erase(aa, '-');
    for (auto& c : aa) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (aa == "avg" || aa == "avgpool") aa_ = "AvgPool2d";
    else if (aa == "blur" || aa == "blurpool" || aa == "blurpc") aa_ = "BlurPool2d";
    else a.unsupported("aa_layer " + a.layer("aa_layer"));
  }
  if (a.has("layer_scale_init_value")) layer_scale_ = true;
}

ModulePtr EffnetBuilder::aa(int64_t chs, int64_t stride, bool noop) const {
  if (aa_.empty() || stride < 2) return noop ? leaf("Identity") : nullptr;
  if (aa_ == "AvgPool2d") return leaf("AvgPool2d");
  auto m = make("BlurPool2d");
  m->buffer("filt", {chs, 1, 3, 3}, DType::F32, false);
  return m;
}

ModulePtr EffnetBuilder::conv_norm_act(int64_t in, int64_t out, const std::vector<int64_t>& k, int64_t groups,
                                       int64_t stride, bool act) const {
  auto m = make("ConvNormAct");
  m->add("conv", conv(in, out, k, groups));
  m->add("bn", norm_act(out, act));
  if (auto x = aa(out, stride, false)) m->add("aa", x);
  return m;
}

ModulePtr EffnetBuilder::layer_scale(int64_t chs) const {
  if (!layer_scale_) return leaf("Identity");
  auto m = make("LayerScale2d");
  m->param("gamma", {chs});
  return m;
}

ModulePtr EffnetBuilder::norm(int64_t chs) const {
  if (norm_ == "RmsNorm2d") return rms_norm("RmsNorm2d", chs);
  if (norm_group_size_ != 0 || norm_ == "LayerNormAct2d" || norm_ == "EvoNorm2dS0") a_.unsupported("plain " + norm_);
  return batch_norm(chs);
}

ModulePtr EffnetBuilder::norm_act(int64_t chs, bool act) const {
  if (norm_ == "EvoNorm2dS0") {  // weight, bias, and v only when it applies its activation
    auto n = make("EvoNorm2dS0");
    n->param("weight", {chs}).param("bias", {chs});
    if (act) n->param("v", {chs});
    return n;
  }
  if (norm_ == "RmsNorm2d") {  // get_norm_act_layer: RmsNormAct2d (weight only)
    auto n = rms_norm("RmsNormAct2d", chs);
    n->add("drop", leaf("Identity"));
    n->add("act", leaf("GELU"));
    return n;
  }
  if (norm_ == "LayerNormAct2d") {
    auto n = layer_norm(chs, true, "LayerNormAct2d");
    n->add("drop", leaf("Identity"));
    n->add("act", leaf("SiLU"));
    return n;
  }
  if (norm_group_size_ == 0) return bn_act(chs);
  auto n = make("GroupNormAct");
  n->param("weight", {chs});
  n->param("bias", {chs});
  n->add("drop", leaf("Identity"));
  n->add("act", leaf("ReLU"));
  return n;
}

ModulePtr EffnetBuilder::conv(int64_t in, int64_t out, const std::vector<int64_t>& kernels, int64_t groups) const {
  if (kernels.size() == 1) return conv2d(in, out, kernels[0], false, groups);
  bool depthwise = groups == in;
  if (!depthwise && groups != 1) a_.unsupported("grouped MixedConv2d");
  auto ins = split_channels(in, kernels.size()), outs = split_channels(out, kernels.size());
  auto m = make("MixedConv2d");
  for (size_t i = 0; i < kernels.size(); ++i)
    m->add(std::to_string(i), conv2d(ins[i], outs[i], kernels[i], false, depthwise ? outs[i] : 1));
  return m;
}

ModulePtr EffnetBuilder::build(int64_t stem_chs) {
  const Json& call = a_.raw("block_args");
  if (!call.is_object() || call.value("$call", "") != "decode_arch_def" || !call.contains("args") || !call["args"].is_array())
    a_.unsupported("block_args is not decode_arch_def(...)");
  const Json& cargs = call["args"];
  Json kw = call.value("kwargs", Json::object());
  const Json& arch_def = cargs[0];
  Json mult = cargs.size() > 1 ? cargs[1] : kw.value("depth_multiplier", Json(1.0));
  bool trunc_round = kw.value("depth_trunc", std::string("ceil")) == "round";
  bool fix_first_last = kw.value("fix_first_last", false);
  int64_t experts_mult = kw.value("experts_multiplier", int64_t{1});
  Json group_size = kw.value("group_size", Json());

  // SqueezeExcite (or a partial of it): rd channels from rd_round_fn (round() unless round_channels is bound).
  const Json& se = a_.raw("se_layer");
  std::string se_cls = se.is_null() ? "SqueezeExcite" : layer_name(se);
  if (se_cls != "SqueezeExcite" && se_cls != "gc") a_.unsupported("se_layer " + se_cls);
  std::optional<RoundChannels> se_round;
  if (const Json* r = a_.layer_kwarg("se_layer", "rd_round_fn")) se_round.emplace(*r);

  in_chs = stem_chs;
  int space2depth = 0;  // EfficientNetBuilder's space-to-depth state: 1 on the `d1` block, 2 after it, 0 once reset
  auto stages = make("Sequential");
  for (size_t si = 0; si < arch_def.size(); ++si) {
    std::vector<BlockStr> strs;
    std::vector<int64_t> repeats;
    for (const auto& s : arch_def[si]) {
      if (!s.is_string()) a_.unsupported("a block definition is not a string");
      strs.push_back(decode(s.get<std::string>()));
      repeats.push_back(checked(static_cast<int64_t>(strs.back().num("r", 1)), 1, 1000, "repeats"));
    }
    double m = mult.is_array() ? mult.at(si).get<double>() : mult.get<double>();
    if (fix_first_last && (si == 0 || si + 1 == arch_def.size())) m = 1.0;
    auto rs = scale_depth(repeats, m, trunc_round);
    auto stage = make("Sequential");
    int64_t bi = 0;
    for (size_t k = 0; k < strs.size(); ++k)
      for (int64_t r = 0; r < rs[k]; ++r) {
        const BlockStr& b = strs[k];
        int64_t stride = bi == 0 ? static_cast<int64_t>(b.num("s", 1)) : 1;
        double exp = b.num("e", 1.0);
        int s2d = 0;
        if (!space2depth && b.has("d") && b.num("d", 0) > 0 && b.type != "mha" && b.type != "mqa") {
          if (stride != 1) a_.unsupported("space-to-depth on a strided block");
          space2depth = 1;
        }
        if (space2depth == 2 && stride == 2) {  // the next strided block undoes it: stride 1, a quarter of the expansion
          stride = 1;
          exp /= 4;
          space2depth = 0;
        } else if (space2depth > 0) {
          s2d = space2depth;
          if (b.type != "ds" && b.type != "dsa" && b.type != "ir") a_.unsupported("space-to-depth on a `" + b.type + "` block");
        }
        // CondConvResidual: InvertedResidual with CondConv2d convs (weight [experts, out * in / groups * k * k]) and a
        // routing_fn Linear; decode_arch_def scales the experts by experts_multiplier.
        int64_t experts = b.has("cc") ? checked(static_cast<int64_t>(b.num("cc", 0)) * std::max<int64_t>(1, experts_mult), 1, 1024, "experts") : 0;
        if (experts && b.type != "ir") a_.unsupported("CondConv outside an ir block");
        auto cconv = [&](int64_t in, int64_t o, const std::vector<int64_t>& k, int64_t groups = 1) -> ModulePtr {
          if (!experts) return conv(in, o, k, groups);
          if (k.size() != 1) a_.unsupported("MixedConv2d with CondConv");
          auto c = make("CondConv2d");
          c->param("weight", {experts, o * (in / groups) * k[0] * k[0]});
          return c;
        };
        int64_t out = round_chs(b.num("c", 0)) * (s2d ? 4 : 1);
        double se_ratio = b.num("se", 0);
        if (se_ratio > 0 && !se_from_exp_) se_ratio /= (b.type == "ds" || b.type == "dsa" || b.type == "cn") ? 1.0 : exp;
        if (s2d == 1) se_ratio /= 4;
        int64_t gs_default = (b.type == "ds" || b.type == "dsa" || b.type == "ir" || b.type == "uir") ? 1 : 0;
        int64_t gs = b.has("gs") ? static_cast<int64_t>(b.num("gs", 0))
                     : group_size.is_number_integer() ? group_size.get<int64_t>() : gs_default;
        auto se_mod = [&](int64_t chs) -> ModulePtr {
          if (se_ratio <= 0) return leaf("Identity");
          double v = chs * se_ratio;
          if (se_cls == "gc") {  // get_attn('gc'): GlobalContext, conv_attn + ConvMlp(LayerNorm2d) mlp_scale
            int64_t rd = make_divisible(v, 1, 0, 0.0);
            auto g = make("GlobalContext");
            g->add("conv_attn", conv2d(chs, 1, 1));
            auto m = make("ConvMlp");
            m->add("fc1", conv2d(chs, rd, 1));
            m->add("norm", layer_norm(rd, true, "LayerNorm2d"));
            m->add("act", leaf("ReLU"));
            m->add("drop", leaf("Dropout"));
            m->add("fc2", conv2d(rd, chs, 1));
            g->add("mlp_scale", m);
            g->add("gate", leaf("Sigmoid"));
            return g;
          }
          return effnet_se(chs, se_round ? (*se_round)(v) : py_round(v));
        };
        ModulePtr blk;
        bool pw_act = b.type == "dsa";  // bn2 of DepthwiseSeparableConv (dsa) applies its act; EdgeResidual's not
        // conv, bn1, aa, se, pointwise-linear conv, bn2: DepthwiseSeparableConv and EdgeResidual.
        auto conv_se_pw = [&](std::string cls, std::string first, ModulePtr c, int64_t mid, std::string pw,
                              int64_t aa_chs) {
          blk = make(std::move(cls));
          blk->add(std::move(first), std::move(c));
          blk->add("bn1", norm_act(mid));
          blk->add("aa", aa(aa_chs, stride));
          blk->add("se", se_mod(mid));
          blk->add(std::move(pw), conv(mid, out, b.ks("p", 1)));
          blk->add("bn2", norm_act(out, pw_act));
        };
        if ((b.type == "ds" || b.type == "dsa") && s2d == 1) {
          // conv_s2d (2x2, 4x the channels) + bn_s2d, then the depthwise conv at (k + 1) / 2 on those channels.
          int64_t sd = in_chs * 4, k = (b.ks("k", 3)[0] + 1) / 2;
          conv_se_pw("DepthwiseSeparableConv", "conv_dw", conv(sd, sd, {k}, num_groups(gs, sd)), sd, "conv_pw", out);
          blk->children.insert(blk->children.begin(), {{"conv_s2d", conv2d(in_chs, sd, 2, false)}, {"bn_s2d", norm_act(sd)}});
        } else if (s2d == 1) {
          a_.unsupported("space-to-depth on a `" + b.type + "` block");
        } else if (b.type == "ds" || b.type == "dsa") {
          conv_se_pw("DepthwiseSeparableConv", "conv_dw", conv(in_chs, in_chs, b.ks("k", 3), num_groups(gs, in_chs)),
                     in_chs, "conv_pw", out);
        } else if (b.type == "ir") {
          int64_t mid = make_divisible(in_chs * exp);
          blk = make(experts ? "CondConvResidual" : "InvertedResidual");
          blk->add("conv_pw", cconv(in_chs, mid, b.ks("a", 1)));
          blk->add("bn1", norm_act(mid));
          blk->add("conv_dw", cconv(mid, mid, b.ks("k", 3), num_groups(gs, mid)));
          blk->add("bn2", norm_act(mid));
          blk->add("aa", aa(mid, stride));
          blk->add("se", se_mod(mid));
          blk->add("conv_pwl", cconv(mid, out, b.ks("p", 1)));
          blk->add("bn3", norm_act(out, false));
        } else if (b.type == "er") {
          int64_t force = b.has("fc") ? round_chs(b.num("fc", 0)) : 0;
          int64_t mid = make_divisible((force > 0 ? force : in_chs) * exp);
          conv_se_pw("EdgeResidual", "conv_exp", conv(in_chs, mid, b.ks("k", 3), num_groups(gs, mid)), mid, "conv_pwl",
                     mid);
        } else if (b.type == "cn") {
          blk = make("ConvBnAct");
          blk->add("conv", conv(in_chs, out, b.ks("k", 3), num_groups(gs, in_chs)));
          blk->add("bn1", norm_act(out));
          blk->add("aa", aa(out, stride));
        } else if (b.type == "uir") {
          // UniversalInvertedResidual: optional dw_start, pw_exp, optional dw_mid, se, pw_proj, optional dw_end.
          auto ks_start = b.ks("a", 0, 0), ks_mid = b.ks("k", 0, 0), ks_end = b.ks("p", 0, 0);  // 0: no such conv
          bool start = ks_start[0] != 0, mid_dw = ks_mid[0] != 0, end = ks_end[0] != 0;
          int64_t mid = make_divisible(in_chs * exp);
          blk = make("UniversalInvertedResidual");
          blk->add("dw_start", start ? conv_norm_act(in_chs, in_chs, ks_start, num_groups(gs, in_chs), mid_dw ? 1 : stride,
                                                     false)
                                     : leaf("Identity"));
          blk->add("pw_exp", conv_norm_act(in_chs, mid, {1}));
          blk->add("dw_mid", mid_dw ? conv_norm_act(mid, mid, ks_mid, num_groups(gs, mid), stride) : leaf("Identity"));
          blk->add("se", se_mod(mid));
          blk->add("pw_proj", conv_norm_act(mid, out, {1}, 1, 1, false));
          if (end && !start && !mid_dw && stride > 1 && !aa_.empty()) a_.unsupported("aa on a strided dw_end");
          blk->add("dw_end", end ? conv_norm_act(out, out, ks_end, num_groups(gs, out), 1, false) : leaf("Identity"));
          blk->add("layer_scale", layer_scale(out));
        } else if (b.type == "mqa") {
          // MobileAttention with MultiQueryAttention2d: norm, attn (query / key / value / output 1x1 projections,
          // strided depthwise down_conv + norm on key and value when kv_stride > 1), layer_scale.
          int64_t heads = checked(static_cast<int64_t>(b.num("h", 0)), 1, 1024, "num_heads");
          int64_t kv = checked(static_cast<int64_t>(b.num("d", 0)), 1, 1 << 16, "key_dim");
          int64_t kv_stride = static_cast<int64_t>(b.num("v", 1));
          int64_t dwk = b.ks("k", 3)[0];
          blk = make("MobileAttention");
          blk->add("norm", norm_act(in_chs, false));
          auto at = make("MultiQueryAttention2d");
          auto q = make("Sequential");
          q->add("proj", conv2d(in_chs, heads * kv, 1, false));
          at->add("query", q);
          for (const char* name : {"key", "value"}) {
            auto kvm = make("Sequential");
            if (kv_stride > 1) {
              kvm->add("down_conv", conv2d(in_chs, in_chs, dwk, false, in_chs));
              kvm->add("norm", norm(in_chs));
            }
            kvm->add("proj", conv2d(in_chs, kv, 1, false));
            at->add(name, kvm);
          }
          at->add("attn_drop", leaf("Dropout"));
          auto o = make("Sequential");
          o->add("proj", conv2d(kv * heads, out, 1, false));
          o->add("drop", leaf("Dropout"));
          at->add("output", o);
          blk->add("attn", at);
          blk->add("layer_scale", layer_scale(out));
        } else {
          a_.unsupported("block type `" + b.type + "`");
        }
        blk->add("drop_path", leaf("Identity"));
        if (experts) blk->add("routing_fn", linear(in_chs, experts));
        stage->add(std::to_string(bi++), blk);
        in_chs = out;
        if (space2depth == 1) space2depth = 2;
      }
    stages->add(std::to_string(si), stage);
    stage_out.push_back(in_chs);
    stage_stride.push_back(strs.empty() ? 1 : static_cast<int64_t>(strs[0].num("s", 1)));
  }
  return stages;
}

}  // namespace memfit::timm
