// timm NormFreeNet (timm/models/nfnet.py) from the registered NfCfg: stem of ScaledStdConv2d (weight, bias, gain)
// ('deep_quad' / 'deep' / 'deep_tiered' stacks, '3x3', '7x7', optional max pool), stages of NormFreeBlocks
// (DownsampleAvg, conv1, grouped conv2 (+ conv2b), SE / ECA attn between conv2 and conv3 for RegNet-style blocks or
// attn_last after conv3, skipinit_gain), final_conv when num_features, ClassifierHead. NFNet-F, DM-NFNet, ECA-NFNet,
// NF-RegNet, NF-ResNet / SE / ECA.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Nf {
  const Json& cfg;
  const timm::Args& a;
  std::string attn;
  double rd_ratio = 1.0 / 16;
  int64_t rd_divisor = 8;
};

// ScaledStdConv2d / ScaledStdConv2dSame: a biased conv plus a per-output-channel gain.
ModulePtr std_conv(const Nf& n, int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  auto m = conv2d(in, out, k, true, groups);
  m->cls = n.cfg.value("same_padding", false) ? "ScaledStdConv2dSame" : "ScaledStdConv2d";
  m->param("gain", {out, 1, 1, 1});
  return m;
}

ModulePtr act(const Nf& n) { return leaf(n.cfg.value("gamma_in_act", false) ? "GammaAct" : "Activation"); }

// get_attn(attn_layer) with the cfg's attn_kwargs over `chs`.
ModulePtr attn(const Nf& n, int64_t chs) {
  if (n.attn == "eca") return timm::eca_module(chs);
  return timm::se_module(chs, timm::make_divisible(static_cast<double>(chs) * n.rd_ratio, n.rd_divisor, 0, 0.0));
}

ModulePtr block(const Nf& n, int64_t in, int64_t out, bool stride2, double bottle_ratio) {
  bool reg = n.cfg.value("reg", false);
  int64_t gs = n.cfg["group_size"].is_number() ? n.cfg["group_size"].get<int64_t>() : 0;
  int64_t ch_div = n.cfg["ch_div"].get<int64_t>();
  int64_t mid = timm::make_divisible(static_cast<double>(reg ? in : out) * bottle_ratio, ch_div);
  int64_t groups = gs ? mid / gs : 1;
  if (gs && gs % ch_div == 0) mid = gs * groups;
  if (groups < 1) n.a.unsupported("group_size above the block width");
  auto b = make("NormFreeBlock");
  if (in != out || stride2) {
    auto d = make("DownsampleAvg");
    d->add("pool", leaf(stride2 ? "AvgPool2d" : "Identity"));
    d->add("conv", std_conv(n, in, out, 1));
    b->add("downsample", d);
  }
  b->add("act1", act(n));
  b->add("conv1", std_conv(n, in, mid, 1));
  b->add("act2", act(n));
  b->add("conv2", std_conv(n, mid, mid, 3, groups));
  if (n.cfg.value("extra_conv", false)) {
    b->add("act2b", act(n));
    b->add("conv2b", std_conv(n, mid, mid, 3, groups));
  }
  if (reg && !n.attn.empty()) b->add("attn", attn(n, mid));
  b->add("act3", act(n));
  b->add("conv3", std_conv(n, mid, out, 1));
  if (!reg && !n.attn.empty()) b->add("attn_last", attn(n, out));
  b->add("drop_path", leaf("Identity"));
  if (n.cfg.value("skipinit", false)) b->param("skipinit_gain", {});
  return b;
}

Model build(const timm::Args& a) {
  const Json& cfg = a.raw("model_cfg");
  if (!cfg.is_object() || !cfg.contains("depths") || !cfg.contains("channels")) a.unsupported("model_cfg is not an NfCfg");
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  Nf n{cfg, a, cfg["attn_layer"].is_string() ? cfg["attn_layer"].get<std::string>() : ""};
  if (!n.attn.empty() && n.attn != "se" && n.attn != "eca") a.unsupported("attn_layer " + n.attn);
  for (auto it = cfg["attn_kwargs"].begin(); it != cfg["attn_kwargs"].end(); ++it) {
    if (it.key() == "rd_ratio" && n.attn == "se") n.rd_ratio = it.value().get<double>();
    else if (it.key() == "rd_divisor" && n.attn == "se") n.rd_divisor = it.value().get<int64_t>();
    else a.unsupported("attn_kwargs." + it.key());
  }
  double wf = cfg["width_factor"].get<double>();
  int64_t ch_div = cfg["ch_div"].get<int64_t>();
  auto channels = cfg["channels"].get<std::vector<int64_t>>(), depths = cfg["depths"].get<std::vector<int64_t>>();
  if (channels.size() != depths.size() || channels.empty()) a.unsupported("depths and channels of different lengths");
  int64_t stem_base = cfg["stem_chs"].is_number() ? cfg["stem_chs"].get<int64_t>() : channels[0];
  int64_t stem_chs = timm::make_divisible(static_cast<double>(stem_base) * wf, ch_div);

  // create_stem
  std::string st = cfg["stem_type"].get<std::string>();
  auto stem = make("Sequential");
  int64_t in = timm::checked(a.i("in_chans"), 1, 4096, "in_chans");
  if (st.find("deep") != std::string::npos) {
    std::vector<int64_t> chs;
    if (st.find("quad") != std::string::npos) chs = {stem_chs / 8, stem_chs / 4, stem_chs / 2, stem_chs};
    else if (st.find("tiered") != std::string::npos) chs = {3 * stem_chs / 8, stem_chs / 2, stem_chs};
    else chs = {stem_chs / 2, stem_chs / 2, stem_chs};
    for (size_t i = 0; i < chs.size(); ++i) {
      stem->add("conv" + std::to_string(i + 1), std_conv(n, in, chs[i], 3));
      if (i + 1 != chs.size()) stem->add("act" + std::to_string(i + 2), act(n));
      in = chs[i];
    }
  } else {
    stem->add("conv", std_conv(n, in, stem_chs, st.find("3x3") != std::string::npos ? 3 : 7));
  }
  if (st.find("pool") != std::string::npos) stem->add("pool", leaf("MaxPool2d"));
  bool stem_s4 = st.find("quad") != std::string::npos || st.find("pool") != std::string::npos;
  auto root = make("NormFreeNet");
  root->add("stem", stem);

  int64_t prev = stem_chs;
  bool reg = cfg.value("reg", false);
  double br = cfg["bottle_ratio"].get<double>();
  auto stages = make("Sequential");
  for (size_t s = 0; s < depths.size(); ++s) {
    bool stride2 = !(s == 0 && stem_s4);
    int64_t out = timm::make_divisible(static_cast<double>(channels[s]) * wf, ch_div);
    stages->add(std::to_string(s), timm::seq(timm::checked(depths[s], 1, 1000, "depths"), [&](int64_t k) {
                  auto b = block(n, prev, out, k == 0 && stride2, reg && s == 0 && k == 0 ? 1.0 : br);
                  prev = out;
                  return b;
                }));
  }
  root->add("stages", stages);
  int64_t features = prev;
  if (int64_t nf = cfg["num_features"].get<int64_t>(); nf > 0) {
    features = timm::make_divisible(wf * static_cast<double>(nf), ch_div);
    root->add("final_conv", std_conv(n, prev, features, 1));
  } else {
    root->add("final_conv", leaf("Identity"));
  }
  root->add("final_act", act(n));
  root->add("head", timm::classifier_head(features, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"NormFreeNet"}, build);

}  // namespace
}  // namespace memfit
