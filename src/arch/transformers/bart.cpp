// BART: transformers' modeling_bart.py. Learned positions (offset 2), layernorm_embedding, post-norm layers.
#include "arch/transformers/seq2seq.h"
#include "arch/blocks.h"

namespace memfit {
namespace MEMFIT_TU {

Model build(const Config& c, std::string_view cls) {
  seq2seq::Shape s = seq2seq::read(c, "Bart", 50265, 1024, 12, 4096, "gelu");
  s.tok_cls = "BartScaledWordEmbedding";
  s.pos_cls = "BartLearnedPositionalEmbedding";
  return seq2seq::build(c, cls, s, {"BartEncoderLayer", "BartDecoderLayer"});
}

MEMFIT_FAMILY({"bart"}, "Bart", build);

// MVP (modeling_mvp.py): BART's tree; with use_prompt the encoder adds self_attn_prompt and the decoder
// self_attn_prompt and cross_attn_prompt (MvpPrompt: prompt_embedding [prompt_length, d], prompt_trans
// Linear(d, prompt_mid_dim), GELU, Linear(prompt_mid_dim, layers * 2 * d)).
Model mvp(const Config& c, std::string_view cls) {
  seq2seq::Shape s = seq2seq::read(c, "Mvp", 50267, 1024, 12, 4096, "gelu");
  s.pos_cls = "MvpLearnedPositionalEmbedding";
  Model m = seq2seq::build(c, cls, s, {});
  if (!c.b("use_prompt", false)) return m;
  const int64_t len = c.i("prompt_length", 100), mid = c.i("prompt_mid_dim", 800);
  auto prompt = [&](int64_t layers) {
    auto trans = make("Sequential");
    trans->add("0", blocks::linear(s.d_model, mid));
    trans->add("1", blocks::leaf("GELU"));
    trans->add("2", blocks::linear(mid, layers * 2 * s.d_model));
    auto p = make("MvpPrompt");
    p->add("dropout", blocks::leaf("Dropout"));
    p->add("prompt_embedding", blocks::embedding(len, s.d_model));
    p->add("prompt_trans", trans);
    return p;
  };
  ModulePtr base = m.root->child("encoder") ? m.root : m.root->child("model");
  if (!base) return m;
  if (auto enc = base->child("encoder")) enc->add("self_attn_prompt", prompt(s.enc_layers));
  if (auto dec = base->child("decoder")) {
    dec->add("self_attn_prompt", prompt(s.dec_layers));
    dec->add("cross_attn_prompt", prompt(s.dec_layers));
  }
  return m;
}

MEMFIT_FAMILY({"mvp"}, "Mvp", mvp);

}  // namespace
}  // namespace memfit
