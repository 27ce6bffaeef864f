// D-FINE: transformers' modeling_d_fine.py. DFineModel: backbone = DFineConvEncoder around the backbone
// load_backbone builds (HGNetV2Backbone by default, out_indices [2, 3, 4], BatchNorms frozen); encoder_input_proj
// (1x1 conv + BatchNorm per backbone level); the hybrid encoder (AIFI transformer layers with a DFineMLP
// feed-forward, lateral conv-norms, RepNCSPELAN4 FPN / PAN blocks of CSP RepVGG layers, SCDown downsamplers);
// denoising_class_embed, the encoder-output heads; decoder_input_proj (Identity when d_model equals the last decoder
// input width); the decoder: layers (self-attention, LayerNorm, a deformable attention holding only sampling offsets,
// attention weights and a num_points_scale buffer, a DFineMLP, LayerNorm, a gate), query_pos_head, the reg_scale / up
// scalars, pre_bbox_head, the integral and the location-quality MLPs.
// DFineForObjectDetection: per decoder layer a class Linear and a box DFineMLP (4 * (max_num_bins + 1) outputs),
// registered on the model's decoder (the top-level lists are the same modules); with tie_word_embeddings (true by
// default) every one after the first is tied to the first.
#include <algorithm>
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/d_fine.h"
#include "arch/transformers/detr.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit::dfine {
using namespace blocks;

ModulePtr conv_norm(const std::string& p, int64_t in, int64_t out, int64_t k, const std::string& act, int64_t groups) {
  auto l = make(p + "ConvNormLayer");
  l->add("conv", conv2d(in, out, k, false, groups));
  l->add("norm", batch_norm(out));
  l->add("activation", leaf(act.empty() ? "Identity" : act_class(act)));
  return l;
}

ModulePtr mlp(const std::string& p, int64_t in, int64_t hidden, int64_t out, int64_t layers, const std::string& act) {
  auto list = make("ModuleList");
  for (int64_t i = 0; i < layers; ++i)
    list->add(std::to_string(i), linear(i == 0 ? in : hidden, i == layers - 1 ? out : hidden));
  auto m = make(p + "MLP");
  m->add("layers", list);
  m->add("act", leaf(act_class(act)));
  return m;
}

ModulePtr hybrid_encoder(const Config& c, const std::string& p, int64_t h, CspBlock block) {
  const int64_t heads = media::dim(c, "encoder_attention_heads", 8);
  media::divisible(c, h, heads, "encoder_hidden_dim by encoder_attention_heads");
  auto attn = make(p + "SelfAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "o_proj"}) attn->add(n, linear(h, h));
  auto layer = make(p + "EncoderLayer");
  layer->add("self_attn", attn);
  layer->add("self_attn_layer_norm", layer_norm(h));
  layer->add("mlp", mlp(p, h, media::dim(c, "encoder_ffn_dim", 1024), h, 2, c.s("encoder_activation_function", "gelu")));
  layer->add("final_layer_norm", layer_norm(h));
  auto aifi = make(p + "AIFILayer");
  aifi->add("position_embedding", leaf(p + "SinePositionEmbedding"));
  aifi->add("layers", repeat(layer, media::count(c, "encoder_layers", 1)));
  const auto n = static_cast<int64_t>(media::dims(c, "encoder_in_channels", {512, 1024, 2048}).size()) - 1;
  const auto blocks = static_cast<int64_t>(std::nearbyint(3 * c.f("depth_mult", 1.0)));
  media::require(c, n >= 0 && blocks >= 0 && blocks <= 64, "encoder_in_channels / depth_mult out of range");
  auto sc = make(p + "SCDown");
  sc->add("conv1", conv_norm(p, h, h, 1, ""));
  sc->add("conv2", conv_norm(p, h, h, 3, "", h));
  auto e = make(p + "HybridEncoder");
  e->add("aifi", repeat(aifi, static_cast<int64_t>(media::dims(c, "encode_proj_layers", {2}, 0).size())));
  e->add("lateral_convs", repeat(conv_norm(p, h, h, 1, ""), n));
  e->add("fpn_blocks", repeat(block(c, h, blocks), n));
  e->add("downsample_convs", repeat(sc, n));
  e->add("pan_blocks", repeat(block(c, h, blocks), n));
  return e;
}

}  // namespace memfit::dfine

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kP = "DFine";

ModulePtr conv_norm(int64_t in, int64_t out, int64_t k, const std::string& act, int64_t groups = 1) {
  return dfine::conv_norm(kP, in, out, k, act, groups);
}

ModulePtr mlp(int64_t in, int64_t hidden, int64_t out, int64_t layers, const std::string& act = "relu") {
  return dfine::mlp(kP, in, hidden, out, layers, act);
}

// DFineMLPPredictionHead: the Linears alone.
ModulePtr prediction_head(int64_t in, int64_t hidden, int64_t out, int64_t layers) {
  auto list = make("ModuleList");
  for (int64_t i = 0; i < layers; ++i)
    list->add(std::to_string(i), linear(i == 0 ? in : hidden, i == layers - 1 ? out : hidden));
  auto m = make(kP + "MLPPredictionHead");
  m->add("layers", list);
  return m;
}

ModulePtr csp(const Config& c, int64_t in, int64_t out, int64_t blocks) {
  const std::string act = c.s("activation_function", "silu");
  auto rep = make(kP + "RepVggBlock");
  rep->add("conv1", conv_norm(out, out, 3, ""));
  rep->add("conv2", conv_norm(out, out, 1, ""));
  rep->add("activation", leaf(act_class(act)));
  auto l = make(kP + "CSPRepLayer");
  l->add("conv1", conv_norm(in, out, 1, act));
  l->add("conv2", conv_norm(in, out, 1, act));
  l->add("bottlenecks", repeat(rep, blocks));
  l->add("conv3", leaf("Identity"));  // hidden_channels = out_channels (expansion 1.0)
  return l;
}

// DFineRepNCSPELAN4 over encoder_hidden_dim h (its own activation is always SiLU).
ModulePtr elan(const Config& c, int64_t h, int64_t blocks) {
  // round(hidden_expansion * encoder_hidden_dim // 2): Python's floor division of the float product.
  auto c4 = static_cast<int64_t>(std::nearbyint(std::floor(c.f("hidden_expansion", 1.0) * static_cast<double>(h) / 2)));
  media::require(c, c4 >= 1 && c4 <= media::kMaxDim, "hidden_expansion out of range");
  auto l = make(kP + "RepNCSPELAN4");
  l->add("conv1", conv_norm(2 * h, 2 * h, 1, "silu"));
  l->add("csp_rep1", csp(c, h, c4, blocks));
  l->add("conv2", conv_norm(c4, c4, 3, "silu"));
  l->add("csp_rep2", csp(c, c4, c4, blocks));
  l->add("conv3", conv_norm(c4, c4, 3, "silu"));
  l->add("conv4", conv_norm(2 * h + 2 * c4, h, 1, "silu"));
  return l;
}

int64_t eval_index(const Config& c, int64_t layers) {
  int64_t eval = c.i("eval_idx", -1);
  eval = eval >= 0 ? eval : layers + eval;
  media::require(c, eval >= 0 && eval < layers, "eval_idx out of range");
  return eval;
}

ModulePtr decoder(const Config& c, int64_t d) {
  const int64_t heads = media::dim(c, "decoder_attention_heads", 8), levels = media::count(c, "num_feature_levels", 3);
  const int64_t layers = media::count(c, "decoder_layers", 6);
  if (d % heads != 0)
    throw ConfigError("transformers itself refuses this config: d_model must be divisible by decoder_attention_heads");
  int64_t points = 0;  // sum of the per-level sampling points (decoder_n_points: an int for every level, or a list)
  if (c.has("decoder_n_points") && c.raw()["decoder_n_points"].is_array()) {
    auto per_level = media::dims(c, "decoder_n_points", {});
    if (static_cast<int64_t>(per_level.size()) != levels)
      throw ConfigError("transformers itself refuses this config: decoder_n_points must list num_feature_levels entries");
    for (int64_t p : per_level) points += p;
  } else {
    points = levels * media::dim(c, "decoder_n_points", 4);
  }
  media::require(c, levels <= 64 && points <= media::kMaxDim / 1024, "num_feature_levels / decoder_n_points out of range");
  auto attn = make(kP + "SelfAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "o_proj"}) attn->add(n, linear(d, d));
  auto da = make(kP + "MultiscaleDeformableAttention");
  da->buffer("num_points_scale", {points}, DType::F32);
  da->add("sampling_offsets", linear(d, heads * points * 2));
  da->add("attention_weights", linear(d, heads * points));
  auto gate = make(kP + "Gate");
  gate->add("gate", linear(2 * d, 2 * d));
  gate->add("norm", layer_norm(d));
  auto l = make(kP + "DecoderLayer");
  l->add("self_attn", attn);
  l->add("self_attn_layer_norm", layer_norm(d));
  l->add("encoder_attn", da);
  l->add("mlp", mlp(d, media::dim(c, "decoder_ffn_dim", 1024), d, 2, c.s("decoder_activation_function", "relu")));
  l->add("final_layer_norm", layer_norm(d));
  l->add("gateway", gate);
  const int64_t eval = eval_index(c, layers);
  const int64_t top = media::count(c, "top_prob_values", 4);
  auto lqe = make(kP + "LQE");
  lqe->add("reg_conf", mlp(4 * (top + 1), media::dim(c, "lqe_hidden_dim", 64), 1, media::count(c, "lqe_layers", 2)));
  auto dec = make(kP + "Decoder");
  dec->add("layers", repeat(l, layers + (layers - eval - 1)));
  dec->add("query_pos_head", prediction_head(4, 2 * d, d, 2));
  dec->param("reg_scale", {1});
  dec->add("pre_bbox_head", mlp(d, d, 4, 3));
  dec->add("integral", leaf(kP + "Integral"));
  dec->param("up", {1});
  dec->add("lqe_layers", repeat(lqe, layers));
  return dec;
}

Model model(const Config& c) {
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "hgnet_v2"}}, "hgnet_v2");
  if (bc.c.s("model_type", "hgnet_v2") != "hgnet_v2")
    heads::unsupported(kP + "Model with a " + bc.c.s("model_type", "") + " backbone");
  Model bb = auto_model(bc.c);
  if (c.b("freeze_backbone_batch_norms", true)) freeze_batch_norm(*bb.root, kP);
  const int64_t h = media::dim(c, "encoder_hidden_dim", 256), d = media::dim(c, "d_model", 256);
  auto outs = media::dims(bc.c, "stage_out_channels", {128, 512, 1024, 2048});
  auto idx = media::dims(bc.c, "out_indices", {2, 3, 4}, 1);
  auto dec_in = media::dims(c, "decoder_in_channels", {256, 256, 256});
  const int64_t levels = media::count(c, "num_feature_levels", 3);
  media::require(c, !dec_in.empty() && dec_in.size() <= idx.size() && levels <= 64,
                 "decoder_in_channels longer than the backbone's out_indices");
  auto enc_proj = make("ModuleList");
  for (size_t i = 0; i < dec_in.size(); ++i) {  // one per decoder_in_channels entry, from the backbone widths
    media::require(c, idx[i] <= static_cast<int64_t>(outs.size()), "out_indices out of range");
    enc_proj->add(std::to_string(i), module_list({conv2d(outs[static_cast<size_t>(idx[i] - 1)], h, 1, false),
                                                  batch_norm(h)},
                                                 "Sequential"));
  }
  const int64_t labels = heads::num_labels(c);
  media::require(c, labels >= 1, "num_labels must be at least 1");
  auto conv_enc = make(kP + "ConvEncoder");
  conv_enc->add("model", bb.root);
  auto m = make(kP + "Model");
  m->add("backbone", conv_enc);
  m->add("encoder_input_proj", enc_proj);
  m->add("encoder", dfine::hybrid_encoder(c, kP, h, elan));
  if (c.i("num_denoising", 100) > 0) m->add("denoising_class_embed", embedding(labels + 1, d));
  if (c.b("learn_initial_query", false)) m->add("weight_embedding", embedding(media::dim(c, "num_queries", 300), d));
  m->add("enc_output", module_list({linear(d, d), layer_norm(d)}, "Sequential"));
  m->add("enc_score_head", linear(d, labels));
  m->add("enc_bbox_head", prediction_head(d, d, 4, 3));
  const bool same = d == dec_in.back();
  auto dec_proj = make("ModuleList");
  const auto n_in = static_cast<int64_t>(dec_in.size());
  for (int64_t k = 0; k < std::max(levels, n_in); ++k)
    dec_proj->add(std::to_string(k), same ? leaf("Identity")
                                          : module_list({conv2d(dec_in.back(), d, k < n_in ? 1 : 3, false),
                                                         batch_norm(d)},
                                                        "Sequential"));
  m->add("decoder_input_proj", dec_proj);
  m->add("decoder", decoder(c, d));
  std::vector<std::string> no_split{kP + "HybridEncoder", kP + "DecoderLayer"};
  merge_no_split(no_split, bb.no_split);
  return {m, no_split};
}

Model build(const Config& c, std::string_view cls) {
  if (cls == kP + "Model") return model(c);
  if (cls != kP + "ForObjectDetection") heads::unsupported(cls);
  Model base = model(c);
  const int64_t d = media::dim(c, "d_model", 256), layers = media::count(c, "decoder_layers", 6);
  const int64_t labels = heads::num_labels(c), bins = media::count(c, "max_num_bins", 32);
  const int64_t eval = eval_index(c, layers);
  const auto scaled = static_cast<int64_t>(std::nearbyint(c.f("layer_scale", 1.0) * static_cast<double>(d)));
  media::require(c, scaled >= 1 && scaled <= media::kMaxDim && bins <= 4096, "layer_scale / max_num_bins out of range");
  const bool tied = c.b("tie_word_embeddings", true);
  const std::string base_name = "model.decoder.";
  auto class_embed = make("ModuleList"), bbox_embed = make("ModuleList");
  for (int64_t i = 0; i < layers; ++i) {
    const int64_t w = i <= eval ? d : scaled;  // the boxes after eval_idx read layer_scale * hidden_size
    if (i == 0 || !tied || w != d) {
      class_embed->add(std::to_string(i), linear(d, labels));
      bbox_embed->add(std::to_string(i), mlp(w, w, 4 * (bins + 1), 3));
      continue;
    }
    auto lin = make("Linear");
    lin->tie("weight", {labels, d}, base_name + "class_embed.0.weight").tie("bias", {labels}, base_name + "class_embed.0.bias");
    class_embed->add(std::to_string(i), lin);
    auto box = mlp(w, w, 4 * (bins + 1), 3);
    auto first = mlp(d, d, 4 * (bins + 1), 3);
    auto& ls = box->child("layers")->children;
    for (size_t j = 0; j < ls.size(); ++j) {
      const auto& src = first->child("layers")->children[j].second;
      auto t = make("Linear");
      const std::string to = base_name + "bbox_embed.0.layers." + std::to_string(j);
      t->tie("weight", src->params[0].second.shape, to + ".weight").tie("bias", src->params[1].second.shape, to + ".bias");
      ls[j].second = t;
    }
    bbox_embed->add(std::to_string(i), box);
  }
  // The heads are the decoder's class_embed / bbox_embed; the top-level attributes name the same modules, which
  // named_parameters (and so accelerate) lists only once, under model.decoder.
  auto dec = base.root->child("decoder");
  dec->add("class_embed", class_embed);
  dec->add("bbox_embed", bbox_embed);
  auto root = make(std::string(cls));
  root->add("model", base.root);
  return {root, base.no_split};
}

MEMFIT_FAMILY({"d_fine"}, "DFine", build);

}  // namespace
}  // namespace memfit
