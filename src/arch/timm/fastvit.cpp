// timm FastVit (timm/models/fastvit.py) from its registered arguments: MobileOneBlock stem, FastVitStages (PatchEmbed
// of ReparamLargeKernelConv + MobileOneBlock, optional RepConditionalPosEnc, RepMixerBlocks or AttentionBlocks with
// ConvMlp and LayerScale2d), final MobileOneBlock with SE, ClassifierHead. Train-time (branched) structure by default;
// with inference_mode=True (FastVLM's vision tower) each re-parameterizable module is the single biased
// `reparam_conv` it folds into (MobileOneBlock: se, reparam_conv, act; RepMixer: reparam_conv alone).
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// ConvNormAct(apply_act=False).
ModulePtr cn(int64_t in, int64_t out, int64_t k, int64_t groups) { return timm::conv_norm_act(in, out, k, groups); }

// fastvit's LayerScale2d: gamma [dim, 1, 1] (Identity when layer_scale_init_value is None).
ModulePtr layer_scale2d(int64_t dim, bool on) { return timm::layer_scale(dim, on, "LayerScale2d", true); }

struct Mob {
  int64_t in, out, k;
  bool stride2 = false, dw = false, se = false, scale = true;
  int branches = 1;
};
thread_local bool g_inference = false;  // inference_mode of the model being built (set by build, read below)

// The reparam_conv an inference-mode module holds: Conv2d(in, out, k, groups) with a bias.
ModulePtr reparam(int64_t in, int64_t out, int64_t kh, int64_t kw, int64_t groups) {
  return conv2d(in, out, kh, kw, true, groups);
}

// MobileOneBlock: se, identity BatchNorm (in == out, stride 1), conv_kxk branches, conv_scale (k > 1), act.
ModulePtr mobileone(const Mob& b) {
  int64_t groups = b.dw ? b.in : 1;
  auto m = make("MobileOneBlock");
  m->add("se", b.se ? timm::se_module(b.out, timm::make_divisible(static_cast<double>(b.out) / 16.0, 1, 0, 0.0))
                    : leaf("Identity"));
  if (g_inference) {
    m->add("reparam_conv", reparam(b.in, b.out, b.k, b.k, groups));
    m->add("act", leaf("GELU"));
    return m;
  }
  if (b.out == b.in && !b.stride2) m->add("identity", batch_norm(b.in));
  if (b.branches > 0)
    m->add("conv_kxk", timm::seq(b.branches, [&](int64_t) { return cn(b.in, b.out, b.k, groups); }, "ModuleList"));
  if (b.k > 1 && b.scale) m->add("conv_scale", cn(b.in, b.out, 1, groups));
  m->add("act", leaf("GELU"));
  return m;
}

ModulePtr conv_mlp(int64_t dim, int64_t hidden) {
  auto mlp = make("ConvMlp");
  mlp->add("conv", cn(dim, dim, 7, dim));
  mlp->add("fc1", conv2d(dim, hidden, 1));
  mlp->add("act", leaf("GELU"));
  mlp->add("fc2", conv2d(hidden, dim, 1));
  mlp->add("drop", leaf("Dropout"));
  return mlp;
}

ModulePtr repmixer_block(int64_t dim, int64_t k, int64_t hidden, bool ls) {
  auto rm = make("RepMixer");
  if (g_inference) rm->add("reparam_conv", reparam(dim, dim, k, k, dim));
  if (!g_inference) rm->add("norm", mobileone({dim, dim, k, false, true, false, false, 0}));
  if (!g_inference) rm->add("mixer", mobileone({dim, dim, k, false, true}));
  if (!g_inference) rm->add("layer_scale", layer_scale2d(dim, ls));
  auto b = make("RepMixerBlock");
  b->add("token_mixer", rm);
  b->add("mlp", conv_mlp(dim, hidden));
  b->add("layer_scale", layer_scale2d(dim, ls));
  b->add("drop_path", leaf("Identity"));
  return b;
}

ModulePtr norm2d(const timm::Args& a, int64_t dim) {
  std::string n = a.layer("norm_layer");
  if (n == "nn.BatchNorm2d") return batch_norm(dim);
  if (n == "LayerNorm2d") return layer_norm(dim, true, "LayerNorm2d");
  a.unsupported("norm_layer " + n);
}

ModulePtr attention_block(const timm::Args& a, int64_t dim, int64_t hidden, bool ls) {
  if (dim % 32) a.unsupported("attention dim not a multiple of head_dim 32");
  auto at = make("Attention");
  at->add("qkv", linear(dim, dim * 3, false));
  at->add("attn_drop", leaf("Dropout"));
  at->add("proj", linear(dim, dim));
  at->add("proj_drop", leaf("Dropout"));
  auto b = make("AttentionBlock");
  b->add("norm", norm2d(a, dim));
  b->add("token_mixer", at);
  b->add("layer_scale_1", layer_scale2d(dim, ls));
  b->add("drop_path1", leaf("Identity"));
  b->add("mlp", conv_mlp(dim, hidden));
  b->add("layer_scale_2", layer_scale2d(dim, ls));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

ModulePtr patch_embed(int64_t in, int64_t out, int64_t k, bool se, bool lkc_act) {
  auto lk = make("ReparamLargeKernelConv");
  if (g_inference) lk->add("reparam_conv", reparam(in, out, k, k, in));
  if (!g_inference) lk->add("large_conv", cn(in, out, k, in));
  if (!g_inference) lk->add("small_conv", cn(in, out, 3, in));
  lk->add("se", se ? timm::se_module(out, timm::make_divisible(static_cast<double>(out) * 0.25, 8, 0, 0.0))
                   : leaf("Identity"));
  lk->add("act", leaf(lkc_act ? "GELU" : "Identity"));
  auto proj = make("Sequential");
  proj->add("0", lk);
  proj->add("1", mobileone({out, out, 1}));
  auto pe = make("PatchEmbed");
  pe->add("proj", proj);
  return pe;
}

// RepConditionalPosEnc (partial with spatial_shape): depthwise pos_enc conv with bias.
ModulePtr pos_emb(const timm::Args& a, const Json& v, int64_t dim) {
  if (v.is_null()) return leaf("Identity");
  if (timm::layer_name(v) != "RepConditionalPosEnc") a.unsupported("pos_embs " + timm::layer_name(v));
  std::vector<int64_t> ss{7, 7};
  if (auto kw = v.find("kwargs"); kw != v.end() && kw->contains("spatial_shape")) {
    const Json& s = (*kw)["spatial_shape"];
    if (s.is_number_integer()) ss = {s.get<int64_t>(), s.get<int64_t>()};
    else if (s.is_array() && s.size() == 2) ss = {s[0].get<int64_t>(), s[1].get<int64_t>()};
    else a.unsupported("RepConditionalPosEnc spatial_shape");
  }
  auto m = make("RepConditionalPosEnc");
  m->add(g_inference ? "reparam_conv" : "pos_enc", conv2d(dim, dim, ss[0], ss[1], true, dim));
  return m;
}

Model build(const timm::Args& a) {
  g_inference = a.b("inference_mode");
  if (a.b("fork_feat")) a.unsupported("fork_feat");
  if (a.layer("act_layer") != "nn.GELU") a.unsupported("act_layer " + a.layer("act_layer"));
  auto layers = a.ints("layers"), dims = a.ints("embed_dims");
  const size_t n = layers.size();
  const Json &mixers = a.raw("token_mixers"), &ratios = a.raw("mlp_ratios"), &downs = a.raw("downsamples"),
             &se_downs = a.raw("se_downsamples"), &pos = a.raw("pos_embs");
  for (const Json* v : {&mixers, &ratios, &downs, &se_downs, &pos})
    if (!v->is_array() || v->size() < n) a.unsupported("per-stage arguments shorter than layers");
  if (dims.size() != n || n == 0) a.unsupported("layers / embed_dims of different lengths");
  for (auto d : dims) timm::checked(d, 1, 1 << 16, "embed_dims");
  const bool ls = a.has("layer_scale_init_value"), lkc_act = a.b("lkc_use_act"), scale = a.b("stem_use_scale_branch");
  const int64_t k = a.i("repmixer_kernel_size"), dk = a.i("down_patch_size");
  auto stem = make("Sequential");
  int64_t d0 = dims[0];
  stem->add("0", mobileone({timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), d0, 3, true, false, false, scale}));
  stem->add("1", mobileone({d0, d0, 3, true, true, false, scale}));
  stem->add("2", mobileone({d0, d0, 1, false, false, false, scale}));
  auto root = make("FastVit");
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t prev = d0;
  for (size_t s = 0; s < n; ++s) {
    auto st = make("FastVitStage");
    int64_t dim = dims[s];
    bool down = downs[s].get<bool>() || prev != dim;
    st->add("downsample", down ? patch_embed(prev, dim, dk, se_downs[s].get<bool>(), lkc_act) : leaf("Identity"));
    st->add("pos_emb", pos_emb(a, pos[s], dim));
    int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * ratios[s].get<double>());
    std::string mixer = mixers[s].get<std::string>();
    if (mixer != "repmixer" && mixer != "attention") a.unsupported("token mixer " + mixer);
    st->add("blocks", timm::seq(timm::checked(layers[s], 0, 1024, "layers"), [&](int64_t) {
      return mixer == "repmixer" ? repmixer_block(dim, k, hidden, ls) : attention_block(a, dim, hidden, ls);
    }));
    stages->add(std::to_string(s), st);
    prev = dim;
  }
  root->add("stages", stages);
  int64_t final_features = static_cast<int64_t>(static_cast<double>(prev) * a.f("cls_ratio"));
  root->add("final_conv", mobileone({prev, final_features, 3, false, true, true}));
  root->add("head", timm::classifier_head(final_features, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"FastVit"}, build);

}  // namespace
}  // namespace memfit
