// The BART-shaped encoder-decoder (modeling_bart.py and the families copied from it).
#include "arch/transformers/seq2seq.h"

#include <fmt/format.h>

#include "arch/blocks.h"

namespace memfit::seq2seq {
using namespace blocks;

int64_t count(const Config& c, std::string_view key, int64_t def) {
  int64_t n = c.i(key, def);
  if (n < 0 || n > kMaxRepeat) throw ConfigError(fmt::format("`{}` = {} is out of range", key, n));
  return n;
}

Shape read(const Config& c, std::string prefix, int64_t vocab_def, int64_t d_model_def, int64_t layers_def,
           int64_t ffn_def, std::string act_def) {
  Shape s;
  s.p = std::move(prefix);
  s.vocab = c.i("vocab_size", vocab_def);
  s.dec_vocab = s.vocab;
  s.d_model = c.i("d_model", d_model_def);
  s.enc_layers = count(c, "encoder_layers", layers_def);
  s.dec_layers = count(c, "decoder_layers", layers_def);
  s.enc_ffn = c.i("encoder_ffn_dim", ffn_def);
  s.dec_ffn = c.i("decoder_ffn_dim", ffn_def);
  s.enc_pos = s.dec_pos = c.i("max_position_embeddings", 1024);
  s.act = c.s("activation_function", act_def);
  s.tied = heads::ties_embeddings(c, true);
  return s;
}

ModulePtr attention(const std::string& cls, int64_t d) {
  auto a = make(cls);
  a->add("k_proj", linear(d, d));
  a->add("v_proj", linear(d, d));
  a->add("q_proj", linear(d, d));
  a->add("out_proj", linear(d, d));
  return a;
}

ModulePtr encoder_layer(const Shape& s, ModulePtr self_attn) {
  auto l = make(s.p + "EncoderLayer");
  l->add("self_attn", self_attn ? self_attn : attention(s.p + "Attention", s.d_model));
  l->add("self_attn_layer_norm", layer_norm(s.d_model));
  l->add("activation_fn", leaf(act_class(s.act)));
  l->add("fc1", linear(s.d_model, s.enc_ffn));
  l->add("fc2", linear(s.enc_ffn, s.d_model));
  l->add("final_layer_norm", layer_norm(s.d_model));
  return l;
}

ModulePtr decoder_layer(const Shape& s) {
  std::string attn_cls = s.p + (s.p == "LED" ? "DecoderAttention" : "Attention");
  auto l = make(s.p + "DecoderLayer");
  l->add("self_attn", attention(attn_cls, s.d_model));
  l->add("activation_fn", leaf(act_class(s.act)));
  l->add("self_attn_layer_norm", layer_norm(s.d_model));
  l->add("encoder_attn", attention(attn_cls, s.d_model));
  l->add("encoder_attn_layer_norm", layer_norm(s.d_model));
  l->add("fc1", linear(s.d_model, s.dec_ffn));
  l->add("fc2", linear(s.dec_ffn, s.d_model));
  l->add("final_layer_norm", layer_norm(s.d_model));
  return l;
}

namespace {

ModulePtr tokens(const Shape& s, int64_t vocab, const std::string& shared_name) {
  if (shared_name.empty()) return embedding(vocab, s.d_model, s.tok_cls);
  auto e = make(s.tok_cls);
  e->tie("weight", {vocab, s.d_model}, shared_name);
  return e;
}

ModulePtr positions(const Shape& s, int64_t n) {
  switch (s.positions) {
    case Positions::Learned: return embedding(n + s.pos_offset, s.d_model, s.pos_cls);
    case Positions::SinusoidalParam: return embedding(n, s.d_model, s.pos_cls);
    case Positions::SinusoidalBuffer: {
      auto m = make(s.pos_cls);
      m->buffer("weights", {n + 2, s.d_model}, DType::F32, false);
      return m;
    }
  }
  return nullptr;
}

ModulePtr stack(const Shape& s, const char* kind, ModulePtr tok, int64_t pos, ModulePtr layer, int64_t n) {
  auto m = make(s.p + kind);
  m->add("embed_tokens", tok);
  m->add("embed_positions", positions(s, pos));
  m->add("layers", repeat(layer, n));
  if (s.layernorm_embedding) m->add("layernorm_embedding", layer_norm(s.d_model));
  if (s.final_layer_norm) m->add("layer_norm", layer_norm(s.d_model));
  return m;
}

std::string join(const std::string& base, const std::string& name) { return base.empty() ? name : base + "." + name; }

}  // namespace

ModulePtr encoder(const Shape& s, const std::string& shared_name, ModulePtr layer) {
  return stack(s, "Encoder", tokens(s, s.vocab, shared_name), s.enc_pos, layer ? layer : encoder_layer(s),
               s.enc_layers);
}

ModulePtr decoder(const Shape& s, const std::string& shared_name) {
  return stack(s, "Decoder", tokens(s, s.dec_vocab, shared_name), s.dec_pos, decoder_layer(s), s.dec_layers);
}

ModulePtr model(const Shape& s, const std::string& base, ModulePtr enc_layer) {
  auto m = make(s.p + "Model");
  std::string shared_name;
  if (s.shared) {
    m->add("shared", embedding(s.vocab, s.d_model, s.tok_cls));
    if (s.tied) shared_name = join(base, "shared.weight");
  }
  m->add("encoder", encoder(s, shared_name, enc_layer));
  m->add("decoder", decoder(s, shared_name));
  return m;
}

Model build(const Config& c, std::string_view cls, const Shape& s, std::vector<std::string> no_split,
            const std::string& base, ModulePtr enc_layer, bool logits_bias) {
  const std::string head = std::string(cls.substr(std::min(cls.size(), s.p.size())));
  if (head == "Model") return {model(s, "", enc_layer), no_split};
  auto root = make(std::string(cls));
  if (head == "ForConditionalGeneration" || head == "MTModel") {
    root->add(base, model(s, base, enc_layer));
    int64_t target = s.shared ? s.vocab : s.dec_vocab;
    if (logits_bias) root->buffer("final_logits_bias", {1, target}, DType::F32);
    std::string src = s.shared ? base + ".shared.weight" : base + ".decoder.embed_tokens.weight";
    root->add("lm_head", heads::lm_head(s.d_model, target, s.tied, src));
  } else if (head == "ForSequenceClassification") {
    root->add(base, model(s, base, enc_layer));
    auto h = make(s.p + "ClassificationHead");
    h->add("dense", linear(s.d_model, s.d_model));
    h->add("dropout", leaf("Dropout"));
    h->add("out_proj", linear(s.d_model, heads::num_labels(c)));
    root->add("classification_head", h);
  } else if (head == "ForQuestionAnswering") {
    root->add(base, model(s, base, enc_layer));
    root->add("qa_outputs", linear(s.d_model, 2));
  } else if (head == "ForCausalLM") {
    auto wrapper = make(s.p + "DecoderWrapper");
    wrapper->add("decoder", decoder(s, ""));
    root->add(base, wrapper);
    root->add("lm_head", heads::lm_head(s.d_model, s.vocab, s.tied, base + ".decoder.embed_tokens.weight"));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

}  // namespace memfit::seq2seq
