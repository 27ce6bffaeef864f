// RWKV (v4): transformers' modeling_rwkv.py. Blocks of time-mixing (RwkvSelfAttention: time_decay, time_first,
// time_mix_* parameters and bias-free key/value/receptance/output) and channel-mixing (RwkvFeedForward), each after
// a LayerNorm; block 0 also holds pre_ln. The LM head is `head`, untied by default.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr block(int64_t h, int64_t att, int64_t inter, bool first) {
  auto a = make("RwkvSelfAttention");
  a->param("time_decay", {att});
  a->param("time_first", {att});
  a->param("time_mix_key", {1, 1, h});
  a->param("time_mix_value", {1, 1, h});
  a->param("time_mix_receptance", {1, 1, h});
  a->add("time_shift", leaf("ZeroPad2d"));
  a->add("key", linear(h, att, false));
  a->add("value", linear(h, att, false));
  a->add("receptance", linear(h, att, false));
  a->add("output", linear(att, h, false));
  auto ff = make("RwkvFeedForward");
  ff->add("time_shift", leaf("ZeroPad2d"));
  ff->param("time_mix_key", {1, 1, h});
  ff->param("time_mix_receptance", {1, 1, h});
  ff->add("key", linear(h, inter, false));
  ff->add("receptance", linear(h, h, false));
  ff->add("value", linear(inter, h, false));
  auto b = make("RwkvBlock");
  if (first) b->add("pre_ln", layer_norm(h));
  b->add("ln1", layer_norm(h));
  b->add("ln2", layer_norm(h));
  b->add("attention", a);
  b->add("feed_forward", ff);
  return b;
}

ModulePtr rwkv_model(const Config& c, int64_t h, int64_t vocab) {
  int64_t att = c.has("attention_hidden_size") ? c.i("attention_hidden_size") : h;
  int64_t inter = c.has("intermediate_size") ? c.i("intermediate_size") : 4 * h;
  int64_t n = checked_count(c.i("num_hidden_layers", 32));
  std::vector<ModulePtr> blocks;
  auto rest = block(h, att, inter, false);
  for (int64_t i = 0; i < n; ++i) blocks.push_back(i == 0 ? block(h, att, inter, true) : rest);
  auto m = make("RwkvModel");
  m->add("embeddings", embedding(vocab, h));
  m->add("blocks", module_list(std::move(blocks)));
  m->add("ln_out", layer_norm(h));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  int64_t h = c.i("hidden_size", 4096), vocab = c.i("vocab_size", 50277);
  if (cls == "RwkvModel") return {rwkv_model(c, h, vocab), {"RwkvBlock"}};
  if (cls != "RwkvForCausalLM") heads::unsupported(cls);
  auto root = make("RwkvForCausalLM");
  root->add("rwkv", rwkv_model(c, h, vocab));
  root->add("head", heads::lm_head(h, vocab, heads::ties_embeddings(c, false), "rwkv.embeddings.weight"));
  return {root, {"RwkvBlock"}};
}

MEMFIT_FAMILY({"rwkv"}, "Rwkv", build);

}  // namespace
}  // namespace memfit
