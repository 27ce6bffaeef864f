// LeViT: transformers' modeling_levit.py. LevitModel: patch_embeddings (four 3x3 stride-2 conv + BatchNorm2d layers,
// hidden_sizes[0] / 8 -> / 4 -> / 2 -> hidden_sizes[0], Hardswish between) and encoder.stages: per stage `depths`
// LevitResidualLayers of LevitAttention (queries_keys_values and projection as Linear + BatchNorm1d, attention_biases
// [heads, offsets] and a non-persistent int64 attention_bias_idxs [points, points]) and, with mlp_ratio > 0, of
// LevitMLPLayer (linear_up / linear_down with BatchNorm1d); the first two stages end with a LevitAttentionSubsample
// (LevitConfig.__post_init__'s down_ops: key_dim[0], hidden_sizes[i] // key_dim[0] heads, attention ratio 4, mlp
// ratio 2, stride 2) and its MLP. Heads: LevitForImageClassification (classifier: BatchNorm1d + Linear) and
// LevitForImageClassificationWithTeacher (classifier and classifier_distill), Identity for num_labels 0.
#include <algorithm>
#include <cstdlib>
#include <set>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// MLPLayerWithBN: a bias-free Linear and a BatchNorm1d.
ModulePtr linear_bn(int64_t in, int64_t out) {
  auto m = make("MLPLayerWithBN");
  m->add("linear", linear(in, out, false));
  m->add("batch_norm", batch_norm(out, "BatchNorm1d"));
  return m;
}

// The distinct attention offsets along one axis between `out` query rows (every `stride`-th) and `in` key rows.
int64_t axis_offsets(int64_t out, int64_t in, int64_t stride) {
  std::set<int64_t> seen;
  for (int64_t a = 0; a < out; ++a)
    for (int64_t b = 0; b < in; ++b) seen.insert(std::llabs(a * stride - b));
  return static_cast<int64_t>(seen.size());
}

ModulePtr residual(ModulePtr inner) {
  auto r = make("LevitResidualLayer");
  r->add("module", inner);
  return r;
}

ModulePtr mlp(int64_t h, int64_t hidden) {
  auto m = make("LevitMLPLayer");
  m->add("linear_up", linear_bn(h, hidden));
  m->add("activation", leaf("Hardswish"));
  m->add("linear_down", linear_bn(hidden, h));
  return m;
}

ModulePtr attention(int64_t h, int64_t key_dim, int64_t heads, int64_t ratio, int64_t res) {
  auto a = make("LevitAttention");
  a->add("queries_keys_values", linear_bn(h, ratio * key_dim * heads + 2 * key_dim * heads));
  a->add("activation", leaf("Hardswish"));
  a->add("projection", linear_bn(ratio * key_dim * heads, h));
  a->param("attention_biases", {heads, res * res});
  a->buffer("attention_bias_idxs", {res * res, res * res}, DType::I64, false);
  return a;
}

ModulePtr subsample(int64_t in, int64_t out, int64_t key_dim, int64_t heads, int64_t ratio, int64_t stride,
                    int64_t res_in, int64_t res_out) {
  auto a = make("LevitAttentionSubsample");
  a->add("keys_values", linear_bn(in, ratio * key_dim * heads + key_dim * heads));
  a->add("queries_subsample", leaf("LevitSubsample"));
  a->add("queries", linear_bn(in, key_dim * heads));
  a->add("activation", leaf("Hardswish"));
  a->add("projection", linear_bn(ratio * key_dim * heads, out));
  const int64_t offsets = axis_offsets(res_out, res_in, stride);
  a->param("attention_biases", {heads, offsets * offsets});
  a->buffer("attention_bias_idxs", {res_out * res_out, res_in * res_in}, DType::I64, false);
  return a;
}

ModulePtr levit_model(const Config& c, int64_t& last) {
  auto hidden = media::dims(c, "hidden_sizes", {128, 256, 384});
  auto key_dim = media::dims(c, "key_dim", {16, 16, 16});
  auto depths = media::dims(c, "depths", {4, 4, 4}, 0);
  auto heads = media::dims(c, "num_attention_heads", {4, 8, 12});
  auto att_ratio = media::dims(c, "attention_ratio", {2, 2, 2});
  auto mlp_ratio = media::dims(c, "mlp_ratio", {2, 2, 2}, 0);
  const size_t n = depths.size();
  // down_ops holds two Subsample entries and the appended [""]: a fourth stage has none (IndexError in transformers).
  media::require(c, n >= 1 && n <= 3, "depths must list 1 to 3 stages (LevitConfig's down_ops has 3 entries)");
  media::require(c, hidden.size() >= std::min<size_t>(n + 1, 3) && key_dim.size() >= n && heads.size() >= n &&
                        att_ratio.size() >= n && mlp_ratio.size() >= n,
                 "per-stage lists shorter than depths");
  media::require(c, hidden[0] >= 8, "hidden_sizes[0] below 8");
  const int64_t k = media::dim(c, "kernel_size", 3), ch = media::dim(c, "num_channels", 3);
  auto pe = make("LevitPatchEmbeddings");
  int64_t in = ch;
  for (int i = 1; i <= 4; ++i) {  // widths hidden_sizes[0] / 8, / 4, / 2, / 1
    const int64_t out = hidden[0] / (int64_t{1} << (4 - i));
    auto conv = make("LevitConvEmbeddings");
    conv->add("convolution", conv2d(in, out, k, false));
    conv->add("batch_norm", batch_norm(out));
    pe->add("embedding_layer_" + std::to_string(i), conv);
    if (i < 4) pe->add("activation_layer_" + std::to_string(i), leaf("Hardswish"));
    in = out;
  }
  int64_t res = media::dim(c, "image_size", 224) / media::dim(c, "patch_size", 16);
  media::require(c, res >= 1 && res <= 256, "image_size / patch_size out of range");
  auto stages = make("ModuleList");
  for (size_t i = 0; i < n; ++i) {
    const int64_t h = hidden[i];
    std::vector<ModulePtr> ls;
    auto attn = residual(attention(h, key_dim[i], heads[i], att_ratio[i], res));
    auto ffn = mlp_ratio[i] > 0 ? residual(mlp(h, h * mlp_ratio[i])) : nullptr;
    for (int64_t d = 0; d < depths[i]; ++d) {
      ls.push_back(attn);
      if (ffn) ls.push_back(ffn);
    }
    if (i < 2) {  // down_ops[i] = ["Subsample", key_dim[0], hidden_sizes[i] // key_dim[0], 4, 2, 2]
      const int64_t kd = key_dim[0], sub_heads = hidden[i] / key_dim[0], out = hidden[i + 1];
      media::require(c, sub_heads >= 1, "hidden_sizes smaller than key_dim[0]");
      const int64_t res_out = (res - 1) / 2 + 1;
      ls.push_back(subsample(h, out, kd, sub_heads, 4, 2, res, res_out));
      res = res_out;
      ls.push_back(residual(mlp(out, out * 2)));
    }
    auto st = make("LevitStage");
    st->add("layers", module_list(ls));
    stages->add(std::to_string(i), st);
  }
  auto enc = make("LevitEncoder");
  enc->add("stages", stages);
  auto m = make("LevitModel");
  m->add("patch_embeddings", pe);
  m->add("encoder", enc);
  last = hidden.back();  // the classifiers read hidden_sizes[-1]
  return m;
}

ModulePtr classifier(int64_t in, int64_t labels) {
  if (labels <= 0) return leaf("Identity");
  auto m = make("LevitClassificationLayer");
  m->add("batch_norm", batch_norm(in, "BatchNorm1d"));
  m->add("linear", linear(in, labels));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const std::vector<std::string> no_split{"LevitResidualLayer"};
  int64_t last = 0;
  if (cls == "LevitModel") return {levit_model(c, last), no_split};
  const bool teacher = cls == "LevitForImageClassificationWithTeacher";
  if (cls != "LevitForImageClassification" && !teacher) heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("levit", levit_model(c, last));
  const int64_t labels = heads::num_labels(c);
  root->add("classifier", classifier(last, labels));
  if (teacher) root->add("classifier_distill", classifier(last, labels));
  return {root, no_split};
}

MEMFIT_FAMILY({"levit"}, "Levit", build);

}  // namespace
}  // namespace memfit
