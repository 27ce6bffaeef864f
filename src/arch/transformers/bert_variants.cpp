// BERT encoders whose layers are BertLayer under another prefix and whose embeddings or encoder differ in a detail:
// BertGeneration, MegatronBERT, RemBERT, RoCBert, Splinter, LayoutLM, LayoutLMv3, MarkupLM, X-MOD, LiLT, LUKE,
// CANINE, Nystromformer, YOSO and MRA (their modeling_*.py files). Only the class AutoModel builds is supported.
#include "arch/transformers/bert.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// <P>Embeddings: word_embeddings, position_embeddings, then `extra` (a family's own tables), token_type_embeddings
// (when `token_types`), LayerNorm (when `norm`), dropout and the non-persistent position_ids buffer [1, max_pos].
struct EmbeddingSpec {
  int64_t dim = 0;              // the embedding width (RemBERT: input_embedding_size)
  bool token_types = true, norm = true;
  int64_t pos_extra = 0;        // position table rows beyond max_position_embeddings (Nystromformer, YOSO, MRA: 2)
  bool type_ids_buffer = false; // a token_type_ids buffer [1, max_pos] after position_ids
  bool positions_last = false;  // position_embeddings registered last (RoBERTa-style: X-MOD)
  std::function<void(Module&)> extra;   // registered after position_embeddings
  std::function<void(Module&)> before;  // registered right after word_embeddings (RoCBert's tables)
  std::function<void(Module&)> tail;    // registered after token_type_embeddings (RoCBert's map_inputs_layer)
};
ModulePtr embeddings(const bert::BertShape& s, const EmbeddingSpec& e) {
  const int64_t d = e.dim ? e.dim : s.hidden;
  auto m = make(s.prefix + "Embeddings");
  m->add("word_embeddings", embedding(s.vocab, d));
  if (e.before) e.before(*m);
  if (!e.positions_last) m->add("position_embeddings", embedding(s.max_pos + e.pos_extra, d));
  if (e.extra) e.extra(*m);
  if (e.token_types) m->add("token_type_embeddings", embedding(s.type_vocab, d));
  if (e.tail) e.tail(*m);
  if (e.norm) m->add("LayerNorm", layer_norm(d));
  m->add("dropout", leaf("Dropout"));
  m->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  if (e.type_ids_buffer) m->buffer("token_type_ids", {1, s.max_pos}, DType::I64, false);
  if (e.positions_last) m->add("position_embeddings", embedding(s.max_pos + e.pos_extra, d));
  return m;
}

// <P>Encoder: `first` (RemBERT's embedding_hidden_mapping_in), layer.N, `last` (MegatronBERT's ln).
ModulePtr encoder(const bert::BertShape& s, ModulePtr layer, ModulePtr first = nullptr, ModulePtr last = nullptr) {
  auto enc = make(s.prefix + "Encoder");
  if (first) enc->add("embedding_hidden_mapping_in", first);
  enc->add("layer", repeat(std::move(layer), checked_count(s.layers)));
  if (last) enc->add("ln", last);
  return enc;
}

ModulePtr pooler(const bert::BertShape& s) {
  auto p = make(s.prefix + "Pooler");
  p->add("dense", linear(s.hidden, s.hidden));
  p->add("activation", leaf("Tanh"));
  return p;
}

// <P>Model (or the class `cls`): embeddings, encoder, optional pooler.
Model model(const std::string& cls, ModulePtr emb, ModulePtr enc, ModulePtr pool) {
  auto m = make(cls);
  m->add("embeddings", std::move(emb));
  m->add("encoder", std::move(enc));
  if (pool) m->add("pooler", std::move(pool));
  return {m, {}};
}

// Only the class AutoModel builds is supported here; task heads answer "not supported yet".
void only(std::string_view cls, std::string_view base) {
  if (cls != base) heads::unsupported(cls);
}

// BertGenerationEncoder: embeddings without token types, BERT layers, no pooler.
Model bert_generation(const Config& c, std::string_view cls) {
  only(cls, "BertGenerationEncoder");
  auto s = bert::read(c, "BertGeneration", 50358);
  return model("BertGenerationEncoder", embeddings(s, {.token_types = false}), encoder(s, bert::layer(s)), nullptr);
}

// MegatronBertLayer: pre-norm (attention.ln, ln before the MLP); SelfOutput and Output have no LayerNorm.
ModulePtr megatron_layer(const bert::BertShape& s) {
  auto self = make("MegatronBertSelfAttention");
  for (const char* n : {"query", "key", "value"}) self->add(n, linear(s.hidden, s.hidden));
  self->add("dropout", leaf("Dropout"));
  auto self_out = make("MegatronBertSelfOutput");
  self_out->add("dense", linear(s.hidden, s.hidden));
  self_out->add("dropout", leaf("Dropout"));
  auto attn = make("MegatronBertAttention");
  attn->add("ln", layer_norm(s.hidden));
  attn->add("self", self);
  attn->add("output", self_out);
  auto inter = make("MegatronBertIntermediate");
  inter->add("dense", linear(s.hidden, s.inter));
  inter->add("intermediate_act_fn", leaf(act_class(s.act)));
  auto out = make("MegatronBertOutput");
  out->add("dense", linear(s.inter, s.hidden));
  out->add("dropout", leaf("Dropout"));
  auto l = make("MegatronBertLayer");
  l->add("attention", attn);
  l->add("ln", layer_norm(s.hidden));
  l->add("intermediate", inter);
  l->add("output", out);
  return l;
}

Model megatron_bert(const Config& c, std::string_view cls) {
  only(cls, "MegatronBertModel");
  auto s = bert::read(c, "MegatronBert", 29056);
  return model("MegatronBertModel", embeddings(s, {.norm = false}),
               encoder(s, megatron_layer(s), nullptr, layer_norm(s.hidden)), pooler(s));
}

// RemBertModel: embeddings of input_embedding_size, mapped to hidden_size at the encoder's input.
Model rembert(const Config& c, std::string_view cls) {
  only(cls, "RemBertModel");
  auto s = bert::read(c, "RemBert", 250300);
  const int64_t in = c.i("input_embedding_size", 256);
  return model("RemBertModel", embeddings(s, {.dim = in}), encoder(s, bert::layer(s), linear(in, s.hidden)),
               pooler(s));
}

// RoCBertEmbeddings: pronunciation and shape tables, a map_inputs_layer over the concatenation when concat_input,
// and a token_type_ids buffer as well.
Model roc_bert(const Config& c, std::string_view cls) {
  only(cls, "RoCBertModel");
  auto s = bert::read(c, "RoCBert", 30522);
  EmbeddingSpec e;
  e.before = [&](Module& m) {
    const int64_t pd = c.i("pronunciation_embed_dim", 768), sd = c.i("shape_embed_dim", 512);
    m.add("pronunciation_embed", embedding(c.i("pronunciation_vocab_size", 910), pd));
    m.add("shape_embed", embedding(c.i("shape_vocab_size", 24858), sd));
  };
  e.tail = [&](Module& m) {
    if (!c.b("concat_input", true)) return;
    int64_t in = s.hidden;
    if (c.b("enable_pronunciation", true)) in += c.i("pronunciation_embed_dim", 768);
    if (c.b("enable_shape", true)) in += c.i("shape_embed_dim", 512);
    m.add("map_inputs_layer", linear(in, s.hidden));
  };
  e.type_ids_buffer = true;
  return model("RoCBertModel", embeddings(s, e), encoder(s, bert::layer(s)), pooler(s));
}

// SplinterModel: BERT without a pooler.
Model splinter(const Config& c, std::string_view cls) {
  only(cls, "SplinterModel");
  auto s = bert::read(c, "Splinter", 30522);
  return model("SplinterModel", embeddings(s, {}), encoder(s, bert::layer(s)), nullptr);
}

// LayoutLMEmbeddings: x/y/h/w position tables of max_2d_position_embeddings between position and token type.
Model layoutlm(const Config& c, std::string_view cls) {
  only(cls, "LayoutLMModel");
  auto s = bert::read(c, "LayoutLM", 30522);
  EmbeddingSpec e;
  e.extra = [&](Module& m) {
    const int64_t n2d = c.i("max_2d_position_embeddings", 1024);
    for (const char* n : {"x_position_embeddings", "y_position_embeddings", "h_position_embeddings",
                          "w_position_embeddings"})
      m.add(n, embedding(n2d, s.hidden));
  };
  return model("LayoutLMModel", embeddings(s, e), encoder(s, bert::layer(s)), pooler(s));
}

// MarkupLMEmbeddings: XPathEmbeddings (xpath unit tables per depth, two projections) after the positions.
Model markuplm(const Config& c, std::string_view cls) {
  only(cls, "MarkupLMModel");
  auto s = bert::read(c, "MarkupLM", 30522);
  EmbeddingSpec e;
  e.extra = [&](Module& m) {
    const int64_t depth = checked_count(c.i("max_depth", 50), "max_depth"), unit = c.i("xpath_unit_hidden_size", 32);
    auto x = make("XPathEmbeddings");
    x->add("xpath_unitseq2_embeddings", linear(unit * depth, s.hidden));
    x->add("dropout", leaf("Dropout"));
    x->add("activation", leaf("ReLU"));
    x->add("xpath_unitseq2_inner", linear(unit * depth, 4 * s.hidden));
    x->add("inner2emb", linear(4 * s.hidden, s.hidden));
    x->add("xpath_tag_sub_embeddings", repeat(embedding(c.i("max_xpath_tag_unit_embeddings", 256), unit), depth));
    x->add("xpath_subs_sub_embeddings", repeat(embedding(c.i("max_xpath_subs_unit_embeddings", 1024), unit), depth));
    m.add("xpath_embeddings", x);
  };
  return model("MarkupLMModel", embeddings(s, e), encoder(s, bert::layer(s)), pooler(s));
}

// X-MOD (modeling_xmod.py): RoBERTa's tree whose XmodOutput adds an optional adapter_layer_norm and one bottleneck
// adapter (dense1 hidden -> hidden / adapter_reduction_factor, dense2) per entry of `languages`; with pre_norm the
// encoder ends in a LayerNorm.
Model xmod(const Config& c, std::string_view cls) {
  only(cls, "XmodModel");
  auto s = bert::read(c, "Xmod", 30522);
  auto l = bert::layer(s);
  auto out = l->child("output");
  if (c.b("adapter_layer_norm", false)) out->add("adapter_layer_norm", layer_norm(s.hidden));
  const int64_t factor = c.i("adapter_reduction_factor", 2);
  if (factor <= 0) throw ConfigError("`adapter_reduction_factor` must be positive (model_type `xmod`)");
  const int64_t bottleneck = s.hidden / factor;
  auto adapter = make("XmodAdapter");
  adapter->add("dense1", linear(s.hidden, bottleneck));
  adapter->add("dense2", linear(bottleneck, s.hidden));
  auto adapters = make("ModuleDict");
  for (const auto& lang : c.strings("languages")) adapters->add(lang, adapter);
  out->add("adapter_modules", adapters);
  auto enc = encoder(s, l);
  if (c.b("pre_norm", false)) enc->add("LayerNorm", layer_norm(s.hidden));
  return model("XmodModel", embeddings(s, {.type_ids_buffer = true, .positions_last = true}), enc, pooler(s));
}

// LiLT (modeling_lilt.py): a text stream (BERT) and a layout stream of width hidden / channel_shrink_ratio side by
// side: layout_embeddings (x/y/h/w tables of hidden // 6, box tables, box_linear_embeddings, LayerNorm), and in each
// layer layout_query/key/value, layout_output, layout_intermediate and layout_output at the narrow width.
Model lilt(const Config& c, std::string_view cls) {
  only(cls, "LiltModel");
  auto s = bert::read(c, "Lilt", 30522);
  const int64_t r = c.i("channel_shrink_ratio", 4);
  if (r <= 0) throw ConfigError("`channel_shrink_ratio` must be positive (model_type `lilt`)");
  const int64_t h = s.hidden, hn = h / r, n2d = c.i("max_2d_position_embeddings", 1024);
  auto self_output = [&](int64_t d) {
    auto o = make("LiltSelfOutput");
    o->add("dense", linear(d, d));
    o->add("LayerNorm", layer_norm(d));
    o->add("dropout", leaf("Dropout"));
    return o;
  };
  auto ffn = [&](int64_t d, int64_t inter) {
    auto i = make("LiltIntermediate");
    i->add("dense", linear(d, inter));
    i->add("intermediate_act_fn", leaf(act_class(s.act)));
    auto o = make("LiltOutput");
    o->add("dense", linear(inter, d));
    o->add("LayerNorm", layer_norm(d));
    o->add("dropout", leaf("Dropout"));
    return std::pair{i, o};
  };
  auto self = make("LiltSelfAttention");
  for (const char* n : {"query", "key", "value"}) self->add(n, linear(h, h));
  for (const char* n : {"layout_query", "layout_key", "layout_value"}) self->add(n, linear(hn, h / r));
  self->add("dropout", leaf("Dropout"));
  auto attn = make("LiltAttention");
  attn->add("self", self);
  attn->add("output", self_output(h));
  attn->add("layout_output", self_output(hn));
  auto l = make("LiltLayer");
  l->add("attention", attn);
  auto [inter, out] = ffn(h, s.inter);
  l->add("intermediate", inter);
  l->add("output", out);
  auto [linter, lout] = ffn(hn, s.inter / r);
  l->add("layout_intermediate", linter);
  l->add("layout_output", lout);

  auto layout = make("LiltLayoutEmbeddings");
  for (const char* n : {"x_position_embeddings", "y_position_embeddings", "h_position_embeddings",
                        "w_position_embeddings"})
    layout->add(n, embedding(n2d, h / 6));
  layout->add("box_position_embeddings", embedding(s.max_pos, hn));
  layout->add("box_linear_embeddings", linear(h, hn));
  layout->add("LayerNorm", layer_norm(hn));
  layout->add("dropout", leaf("Dropout"));
  auto m = make("LiltModel");
  m->add("embeddings", embeddings(s, {}));
  m->add("layout_embeddings", layout);
  m->add("encoder", encoder(s, l));
  m->add("pooler", pooler(s));
  return {m, {}};
}

// LUKE (modeling_luke.py): RoBERTa-style word embeddings (no id buffers), entity_embeddings (an entity table of
// entity_emb_size, projected to hidden_size when they differ, position and token-type tables, LayerNorm), BERT
// layers whose self-attention adds w2e/e2w/e2e queries when use_entity_aware_attention, and a pooler.
Model luke(const Config& c, std::string_view cls) {
  only(cls, "LukeModel");
  auto s = bert::read(c, "Luke", 50267);
  auto emb = make("LukeEmbeddings");
  emb->add("word_embeddings", embedding(s.vocab, s.hidden));
  emb->add("position_embeddings", embedding(s.max_pos, s.hidden));
  emb->add("token_type_embeddings", embedding(s.type_vocab, s.hidden));
  emb->add("LayerNorm", layer_norm(s.hidden));
  emb->add("dropout", leaf("Dropout"));
  const int64_t ent = c.i("entity_emb_size", 256);
  auto ee = make("LukeEntityEmbeddings");
  ee->add("entity_embeddings", embedding(c.i("entity_vocab_size", 500000), ent));
  if (ent != s.hidden) ee->add("entity_embedding_dense", linear(ent, s.hidden, false));
  ee->add("position_embeddings", embedding(s.max_pos, s.hidden));
  ee->add("token_type_embeddings", embedding(s.type_vocab, s.hidden));
  ee->add("LayerNorm", layer_norm(s.hidden));
  ee->add("dropout", leaf("Dropout"));
  auto l = bert::layer(s);
  if (c.b("use_entity_aware_attention", true)) {
    auto self = l->child("attention")->child("self");
    auto dropout = self->children.back();
    self->children.pop_back();
    for (const char* n : {"w2e_query", "e2w_query", "e2e_query"}) self->add(n, linear(s.hidden, s.hidden));
    self->children.push_back(dropout);
  }
  auto m = make("LukeModel");
  m->add("embeddings", emb);
  m->add("entity_embeddings", ee);
  m->add("encoder", encoder(s, l));
  m->add("pooler", pooler(s));
  return {m, {"LukeAttention", "LukeEntityEmbeddings"}};
}

// LayoutLMv3 (modeling_layoutlmv3.py): text embeddings with x/y (coordinate_size) and h/w (shape_size) tables, a
// ViT-style patch embedding with cls_token and pos_embed, LayerNorm and norm, visual_bbox (int64 [size^2 + 1, 4]) when
// relative or spatial attention biases are on, and the encoder's rel_pos_bias / rel_pos_x_bias / rel_pos_y_bias.
Model layoutlmv3(const Config& c, std::string_view cls) {
  only(cls, "LayoutLMv3Model");
  auto s = bert::read(c, "LayoutLMv3", 50265);
  const bool rel = c.b("has_relative_attention_bias", true), spatial = c.b("has_spatial_attention_bias", true);
  auto m = make("LayoutLMv3Model");
  if (c.b("text_embed", true)) {
    EmbeddingSpec e;
    e.positions_last = true;
    auto emb = embeddings(s, e);
    const int64_t n2d = c.i("max_2d_position_embeddings", 1024), cs = c.i("coordinate_size", 128),
                  ss = c.i("shape_size", 128);
    emb->add("x_position_embeddings", embedding(n2d, cs));
    emb->add("y_position_embeddings", embedding(n2d, cs));
    emb->add("h_position_embeddings", embedding(n2d, ss));
    emb->add("w_position_embeddings", embedding(n2d, ss));
    m->add("embeddings", emb);
  }
  if (c.b("visual_embed", true)) {
    const int64_t patch = c.i("patch_size", 16), input = c.i("input_size", 224);
    if (patch <= 0) throw ConfigError("`patch_size` must be positive (model_type `layoutlmv3`)");
    const int64_t size = checked_count(input / patch, "input_size / patch_size");
    auto pe = make("LayoutLMv3PatchEmbeddings");
    pe->add("proj", conv2d(c.i("num_channels", 3), s.hidden, patch));
    m->add("patch_embed", pe);
    m->param("cls_token", {1, 1, s.hidden});
    m->param("pos_embed", {1, size * size + 1, s.hidden});
    m->add("pos_drop", leaf("Dropout"));
    m->add("LayerNorm", layer_norm(s.hidden));
    m->add("dropout", leaf("Dropout"));
    if (rel || spatial) m->buffer("visual_bbox", {size * size + 1, 4}, DType::I64, false);
    m->add("norm", layer_norm(s.hidden));
  }
  auto enc = encoder(s, bert::layer(s));
  if (rel) enc->add("rel_pos_bias", linear(c.i("rel_pos_bins", 32), s.heads, false));
  if (spatial) {
    enc->add("rel_pos_x_bias", linear(c.i("rel_2d_pos_bins", 64), s.heads, false));
    enc->add("rel_pos_y_bias", linear(c.i("rel_2d_pos_bins", 64), s.heads, false));
  }
  m->add("encoder", enc);
  return {m, {}};
}

// CANINE (modeling_canine.py): character embeddings from num_hash_functions hash tables of hidden / n each, a
// one-layer local encoder, a strided Conv1d down to molecules, the deep encoder, a Conv1d projection back from the
// concatenation (2 * hidden), a one-layer final encoder and a pooler; all layers are BERT layers.
Model canine(const Config& c, std::string_view cls) {
  only(cls, "CanineModel");
  auto s = bert::read(c, "Canine", 16384);
  const int64_t hashes = checked_count(c.i("num_hash_functions", 8), "num_hash_functions");
  const int64_t buckets = c.i("num_hash_buckets", 16384);
  if (hashes == 0) throw ConfigError("`num_hash_functions` must be positive (model_type `canine`)");
  auto emb = make("CanineEmbeddings");
  for (int64_t i = 0; i < hashes; ++i)
    emb->add("HashBucketCodepointEmbedder_" + std::to_string(i), embedding(buckets, s.hidden / hashes));
  emb->add("char_position_embeddings", embedding(buckets, s.hidden));
  emb->add("token_type_embeddings", embedding(s.type_vocab, s.hidden));
  emb->add("LayerNorm", layer_norm(s.hidden));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  auto conv = [&](const std::string& cls_name, int64_t in, int64_t k) {
    auto m = make(cls_name);
    auto cv = make("Conv1d");
    cv->param("weight", {s.hidden, in, k});
    cv->param("bias", {s.hidden});
    m->add("conv", cv);
    m->add("activation", leaf(act_class(s.act)));
    m->add("LayerNorm", layer_norm(s.hidden));
    return m;
  };
  auto layer = bert::layer(s);
  bert::BertShape one = s;
  one.layers = 1;
  auto m = make("CanineModel");
  m->add("char_embeddings", emb);
  m->add("initial_char_encoder", encoder(one, layer));
  m->add("chars_to_molecules", conv("CharactersToMolecules", s.hidden, c.i("downsampling_rate", 4)));
  m->add("encoder", encoder(s, layer));
  m->add("projection", conv("ConvProjection", 2 * s.hidden, c.i("upsampling_kernel_size", 4)));
  m->add("final_char_encoder", encoder(one, layer));
  m->add("pooler", pooler(s));
  return {m, {}};
}

// Nystromformer, YOSO and MRA: BERT layers (Nystromformer and YOSO add a depthwise Conv2d over the heads, kernel
// (k, 1), when conv_kernel_size / conv_window is set), positions offset by 2, no pooler.
Model approx_attention(const Config& c, std::string_view cls, const std::string& prefix, const char* conv_key) {
  only(cls, prefix + "Model");
  auto s = bert::read(c, prefix, 30000);
  auto l = bert::layer(s);
  if (conv_key && c.has(conv_key))
    l->child("attention")->child("self")->add("conv", conv2d(s.heads, s.heads, c.i(conv_key, 65), 1, false, s.heads));
  return model(prefix + "Model", embeddings(s, {.pos_extra = 2, .type_ids_buffer = true}), encoder(s, l), nullptr);
}

MEMFIT_FAMILY({"bert-generation"}, "BertGeneration", bert_generation, "BertGenerationEncoder");
MEMFIT_FAMILY({"megatron-bert"}, "MegatronBert", megatron_bert);
MEMFIT_FAMILY({"rembert"}, "RemBert", rembert);
MEMFIT_FAMILY({"roc_bert"}, "RoCBert", roc_bert);
MEMFIT_FAMILY({"splinter"}, "Splinter", splinter);
MEMFIT_FAMILY({"layoutlm"}, "LayoutLM", layoutlm);
MEMFIT_FAMILY({"markuplm"}, "MarkupLM", markuplm);
MEMFIT_FAMILY({"xmod"}, "Xmod", xmod);
MEMFIT_FAMILY({"lilt"}, "Lilt", lilt);
MEMFIT_FAMILY({"luke"}, "Luke", luke);
MEMFIT_FAMILY({"layoutlmv3"}, "LayoutLMv3", layoutlmv3);
MEMFIT_FAMILY({"canine"}, "Canine", canine);
MEMFIT_FAMILY({"nystromformer"}, "Nystromformer", [](const Config& c, std::string_view cls) {
  return approx_attention(c, cls, "Nystromformer", "conv_kernel_size");
});
MEMFIT_FAMILY({"yoso"}, "Yoso", [](const Config& c, std::string_view cls) {
  return approx_attention(c, cls, "Yoso", "conv_window");
});
MEMFIT_FAMILY({"mra"}, "Mra", [](const Config& c, std::string_view cls) {
  return approx_attention(c, cls, "Mra", nullptr);
});

}  // namespace
}  // namespace memfit
