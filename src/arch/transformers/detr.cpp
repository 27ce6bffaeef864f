// DETR and Table Transformer: transformers' modeling_detr.py / modeling_table_transformer.py. A timm backbone
// (features_only, every BatchNorm2d replaced by a FrozenBatchNorm2d of four buffers), a 1x1 input projection,
// learned query positions, an encoder of self-attention + fc1/fc2 layers and a decoder adding cross-attention
// and a final LayerNorm (Table Transformer: the backbone under conv_encoder, and an encoder LayerNorm too).
// Conditional DETR (modeling_conditional_detr.py): decoder attention with separate content / position projections
// (the first layer's cross-attention alone keeps q_pos_proj), query_scale and ref_point_head MLPs in the decoder.
// DAB-DETR (modeling_dab_detr.py): anchor-box queries, PReLU FFNs, content/position projections around a single
// output projection, query_scale / ref_point_head / ref_anchor_head MLPs, the backbone under conv_encoder.
#include "arch/transformers/detr.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {

void freeze_batch_norm(Module& m, const std::string& p) {
  for (auto& [name, child] : m.children) {
    if (child->cls == "BatchNorm2d") {
      int64_t n = child->params.empty() ? 0 : child->params[0].second.shape[0];
      auto f = make(p + "FrozenBatchNorm2d");
      for (const char* b : {"weight", "bias", "running_mean", "running_var"}) f->buffer(b, {n}, DType::F32);
      child = f;
    } else {
      freeze_batch_norm(*child, p);
    }
  }
}

namespace {
using namespace blocks;

// The timm backbone (features_only: no pooling or classifier) and its last feature width.
ModulePtr timm_backbone(const Config& c, const std::string& p, int64_t& channels) {
  std::string arch = c.s("backbone", "resnet50");
  if (auto b = c.opt_sub("backbone_config")) {
    if (b->s("model_type", "timm_backbone") != "timm_backbone")
      heads::unsupported(p + "Model with a transformers backbone (" + b->s("model_type", "") + ")");
    arch = b->s("backbone", arch);
  } else if (!c.b("use_timm_backbone", true)) {
    heads::unsupported(p + "Model with a transformers backbone (use_timm_backbone = false)");
  }
  Json tc = {{"architecture", arch}, {"num_classes", 1}};
  auto built = build_timm(tc, arch);
  if (!built) heads::unsupported(p + " backbone timm `" + arch + "`: " + built.error().message);
  ModulePtr root = built->model.root;
  bool found = false;
  for (auto& [name, child] : root->children)
    if (name == "fc" && child->cls == "Linear") {
      channels = child->params[0].second.shape[1];
      child = leaf("Identity");
      found = true;
    }
  if (!found) heads::unsupported(p + " backbone timm `" + arch + "` (features_only not modelled)");
  root->cls = "FeatureListNet";
  freeze_batch_norm(*root, p);
  return root;
}

ModulePtr attention(const std::string& cls, int64_t d) {
  auto a = make(cls);
  for (const char* n : {"k_proj", "v_proj", "q_proj", "o_proj"}) a->add(n, linear(d, d));
  return a;
}

ModulePtr mlp(const std::string& p, const Config& c, int64_t d, int64_t ffn) {
  auto m = make(p + "MLP");
  m->add("fc1", linear(d, ffn));
  m->add("fc2", linear(ffn, d));
  m->add("activation_fn", leaf(act_class(c.s("activation_function", "relu"))));
  return m;
}

ModulePtr enc_layer(const Config& c, const std::string& p, int64_t d) {
  auto l = make(p + "EncoderLayer");
  l->add("self_attn", attention(p + "SelfAttention", d));
  l->add("self_attn_layer_norm", layer_norm(d));
  l->add("mlp", mlp(p, c, d, media::dim(c, "encoder_ffn_dim", 2048)));
  l->add("final_layer_norm", layer_norm(d));
  return l;
}

ModulePtr dec_layer(const Config& c, const std::string& p, int64_t d) {
  auto l = make(p + "DecoderLayer");
  l->add("self_attn", attention(p + "SelfAttention", d));
  l->add("self_attn_layer_norm", layer_norm(d));
  l->add("encoder_attn", attention(p + "CrossAttention", d));
  l->add("encoder_attn_layer_norm", layer_norm(d));
  l->add("mlp", mlp(p, c, d, media::dim(c, "decoder_ffn_dim", 2048)));
  l->add("final_layer_norm", layer_norm(d));
  return l;
}

}  // namespace

ModulePtr detr_timm_backbone(const Config& c, const std::string& p, int64_t& channels) {
  return timm_backbone(c, p, channels);
}

ModulePtr detr_decoder(const Config& c, const std::string& p) {
  int64_t d = media::dim(c, "d_model", 256);
  auto dec = make(p + "Decoder");
  dec->add("layers", repeat(dec_layer(c, p, d), media::count(c, "decoder_layers", 6)));
  dec->add("layernorm", layer_norm(d));
  return dec;
}

namespace {

// <P>MLPPredictionHead: `layers` Linears, in -> hidden ... -> out.
ModulePtr mlp_head(const std::string& p, int64_t in, int64_t hidden, int64_t out, int64_t layers) {
  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < layers; ++i) ls.push_back(linear(i == 0 ? in : hidden, i + 1 == layers ? out : hidden));
  auto m = make(p + "MLPPredictionHead");
  m->add("layers", module_list(ls));
  return m;
}

// Conditional DETR's decoder layer; `first` keeps the cross-attention's q_pos_proj.
ModulePtr cond_dec_layer(const Config& c, const std::string& p, int64_t d, bool first) {
  auto self = make(p + "DecoderSelfAttention");
  for (const char* n : {"q_content_proj", "q_pos_proj", "k_content_proj", "k_pos_proj", "v_proj", "o_proj"})
    self->add(n, linear(d, d));
  auto cross = make(p + "DecoderCrossAttention");
  for (const char* n : {"q_content_proj", "q_pos_proj", "k_content_proj", "k_pos_proj", "v_proj", "q_pos_sine_proj",
                        "o_proj"})
    if (first || std::string_view(n) != "q_pos_proj") cross->add(n, linear(d, d));
  auto l = make(p + "DecoderLayer");
  l->add("self_attn", self);
  l->add("self_attn_layer_norm", layer_norm(d));
  l->add("encoder_attn", cross);
  l->add("encoder_attn_layer_norm", layer_norm(d));
  l->add("mlp", mlp(p, c, d, media::dim(c, "decoder_ffn_dim", 2048)));
  l->add("final_layer_norm", layer_norm(d));
  return l;
}

// The activation module for activation_function; PReLU holds one weight.
ModulePtr activation(const Config& c) {
  std::string act = c.s("activation_function", "relu");
  if (act != "prelu") return leaf(act_class(act));
  auto m = make("PReLU");
  m->param("weight", {1});
  return m;
}

ModulePtr dab_encoder(const Config& c, int64_t d) {
  int64_t ffn = media::dim(c, "encoder_ffn_dim", 2048);
  auto l = make("DabDetrEncoderLayer");
  l->add("self_attn", media::kvq_attention("DetrAttention", d));
  l->add("self_attn_layer_norm", layer_norm(d));
  l->add("activation_fn", activation(c));
  l->add("fc1", linear(d, ffn));
  l->add("fc2", linear(ffn, d));
  l->add("final_layer_norm", layer_norm(d));
  auto e = make("DabDetrEncoder");
  e->add("query_scale", mlp_head("DabDetr", d, d, d, 2));
  e->add("layers", repeat(l, media::count(c, "encoder_layers", 6)));
  if (c.b("normalize_before", false)) e->add("norm", layer_norm(d));
  return e;
}

ModulePtr dab_dec_layer(const Config& c, int64_t d, bool first) {
  auto out_attn = [&] {
    auto a = make("DabDetrAttention");
    a->add("output_proj", linear(d, d));
    return a;
  };
  auto self = make("DabDetrDecoderLayerSelfAttention");
  for (const char* n : {"self_attn_query_content_proj", "self_attn_query_pos_proj", "self_attn_key_content_proj",
                        "self_attn_key_pos_proj", "self_attn_value_proj"})
    self->add(n, linear(d, d));
  self->add("self_attn", out_attn());
  self->add("self_attn_layer_norm", layer_norm(d));
  bool keep = first || c.b("keep_query_pos", false);
  auto cross = make("DabDetrDecoderLayerCrossAttention");
  for (const char* n : {"cross_attn_query_content_proj", "cross_attn_query_pos_proj", "cross_attn_key_content_proj",
                        "cross_attn_key_pos_proj", "cross_attn_value_proj", "cross_attn_query_pos_sine_proj"})
    if (keep || std::string_view(n) != "cross_attn_query_pos_proj") cross->add(n, linear(d, d));
  cross->add("cross_attn_layer_norm", layer_norm(d));
  cross->add("cross_attn", out_attn());
  int64_t ffn = media::dim(c, "decoder_ffn_dim", 2048);
  auto mlp = make("DabDetrDecoderLayerFFN");
  mlp->add("final_layer_norm", layer_norm(d));
  mlp->add("fc1", linear(d, ffn));
  mlp->add("fc2", linear(ffn, d));
  mlp->add("activation_fn", activation(c));
  auto l = make("DabDetrDecoderLayer");
  l->add("self_attn", self);
  l->add("cross_attn", cross);
  l->add("mlp", mlp);
  return l;
}

ModulePtr dab_model(const Config& c) {
  const std::string p = "DabDetr";
  int64_t d = media::dim(c, "hidden_size", 256), channels = 0, q = media::dim(c, "query_dim", 4);
  media::require(c, q / 2 * d <= media::kMaxDim, "query_dim too large");
  auto conv_enc = make(p + "ConvEncoder");
  conv_enc->add("model", timm_backbone(c, p, channels));
  auto conv = make(p + "ConvModel");
  conv->add("conv_encoder", conv_enc);
  conv->add("position_embedding", leaf(p + "SinePositionEmbedding"));
  auto rest = dab_dec_layer(c, d, false);
  std::vector<ModulePtr> ls;
  for (int64_t i = 0, n = media::count(c, "decoder_layers", 6); i < n; ++i)
    ls.push_back(i == 0 ? dab_dec_layer(c, d, true) : rest);
  auto dec = make(p + "Decoder");
  dec->add("layers", module_list(ls));
  dec->add("layernorm", layer_norm(d));
  dec->add("query_scale", mlp_head(p, d, d, d, 2));
  dec->add("ref_point_head", mlp_head(p, q / 2 * d, d, d, 2));
  dec->add("ref_anchor_head", mlp_head(p, d, d, 2, 2));
  auto m = make(p + "Model");
  m->add("query_refpoint_embeddings", embedding(media::dim(c, "num_queries", 300), q));
  m->add("input_projection", conv2d(channels, d, 1));
  m->add("backbone", conv);
  m->add("encoder", dab_encoder(c, d));
  m->add("decoder", dec);
  if (int64_t np = media::count(c, "num_patterns", 0); np > 0) m->add("patterns", embedding(np, d));
  return m;
}

ModulePtr detr_model(const Config& c, const std::string& p) {
  int64_t d = media::dim(c, "d_model", 256), channels = 0;
  bool table = p == "TableTransformer";
  auto conv_enc = make(p + "ConvEncoder");
  conv_enc->add("model", timm_backbone(c, p, channels));
  bool learned = c.s("position_embedding_type", "sine") == "learned";
  ModulePtr pos;
  if (learned) {
    pos = make(p + "LearnedPositionEmbedding");
    pos->add("row_embeddings", embedding(50, d / 2));
    pos->add("column_embeddings", embedding(50, d / 2));
  } else {
    pos = leaf(p + "SinePositionEmbedding");
  }
  auto enc = make(p + "Encoder");
  enc->add("layers", repeat(enc_layer(c, p, d), media::count(c, "encoder_layers", 6)));
  if (table) enc->add("layernorm", layer_norm(d));
  auto dec = make(p + "Decoder");
  int64_t n_dec = media::count(c, "decoder_layers", 6);
  if (p == "ConditionalDetr") {
    auto rest = cond_dec_layer(c, p, d, false);
    std::vector<ModulePtr> ls;
    for (int64_t i = 0; i < n_dec; ++i) ls.push_back(i == 0 ? cond_dec_layer(c, p, d, true) : rest);
    dec->add("layers", module_list(ls));
    dec->add("layernorm", layer_norm(d));
    dec->add("query_scale", mlp_head(p, d, d, d, 2));
    dec->add("ref_point_head", mlp_head(p, d, d, 2, 2));
  } else {
    dec->add("layers", repeat(dec_layer(c, p, d), n_dec));
    dec->add("layernorm", layer_norm(d));
  }
  auto m = make(p + "Model");
  if (table) {
    auto conv = make(p + "ConvModel");
    conv->add("conv_encoder", conv_enc);
    conv->add("position_embedding", pos);
    m->add("backbone", conv);
    m->add("input_projection", conv2d(channels, d, 1));
    m->add("query_position_embeddings", embedding(media::dim(c, "num_queries", 100), d));
  } else {
    m->add("backbone", conv_enc);
    m->add("position_embedding", pos);
    m->add("query_position_embeddings", embedding(media::dim(c, "num_queries", 100), d));
    m->add("input_projection", conv2d(channels, d, 1));
  }
  m->add("encoder", enc);
  m->add("decoder", dec);
  return m;
}

Model build(const Config& c, std::string_view cls, const std::string& p) {
  std::vector<std::string> no_split{p + "ConvEncoder", p + "EncoderLayer", p + "DecoderLayer"};
  if (cls == p + "Model") return {detr_model(c, p), no_split};
  if (cls != p + "ForObjectDetection") heads::unsupported(cls);
  int64_t d = media::dim(c, "d_model", 256);
  auto root = make(std::string(cls));
  root->add("model", detr_model(c, p));
  root->add("class_labels_classifier", linear(d, heads::num_labels(c) + (p == "ConditionalDetr" ? 0 : 1)));
  root->add("bbox_predictor", mlp_head(p, d, d, 4, 3));
  return {root, no_split};
}

MEMFIT_FAMILY({"detr"}, "Detr", [](const Config& c, std::string_view cls) { return build(c, cls, "Detr"); });
MEMFIT_FAMILY({"conditional_detr"}, "ConditionalDetr",
              [](const Config& c, std::string_view cls) { return build(c, cls, "ConditionalDetr"); });
MEMFIT_FAMILY({"dab-detr"}, "DabDetr", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "DabDetrModel") heads::unsupported(cls);
  return {dab_model(c), {"DabDetrConvEncoder", "DabDetrEncoderLayer", "DabDetrDecoderLayer"}};
});
MEMFIT_FAMILY({"table-transformer"}, "TableTransformer",
              [](const Config& c, std::string_view cls) { return build(c, cls, "TableTransformer"); });

}  // namespace
}  // namespace memfit
