// timm ByobNet (timm/models/byobnet.py; byoanet.py and mobilevit.py configs build it too): create_byob_stem, the
// stages create_byob_stages expands from the ByoModelCfg's ByoBlockCfgs (blocks in byob_blocks.cpp and mobilevit.cpp),
// an optional final_conv, and a ClassifierHead / NormMlpClassifierHead / AttentionPool2d head. All from the generated
// model_cfg (data/timm/models.json); ByobNet's extra kwargs overlay the cfg as dataclasses.replace does.
#include <cmath>
#include <set>

#include "arch/timm/byobnet.h"
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit::timm::byob {
namespace MEMFIT_TU {
using namespace blocks;
using Feat = std::optional<std::pair<int64_t, int64_t>>;

int64_t py_round(double v) { return static_cast<int64_t>(std::nearbyint(v)); }  // Python round(): half to even

Feat reduce(Feat f, int64_t s) { return f ? Feat{{f->first / s, f->second / s}} : f; }

// Stem(in, chs, kernel, stride=4, pool, num_rep, num_act, chs_decay): conv1..convN (a plain bias-free conv where no
// norm/act), then the pool.
ModulePtr stem_stack(const Layers& l, int64_t in, std::vector<int64_t> chs, int64_t k, const std::string& pool,
                     int64_t num_act) {
  const int64_t n = static_cast<int64_t>(chs.size());
  auto s = make("Stem");
  for (int64_t i = 0; i < n; ++i) {
    s->add("conv" + std::to_string(i + 1),
           i >= n - num_act ? l.conv_norm_act(in, chs[i], k) : conv2d(in, chs[i], k, false));
    in = chs[i];
  }
  if (!pool.empty()) s->add("pool", leaf(pool.find("max") != std::string::npos ? "MaxPool2d" : "AvgPool2d"));
  return s;
}

std::vector<int64_t> decayed(int64_t out, int64_t n, double decay) {
  std::vector<int64_t> v;
  for (int64_t i = n - 1; i >= 0; --i) v.push_back(py_round(out * std::pow(decay, static_cast<double>(i))));
  return v;
}

// create_byob_stem: the module, its reduction and its output channels.
struct Stem {
  ModulePtr m;
  int64_t reduction, out;
};
Stem stem(const Layers& l, const Args& a, int64_t in, const Json& chs, const std::string& type,
                                   const std::string& pool) {
  static const std::set<std::string> types{"", "quad", "quad2", "tiered", "deep", "rep", "one", "7x7", "3x3"};
  if (!types.contains(type)) a.unsupported("stem_type '" + type + "'");
  std::vector<int64_t> list;
  if (chs.is_array())
    for (const auto& c : chs) list.push_back(c.get<int64_t>());
  const int64_t out = chs.is_array() ? 0 : chs.get<int64_t>();
  if (!chs.is_array() && (type == "quad" || type == "quad2"))
    return {stem_stack(l, in, decayed(out, 4, 0.5), 3, pool, type == "quad2" ? 2 : 4), 4, out};
  if (!chs.is_array() && type == "tiered") return {stem_stack(l, in, {3 * out / 8, out / 2, out}, 3, pool, 3), 4, out};
  if (!chs.is_array() && type == "deep") return {stem_stack(l, in, decayed(out, 3, 1.0), 3, pool, 3), 4, out};
  Block b;
  b.in = in, b.out = out, b.stride = 2;
  if (!chs.is_array() && type == "rep") return {(*find_block("rep"))(l, b), 2, out};
  if (!chs.is_array() && type == "one") return {(*find_block("one"))(l, b), 2, out};
  const int64_t k = type == "7x7" ? 7 : 3;
  if (chs.is_array()) {
    if (type == "7x7" || list.empty()) a.unsupported("stem_chs list with stem_type '" + type + "'");
    return {stem_stack(l, in, list, k, pool, static_cast<int64_t>(list.size())), 4, list.back()};
  }
  if (!pool.empty()) return {stem_stack(l, in, {out}, k, pool, 1), 4, out};
  return {l.conv_norm_act(in, out, k, 2), 2, out};
}

std::string str(const Json& v) { return v.is_string() ? v.get<std::string>() : ""; }

Layers layers(const Args& a, const Json& cfg) {
  Layers l;
  l.a = &a;
  const Json& norm = cfg["norm_layer"];
  if (norm.is_object() && layer_name(norm) == "EvoNorm2dS0a") l.evo = true;
  else if (str(norm) != "batchnorm" && str(norm) != "batchnorm2d") a.unsupported("norm_layer " + norm.dump());
  if (str(cfg["act_layer"]).find("prelu") != std::string::npos || !cfg["act_layer"].is_string())
    a.unsupported("act_layer " + cfg["act_layer"].dump());
  l.aa = str(cfg["aa_layer"]);
  if (!l.aa.empty() && l.aa != "avg") a.unsupported("aa_layer " + cfg["aa_layer"].dump());
  l.attn = str(cfg["attn_layer"]), l.attn_kwargs = cfg["attn_kwargs"];
  l.self_attn = str(cfg["self_attn_layer"]), l.self_attn_kwargs = cfg["self_attn_kwargs"];
  return l;
}

// update_block_kwargs: a block cfg's attn / self_attn / block_kwargs override the model's (None keeps the model's).
void override_layers(Layers& l, Block& b, const Json& bc, const Json& cfg) {
  auto pick = [](const Json& block, const Json& model) { return !block.is_null() ? block : model.is_null() ? Json::object() : model; };
  for (auto [layer, kwargs, name] : {std::tuple{&l.attn, &l.attn_kwargs, "attn"}, {&l.self_attn, &l.self_attn_kwargs, "self_attn"}}) {
    const Json& bl = bc[std::string(name) + "_layer"];
    const Json& bk = bc[std::string(name) + "_kwargs"];
    if (bl.is_null() && bk.is_null()) continue;
    *layer = !bl.is_null() ? str(bl) : str(cfg[std::string(name) + "_layer"]);
    *kwargs = pick(bk, cfg[std::string(name) + "_kwargs"]);
  }
  b.kwargs = pick(bc["block_kwargs"], cfg["block_kwargs"]);
}

// ByoBlockCfg.gs: an int, None, or repvgg's `lambda chs, idx: chs // groups if (idx + 1) % 2 == 0 else 0`.
int64_t group_size(const Args& a, const Json& gs, int64_t chs, int64_t idx) {
  if (gs.is_null()) return 0;
  if (gs.is_number_integer()) return gs.get<int64_t>();
  if (gs.is_object() && gs.value("$lambda", "") == "lambda chs, idx: chs // groups if (idx + 1) % 2 == 0 else 0") {
    const int64_t groups = gs.at("scope").at("groups").get<int64_t>();
    if (groups <= 0) a.unsupported("group count out of range");
    return (idx + 1) % 2 == 0 ? chs / groups : 0;
  }
  a.unsupported("block group size " + gs.dump());
}

Model build(const Args& a) {
  Json cfg = a.raw("model_cfg").is_null() ? a.raw("cfg") : a.raw("model_cfg");
  if (!cfg.is_object() || cfg.value("$class", "") != "ByoModelCfg") a.unsupported("cfg is not a ByoModelCfg");
  static const std::set<std::string> own{"model_cfg", "cfg", "num_classes", "in_chans", "global_pool", "output_stride",
                                         "img_size", "drop_rate", "drop_block_rate", "drop_block_size", "drop_path_rate",
                                         "zero_init_last"};
  for (const auto& [k, v] : a.all().items())
    if (!own.contains(k)) {
      if (!cfg.contains(k) || k == "$class") a.unsupported("argument `" + k + "`");
      cfg[k] = v;
    }
  const double wf = cfg.value("width_factor", 1.0);
  const Layers base = layers(a, cfg);
  Layers stem_layers = base;
  stem_layers.aa.clear();
  Feat feat;
  if (a.has("img_size")) {
    auto s = a.ints("img_size");
    if (s.empty() || s.size() > 2) a.unsupported("img_size is not one or two integers");
    feat = {{checked(s[0], 1, 1 << 16, "img_size"), checked(s.back(), 1, 1 << 16, "img_size")}};
  } else if (cfg.value("fixed_input_size", false)) {
    a.unsupported("a fixed-input-size model needs img_size");
  }
  const Json& bl = cfg.at("blocks");
  if (!bl.is_array() || bl.size() < 2) a.unsupported("fewer than two stages (timm's drop_blocks asserts two)");
  Json chs = cfg["stem_chs"];
  if (chs.is_array()) {
    for (auto& c : chs) c = py_round(c.get<double>() * wf);
  } else {
    double c = chs.is_number() && chs.get<double>() != 0 ? chs.get<double>() : bl.at(0).is_object() ? bl[0].at("c").get<double>() : -1.0;
    if (c <= 0) a.unsupported("stem_chs");
    chs = py_round(c * wf);
  }
  for (const Json& c : chs.is_array() ? chs : Json::array({chs})) checked(c.get<int64_t>(), 1, 1 << 16, "stem_chs");
  auto root = make("ByobNet");
  const Stem st = stem(stem_layers, a, checked(a.i("in_chans"), 1, 4096, "in_chans"), chs, str(cfg["stem_type"]),
                       str(cfg["stem_pool"]));
  root->add("stem", st.m);
  const int64_t reduction = st.reduction;
  feat = reduce(feat, reduction);
  int64_t prev = st.out;
  // create_byob_stages
  const int64_t output_stride = a.i("output_stride");
  int64_t dilation = 1, net_stride = reduction;
  auto stages = make("Sequential");
  for (size_t si = 0; si < bl.size(); ++si) {
    std::vector<Json> cfgs;
    for (const Json& c : bl[si].is_array() ? bl[si] : Json::array({bl[si]}))
      for (int64_t r = 0; r < checked_count(c.at("d").get<int64_t>(), "block depth"); ++r) cfgs.push_back(c);
    if (cfgs.empty()) a.unsupported("an empty stage");
    int64_t stride = checked(cfgs[0].at("s").get<int64_t>(), 1, 8, "stage stride");
    if (net_stride >= output_stride && stride > 1) dilation *= stride, stride = 1;
    net_stride *= stride;
    int64_t first_dilation = dilation == 1 || dilation == 2 ? 1 : 2;
    auto stage = make("Sequential");
    for (size_t bi = 0; bi < cfgs.size(); ++bi) {
      const Json& bc = cfgs[bi];
      Layers l = base;
      Block b;
      b.in = prev, b.out = checked(make_divisible(bc.at("c").get<double>() * wf), 1, 1 << 16, "block channels");
      b.group_size = group_size(a, bc["gs"], b.out, static_cast<int64_t>(bi));
      b.stride = bi == 0 ? stride : 1, b.dilation = {first_dilation, dilation};
      b.bottle_ratio = bc.at("br").get<double>(), b.downsample = str(cfg["downsample"]);
      const std::string type = str(bc["type"]);
      if (type == "self_attn") b.feat_size = feat;
      override_layers(l, b, bc, cfg);
      const BlockFn* fn = find_block(type);
      if (!fn) a.unsupported("block type " + bc["type"].dump());
      stage->add(std::to_string(bi), (*fn)(l, b));
      first_dilation = dilation, prev = b.out;
      if (stride > 1 && bi == 0) feat = reduce(feat, stride);
    }
    stages->add(std::to_string(si), stage);
  }
  root->add("stages", stages);
  int64_t features = prev;
  if (const int64_t nf = cfg.value("num_features", 0)) {
    features = py_round(wf * nf);
    root->add("final_conv", base.conv_norm_act(prev, features, 1));
  } else {
    root->add("final_conv", leaf("Identity"));
  }
  const int64_t classes = a.i("num_classes");
  const std::string head = str(cfg["head_type"]), pool = a.has("global_pool") ? a.s("global_pool") : "";
  const Json& hidden = cfg["head_hidden_size"];
  if (head == "mlp") {
    if (str(cfg["norm_layer"]) != "batchnorm") a.unsupported("mlp head norm " + cfg["norm_layer"].dump());
    const int64_t hs = hidden.is_number_integer() ? hidden.get<int64_t>() : 0;
    auto h = norm_mlp_head(features, classes, batch_norm(features), hs);
    root->add("head", h);
  } else if (head == "attn_abs") {
    if (!pool.empty() && pool != "token") a.unsupported("attention pool type '" + pool + "'");
    if (!feat) a.unsupported("AttentionPool2d needs img_size");
    const int64_t embed = hidden.is_number_integer() ? hidden.get<int64_t>() : features;
    if (embed % 64) a.unsupported("AttentionPool2d embed_dim not a multiple of head_dim 64");
    auto h = make("AttentionPool2d");
    h->add("q", linear(features, embed));
    h->add("k", linear(features, embed));
    h->add("v", linear(features, embed));
    h->add("drop", leaf("Dropout"));
    h->add("proj", classes ? linear(embed, classes) : leaf("Identity"));
    h->param("pos_embed", {feat->first * feat->second + 1, features});
    root->add("head", h);
  } else if (head == "classifier" || head.empty()) {
    if (!hidden.is_null()) a.unsupported("classifier head with head_hidden_size");
    const int64_t mult = pool == "catavgmax" ? 2 : 1;
    root->add("head", classifier_head(features * mult, classes));
  } else {
    a.unsupported("head_type '" + head + "'");
  }
  return model(root);
}

MEMFIT_TIMM_CLASS({"ByobNet"}, build);

}  // namespace
}  // namespace memfit::timm::byob
