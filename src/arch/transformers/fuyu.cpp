// Fuyu and its text model Persimmon: transformers' modeling_fuyu.py (linear patch embedding + AutoModel'ed
// language model) and modeling_persimmon.py (fused query_key_value, LayerNorms, partial rotary).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// PersimmonConfig's defaults (persimmon-8b).
const Json kPersimmonDefaults{{"vocab_size", 262144},    {"hidden_size", 4096},      {"intermediate_size", 16384},
                              {"num_hidden_layers", 36}, {"num_attention_heads", 64}, {"hidden_act", "relu2"}};

Model persimmon_model(const Config& c) {
  int64_t vocab = c.i("vocab_size"), h = c.i("hidden_size"), inter = c.i("intermediate_size");
  int64_t layers = c.i("num_hidden_layers"), heads = c.i("num_attention_heads");
  if (heads <= 0 || h <= 0 || layers < 0 || layers > 100000) c.missing("num_attention_heads");
  int64_t head_dim = h / heads;
  double partial = c.f("partial_rotary_factor", 0.5);
  if (auto rp = c.opt_sub("rope_parameters")) partial = rp->f("partial_rotary_factor", partial);

  auto attn = make("PersimmonAttention");
  attn->add("query_key_value", linear(h, 3 * h));
  attn->add("dense", linear(h, h));
  if (c.b("qk_layernorm", true)) {
    attn->add("q_layernorm", layer_norm(head_dim));
    attn->add("k_layernorm", layer_norm(head_dim));
  }
  attn->add("attention_dropout", leaf("Dropout"));
  auto mlp = make("PersimmonMLP");
  mlp->add("dense_h_to_4h", linear(h, inter));
  mlp->add("dense_4h_to_h", linear(inter, h));
  mlp->add("act", leaf(act_class(c.s("hidden_act", "relu2"))));
  auto layer = make("PersimmonDecoderLayer");
  layer->add("self_attn", attn);
  layer->add("mlp", mlp);
  layer->add("input_layernorm", layer_norm(h));
  layer->add("post_attention_layernorm", layer_norm(h));
  layer->add("dropout", leaf("Dropout"));

  auto m = make("PersimmonModel");
  m->add("embed_tokens", embedding(vocab, h));
  m->add("layers", repeat(layer, layers));
  m->add("final_layernorm", layer_norm(h));
  m->add("rotary_emb", rotary("PersimmonRotaryEmbedding", static_cast<int64_t>(head_dim * partial)));
  return {m, {"PersimmonDecoderLayer"}};
}

Model persimmon(const Config& c, std::string_view cls) {
  SubConfig pc = make_config(kPersimmonDefaults, c.raw(), "persimmon");
  Model base = persimmon_model(pc.c);
  if (cls == "PersimmonModel") return base;
  if (cls != "PersimmonForCausalLM") heads::unsupported(cls);
  auto root = make("PersimmonForCausalLM");
  root->add("model", base.root);
  root->add("lm_head", heads::lm_head(pc.c.i("hidden_size"), pc.c.i("vocab_size"), heads::ties_embeddings(c, false),
                                      "model.embed_tokens.weight"));
  base.root = root;
  return base;
}

Model fuyu(const Config& c, std::string_view cls) {
  SubConfig fc = make_config(kPersimmonDefaults, c.raw(), "fuyu");
  // An absent text_config is built from Fuyu's own (flat) keys; a dict one from its model type's defaults.
  SubConfig tc = c.opt_sub("text_config") ? sub_config(c, "text_config", {{"model_type", "persimmon"}}, "persimmon")
                                          : make_config(*fc.json, {{"model_type", "persimmon"}}, "persimmon");
  Model text = auto_model(tc.c);
  int64_t patch = fc.c.i("patch_size", 30), channels = fc.c.i("num_channels", 3);
  auto m = make("FuyuModel");
  m->add("language_model", text.root);
  m->add("vision_embed_tokens", linear(patch * patch * channels, fc.c.i("hidden_size")));
  Model base{m, text.no_split};
  if (cls == "FuyuModel") return base;
  if (cls != "FuyuForCausalLM") heads::unsupported(cls);
  SubConfig tdef = make_config(kPersimmonDefaults, tc.c.raw(), "persimmon");
  Model out = conditional_generation("FuyuForCausalLM", base, tdef.c.i("hidden_size"), tdef.c.i("vocab_size"),
                                     heads::ties_embeddings(c, false));
  out.to_checkpoint = llava_checkpoint_names({"vision_embed_tokens"});
  return out;
}

MEMFIT_FAMILY({"persimmon"}, "Persimmon", persimmon);
MEMFIT_FAMILY({"fuyu"}, "Fuyu", fuyu);

}  // namespace
}  // namespace memfit
