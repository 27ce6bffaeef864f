// timm VovNet (timm/models/vovnet.py) from its registered model_cfg: stem of three ConvNormAct (or separable)
// convs, four OsaStages (max-pool, OsaBlocks: optional 1x1 reduction, layer_per_block 3x3 convs whose outputs are
// concatenated with the input into a 1x1 ConvNormAct, ESE / ECA attention on the stage's last block), ClassifierHead.
#include <cmath>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr separable(int64_t in, int64_t out) {
  auto m = make("SeparableConvNormAct");
  m->add("conv_dw", conv2d(in, in, 3, false, in));
  m->add("conv_pw", conv2d(in, out, 1, false));
  m->add("bn", timm::bn_act(out));
  return m;
}

ModulePtr attn(const timm::Args& a, const std::string& kind, int64_t chs) {
  if (kind == "ese") {
    auto m = make("EffectiveSEModule");
    m->add("fc", conv2d(chs, chs, 1));
    m->add("gate", leaf("Hardsigmoid"));
    return m;
  }
  if (kind != "eca") a.unsupported("attn " + kind);
  int64_t t = static_cast<int64_t>(std::abs(std::log2(static_cast<double>(chs)) + 1) / 2);
  auto m = make("EcaModule");
  auto conv = make("Conv1d");
  conv->param("weight", {1, 1, std::max<int64_t>(t % 2 ? t : t + 1, 3)});
  m->add("conv", conv);
  m->add("gate", leaf("Sigmoid"));
  return m;
}

// ese_vovnet39b_evos passes its local `norm_act_fn`, create_norm_act_layer('evonorms0', ...): every BatchNormAct2d
// becomes an EvoNorm2dS0 with its activation (weight, bias, v; no running stats).
void to_evonorm(Module& m) {
  for (auto& [name, c] : m.children) {
    if (c->cls == "BatchNormAct2d") {
      int64_t n = c->params.front().second.shape[0];
      auto e = make("EvoNorm2dS0");
      e->param("weight", {n}).param("bias", {n}).param("v", {n});
      c = e;
    } else {
      to_evonorm(*c);
    }
  }
}

Model build(const timm::Args& a) {
  bool evos = a.layer("norm_layer") == "norm_act_fn";
  if (a.layer("norm_layer") != "BatchNormAct2d" && !evos) a.unsupported("norm_layer " + a.layer("norm_layer"));
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  const Json& cfg = a.raw("model_cfg");
  if (!cfg.is_object()) a.unsupported("model_cfg is not an object");
  auto ints = [&](const char* k) { return cfg.at(k).get<std::vector<int64_t>>(); };
  auto stem_chs = ints("stem_chs"), conv_chs = ints("stage_conv_chs"), out_chs = ints("stage_out_chs");
  auto blocks_per = ints("block_per_stage");
  int64_t layers = timm::checked(cfg.at("layer_per_block").get<int64_t>(), 1, 64, "layer_per_block");
  bool dw = cfg.at("depthwise").get<bool>();  // `residual` adds no tensors
  std::string at = cfg.value("attn", std::string());
  int64_t stem_stride = cfg.value("stem_stride", int64_t{4});
  if (stem_chs.size() != 3 || conv_chs.size() != 4 || out_chs.size() != 4 || blocks_per.size() != 4)
    a.unsupported("model_cfg is not three stem convs and four stages");

  auto root = make("VovNet");
  auto stem = make("Sequential");
  stem->add("0", timm::conv_norm_act(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), stem_chs[0], 3));
  stem->add("1", dw ? separable(stem_chs[0], stem_chs[1]) : timm::conv_norm_act(stem_chs[0], stem_chs[1], 3));
  stem->add("2", dw ? separable(stem_chs[1], stem_chs[2]) : timm::conv_norm_act(stem_chs[1], stem_chs[2], 3));
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t in = stem_chs[2];
  for (int s = 0; s < 4; ++s) {
    int64_t mid = conv_chs[s], out = out_chs[s];
    auto st = make("OsaStage");
    if (stem_stride == 2 || s > 0) st->add("pool", leaf("MaxPool2d"));
    st->add("blocks", timm::seq(timm::checked(blocks_per[s], 1, 64, "block_per_stage"), [&](int64_t i) {
               auto b = make("OsaBlock");
               if (dw && in != mid) b->add("conv_reduction", timm::conv_norm_act(in, mid, 1));
               auto convs = make("SequentialAppendList");
               for (int64_t k = 0; k < layers; ++k)
                 convs->add(std::to_string(k), dw ? separable(mid, mid) : timm::conv_norm_act(k ? mid : in, mid, 3));
               b->add("conv_mid", convs);
               b->add("conv_concat", timm::conv_norm_act(in + layers * mid, out, 1));
               if (!at.empty() && i + 1 == blocks_per[s]) b->add("attn", attn(a, at, out));
               in = out;
               return b;
             }));
    stages->add(std::to_string(s), st);
  }
  root->add("stages", stages);
  root->add("head", timm::classifier_head(in, a.i("num_classes")));
  if (evos) to_evonorm(*root);
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"VovNet"}, build);

}  // namespace
}  // namespace memfit
