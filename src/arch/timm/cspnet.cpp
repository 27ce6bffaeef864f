// timm CspNet (timm/models/cspnet.py): create_csp_stem (ConvNormActs, optional max pool), stages (CrossStage,
// CrossStage3 or DarkStage) of BottleneckBlock / DarkBlock / EdgeBlock, ClassifierHead. Built from the generated
// CspModelCfg (data/timm/models.json); CspStagesCfg.__post_init__'s per-stage padding (_pad_arg) is applied here.
#include <cmath>

#include "arch/timm/create_attn.h"
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit::timm {
namespace MEMFIT_TU {
using namespace blocks;

int64_t py_round(double v) { return static_cast<int64_t>(std::nearbyint(v)); }  // int(round(x)): half to even

// _pad_arg(x, n): a scalar becomes (x,), then padded with its last value (or cut) to n entries.
Json pad(const Json& x, size_t n) {
  Json v = x.is_array() ? x : Json::array({x});
  if (v.empty()) return v;
  while (v.size() < n) v.push_back(v.back());
  while (v.size() > n) v.erase(v.size() - 1);
  return v;
}

struct Stage {
  int64_t groups;
  double bottle_ratio;
  std::string block_type, attn;
  Json attn_kwargs;
};

ModulePtr attn_or_identity(const Args& a, const Stage& s, bool use, int64_t chs) {
  return use && !s.attn.empty() ? create_attn(a, s.attn, s.attn_kwargs, chs) : leaf("Identity");
}

ModulePtr block(const Args& a, const Stage& s, int64_t in, int64_t out) {
  const int64_t mid = py_round(out * s.bottle_ratio), g = s.groups;
  if (s.block_type == "bottle") {
    auto b = make("BottleneckBlock");
    b->add("conv1", conv_norm_act(in, mid, 1));
    b->add("conv2", conv_norm_act(mid, mid, 3, g));
    b->add("attn2", attn_or_identity(a, s, true, mid));
    b->add("conv3", conv_norm_act(mid, out, 1));
    b->add("attn3", leaf("Identity"));
    b->add("drop_path", leaf("Identity"));
    b->add("act3", leaf("ReLU"));
    return b;
  }
  const bool edge = s.block_type == "edge";
  if (!edge && s.block_type != "dark") a.unsupported("block_type '" + s.block_type + "'");
  auto b = make(edge ? "EdgeBlock" : "DarkBlock");
  b->add("conv1", conv_norm_act(in, mid, edge ? 3 : 1, edge ? g : 1));
  b->add("attn", attn_or_identity(a, s, true, mid));
  b->add("conv2", conv_norm_act(mid, out, edge ? 1 : 3, edge ? 1 : g));
  b->add("drop_path", leaf("Identity"));
  return b;
}

ModulePtr avg_down(int64_t in, int64_t out, int64_t stride, int64_t groups) {
  auto d = make("Sequential");
  d->add("0", leaf(stride == 2 ? "AvgPool2d" : "Identity"));
  d->add("1", conv_norm_act(in, out, 1, groups));
  return d;
}

Model build(const Args& a) {
  Json cfg = a.raw("model_cfg").is_null() ? a.raw("cfg") : a.raw("model_cfg");
  if (!cfg.is_object() || cfg.value("$class", "") != "CspModelCfg") a.unsupported("cfg is not a CspModelCfg");
  for (const auto& [k, v] : a.all().items())  // CspNet(**kwargs) overlays the cfg (dataclasses.replace)
    if (cfg.contains(k) && k != "zero_init_last" && k != "$class") cfg[k] = v;
  if (cfg.value("norm_layer", Json()) != "batchnorm") a.unsupported("norm_layer " + cfg["norm_layer"].dump());
  if (!cfg["aa_layer"].is_null()) a.unsupported("aa_layer " + cfg["aa_layer"].dump());
  const Json& st = cfg.at("stem");
  auto root = make("CspNet");
  // create_csp_stem
  auto stem = make("Sequential");
  const Json chs = st.at("out_chs").is_array() ? st["out_chs"] : Json::array({st["out_chs"]});
  const int64_t stem_stride = st.at("stride").get<int64_t>(), k = st.at("kernel_size").get<int64_t>();
  const bool pool = !st.value("pool", std::string()).empty();
  int64_t prev = checked(a.i("in_chans"), 1, 4096, "in_chans"), net_stride = 1;
  for (size_t i = 0; i < chs.size(); ++i) {
    const bool s2 = (i == 0 && stem_stride > 1) || (i + 1 == chs.size() && stem_stride > 2 && !pool);
    stem->add("conv" + std::to_string(i + 1), conv_norm_act(prev, chs[i].get<int64_t>(), k));
    prev = chs[i].get<int64_t>(), net_stride *= s2 ? 2 : 1;
  }
  if (pool) stem->add("pool", leaf("MaxPool2d")), net_stride *= 2;
  root->add("stem", stem);
  // create_csp_stages
  const Json& sc = cfg.at("stages");
  const size_t n = sc.at("depth").size();
  auto arg = [&](const char* key, size_t i) { return pad(sc.at(key), n).at(i); };
  const int64_t output_stride = a.i("output_stride");
  int64_t dilation = 1;
  auto stages = make("Sequential");
  for (size_t i = 0; i < n; ++i) {
    Stage s{arg("groups", i).get<int64_t>(), arg("bottle_ratio", i).get<double>(), arg("block_type", i).get<std::string>(),
            arg("attn_layer", i).is_string() ? arg("attn_layer", i).get<std::string>() : "", arg("attn_kwargs", i)};
    const std::string type = arg("stage_type", i).get<std::string>();
    int64_t stride = arg("stride", i).get<int64_t>();
    if (net_stride >= output_stride && stride > 1) dilation *= stride, stride = 1;
    net_stride *= stride;
    const int64_t first_dilation = dilation == 1 || dilation == 2 ? 1 : 2;
    const int64_t out = sc.at("out_chs").at(i).get<int64_t>(), g = s.groups;
    const int64_t depth = checked_count(sc.at("depth").at(i).get<int64_t>(), "depth");
    const int64_t block_out = py_round(out * arg("block_ratio", i).get<double>());
    const bool avg = arg("avg_down", i).get<bool>();
    auto stage = make(type == "dark" ? "DarkStage" : type == "csp" ? "CrossStage" : "CrossStage3");
    int64_t exp = 0;
    if (type == "dark") {
      stage->add("conv_down", avg ? avg_down(prev, out, stride, g) : conv_norm_act(prev, out, 3, g));
      prev = out;
    } else if (type == "csp" || type == "cs3") {
      const int64_t down = arg("down_growth", i).get<bool>() ? out : prev;
      exp = py_round(out * arg("expand_ratio", i).get<double>());
      if (stride != 1 || first_dilation != dilation) {
        stage->add("conv_down", avg ? avg_down(prev, out, stride, g) : conv_norm_act(prev, down, 3, g));
        prev = down;
      } else if (type == "csp") {
        stage->add("conv_down", leaf("Identity"));
      }
      stage->add("conv_exp", conv_norm_act(prev, exp, 1));
      prev = exp / 2;
    } else {
      a.unsupported("stage_type '" + type + "'");
    }
    auto blocks = make("Sequential");
    for (int64_t d = 0; d < depth; ++d) blocks->add(std::to_string(d), block(a, s, prev, block_out)), prev = block_out;
    stage->add("blocks", blocks);
    if (type == "csp") stage->add("conv_transition_b", conv_norm_act(prev, exp / 2, 1));
    if (type != "dark") stage->add("conv_transition", conv_norm_act(exp, out, 1));
    prev = out;
    stages->add(std::to_string(i), stage);
  }
  root->add("stages", stages);
  const int64_t mult = a.s("global_pool") == "catavgmax" ? 2 : 1;
  root->add("head", classifier_head(prev * mult, a.i("num_classes")));
  return model(root);
}

MEMFIT_TIMM_CLASS({"CspNet"}, build);

}  // namespace
}  // namespace memfit::timm
