// ImageGPT (modeling_imagegpt.py): GPT-2's tree under the ImageGPT prefix with weight-only RMS-style layer norms
// (ImageGPTLayerNorm: `weight` [hidden]) and a bool causal mask buffer per attention. ImageGPTModel holds wte, wpe,
// drop, h.N (ln_1, attn, ln_2, [crossattention, ln_cross_attn], mlp) and ln_f; _no_split_modules: ImageGPTBlock.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

ModulePtr ln(int64_t d) {
  auto m = make("ImageGPTLayerNorm");
  m->param("weight", {d});
  return m;
}

// ImageGPTAttention: bool tril `bias` [1, 1, n_positions, n_positions] (non-persistent), c_attn (cross: c_attn to
// 2 d and q_attn), c_proj, dropouts.
ModulePtr attention(int64_t d, int64_t n_pos, bool cross) {
  auto a = make("ImageGPTAttention");
  a->buffer("bias", {1, 1, n_pos, n_pos}, DType::Bool, false);
  if (cross) {
    a->add("c_attn", conv1d_gpt2(2 * d, d));
    a->add("q_attn", conv1d_gpt2(d, d));
  } else {
    a->add("c_attn", conv1d_gpt2(3 * d, d));
  }
  a->add("c_proj", conv1d_gpt2(d, d));
  a->add("attn_dropout", leaf("Dropout"));
  a->add("resid_dropout", leaf("Dropout"));
  return a;
}

ModulePtr block(const Config& c, int64_t d, int64_t n_pos) {
  const int64_t inner = c.has("n_inner") ? c.i("n_inner", 4 * d) : 4 * d;
  auto b = make("ImageGPTBlock");
  b->add("ln_1", ln(d));
  b->add("attn", attention(d, n_pos, false));
  b->add("ln_2", ln(d));
  if (c.b("add_cross_attention", false)) {
    b->add("crossattention", attention(d, n_pos, true));
    b->add("ln_cross_attn", ln(d));
  }
  auto mlp = make("ImageGPTMLP");
  mlp->add("c_fc", conv1d_gpt2(inner, d));
  mlp->add("c_proj", conv1d_gpt2(d, inner));
  mlp->add("act", leaf(act_class(c.s("activation_function", "quick_gelu"))));
  mlp->add("dropout", leaf("Dropout"));
  b->add("mlp", mlp);
  return b;
}

ModulePtr gpt_model(const Config& c) {
  const int64_t d = c.i("n_embd", 512), heads = c.i("n_head", 8), n_pos = c.i("n_positions", 1024);
  if (heads == 0 || (d / heads) * heads != d)
    throw ConfigError(fmt::format("`embed_dim` must be divisible by num_heads (got `embed_dim`: {} and `num_heads`: {}).",
                                  d, heads));
  auto m = make("ImageGPTModel");
  m->add("wte", embedding(c.i("vocab_size", 513), d));
  m->add("wpe", embedding(n_pos, d));
  m->add("drop", leaf("Dropout"));
  m->add("h", repeat(block(c, d, n_pos), c.i("n_layer", 24)));
  m->add("ln_f", ln(d));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const std::vector<std::string> no_split{"ImageGPTBlock"};
  if (cls == "ImageGPTModel") return {gpt_model(c), no_split};
  const int64_t d = c.i("n_embd", 512);
  auto root = make(std::string(cls));
  root->add("transformer", gpt_model(c));
  if (cls == "ImageGPTForCausalImageModeling")  // lm_head to vocab_size - 1 (no sos token), bias-free
    root->add("lm_head", heads::lm_head(d, c.i("vocab_size", 513) - 1, heads::ties_embeddings(c, false),
                                        "transformer.wte.weight"));
  else if (cls == "ImageGPTForImageClassification")
    root->add("score", linear(d, heads::num_labels(c), false));
  else
    heads::unsupported(cls);
  return {root, no_split};
}

MEMFIT_FAMILY({"imagegpt"}, "ImageGPT", build);

}  // namespace
