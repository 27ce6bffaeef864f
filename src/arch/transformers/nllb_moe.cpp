// NLLB-MoE: transformers' modeling_nllb_moe.py. M2M100's encoder-decoder (scaled shared embedding, sinusoid position
// buffers [max_pos + 2, d], pre-norm layers, a final layer_norm per stack) whose every sparse_step-th layer replaces
// the fc1/fc2 feed-forward with a sparse MLP: a top-2 router (classifier) and a ModuleDict of expert_<i>.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Shape {
  int64_t vocab, d, experts, max_pos;
  bool router_bias;
};

ModulePtr ffn(const Shape& s, int64_t dim, bool sparse) {
  auto dense = make("NllbMoeDenseActDense");
  dense->add("fc1", linear(s.d, dim));
  dense->add("fc2", linear(dim, s.d));
  dense->add("dropout", leaf("Dropout"));
  dense->add("act", leaf("ReLU"));
  if (!sparse) return dense;
  auto router = make("NllbMoeTop2Router");
  router->add("classifier", linear(s.d, s.experts, s.router_bias));
  auto experts = make("NllbMoeExperts");
  for (int64_t i = 0; i < checked_count(s.experts, "num_experts"); ++i) experts->add("expert_" + std::to_string(i), dense);
  experts->add("token_dropout", leaf("Dropout"));
  auto m = make("NllbMoeSparseMLP");
  m->add("router", router);
  m->add("experts", experts);
  return m;
}

ModulePtr layer(const Shape& s, bool decoder, int64_t ffn_dim, bool sparse) {
  auto l = make(decoder ? "NllbMoeDecoderLayer" : "NllbMoeEncoderLayer");
  l->add("self_attn", seq2seq::attention("NllbMoeAttention", s.d));
  l->add("self_attn_layer_norm", layer_norm(s.d));
  if (decoder) {
    l->add("cross_attention", seq2seq::attention("NllbMoeAttention", s.d));
    l->add("cross_attention_layer_norm", layer_norm(s.d));
  }
  l->add("ffn", ffn(s, ffn_dim, sparse));
  l->add("ff_layer_norm", layer_norm(s.d));
  return l;
}

// NllbMoeEncoder / NllbMoeDecoder: layer i is sparse when (i + 1) % step == 0.
ModulePtr stack(const Config& c, const Shape& s, bool decoder, const std::string& base) {
  std::string side = decoder ? "decoder" : "encoder";
  int64_t n = seq2seq::count(c, side + "_layers", 12), step = c.i(side + "_sparse_step", 4);
  int64_t dim = media::dim(c, side + "_ffn_dim", 4096);
  auto dense = layer(s, decoder, dim, false), sparse = layer(s, decoder, dim, true);
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < n; ++i) layers.push_back(step > 0 && (i + 1) % step == 0 ? sparse : dense);
  auto m = make(decoder ? "NllbMoeDecoder" : "NllbMoeEncoder");
  auto emb = make("NllbMoeScaledWordEmbedding");
  emb->tie("weight", {s.vocab, s.d}, base + "shared.weight");
  m->add("embed_tokens", emb);
  auto pos = make("NllbMoeSinusoidalPositionalEmbedding");
  pos->buffer("weights", {s.max_pos + 2, s.d}, DType::F32, false);
  m->add("embed_positions", pos);
  m->add("layers", module_list(std::move(layers)));
  m->add("layer_norm", layer_norm(s.d));
  return m;
}

// `base`: the model's name prefix in the full tree ("" or "model.").
ModulePtr nllb_moe_model(const Config& c, const Shape& s, const std::string& base) {
  auto m = make("NllbMoeModel");
  m->add("shared", embedding(s.vocab, s.d, "NllbMoeScaledWordEmbedding"));
  m->add("encoder", stack(c, s, false, base));
  m->add("decoder", stack(c, s, true, base));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  Shape s{media::dim(c, "vocab_size", 128112), media::dim(c, "d_model", 1024), c.i("num_experts", 128),
          media::dim(c, "max_position_embeddings", 1024), c.b("router_bias", false)};
  std::vector<std::string> no_split{"NllbMoeEncoderLayer", "NllbMoeDecoderLayer"};
  if (cls == "NllbMoeModel") return {nllb_moe_model(c, s, ""), no_split};
  if (cls != "NllbMoeForConditionalGeneration") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("model", nllb_moe_model(c, s, "model."));
  root->add("lm_head", heads::lm_head(s.d, s.vocab, heads::ties_embeddings(c), "model.shared.weight"));
  return {root, no_split};
}

MEMFIT_FAMILY({"nllb-moe"}, "NllbMoe", build);

}  // namespace
}  // namespace memfit
