// SwiftFormer: transformers' modeling_swiftformer.py. A two-conv stem, stages of conv encoders (depth-wise conv +
// BatchNorm + 1x1 convs + layer scale) ending in one encoder block (local representation, efficient additive
// attention, a conv MLP, layer scales), with strided conv + BatchNorm embeddings between stages.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

int64_t mlp_dim(const Config& c, int64_t dim) {
  int64_t h = static_cast<int64_t>(c.f("mlp_ratio", 4) * static_cast<double>(dim));
  media::require(c, h > 0 && h <= media::kMaxDim, "mlp_ratio out of range");
  return h;
}

ModulePtr conv_encoder(const Config& c, int64_t dim) {
  int64_t h = mlp_dim(c, dim);
  auto m = make("SwiftFormerConvEncoder");
  m->add("depth_wise_conv", conv2d(dim, dim, 3, true, dim));
  m->add("norm", batch_norm(dim));
  m->add("point_wise_conv1", conv2d(dim, h, 1));
  m->add("act", leaf("GELU"));
  m->add("point_wise_conv2", conv2d(h, dim, 1));
  m->add("drop_path", leaf("Dropout"));
  m->param("layer_scale", {dim, 1, 1});
  return m;
}

ModulePtr encoder_block(const Config& c, int64_t dim, bool dp) {
  auto local = make("SwiftFormerLocalRepresentation");
  local->add("depth_wise_conv", conv2d(dim, dim, 3, true, dim));
  local->add("norm", batch_norm(dim));
  local->add("point_wise_conv1", conv2d(dim, dim, 1));
  local->add("act", leaf("GELU"));
  local->add("point_wise_conv2", conv2d(dim, dim, 1));
  local->add("drop_path", leaf("Identity"));
  local->param("layer_scale", {dim, 1, 1});
  auto attn = make("SwiftFormerEfficientAdditiveAttention");
  attn->add("to_query", linear(dim, dim));
  attn->add("to_key", linear(dim, dim));
  attn->param("w_g", {dim, 1});
  attn->add("proj", linear(dim, dim));
  attn->add("final", linear(dim, dim));
  int64_t h = mlp_dim(c, dim);
  auto mlp = make("SwiftFormerMlp");
  mlp->add("norm1", batch_norm(dim));
  mlp->add("fc1", conv2d(dim, h, 1));
  mlp->add("act", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc2", conv2d(h, dim, 1));
  mlp->add("drop", leaf("Dropout"));
  auto b = make("SwiftFormerEncoderBlock");
  b->add("local_representation", local);
  b->add("attn", attn);
  b->add("linear", mlp);
  b->add("drop_path", leaf(dp ? "SwiftFormerDropPath" : "Identity"));
  if (c.b("use_layer_scale", true)) b->param("layer_scale_1", {dim, 1, 1}).param("layer_scale_2", {dim, 1, 1});
  return b;
}

ModulePtr swiftformer_model(const Config& c, int64_t& last) {
  auto dims = media::dims(c, "embed_dims", {48, 56, 112, 220});
  auto depths = media::dims(c, "depths", {3, 3, 6, 4}, 0);
  media::require(c, !depths.empty() && dims.size() >= depths.size(), "embed_dims shorter than depths");
  std::vector<bool> down;
  if (auto it = c.raw().find("downsamples"); it != c.raw().end() && it->is_array())
    for (const auto& d : *it) down.push_back(d.is_boolean() && d.get<bool>());
  int64_t k = media::dim(c, "down_patch_size", 3);
  media::require(c, k <= 64, "down_patch_size out of range");
  int64_t stem = dims[0];
  auto seq = make("Sequential");
  seq->add("0", conv2d(media::dim(c, "num_channels", 3), stem / 2, 3));
  seq->add("1", batch_norm(stem / 2));
  seq->add("2", leaf("ReLU"));
  seq->add("3", conv2d(stem / 2, stem, 3));
  seq->add("4", batch_norm(stem));
  seq->add("5", leaf("ReLU"));
  auto pe = make("SwiftFormerPatchEmbedding");
  pe->add("patch_embedding", seq);

  double rate = c.f("drop_path_rate", 0);
  int64_t total = 0, seen = 0;
  for (auto d : depths) total += d;
  std::vector<ModulePtr> network;
  for (size_t i = 0; i < depths.size(); ++i) {
    std::vector<ModulePtr> blocks;
    for (int64_t j = 0; j < depths[i]; ++j, ++seen)
      blocks.push_back(depths[i] - j <= 1 ? encoder_block(c, dims[i], rate * static_cast<double>(seen) > 0 && total > 1)
                                          : conv_encoder(c, dims[i]));
    auto st = make("SwiftFormerStage");
    st->add("blocks", module_list(blocks));
    network.push_back(st);
    if (i + 1 >= depths.size()) break;
    if ((i < down.size() && down[i]) || dims[i] != dims[i + 1]) {
      auto e = make("SwiftFormerEmbeddings");
      e->add("proj", conv2d(dims[i], dims[i + 1], k));
      e->add("norm", batch_norm(dims[i + 1]));
      network.push_back(e);
    }
  }
  auto enc = make("SwiftFormerEncoder");
  enc->add("network", module_list(network));
  auto m = make("SwiftFormerModel");
  m->add("patch_embed", pe);
  m->add("encoder", enc);
  last = dims[depths.size() - 1];
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"SwiftFormerEncoderBlock"};
  int64_t last = 0;
  if (cls == "SwiftFormerModel") return {swiftformer_model(c, last), no_split};
  if (cls != "SwiftFormerForImageClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("swiftformer", swiftformer_model(c, last));
  root->add("norm", batch_norm(last));
  root->add("head", media::linear_or_identity(last, heads::num_labels(c)));
  root->add("dist_head", media::linear_or_identity(last, heads::num_labels(c)));
  return {root, no_split};
}

MEMFIT_FAMILY({"swiftformer"}, "SwiftFormer", build);

}  // namespace
}  // namespace memfit
