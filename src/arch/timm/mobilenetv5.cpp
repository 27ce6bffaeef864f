// timm's MobileNetV5Encoder (timm/models/mobilenetv5.py, blocks from _efficientnet_blocks.py): RmsNorm2d norms,
// layer scale 1e-5 on UIR and attention blocks, multi-scale fusion of the last two stages. Also the MobileNetV5
// classifier class from its registered arguments (the efficientnet builder's stages, msfa, pool, classifier).
#include "arch/timm/mobilenetv5.h"

#include "arch/timm/effnet_builder.h"

#include <string>
#include <vector>

#include "arch/blocks.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr norm2d(int64_t c) { return rms_norm("RmsNorm2d", c); }

ModulePtr conv(int64_t in, int64_t out, int64_t k, int64_t groups = 1) { return conv2d(in, out, k, false, groups); }

// ConvNormAct: conv (no bias) + RmsNorm2d.
ModulePtr conv_norm(int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  auto m = make("ConvNormAct");
  m->add("conv", conv(in, out, k, groups));
  m->add("bn", norm2d(out));
  return m;
}

ModulePtr layer_scale(int64_t c) {
  auto m = make("LayerScale2d");
  m->param("gamma", {c});
  return m;
}

// UniversalInvertedResidual: optional depthwise start, pointwise expansion, optional depthwise mid, projection.
ModulePtr uir(int64_t in, int64_t out, int64_t dw_start, int64_t dw_mid, double exp, bool scale) {
  int64_t mid = static_cast<int64_t>(in * exp);
  mid = std::max<int64_t>(8, (mid + 4) / 8 * 8);
  auto m = make("UniversalInvertedResidual");
  if (dw_start) m->add("dw_start", conv_norm(in, in, dw_start, in));
  m->add("pw_exp", conv_norm(in, mid, 1));
  if (dw_mid) m->add("dw_mid", conv_norm(mid, mid, dw_mid, mid));
  m->add("pw_proj", conv_norm(mid, out, 1));
  if (scale) m->add("layer_scale", layer_scale(out));
  return m;
}

// EdgeResidual: full 3x3 expansion conv, then pointwise projection.
ModulePtr edge_residual(int64_t in, int64_t out, int64_t k, int64_t exp) {
  auto m = make("EdgeResidual");
  m->add("conv_exp", conv(in, in * exp, k));
  m->add("bn1", norm2d(in * exp));
  m->add("conv_pwl", conv(in * exp, out, 1));
  m->add("bn2", norm2d(out));
  return m;
}

// MobileAttention with MultiQueryAttention2d: one key/value head, keys/values optionally downsampled by a strided
// depthwise conv + norm.
ModulePtr mqa(int64_t in, int64_t out, int64_t heads, int64_t dim, int64_t kv_stride, int64_t k) {
  auto a = make("MultiQueryAttention2d");
  auto query = make("Sequential");
  query->add("proj", conv(in, heads * dim, 1));
  a->add("query", query);
  for (const char* n : {"key", "value"}) {
    auto s = make("Sequential");
    if (kv_stride > 1) {
      s->add("down_conv", conv(in, in, k, in));
      s->add("norm", norm2d(in));
    }
    s->add("proj", conv(in, dim, 1));
    a->add(n, s);
  }
  auto output = make("Sequential");
  output->add("proj", conv(heads * dim, out, 1));
  a->add("output", output);
  auto m = make("MobileAttention");
  m->add("norm", norm2d(in));
  m->add("attn", a);
  m->add("layer_scale", layer_scale(out));
  return m;
}

struct Block {
  char type;  // 'e' EdgeResidual, 'u' UIR, 'm' MobileAttention
  int64_t a, k, e, c, h = 0, d = 0, v = 1;
};

// The mobilenetv5_300m arch_def, stage by stage (er_k3_e4_c128; uir_a*_k*_e*_c*; mqa_k3_h*_v*_d*_c*).
std::vector<std::vector<Block>> arch_300m() {
  std::vector<std::vector<Block>> s(4);
  s[0] = {{'e', 0, 3, 4, 128}, {'e', 0, 3, 4, 128}, {'e', 0, 3, 4, 128}};
  s[1] = {{'u', 3, 5, 6, 256}, {'u', 5, 0, 4, 256}, {'u', 3, 0, 4, 256}, {'u', 5, 0, 4, 256}, {'u', 3, 0, 4, 256}};
  s[2] = {{'u', 5, 5, 6, 640}};
  for (int i = 0; i < 7; ++i) s[2].push_back({'u', 5, 0, 4, 640});
  s[2].push_back({'u', 0, 0, 1, 640});
  for (int i = 0; i < 14; ++i) {
    s[2].push_back({'m', 0, 3, 0, 640, 12, 64, 2});
    s[2].push_back({'u', 0, 0, 2, 640});
  }
  s[3] = {{'u', 5, 5, 6, 1280}};
  for (int i = 0; i < 19; ++i) {
    s[3].push_back({'m', 0, 3, 0, 1280, 16, 96, 1});
    s[3].push_back({'u', 0, 0, 2, 1280});
  }
  return s;
}

}  // namespace

ModulePtr mobilenetv5_encoder(std::string_view arch) {
  if (!arch.starts_with("mobilenetv5_300m")) return nullptr;
  auto stem = make("ConvNormAct");
  stem->add("conv", conv2d(3, 64, 3, true));
  stem->add("bn", norm2d(64));
  int64_t in = 64;
  std::vector<ModulePtr> stages;
  std::vector<int64_t> stage_out;
  for (const auto& stage : arch_300m()) {
    std::vector<ModulePtr> bs;
    for (const Block& b : stage) {
      if (b.type == 'e') bs.push_back(edge_residual(in, b.c, b.k, b.e));
      else if (b.type == 'u') bs.push_back(uir(in, b.c, b.a, b.k, static_cast<double>(b.e), true));
      else bs.push_back(mqa(in, b.c, b.h, b.d, b.v, b.k));
      in = b.c;
    }
    stages.push_back(module_list(std::move(bs), "Sequential"));
    stage_out.push_back(in);
  }
  // MobileNetV5MultiScaleFusionAdapter over the last two stages: a UIR (no depthwise convs, expansion 2) + norm.
  int64_t fused = stage_out[2] + stage_out[3], out = 2048;
  auto msfa = make("MobileNetV5MultiScaleFusionAdapter");
  msfa->add("ffn", uir(fused, out, 0, 0, 2.0, false));
  msfa->add("norm", norm2d(out));
  auto m = make("MobileNetV5Encoder");
  m->add("conv_stem", stem);
  m->add("blocks", module_list(std::move(stages), "Sequential"));
  m->add("msfa", msfa);
  return m;
}

namespace {

// MobileNetV5 (timm class): ConvNormAct conv_stem (bias), the builder's blocks, then either the
// MobileNetV5MultiScaleFusionAdapter over the msfa_indices features (a UIR ffn + norm) or conv_head + norm_head;
// global_pool, flatten, classifier.
Model build_class(const timm::Args& a) {
  timm::EffnetBuilder b(a);
  int64_t stem = a.b("fix_stem") ? a.i("stem_size") : b.round_chs(static_cast<double>(a.i("stem_size")));
  auto root = make("MobileNetV5");
  auto cs = make("ConvNormAct");
  cs->add("conv", conv2d(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), stem, 3, a.b("stem_bias")));
  cs->add("bn", b.norm_act(stem));
  root->add("conv_stem", cs);
  auto stages = b.build(stem);
  root->add("blocks", stages);
  int64_t nf = timm::checked(a.i("num_features"), 1, 1 << 20, "num_features");
  if (a.b("use_msfa")) {
    // feature_info: the stem when the first block is strided, then each stage followed by a strided one (and the last).
    std::vector<int64_t> feats;
    if (!b.stage_stride.empty() && b.stage_stride[0] > 1) feats.push_back(stem);
    for (size_t i = 0; i < b.stage_out.size(); ++i)
      if (i + 1 == b.stage_out.size() || b.stage_stride[i + 1] > 1) feats.push_back(b.stage_out[i]);
    int64_t in = 0;
    for (const auto& j : a.raw("msfa_indices")) {
      int64_t idx = j.get<int64_t>();
      if (idx < 0) idx += static_cast<int64_t>(feats.size());
      if (idx < 0 || idx >= static_cast<int64_t>(feats.size())) a.unsupported("msfa_indices out of range");
      in += feats[idx];
    }
    int64_t mid = timm::make_divisible(static_cast<double>(in) * 2.0);
    auto ffn = make("UniversalInvertedResidual");
    ffn->add("dw_start", leaf("Identity"));
    auto pw_exp = make("ConvNormAct");
    pw_exp->add("conv", conv2d(in, mid, 1, false));
    pw_exp->add("bn", b.norm_act(mid));
    ffn->add("pw_exp", pw_exp);
    ffn->add("dw_mid", leaf("Identity"));
    ffn->add("se", leaf("Identity"));
    auto pw_proj = make("ConvNormAct");
    pw_proj->add("conv", conv2d(mid, nf, 1, false));
    pw_proj->add("bn", b.norm_act(nf, false));
    ffn->add("pw_proj", pw_proj);
    ffn->add("dw_end", leaf("Identity"));
    ffn->add("layer_scale", leaf("Identity"));
    ffn->add("drop_path", leaf("Identity"));
    auto msfa = make("MobileNetV5MultiScaleFusionAdapter");
    msfa->add("ffn", ffn);
    msfa->add("norm", b.norm(nf));
    root->add("msfa", msfa);
    root->add("global_pool", timm::select_pool());
  } else {
    root->add("global_pool", timm::select_pool());
    root->add("conv_head", conv2d(b.in_chs, nf, 1, false));
    root->add("norm_head", b.norm_act(nf));
  }
  root->add("flatten", leaf("Flatten"));
  root->add("classifier", timm::fc_or_identity(nf, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"MobileNetV5"}, build_class);

}  // namespace
}  // namespace memfit
