// OpenAI GPT (modeling_openai.py): OpenAIGPTModel holds tokens_embed, positions_embed, drop and h.N Blocks (attn:
// causal-mask buffer, c_attn/c_proj Conv1D; ln_1; mlp: c_fc/c_proj Conv1D to 4 n_embd; ln_2), then a non-persistent
// position_ids buffer. The activation is a plain function (no module). No _no_split_modules.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

// Block: attn (float32 tril `bias` [1, 1, n_positions, n_positions], non-persistent), ln_1, mlp, ln_2.
ModulePtr block(int64_t d, int64_t n_pos) {
  auto attn = make("Attention");
  attn->buffer("bias", {1, 1, n_pos, n_pos}, DType::F32, false);
  attn->add("c_attn", conv1d_gpt2(3 * d, d));
  attn->add("c_proj", conv1d_gpt2(d, d));
  attn->add("attn_dropout", leaf("Dropout"));
  attn->add("resid_dropout", leaf("Dropout"));
  auto mlp = make("MLP");
  mlp->add("c_fc", conv1d_gpt2(4 * d, d));
  mlp->add("c_proj", conv1d_gpt2(d, 4 * d));
  mlp->add("dropout", leaf("Dropout"));
  auto b = make("Block");
  b->add("attn", attn);
  b->add("ln_1", layer_norm(d));
  b->add("mlp", mlp);
  b->add("ln_2", layer_norm(d));
  return b;
}

ModulePtr gpt_model(const Config& c) {
  const int64_t d = c.i("n_embd", 768), heads = c.i("n_head", 12), n_pos = c.i("n_positions", 512);
  if (heads == 0 || d % heads != 0)
    throw ConfigError(fmt::format("Attention n_state shape: {} must be divisible by config.n_head {}", d, heads));
  auto m = make("OpenAIGPTModel");
  m->add("tokens_embed", embedding(c.i("vocab_size", 40478), d));
  m->add("positions_embed", embedding(n_pos, d));
  m->add("drop", leaf("Dropout"));
  m->add("h", repeat(block(d, n_pos), c.i("n_layer", 12)));
  m->buffer("position_ids", {n_pos}, DType::I64, false);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls == "OpenAIGPTModel") return {gpt_model(c), {}};
  const int64_t d = c.i("n_embd", 768), vocab = c.i("vocab_size", 40478);
  auto root = make(std::string(cls));
  root->add("transformer", gpt_model(c));
  if (cls == "OpenAIGPTLMHeadModel" || cls == "OpenAIGPTDoubleHeadsModel") {
    root->add("lm_head", heads::lm_head(d, vocab, heads::ties_embeddings(c), "transformer.tokens_embed.weight"));
    if (cls == "OpenAIGPTDoubleHeadsModel") {
      // OpenAIGPTSequenceSummary: summary Linear to num_labels (summary_proj_to_labels) or n_embd when
      // summary_use_proj, then activation and dropouts (no weights).
      auto s = make("OpenAIGPTSequenceSummary");
      const int64_t labels = heads::num_labels(c);
      if (c.b("summary_use_proj", true))
        s->add("summary", linear(d, c.b("summary_proj_to_labels", true) && labels > 0 ? labels : d));
      else
        s->add("summary", leaf("Identity"));
      root->add("multiple_choice_head", s);
    }
  } else if (cls == "OpenAIGPTForSequenceClassification") {
    root->add("score", linear(d, heads::num_labels(c), false));
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"openai-gpt"}, "OpenAIGPT", build, "", "OpenAIGPTLMHeadModel");

}  // namespace
