// CvT: transformers' modeling_cvt.py. Stages of a conv patch embedding (Conv2d + LayerNorm) and layers whose
// attention projects q/k/v through depth-wise conv + BatchNorm projections ("dw_bn") before the Linear
// projections; a cls token joins the stages that set cls_token. Per-stage settings are lists in the config.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// The per-stage list `key` at `i` (a bool/number/string list as CvtConfig keeps them), or `def`.
const Json& stage_value(const Config& c, std::string_view key, size_t i) {
  const Json& raw = c.raw();
  auto it = raw.find(key);
  if (it == raw.end() || !it->is_array() || it->size() <= i) c.missing(key);
  return (*it)[i];
}

ModulePtr projection(const Config& c, int64_t dim, int64_t k, const std::string& method) {
  auto p = make("CvtSelfAttentionProjection");
  if (method == "dw_bn") {
    media::require(c, k <= 64, "kernel_qkv out of range");
    auto conv = make("CvtSelfAttentionConvProjection");
    conv->add("convolution", conv2d(dim, dim, k, false, dim));
    conv->add("normalization", batch_norm(dim));
    p->add("convolution_projection", conv);
  }
  p->add("linear_projection", leaf("CvtSelfAttentionLinearProjection"));
  return p;
}

ModulePtr cvt_layer(const Config& c, size_t s, int64_t dim, bool dp) {
  int64_t k = stage_value(c, "kernel_qkv", s).get<int64_t>();
  std::string method = stage_value(c, "qkv_projection_method", s).get<std::string>();
  bool bias = stage_value(c, "qkv_bias", s).get<bool>();
  double ratio = stage_value(c, "mlp_ratio", s).get<double>();
  int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * ratio);
  media::require(c, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  auto self = make("CvtSelfAttention");
  self->add("convolution_projection_query", projection(c, dim, k, method == "avg" ? "linear" : method));
  self->add("convolution_projection_key", projection(c, dim, k, method));
  self->add("convolution_projection_value", projection(c, dim, k, method));
  self->add("projection_query", linear(dim, dim, bias));
  self->add("projection_key", linear(dim, dim, bias));
  self->add("projection_value", linear(dim, dim, bias));
  self->add("dropout", leaf("Dropout"));
  auto out = make("CvtSelfOutput");
  out->add("dense", linear(dim, dim));
  out->add("dropout", leaf("Dropout"));
  auto attn = make("CvtAttention");
  attn->add("attention", self);
  attn->add("output", out);
  auto im = make("CvtIntermediate");
  im->add("dense", linear(dim, hidden));
  im->add("activation", leaf("GELU"));
  auto o = make("CvtOutput");
  o->add("dense", linear(hidden, dim));
  o->add("dropout", leaf("Dropout"));
  auto l = make("CvtLayer");
  l->add("attention", attn);
  l->add("intermediate", im);
  l->add("output", o);
  l->add("drop_path", leaf(dp ? "CvtDropPath" : "Identity"));
  l->add("layernorm_before", layer_norm(dim));
  l->add("layernorm_after", layer_norm(dim));
  return l;
}

ModulePtr cvt_model(const Config& c, int64_t& last) {
  auto depth = media::dims(c, "depth", {1, 2, 10}, 0);
  auto embed = media::dims(c, "embed_dim", {64, 192, 384});
  auto patch = media::dims(c, "patch_sizes", {7, 3, 3});
  media::require(c, !depth.empty() && embed.size() >= depth.size() && patch.size() >= depth.size(),
                 "per-stage lists shorter than depth");
  auto stages = make("ModuleList");
  for (size_t s = 0; s < depth.size(); ++s) {
    auto st = make("CvtStage");
    if (stage_value(c, "cls_token", s).get<bool>()) st->param("cls_token", {1, 1, embed.back()});
    auto conv = make("CvtConvEmbeddings");
    conv->add("projection", conv2d(s == 0 ? media::dim(c, "num_channels", 3) : embed[s - 1], embed[s], patch[s]));
    conv->add("normalization", layer_norm(embed[s]));
    auto emb = make("CvtEmbeddings");
    emb->add("convolution_embeddings", conv);
    emb->add("dropout", leaf("Dropout"));
    st->add("embedding", emb);
    // Every layer of a stage takes drop_path_rates[stage] of the stage's linspace (as the modeling code indexes).
    double rate = stage_value(c, "drop_path_rate", s).get<double>();
    bool dp = depth[s] > 1 && s < static_cast<size_t>(depth[s]) && rate * static_cast<double>(s) > 0;
    auto seq = make("Sequential");
    auto layer = cvt_layer(c, s, embed[s], dp);
    for (int64_t j = 0; j < depth[s]; ++j) seq->add(std::to_string(j), layer);
    st->add("layers", seq);
    stages->add(std::to_string(s), st);
  }
  auto enc = make("CvtEncoder");
  enc->add("stages", stages);
  auto m = make("CvtModel");
  m->add("encoder", enc);
  last = embed[depth.size() - 1];
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"CvtLayer"};
  int64_t last = 0;
  if (cls == "CvtModel") return {cvt_model(c, last), no_split};
  if (cls != "CvtForImageClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("cvt", cvt_model(c, last));
  root->add("layernorm", layer_norm(last));
  root->add("classifier", media::linear_or_identity(last, heads::num_labels(c)));
  return {root, no_split};
}

MEMFIT_FAMILY({"cvt"}, "Cvt", build);

}  // namespace
}  // namespace memfit
