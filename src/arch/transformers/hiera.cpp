// Hiera: transformers' modeling_hiera.py. A patch conv with learned positions over the token grid, stages of
// layers (LayerNorm, mask-unit attention with a fused qkv to the stage width, LayerNorm, fc1/fc2 MLP, a projection
// where the width grows), and a pooler LayerNorm over the final width.
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr hiera_layer(const Config& c, int64_t in, int64_t out, bool dp) {
  int64_t hidden = static_cast<int64_t>(static_cast<double>(out) * c.f("mlp_ratio", 4.0));
  media::require(c, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  auto attn = make("HieraMaskUnitAttention");
  attn->add("qkv", linear(in, 3 * out));
  attn->add("proj", linear(out, out));
  auto mlp = make("HieraMlp");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(out, hidden));
  mlp->add("fc2", linear(hidden, out));
  auto l = make("HieraLayer");
  l->add("layernorm_before", layer_norm(in));
  l->add("attn", attn);
  l->add("layernorm_after", layer_norm(out));
  l->add("mlp", mlp);
  l->add("drop_path", leaf(dp ? "HieraDropPath" : "Identity"));
  if (in != out) l->add("proj", linear(in, out));
  return l;
}

ModulePtr hiera_model(const Config& c, bool pooler, int64_t& features) {
  int64_t embed = media::dim(c, "embed_dim", 96);
  double mult = c.f("embed_dim_multiplier", 2.0);
  auto depths = media::dims(c, "depths", {2, 3, 16, 3}, 0);
  auto image = media::dims(c, "image_size", {224, 224});
  auto stride = media::dims(c, "patch_stride", {4, 4});
  auto k = media::dims(c, "patch_size", {7, 7});
  media::require(c, !depths.empty() && depths.size() <= 16 && image.size() == 2 && stride.size() == 2 &&
                        k.size() == 2 && mult > 0 && mult <= 16,
                 "depths / image_size / patch sizes are inconsistent");
  int64_t tokens = (image[0] / stride[0]) * (image[1] / stride[1]);
  auto pe = make("HieraPatchEmbeddings");
  pe->add("projection", conv2d(media::dim(c, "num_channels", 3), embed, k[0], k[1]));
  auto emb = make("HieraEmbeddings");
  emb->add("patch_embeddings", pe);
  emb->param("position_embeddings", {1, tokens, embed});

  bool dp = c.f("drop_path_rate", 0) > 0;  // linear from 0: only the very first layer keeps an Identity
  auto stages = make("ModuleList");
  int64_t in = embed;
  for (size_t s = 0; s < depths.size(); ++s) {
    double w = static_cast<double>(embed) * std::pow(mult, static_cast<double>(s));
    media::require(c, w <= static_cast<double>(media::kMaxDim), "embed_dim_multiplier too large");
    auto out = static_cast<int64_t>(w);
    auto plain = hiera_layer(c, out, out, dp);
    std::vector<ModulePtr> ls;
    for (int64_t i = 0; i < depths[s]; ++i)
      ls.push_back(i == 0 ? hiera_layer(c, in, out, dp && s > 0) : plain);
    auto st = make("HieraStage");
    st->add("layers", module_list(ls));
    stages->add(std::to_string(s), st);
    in = out;
  }
  auto enc = make("HieraEncoder");
  enc->add("stages", stages);
  features = in;
  auto m = make("HieraModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  if (pooler) {
    auto p = make("HieraPooler");
    p->add("layernorm", layer_norm(features));
    p->add("pooler", leaf("AdaptiveAvgPool1d"));
    m->add("pooler", p);
  }
  return m;
}

Model build(const Config& c, std::string_view cls) {
  int64_t features = 0;
  if (cls == "HieraModel") return {hiera_model(c, true, features), {}};
  if (cls != "HieraForImageClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("hiera", hiera_model(c, true, features));
  root->add("classifier", media::linear_or_identity(features, heads::num_labels(c)));
  return {root, {}};
}

MEMFIT_FAMILY({"hiera"}, "Hiera", build);

}  // namespace
}  // namespace memfit
