// timm SwinTransformer (timm/models/swin_transformer.py) from its registered arguments: PatchEmbed (+norm),
// SwinTransformerStages (PatchMerging downsample, SwinTransformerBlocks with WindowAttention's
// relative_position_bias_table / index and the shifted blocks' attn_mask buffer), norm, ClassifierHead. The window
// may differ per stage (swin_s3); a window larger than the stage's resolution shrinks to it and drops the shift.
#include <algorithm>
#include <array>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

using Pair = std::array<int64_t, 2>;

ModulePtr swin_block(const timm::Args& a, int64_t dim, int64_t heads, int64_t head_dim, int64_t hidden, Pair res,
                     Pair window, bool shifted) {
  Pair win{}, shift{};
  for (int k = 0; k < 2; ++k) {
    bool part = a.b("always_partition");
    win[k] = part ? window[k] : std::min(res[k], window[k]);
    shift[k] = shifted && (part || res[k] > win[k]) ? window[k] / 2 : 0;
  }
  int64_t area = win[0] * win[1], attn_dim = head_dim * heads;
  auto at = make("WindowAttention");
  at->param("relative_position_bias_table", {(2 * win[0] - 1) * (2 * win[1] - 1), heads});
  at->buffer("relative_position_index", {area, area}, DType::I64, false);
  at->add("qkv", linear(dim, attn_dim * 3, a.b("qkv_bias")));
  at->add("attn_drop", leaf("Dropout"));
  at->add("proj", linear(attn_dim, dim));
  at->add("proj_drop", leaf("Dropout"));
  at->add("softmax", leaf("Softmax"));
  auto b = make("SwinTransformerBlock");
  b->add("norm1", timm::norm(a, a.layer("norm_layer"), dim));
  b->add("attn", at);
  b->add("drop_path1", leaf("DropPath"));
  b->add("norm2", timm::norm(a, a.layer("norm_layer"), dim));
  b->add("mlp", timm::mlp(dim, hidden, dim));
  b->add("drop_path2", leaf("DropPath"));
  if ((shift[0] || shift[1]) && a.b("strict_img_size")) {
    int64_t h = (res[0] + win[0] - 1) / win[0], w = (res[1] + win[1] - 1) / win[1];
    b->buffer("attn_mask", {h * w, area, area}, DType::F32, false);
  }
  return b;
}

// A per-stage list from an int or list argument (window_size: a two-element list is one (h, w) for every stage).
std::vector<Pair> windows(const timm::Args& a, size_t n) {
  const Json& w = a.raw("window_size");
  std::vector<Pair> out;
  auto pair = [&](const Json& v) -> Pair {
    auto w = [](const Json& x) { return timm::checked(x.get<int64_t>(), 1, 1 << 10, "window_size"); };
    if (v.is_number_integer()) return {w(v), w(v)};
    if (v.is_array() && v.size() == 2) return {w(v[0]), w(v[1])};
    a.unsupported("window_size");
  };
  if (w.is_array() && w.size() == 2 && n != 2 && w[0].is_number()) return std::vector<Pair>(n, pair(w));
  if (!w.is_array()) return std::vector<Pair>(n, pair(w));
  if (w.size() != n) a.unsupported("window_size length");
  for (const auto& v : w) out.push_back(pair(v));
  return out;
}

Model build(const timm::Args& a) {
  if (a.layer("embed_layer") != "PatchEmbed") a.unsupported("embed_layer " + a.layer("embed_layer"));
  auto depths = a.ints("depths"), heads = a.ints("num_heads"), img = a.ints("img_size");
  size_t n = depths.size();
  if (img.size() == 1) img.push_back(img[0]);
  if (n == 0 || heads.size() != n || img.size() != 2) a.unsupported("depths / num_heads / img_size");
  std::vector<int64_t> dims;
  if (a.raw("embed_dim").is_array()) dims = a.ints("embed_dim");
  else for (size_t i = 0; i < n; ++i) dims.push_back(a.i("embed_dim") << i);
  if (dims.size() != n) a.unsupported("embed_dim length");
  auto win = windows(a, n);
  int64_t patch = timm::checked(a.i("patch_size"), 1, 1 << 10, "patch_size");
  Pair grid{img[0] / patch, img[1] / patch};
  auto root = make("SwinTransformer");
  auto pe = make("PatchEmbed");
  pe->add("proj", conv2d(a.i("in_chans"), dims[0], patch));
  pe->add("norm", timm::norm(a, a.layer("norm_layer"), dims[0]));
  root->add("patch_embed", pe);
  auto layers = make("Sequential");
  int64_t in = dims[0], scale = 1;
  for (size_t i = 0; i < n; ++i) {
    int64_t out = timm::checked(dims[i], 1, 1 << 16, "embed_dim"), h = timm::checked(heads[i], 1, out, "num_heads");
    const Json& hd = a.raw("head_dim");
    int64_t head_dim = hd.is_array() ? hd.at(i).get<int64_t>() : (hd.is_number_integer() && hd.get<int64_t>() ? hd.get<int64_t>() : out / h);
    timm::checked(head_dim, 1, 1 << 12, "head_dim");
    const Json& mr = a.raw("mlp_ratio");
    int64_t hidden = static_cast<int64_t>(static_cast<double>(out) * (mr.is_array() ? mr.at(i).get<double>() : mr.get<double>()));
    auto st = make("SwinTransformerStage");
    if (i > 0) {
      auto pm = make("PatchMerging");
      pm->add("norm", timm::norm(a, a.layer("norm_layer"), 4 * in));
      pm->add("reduction", linear(4 * in, out, false));
      st->add("downsample", pm);
    } else {
      st->add("downsample", leaf("Identity"));
    }
    Pair res{grid[0] / scale, grid[1] / scale};
    if (i > 0) res = {res[0] / 2, res[1] / 2};
    timm::checked(std::min(res[0], res[1]), 1, 1 << 16, "img_size / patch_size / 2^stage");
    auto even = swin_block(a, out, h, head_dim, hidden, res, win[i], false);
    auto odd = swin_block(a, out, h, head_dim, hidden, res, win[i], true);
    st->add("blocks", timm::seq(timm::checked(depths[i], 0, 1024, "depths"), [&](int64_t k) { return k % 2 ? odd : even; }));
    layers->add(std::to_string(i), st);
    in = out;
    if (i > 0) scale *= 2;
  }
  root->add("layers", layers);
  root->add("norm", timm::norm(a, a.layer("norm_layer"), in));
  root->add("head", timm::classifier_head(in, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"SwinTransformer"}, build);

}  // namespace
}  // namespace memfit
