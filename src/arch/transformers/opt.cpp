// OPT: transformers' modeling_opt.py. OPTModel wraps an OPTDecoder: token embeddings of word_embed_proj_dim,
// learned positions (2 extra rows), optional project_out/project_in, pre- or post-LN layers.
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct OptDims {
  int64_t hidden, proj, vocab;
};

OptDims opt_dims(const Config& c) {
  int64_t hidden = c.i("hidden_size", 768);
  return {hidden, c.i("word_embed_proj_dim", hidden), c.i("vocab_size", 50272)};
}

ModulePtr opt_model(const Config& c) {
  auto [hidden, proj, vocab] = opt_dims(c);
  int64_t ffn = c.i("ffn_dim", 3072);
  int64_t layers = c.i("num_hidden_layers", 12);
  bool bias = c.b("enable_bias", true), affine = c.b("layer_norm_elementwise_affine", true);
  auto ln = [&] { return affine ? layer_norm(hidden) : leaf("LayerNorm"); };

  auto attn = make("OPTAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) attn->add(n, linear(hidden, hidden, bias));
  auto layer = make("OPTDecoderLayer");
  layer->add("self_attn", attn);
  layer->add("activation_fn", leaf(act_class(c.s("activation_function", "relu"))));
  layer->add("self_attn_layer_norm", ln());
  layer->add("fc1", linear(hidden, ffn, bias));
  layer->add("fc2", linear(ffn, hidden, bias));
  layer->add("final_layer_norm", ln());

  auto dec = make("OPTDecoder");
  dec->add("embed_tokens", embedding(vocab, proj));
  dec->add("embed_positions",
           embedding(c.i("max_position_embeddings", 2048) + 2, hidden, "OPTLearnedPositionalEmbedding"));
  if (proj != hidden) {
    dec->add("project_out", linear(hidden, proj, false));
    dec->add("project_in", linear(proj, hidden, false));
  }
  if (c.b("do_layer_norm_before", true) && !c.b("_remove_final_layer_norm", false)) dec->add("final_layer_norm", ln());
  dec->add("layers", repeat(layer, layers));
  auto m = make("OPTModel");
  m->add("decoder", dec);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"OPTDecoderLayer"};
  if (cls == "OPTModel") return {opt_model(c), no_split};
  auto [hidden, proj, vocab] = opt_dims(c);
  auto root = make(std::string(cls));
  root->add("model", opt_model(c));
  if (cls == "OPTForCausalLM") {
    root->add("lm_head", heads::lm_head(proj, vocab, heads::ties_embeddings(c, true), "model.decoder.embed_tokens.weight"));
  } else if (cls == "OPTForSequenceClassification") {
    root->add("score", linear(proj, heads::num_labels(c), false));
  } else if (cls == "OPTForQuestionAnswering") {
    root->add("qa_outputs", linear(proj, 2));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"opt"}, "OPT", build);

}  // namespace
}  // namespace memfit
