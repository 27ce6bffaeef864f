// RT-DETR and RT-DETRv2: transformers' modeling_rt_detr.py, modeling_rt_detr_resnet.py, modeling_rt_detr_v2.py.
// RTDetrModel: the backbone load_backbone builds from backbone_config (RTDetrResNetBackbone, a ResNet-vd: a
// three-conv stem, bottleneck or basic stages whose strided shortcuts average-pool first), every BatchNorm2d in it
// frozen (four buffers) when freeze_backbone_batch_norms, under backbone.model; 1x1 conv + BatchNorm input
// projections; the hybrid encoder (AIFI transformer layers on the encode_proj_layers levels, a top-down FPN and a
// bottom-up PAN of conv-norm layers and CSP blocks of RepVGG blocks); the query-selection heads (enc_output,
// enc_score_head, enc_bbox_head, the denoising class table); decoder input projections; and the decoder of
// self-attention + multi-scale deformable attention layers with a query position MLP. v2's deformable attention
// reads decoder_n_levels and keeps an n_points_scale buffer.
#include "arch/transformers/rt_detr.h"

#include "arch/blocks.h"
#include "arch/transformers/detr.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

// RTDetrResNetConvLayer / ShortCut: a bias-free conv, BatchNorm2d (and the activation).
ModulePtr resnet_conv(const char* cls, int64_t in, int64_t out, int64_t k, const std::string& act) {
  auto l = make(cls);
  l->add("convolution", conv2d(in, out, k, false));
  l->add("normalization", batch_norm(out));
  if (!act.empty()) l->add("activation", leaf(act_class(act)));
  return l;
}

ModulePtr shortcut(int64_t in, int64_t out) { return resnet_conv("RTDetrResNetShortCut", in, out, 1, ""); }

// A shortcut preceded by AvgPool2d (the ResNet-vd downsample), or the plain shortcut / nn.Identity.
ModulePtr pooled(ModulePtr s) { return module_list({leaf("AvgPool2d"), std::move(s)}, "Sequential"); }

ModulePtr res_layer(const Config& bc, int64_t in, int64_t out, int64_t stride, bool first) {
  std::string act = bc.s("hidden_act", "relu");
  auto l = make(bc.s("layer_type", "bottleneck") == "bottleneck" ? "RTDetrResNetBottleNeckLayer"
                                                                  : "RTDetrResNetBasicLayer");
  if (l->cls == "RTDetrResNetBottleNeckLayer") {
    bool apply = in != out || stride != 1;
    l->add("shortcut", stride == 2 ? pooled(apply ? shortcut(in, out) : leaf("Identity"))
                                   : (apply ? shortcut(in, out) : leaf("Identity")));
    int64_t r = out / 4;
    media::require(bc, r >= 1, "hidden_sizes too small for a bottleneck");
    l->add("layer", module_list({resnet_conv("RTDetrResNetConvLayer", in, r, 1, "relu"),
                                 resnet_conv("RTDetrResNetConvLayer", r, r, 3, "relu"),
                                 resnet_conv("RTDetrResNetConvLayer", r, out, 1, "")},
                                "Sequential"));
  } else {
    ModulePtr s = leaf("Identity");
    if (first) s = in != out ? pooled(shortcut(in, out)) : shortcut(in, out);
    l->add("shortcut", s);
    l->add("layer", module_list({resnet_conv("RTDetrResNetConvLayer", in, out, 3, "relu"),
                                 resnet_conv("RTDetrResNetConvLayer", out, out, 3, "")},
                                "Sequential"));
  }
  l->add("activation", leaf(act_class(act)));
  return l;
}

// RTDetrResNetBackbone and the widths of the levels out_indices picks ([embedding_size] + hidden_sizes).
ModulePtr resnet_backbone(const Config& bc, std::vector<int64_t>& channels) {
  std::string act = bc.s("hidden_act", "relu");
  int64_t e = media::dim(bc, "embedding_size", 64), ch = media::dim(bc, "num_channels", 3);
  auto sizes = media::dims(bc, "hidden_sizes", {256, 512, 1024, 2048});
  auto depths = media::dims(bc, "depths", {3, 4, 6, 3});
  media::require(bc, !sizes.empty() && sizes.size() == depths.size() && e >= 2, "hidden_sizes and depths differ");
  auto emb = make("RTDetrResNetEmbeddings");
  emb->add("embedder", module_list({resnet_conv("RTDetrResNetConvLayer", ch, e / 2, 3, act),
                                    resnet_conv("RTDetrResNetConvLayer", e / 2, e / 2, 3, act),
                                    resnet_conv("RTDetrResNetConvLayer", e / 2, e, 3, act)},
                                   "Sequential"));
  emb->add("pooler", leaf("MaxPool2d"));
  auto stages = make("ModuleList");
  for (size_t i = 0; i < sizes.size(); ++i) {
    int64_t in = i == 0 ? e : sizes[i - 1], stride = i == 0 && !bc.b("downsample_in_first_stage", false) ? 1 : 2;
    std::vector<ModulePtr> layers{res_layer(bc, in, sizes[i], stride, true)};
    auto rest = res_layer(bc, sizes[i], sizes[i], 1, false);
    for (int64_t j = 1; j < depths[i]; ++j) layers.push_back(rest);
    auto st = make("RTDetrResNetStage");
    st->add("layers", module_list(std::move(layers), "Sequential"));
    stages->add(std::to_string(i), st);
  }
  auto enc = make("RTDetrResNetEncoder");
  enc->add("stages", stages);
  auto m = make("RTDetrResNetBackbone");
  m->add("embedder", emb);
  m->add("encoder", enc);
  std::vector<int64_t> widths{e};
  widths.insert(widths.end(), sizes.begin(), sizes.end());
  for (int64_t i : media::dims(bc, "out_indices", {2, 3, 4}, 0)) {
    media::require(bc, i < static_cast<int64_t>(widths.size()), "out_indices out of range");
    channels.push_back(widths[static_cast<size_t>(i)]);
  }
  return m;
}

ModulePtr conv_norm(const std::string& p, int64_t in, int64_t out, int64_t k, const std::string& act) {
  auto l = make(p + "ConvNormLayer");
  l->add("conv", conv2d(in, out, k, false));
  l->add("norm", batch_norm(out));
  l->add("activation", leaf(act.empty() ? "Identity" : act_class(act)));
  return l;
}

ModulePtr self_attention(const std::string& p, int64_t d) {
  auto a = make(p + "SelfAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "o_proj"}) a->add(n, linear(d, d));
  return a;
}

ModulePtr mlp(const std::string& p, int64_t d, int64_t ffn, const std::string& act) {
  auto m = make(p + "MLP");
  m->add("fc1", linear(d, ffn));
  m->add("fc2", linear(ffn, d));
  m->add("activation_fn", leaf(act_class(act)));
  return m;
}

ModulePtr csp(const Config& c, const std::string& p, int64_t hd) {
  std::string act = c.s("activation_function", "silu");
  auto hc = static_cast<int64_t>(static_cast<double>(hd) * c.f("hidden_expansion", 1.0));
  media::require(c, hc >= 1 && hc <= media::kMaxDim, "hidden_expansion out of range");
  auto rep = make(p + "RepVggBlock");
  rep->add("conv1", conv_norm(p, hc, hc, 3, ""));
  rep->add("conv2", conv_norm(p, hc, hc, 1, ""));
  rep->add("activation", leaf(act_class(act)));
  auto l = make(p + "CSPRepLayer");
  l->add("conv1", conv_norm(p, 2 * hd, hc, 1, act));
  l->add("conv2", conv_norm(p, 2 * hd, hc, 1, act));
  l->add("bottlenecks", repeat(rep, 3, "Sequential"));
  l->add("conv3", hc != hd ? conv_norm(p, hc, hd, 1, act) : leaf("Identity"));
  return l;
}

ModulePtr hybrid_encoder(const Config& c, const std::string& p) {
  int64_t hd = media::dim(c, "encoder_hidden_dim", 256);
  auto in = media::dims(c, "encoder_in_channels", {512, 1024, 2048});
  auto proj_layers = media::dims(c, "encode_proj_layers", {2}, 0);
  media::require(c, !in.empty(), "encoder_in_channels is empty");
  auto layer = make(p + "EncoderLayer");
  layer->add("self_attn", self_attention(p, hd));
  layer->add("self_attn_layer_norm", layer_norm(hd));
  layer->add("mlp", mlp(p, hd, media::dim(c, "encoder_ffn_dim", 1024), c.s("encoder_activation_function", "gelu")));
  layer->add("final_layer_norm", layer_norm(hd));
  auto aifi = make(p + "AIFILayer");
  aifi->add("position_embedding", leaf(p + "SinePositionEmbedding"));
  aifi->add("layers", repeat(layer, media::count(c, "encoder_layers", 1)));
  auto n = static_cast<int64_t>(in.size()) - 1;
  std::string act = c.s("activation_function", "silu");
  auto e = make(p + "HybridEncoder");
  e->add("aifi", repeat(aifi, static_cast<int64_t>(proj_layers.size())));
  e->add("lateral_convs", repeat(conv_norm(p, hd, hd, 1, act), n));
  e->add("fpn_blocks", repeat(csp(c, p, hd), n));
  e->add("downsample_convs", repeat(conv_norm(p, hd, hd, 3, act), n));
  e->add("pan_blocks", repeat(csp(c, p, hd), n));
  return e;
}

ModulePtr decoder_layer(const Config& c, const std::string& p, bool v2) {
  int64_t d = media::dim(c, "d_model", 256), heads = media::dim(c, "decoder_attention_heads", 8);
  media::divisible(c, d, heads, "d_model / decoder_attention_heads");
  int64_t levels = v2 ? media::dim(c, "decoder_n_levels", 3) : media::dim(c, "num_feature_levels", 3);
  int64_t points = media::dim(c, "decoder_n_points", 4);
  auto da = rt_detr::deformable_attention(p, d, heads, levels, points, !v2);
  if (v2) da->buffer("n_points_scale", {levels * points}, DType::F32);
  auto l = make(p + "DecoderLayer");
  l->add("self_attn", self_attention(p, d));
  l->add("self_attn_layer_norm", layer_norm(d));
  l->add("encoder_attn", da);
  l->add("encoder_attn_layer_norm", layer_norm(d));
  l->add("mlp", mlp(p, d, media::dim(c, "decoder_ffn_dim", 1024), c.s("decoder_activation_function", "relu")));
  l->add("final_layer_norm", layer_norm(d));
  return l;
}

ModulePtr proj(int64_t in, int64_t out, int64_t k) { return module_list({conv2d(in, out, k, false), batch_norm(out)}, "Sequential"); }

}  // namespace

namespace rt_detr {
using namespace blocks;

ModulePtr deformable_attention(const std::string& p, int64_t d, int64_t heads, int64_t levels, int64_t points,
                               bool kernel) {
  auto a = make(p + "MultiscaleDeformableAttention");
  if (kernel) a->add("attn", leaf("MultiScaleDeformableAttention"));
  a->add("sampling_offsets", linear(d, heads * levels * points * 2));
  a->add("attention_weights", linear(d, heads * levels * points));
  a->add("value_proj", linear(d, d));
  a->add("output_proj", linear(d, d));
  return a;
}

ModulePtr prediction_head(const std::string& p, int64_t in, int64_t hidden, int64_t out, int64_t layers) {
  auto m = make(p + "MLPPredictionHead");
  auto list = make("ModuleList");
  for (int64_t i = 0; i < layers; ++i)
    list->add(std::to_string(i), linear(i == 0 ? in : hidden, i == layers - 1 ? out : hidden));
  m->add("layers", list);
  return m;
}

ModulePtr model(const Config& c, const std::string& p, bool v2, ModulePtr bb, const std::vector<int64_t>& channels) {
  if (c.b("freeze_backbone_batch_norms", true)) freeze_batch_norm(*bb, p);
  auto conv_enc = make(p + "ConvEncoder");
  conv_enc->add("model", bb);
  int64_t hd = media::dim(c, "encoder_hidden_dim", 256), d = media::dim(c, "d_model", 256);
  int64_t labels = heads::num_labels(c);
  media::require(c, labels >= 1, "num_labels must be at least 1");
  auto m = make(p + "Model");
  m->add("backbone", conv_enc);
  auto enc_proj = make("ModuleList");
  for (size_t i = 0; i < channels.size(); ++i) enc_proj->add(std::to_string(i), proj(channels[i], hd, 1));
  m->add("encoder_input_proj", enc_proj);
  m->add("encoder", hybrid_encoder(c, p));
  if (c.i("num_denoising", 100) > 0) m->add("denoising_class_embed", embedding(labels + 1, d));
  if (c.b("learn_initial_query", false)) m->add("weight_embedding", embedding(media::dim(c, "num_queries", 300), d));
  m->add("enc_output", module_list({linear(d, d), layer_norm(d)}, "Sequential"));
  m->add("enc_score_head", linear(d, labels));
  m->add("enc_bbox_head", prediction_head(p, d, d, 4, 3));
  auto dec_in = media::dims(c, "decoder_in_channels", {256, 256, 256});
  int64_t levels = media::count(c, "num_feature_levels", 3);
  media::require(c, !dec_in.empty() && levels <= 64, "decoder_in_channels / num_feature_levels out of range");
  auto dec_proj = make("ModuleList");
  int64_t in = 0, k = 0;
  for (; k < static_cast<int64_t>(dec_in.size()); ++k) dec_proj->add(std::to_string(k), proj(in = dec_in[k], d, 1));
  for (; k < levels; ++k, in = d) dec_proj->add(std::to_string(k), proj(in, d, 3));
  m->add("decoder_input_proj", dec_proj);
  auto dec = make(p + "Decoder");
  dec->add("layers", repeat(decoder_layer(c, p, v2), media::count(c, "decoder_layers", 6)));
  dec->add("query_pos_head", prediction_head(p, 4, 2 * d, d, 2));
  m->add("decoder", dec);
  return m;
}

}  // namespace rt_detr

namespace {

ModulePtr rt_detr_model(const Config& c, const std::string& p, bool v2) {
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "rt_detr_resnet"}, {"out_indices", {2, 3, 4}}},
                            "rt_detr_resnet");
  if (bc.c.s("model_type", "rt_detr_resnet") != "rt_detr_resnet")
    heads::unsupported(p + "Model with a " + bc.c.s("model_type", "") + " backbone");
  std::vector<int64_t> channels;
  auto bb = resnet_backbone(bc.c, channels);
  return rt_detr::model(c, p, v2, bb, channels);
}

Model build(const Config& c, std::string_view cls, const std::string& p, bool v2) {
  std::vector<std::string> no_split{p + "DecoderLayer", p + "HybridEncoder"};
  if (cls == p + "Model") return {rt_detr_model(c, p, v2), no_split};
  if (cls != p + "ForObjectDetection" || v2) heads::unsupported(cls);
  // RTDetrForObjectDetection: per decoder layer a class head and a box head, set on the model's decoder (its
  // _no_split_modules = None still gathers the model's).
  auto m = rt_detr_model(c, p, v2);
  int64_t d = media::dim(c, "d_model", 256), n = media::count(c, "decoder_layers", 6);
  auto dec = m->child("decoder");
  dec->add("class_embed", repeat(linear(d, heads::num_labels(c)), n));
  dec->add("bbox_embed", repeat(rt_detr::prediction_head(p, d, d, 4, 3), n));
  auto root = make(std::string(cls));
  root->add("model", m);
  return {root, no_split};
}

MEMFIT_FAMILY({"rt_detr"}, "RTDetr", [](const Config& c, std::string_view cls) { return build(c, cls, "RTDetr", false); });
MEMFIT_FAMILY({"rt_detr_v2"}, "RTDetrV2",
              [](const Config& c, std::string_view cls) { return build(c, cls, "RTDetrV2", true); });

}  // namespace
}  // namespace memfit
