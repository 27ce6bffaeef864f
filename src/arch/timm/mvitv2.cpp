// timm MultiScaleVit (timm/models/mvitv2.py) from its registered MultiScaleVitCfg: PatchEmbed conv, optional
// cls_token / pos_embed, MultiScaleVitStages of MultiScaleBlocks (norm1, shortcut projection / max-pool, pooled
// MultiScaleAttention with depthwise conv pooling + norms and spatial rel_pos_h / rel_pos_w, norm2, Mlp), norm, head.
#include <array>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

using Pair = std::array<int64_t, 2>;

Pair pair_of(const timm::Args& a, const Json& v, const char* what) {
  if (v.is_number_integer() && v >= 1 && v <= 1024) return {v.get<int64_t>(), v.get<int64_t>()};
  if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer() && v[0] >= 1 &&
      v[1] >= 1 && v[0] <= 1024 && v[1] <= 1024)
    return {v[0].get<int64_t>(), v[1].get<int64_t>()};
  a.unsupported(std::string("MultiScaleVitCfg ") + what + " is not a pair of sizes in 1..1024");
}

struct Cfg {
  std::vector<int64_t> depths, dims, heads;
  std::vector<Pair> stride_q, stride_kv;
  Pair kernel, patch_kernel, patch_stride;
  double mlp_ratio;
  bool expand_attn, qkv_bias, cls, abs_pos, pool_first;
  std::string mode, rel_pos;
};

// MultiScaleVitCfg with its __post_init__: per-stage dims / heads doubling, stride_kv from stride_kv_adaptive.
Cfg read_cfg(const timm::Args& a) {
  const Json& c = a.raw("model_cfg");
  if (!c.is_object()) a.unsupported("no MultiScaleVitCfg");
  auto get = [&](const char* k) -> const Json& {
    static const Json null;
    auto it = c.find(k);
    return it == c.end() ? null : *it;
  };
  Cfg f;
  for (const auto& d : get("depths")) f.depths.push_back(timm::checked(d.get<int64_t>(), 0, 1024, "depths"));
  const size_t n = f.depths.size();
  if (n == 0) a.unsupported("no stages");
  auto per_stage = [&](const char* k, std::vector<int64_t>& out) {
    const Json& v = get(k);
    if (v.is_array()) {
      for (const auto& x : v) out.push_back(x.get<int64_t>());
    } else {
      for (size_t i = 0; i < n; ++i) out.push_back(v.get<int64_t>() << i);
    }
    if (out.size() != n) a.unsupported(std::string(k) + " of a different length than depths");
  };
  per_stage("embed_dim", f.dims);
  per_stage("num_heads", f.heads);
  for (size_t i = 0; i < n; ++i)
    timm::checked(f.heads[i], 1, timm::checked(f.dims[i], 1, 1 << 16, "embed_dim"), "num_heads");
  const Json& sq = get("stride_q");
  if (!sq.is_array() || sq.size() != n) a.unsupported("stride_q");
  for (const auto& s : sq) f.stride_q.push_back(pair_of(a, s, "stride_q"));
  if (const Json& skv = get("stride_kv"); !skv.is_null()) {
    if (!skv.is_array() || skv.size() != n) a.unsupported("stride_kv");
    for (const auto& s : skv) f.stride_kv.push_back(pair_of(a, s, "stride_kv"));
  } else if (const Json& ad = get("stride_kv_adaptive"); !ad.is_null()) {
    Pair kv = pair_of(a, ad, "stride_kv_adaptive");
    for (size_t i = 0; i < n; ++i) {
      if (std::min(f.stride_q[i][0], f.stride_q[i][1]) > 1)
        for (int d = 0; d < 2; ++d) kv[d] = std::max<int64_t>(kv[d] / f.stride_q[i][d], 1);
      f.stride_kv.push_back(kv);
    }
  } else {
    a.unsupported("neither stride_kv nor stride_kv_adaptive");
  }
  f.kernel = pair_of(a, get("kernel_qkv"), "kernel_qkv");
  f.patch_kernel = pair_of(a, get("patch_kernel"), "patch_kernel");
  f.patch_stride = pair_of(a, get("patch_stride"), "patch_stride");
  f.mlp_ratio = get("mlp_ratio").get<double>();
  f.expand_attn = get("expand_attn").get<bool>();
  f.qkv_bias = get("qkv_bias").get<bool>();
  f.cls = get("use_cls_token").get<bool>();
  f.abs_pos = get("use_abs_pos").get<bool>();
  f.pool_first = get("pool_first").get<bool>();
  f.mode = get("mode").get<std::string>();
  f.rel_pos = get("rel_pos_type").get<std::string>();
  if (f.mode != "conv" && f.mode != "conv_unshared" && f.mode != "max" && f.mode != "avg")
    a.unsupported("mode " + f.mode);
  if (get("norm_layer") != "layernorm") a.unsupported("norm_layer " + get("norm_layer").dump());
  return f;
}

// MultiScaleAttention / MultiScaleAttentionPoolFirst over (dim -> dim_out) at feature size `size`.
ModulePtr attention(const Cfg& f, int64_t dim, int64_t dim_out, int64_t heads, int64_t size, Pair sq, Pair skv) {
  auto m = make(f.pool_first ? "MultiScaleAttentionPoolFirst" : "MultiScaleAttention");
  if (f.pool_first) {
    for (const char* k : {"q", "k", "v"}) m->add(k, linear(dim, dim_out, f.qkv_bias));
  } else {
    m->add("qkv", linear(dim, dim_out * 3, f.qkv_bias));
  }
  m->add("proj", linear(dim_out, dim_out));
  bool has_q = !(f.kernel[0] * f.kernel[1] == 1 && sq[0] * sq[1] == 1);
  bool has_kv = !(f.kernel[0] * f.kernel[1] == 1 && skv[0] * skv[1] == 1);
  bool conv = f.mode.starts_with("conv");
  int64_t base = f.pool_first ? dim : dim_out, dc = f.mode == "conv" ? base / heads : base;
  std::string pool = f.mode == "max" ? "MaxPool2d" : "AvgPool2d";
  auto pooled = [&](const char* p, const char* nm) {
    m->add(p, conv ? conv2d(dc, dc, f.kernel[0], f.kernel[1], false, dc) : leaf(pool));
    if (conv) m->add(nm, layer_norm(dc));
  };
  if (has_q) pooled("pool_q", "norm_q");
  if (has_kv) {
    pooled("pool_k", "norm_k");
    pooled("pool_v", "norm_v");
  }
  if (f.rel_pos == "spatial") {
    int64_t rel = 2 * std::max(size / sq[1], size / skv[1]) - 1;
    m->param("rel_pos_h", {rel, dim_out / heads});
    m->param("rel_pos_w", {rel, dim_out / heads});
  }
  return m;
}

ModulePtr block(const Cfg& f, int64_t dim, int64_t dim_out, int64_t heads, int64_t size, Pair sq, Pair skv) {
  bool proj = dim != dim_out;
  int64_t att = f.expand_attn ? dim_out : dim;
  auto b = make("MultiScaleBlock");
  b->add("norm1", layer_norm(dim));
  if (proj && f.expand_attn) b->add("shortcut_proj_attn", linear(dim, dim_out));
  if (sq[0] * sq[1] > 1) b->add("shortcut_pool_attn", leaf("MaxPool2d"));
  b->add("attn", attention(f, dim, att, heads, size, sq, skv));
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(att));
  if (proj && !f.expand_attn) b->add("shortcut_proj_mlp", linear(dim, dim_out));
  b->add("mlp", timm::mlp(att, static_cast<int64_t>(static_cast<double>(att) * f.mlp_ratio), dim_out));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  Cfg f = read_cfg(a);
  auto img = a.ints("img_size");
  if (img.size() == 1) img.push_back(img[0]);
  const size_t n = f.depths.size();
  int64_t dim = f.dims[0];
  auto root = make("MultiScaleVit");
  auto pe = make("PatchEmbed");
  const int64_t in = timm::checked(a.i("in_chans"), 1, 4096, "in_chans");
  pe->add("proj", conv2d(in, dim, f.patch_kernel[0], f.patch_kernel[1]));
  root->add("patch_embed", pe);
  int64_t fh = img.at(0) / f.patch_stride[0], fw = img.at(1) / f.patch_stride[1];
  if (f.rel_pos == "spatial" && fh != fw) a.unsupported("spatial rel_pos on a non-square image");
  if (f.cls) root->param("cls_token", {1, 1, dim});
  if (f.abs_pos) root->param("pos_embed", {1, fh * fw + (f.cls ? 1 : 0), dim});
  auto stages = make("ModuleList");
  for (size_t i = 0; i < n; ++i) {
    int64_t out = f.expand_attn ? f.dims[i] : f.dims[std::min(i + 1, n - 1)];
    auto st = make("MultiScaleVitStage");
    auto blocks = make("ModuleList");
    for (int64_t k = 0; k < f.depths[i]; ++k) {
      int64_t bo = (f.expand_attn || k == f.depths[i] - 1) ? out : dim;
      Pair sq = k == 0 ? f.stride_q[i] : Pair{1, 1};
      blocks->add(std::to_string(k), block(f, dim, bo, f.heads[i], fh, sq, f.stride_kv[i]));
      dim = bo;
      if (k == 0) fh /= f.stride_q[i][0], fw /= f.stride_q[i][1];
    }
    st->add("blocks", blocks);
    stages->add(std::to_string(i), st);
    dim = out;
  }
  root->add("stages", stages);
  root->add("norm", layer_norm(dim));
  auto head = make("Sequential");
  head->add("drop", leaf("Dropout"));
  head->add("fc", timm::fc_or_identity(dim, a.i("num_classes")));
  root->add("head", head);
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"MultiScaleVit"}, build);

}  // namespace
}  // namespace memfit
