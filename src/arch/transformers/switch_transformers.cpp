// Switch Transformers: transformers' modeling_switch_transformers.py. T5's encoder-decoder (shared embedding, stacks
// whose block 0 owns the relative attention bias) where every sparse_step-th block's feed-forward is a sparse MLP:
// a top-1 router (classifier) and a ModuleDict of expert_<i> DenseActDense experts.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Shape {
  int64_t vocab, d, d_kv, d_ff, heads, buckets, experts;
  bool router_bias;
};

ModulePtr attention(const Shape& s, bool relative_bias) {
  int64_t inner = s.heads * s.d_kv;
  auto a = make("SwitchTransformersAttention");
  for (const char* n : {"q", "k", "v"}) a->add(n, linear(s.d, inner, false));
  a->add("o", linear(inner, s.d, false));
  if (relative_bias) a->add("relative_attention_bias", embedding(s.buckets, s.heads));
  return a;
}

ModulePtr dense(const Shape& s) {
  auto m = make("SwitchTransformersDenseActDense");
  m->add("wi", linear(s.d, s.d_ff, false));
  m->add("wo", linear(s.d_ff, s.d, false));
  m->add("dropout", leaf("Dropout"));
  m->add("act", leaf("ReLU"));
  return m;
}

ModulePtr block(const Shape& s, bool decoder, bool relative_bias, bool sparse) {
  auto norm = [&] { return rms_norm("SwitchTransformersLayerNorm", s.d); };
  auto self = make("SwitchTransformersLayerSelfAttention");
  self->add("SelfAttention", attention(s, relative_bias));
  self->add("layer_norm", norm());
  self->add("dropout", leaf("Dropout"));
  std::vector<ModulePtr> layers{self};
  if (decoder) {
    auto cross = make("SwitchTransformersLayerCrossAttention");
    cross->add("EncDecAttention", attention(s, false));
    cross->add("layer_norm", norm());
    cross->add("dropout", leaf("Dropout"));
    layers.push_back(cross);
  }
  auto ff = make("SwitchTransformersLayerFF");
  if (sparse) {
    auto router = make("SwitchTransformersTop1Router");
    router->add("classifier", linear(s.d, s.experts, s.router_bias));
    auto experts = make("SwitchTransformersExperts");
    auto expert = dense(s);
    for (int64_t i = 0; i < checked_count(s.experts, "num_experts"); ++i)
      experts->add("expert_" + std::to_string(i), expert);
    auto mlp = make("SwitchTransformersSparseMLP");
    mlp->add("router", router);
    mlp->add("experts", experts);
    ff->add("mlp", mlp);
  } else {
    ff->add("mlp", dense(s));
  }
  ff->add("layer_norm", norm());
  ff->add("dropout", leaf("Dropout"));
  layers.push_back(ff);
  auto b = make("SwitchTransformersBlock");
  b->add("layer", module_list(layers));
  return b;
}

// SwitchTransformersStack: block i is sparse when i % step == 1 (every block when step is 1, none when 0).
ModulePtr stack(const Shape& s, bool decoder, int64_t n, int64_t step) {
  auto st = make("SwitchTransformersStack");
  auto emb = make("Embedding");
  emb->tie("weight", {s.vocab, s.d}, "shared.weight");
  st->add("embed_tokens", emb);
  ModulePtr dense_block = block(s, decoder, false, false), sparse_block = block(s, decoder, false, true);
  std::vector<ModulePtr> blocks;
  for (int64_t i = 0; i < checked_count(n); ++i) {
    bool sparse = step > 0 && (step == 1 || i % step == 1);
    blocks.push_back(i == 0 ? block(s, decoder, true, sparse) : sparse ? sparse_block : dense_block);
  }
  st->add("block", module_list(blocks));
  st->add("final_layer_norm", rms_norm("SwitchTransformersLayerNorm", s.d));
  st->add("dropout", leaf("Dropout"));
  return st;
}

Model build(const Config& c, std::string_view cls) {
  Shape s{c.i("vocab_size", 32128), c.i("d_model", 768), c.i("d_kv", 64), c.i("d_ff", 2048), c.i("num_heads", 12),
          c.i("relative_attention_num_buckets", 32), c.i("num_experts", 8), c.b("router_bias", false)};
  int64_t enc_layers = c.i("num_layers", 12), dec_layers = c.i("num_decoder_layers", enc_layers);
  std::vector<std::string> no_split{"SwitchTransformersBlock"};
  auto root = make(std::string(cls));
  root->add("shared", embedding(s.vocab, s.d));
  root->add("encoder", stack(s, false, enc_layers, c.i("encoder_sparse_step", 4)));
  if (cls == "SwitchTransformersEncoderModel") return {root, no_split};
  root->add("decoder", stack(s, true, dec_layers, c.i("decoder_sparse_step", 4)));
  if (cls == "SwitchTransformersModel") return {root, no_split};
  if (cls != "SwitchTransformersForConditionalGeneration") heads::unsupported(cls);
  root->add("lm_head", heads::lm_head(s.d, s.vocab, heads::ties_embeddings(c), "shared.weight"));
  return {root, no_split};
}

MEMFIT_FAMILY({"switch_transformers"}, "SwitchTransformers", build);

}  // namespace
}  // namespace memfit
