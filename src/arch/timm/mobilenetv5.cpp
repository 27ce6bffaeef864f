// timm's MobileNetV5Encoder (timm/models/mobilenetv5.py, blocks from _efficientnet_blocks.py): RmsNorm2d norms,
// layer scale 1e-5 on UIR and attention blocks, multi-scale fusion of the last two stages.
#include "arch/timm/mobilenetv5.h"

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

}  // namespace memfit
