#include "arch/timm_effnet_builder.h"

#include <cmath>
#include <map>

namespace memfit::timm {
using namespace blocks;
namespace {

struct BlockArgs {
  std::string type;
  std::map<std::string, std::string> opt;
  bool noskip = false;
  double num(const std::string& k, double def) const {
    auto it = opt.find(k);
    if (it == opt.end()) return def;
    try {
      return std::stod(it->second);
    } catch (...) {
      throw ConfigError("timm block option `" + k + "` is not a number");
    }
  }
};

BlockArgs decode(const std::string& s) {
  BlockArgs a;
  size_t pos = 0;
  bool first = true;
  while (pos <= s.size()) {
    size_t end = s.find('_', pos);
    if (end == std::string::npos) end = s.size();
    std::string op = s.substr(pos, end - pos);
    pos = end + 1;
    if (first) {
      a.type = op, first = false;
      continue;
    }
    if (op == "noskip") a.noskip = true;
    else if (!op.empty() && op[0] == 'n') a.opt["n"] = op.substr(1);
    else {
      size_t d = op.find_first_of("0123456789");
      if (d != std::string::npos && d > 0) a.opt[op.substr(0, d)] = op.substr(d);
    }
  }
  return a;
}

ModulePtr squeeze_excite(int64_t chs, int64_t rd) {
  auto se = make("SqueezeExcite");
  se->add("conv_reduce", conv2d(chs, rd, 1));
  se->add("act1", leaf("ReLU"));
  se->add("conv_expand", conv2d(rd, chs, 1));
  se->add("gate", leaf("Sigmoid"));
  return se;
}

}  // namespace

int64_t EffnetBuilder::round_chs(double chs) const {
  return make_divisible(chs * channel_multiplier, channel_divisor);
}

ModulePtr EffnetBuilder::build(int64_t stem_chs, const std::vector<std::vector<std::string>>& arch_def) {
  in_chs = stem_chs;
  auto stages = make("Sequential");
  int64_t si = 0;
  for (const auto& stack : arch_def) {
    // decode + _scale_stage_depth (ceil)
    std::vector<BlockArgs> args;
    std::vector<int64_t> repeats;
    for (const auto& s : stack) {
      args.push_back(decode(s));
      repeats.push_back(checked(static_cast<int64_t>(args.back().num("r", 1)), 1, 1000, "repeats"));
    }
    int64_t total = 0;
    for (auto r : repeats) total += r;
    int64_t scaled = static_cast<int64_t>(std::ceil(total * depth_multiplier));
    std::vector<int64_t> rs(repeats.size());
    for (size_t k = repeats.size(); k-- > 0;) {
      int64_t r = std::max<int64_t>(1, std::llround(std::nearbyint(double(repeats[k]) / total * scaled)));
      rs[k] = r;
      total -= repeats[k];
      scaled -= r;
    }
    auto stage = make("Sequential");
    int64_t bi = 0;
    for (size_t k = 0; k < args.size(); ++k)
      for (int64_t r = 0; r < rs[k]; ++r) {
        const BlockArgs& a = args[k];
        int64_t out = round_chs(a.num("c", 0));
        double se_ratio = a.num("se", 0);
        double exp = a.num("e", 1.0);
        if (se_ratio > 0 && !se_from_exp) se_ratio /= exp;
        auto se_rd = [&](int64_t chs) {
          double v = chs * se_ratio;
          return se_round_channels ? make_divisible(v, 8) : static_cast<int64_t>(std::nearbyint(v));
        };
        int64_t kdw = static_cast<int64_t>(a.num("k", 3));
        ModulePtr b;
        if (a.type == "ds" || a.type == "dsa") {
          b = make("DepthwiseSeparableConv");
          b->add("conv_dw", conv2d(in_chs, in_chs, kdw, false, in_chs));
          b->add("bn1", bn_act(in_chs));
          b->add("aa", leaf("Identity"));
          b->add("se", se_ratio > 0 ? squeeze_excite(in_chs, se_rd(in_chs)) : leaf("Identity"));
          b->add("conv_pw", conv2d(in_chs, out, 1, false));
          b->add("bn2", bn_act(out));
        } else if (a.type == "ir") {
          int64_t mid = make_divisible(in_chs * exp);
          b = make("InvertedResidual");
          b->add("conv_pw", conv2d(in_chs, mid, 1, false));
          b->add("bn1", bn_act(mid));
          b->add("conv_dw", conv2d(mid, mid, kdw, false, mid));
          b->add("bn2", bn_act(mid));
          b->add("aa", leaf("Identity"));
          b->add("se", se_ratio > 0 ? squeeze_excite(mid, se_rd(mid)) : leaf("Identity"));
          b->add("conv_pwl", conv2d(mid, out, 1, false));
          b->add("bn3", bn_act(out));
        } else if (a.type == "er") {
          int64_t mid = make_divisible(in_chs * exp);
          b = make("EdgeResidual");
          b->add("conv_exp", conv2d(in_chs, mid, kdw, false));
          b->add("bn1", bn_act(mid));
          b->add("aa", leaf("Identity"));
          b->add("se", se_ratio > 0 ? squeeze_excite(mid, se_rd(mid)) : leaf("Identity"));
          b->add("conv_pwl", conv2d(mid, out, 1, false));
          b->add("bn2", bn_act(out));
        } else if (a.type == "cn") {
          b = make("ConvBnAct");
          b->add("conv", conv2d(in_chs, out, kdw, false));
          b->add("bn1", bn_act(out));
          b->add("aa", leaf("Identity"));
        } else {
          throw UnsupportedClass("timm efficientnet block type `" + a.type + "` is not supported yet");
        }
        b->add("drop_path", leaf("Identity"));
        stage->add(std::to_string(bi++), b);
        in_chs = out;
      }
    stages->add(std::to_string(si++), stage);
  }
  return stages;
}

}  // namespace memfit::timm
