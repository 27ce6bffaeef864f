// DEIMv2: transformers' modeling_deimv2.py (Deimv2Model with the HGNet-V2 backbone and the hybrid encoder). The conv
// encoder: the HGNetV2Backbone load_backbone builds (BatchNorms frozen) and 1x1 conv-norm input projections; the
// hybrid encoder: AIFI transformer layers, lateral conv-norms and SCDown downsamplers (1x1 + depth-wise strided
// conv-norms), RepNCSPELAN5 blocks (a split conv, two CSP layers of RepVGG blocks, a merge conv); query-selection
// heads; identity decoder input projections when the widths agree; the D-FINE decoder (self-attention, RMSNorms,
// deformable attention without value/output projections and with a num_points_scale buffer, a SwiGLU FFN, a gate),
// query position and pre-box MLPs, reg_scale / up scalars and the location-quality MLPs. The DINOv3 conv encoder
// and the lite encoder are not built.
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/d_fine.h"
#include "arch/transformers/detr.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kP = "Deimv2";

ModulePtr conv_norm(int64_t in, int64_t out, int64_t k, const std::string& act, int64_t groups = 1) {
  return dfine::conv_norm(kP, in, out, k, act, groups);
}

// Deimv2MLP: `layers` Linears in -> hidden ... -> out, then the activation module (D-FINE's).
ModulePtr mlp(int64_t in, int64_t hidden, int64_t out, int64_t layers, const std::string& act = "relu") {
  return dfine::mlp(kP, in, hidden, out, layers, act);
}

ModulePtr rms(int64_t d) { return rms_norm(kP + "RMSNorm", d); }

ModulePtr csp(const Config& c, int64_t in, int64_t out, int64_t blocks, const std::string& act) {
  auto rep = make(kP + "RepVggBlock");
  rep->add("conv1", conv_norm(out, out, 3, ""));
  rep->add("conv2", conv_norm(out, out, 1, ""));
  rep->add("activation", leaf(act_class(act)));
  auto l = make(kP + "CSPRepLayer");
  l->add("conv1", conv_norm(in, 2 * out, 1, act));
  l->add("bottlenecks", repeat(rep, blocks));
  l->add("conv2", c.b("encoder_has_trailing_conv", true) ? conv_norm(out, out, 3, act) : leaf("Identity"));
  return l;
}

ModulePtr elan(const Config& c, int64_t h, int64_t blocks) {
  std::string act = c.s("activation_function", "silu");
  // round(hidden_expansion * encoder_hidden_dim // 2): Python's floor division of the float product.
  auto half = static_cast<int64_t>(std::nearbyint(std::floor(c.f("hidden_expansion", 1.0) * static_cast<double>(h) / 2)));
  media::require(c, half >= 1 && half <= media::kMaxDim, "hidden_expansion out of range");
  auto l = make(kP + "RepNCSPELAN5");
  l->add("conv1", conv_norm(h, 2 * h, 1, act));
  l->add("csp_rep1", csp(c, h, half, blocks, act));
  l->add("csp_rep2", csp(c, half, half, blocks, act));
  l->add("conv2", conv_norm(2 * h + 2 * half, h, 1, act));
  return l;
}

ModulePtr decoder(const Config& c, int64_t d) {
  int64_t heads = media::dim(c, "decoder_attention_heads", 8), levels = media::count(c, "num_feature_levels", 3);
  int64_t points = media::dim(c, "decoder_n_points", 4), layers = media::count(c, "decoder_layers", 6);
  int64_t ffn = media::dim(c, "decoder_ffn_dim", 1024);
  media::require(c, ffn >= 2 && levels <= 64, "decoder_ffn_dim / num_feature_levels out of range");
  auto attn = make(kP + "SelfAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "o_proj"}) attn->add(n, linear(d, d));
  auto da = make(kP + "MultiscaleDeformableAttention");
  da->buffer("num_points_scale", {levels * points}, DType::F32);
  da->add("sampling_offsets", linear(d, heads * levels * points * 2));
  da->add("attention_weights", linear(d, heads * levels * points));
  auto ffn_m = make(kP + "SwiGLUFFN");
  ffn_m->add("gate_proj", linear(d, ffn / 2));
  ffn_m->add("up_proj", linear(d, ffn / 2));
  ffn_m->add("down_proj", linear(ffn / 2, d));
  ffn_m->add("act_fn", leaf("SiLU"));
  auto l = make(kP + "DecoderLayer");
  l->add("self_attn", attn);
  l->add("self_attn_layer_norm", rms(d));
  l->add("encoder_attn", da);
  l->add("mlp", ffn_m);
  l->add("final_layer_norm", rms(d));
  bool gateway = c.b("use_gateway", true);
  if (gateway) {
    auto g = make(kP + "Gate");
    g->add("gate", linear(2 * d, 2 * d));
    g->add("norm", rms(d));
    l->add("gateway", g);
  } else {
    l->add("encoder_attn_layer_norm", rms(d));
  }
  int64_t eval = c.i("eval_idx", -1);
  eval = eval >= 0 ? eval : layers + eval;
  media::require(c, eval >= 0 && eval < layers, "eval_idx out of range");
  int64_t top = media::count(c, "top_prob_values", 4);
  auto lqe = make(kP + "LQE");
  lqe->add("reg_conf", mlp(4 * (top + 1), media::dim(c, "lqe_hidden_dim", 64), 1, media::count(c, "lqe_layers", 2)));
  auto dec = make(kP + "Decoder");
  dec->param("reg_scale", {1}).param("up", {1});
  dec->add("layers", repeat(l, layers + (layers - eval - 1)));
  dec->add("query_pos_head", mlp(4, d, d, 3, c.s("decoder_activation_function", "relu")));
  dec->add("pre_bbox_head", mlp(d, d, 4, 3));
  dec->add("integral", leaf(kP + "Integral"));
  dec->add("lqe_layers", repeat(lqe, layers));
  return dec;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != kP + "Model") heads::unsupported(cls);
  if (c.s("encoder_type", "hybrid") != "hybrid") heads::unsupported("Deimv2Model with the lite encoder");
  SubConfig bc = sub_config(c, "backbone_config", {{"model_type", "hgnet_v2"}}, "hgnet_v2");
  if (bc.c.s("model_type", "hgnet_v2") != "hgnet_v2")
    heads::unsupported("Deimv2Model with a " + bc.c.s("model_type", "") + " backbone");
  Model bb = auto_model(bc.c);
  if (c.b("freeze_backbone_batch_norms", true)) freeze_batch_norm(*bb.root, kP);
  int64_t h = media::dim(c, "encoder_hidden_dim", 256), d = media::dim(c, "d_model", 256);
  auto outs = media::dims(bc.c, "stage_out_channels", {128, 512, 1024, 2048});
  auto in_proj = make("ModuleList");
  auto idx = media::dims(bc.c, "out_indices", {2, 3, 4}, 1);
  for (size_t i = 0; i < idx.size(); ++i) {
    media::require(c, idx[i] <= static_cast<int64_t>(outs.size()), "out_indices out of range");
    in_proj->add(std::to_string(i), conv_norm(outs[static_cast<size_t>(idx[i] - 1)], h, 1, ""));
  }
  auto conv_enc = make(kP + "ConvEncoder");
  conv_enc->add("model", bb.root);
  conv_enc->add("encoder_input_proj", in_proj);
  int64_t labels = heads::num_labels(c);
  media::require(c, labels >= 1, "num_labels must be at least 1");
  auto m = make(kP + "Model");
  m->add("conv_encoder", conv_enc);
  m->add("encoder", dfine::hybrid_encoder(c, kP, h, elan));
  if (c.i("num_denoising", 100) > 0) m->add("denoising_class_embed", embedding(labels + 1, d));
  if (c.b("learn_initial_query", false)) m->add("weight_embedding", embedding(media::dim(c, "num_queries", 300), d));
  m->add("enc_output", module_list({linear(d, d), layer_norm(d)}, "Sequential"));
  m->add("enc_score_head", linear(d, labels));
  m->add("enc_bbox_head", mlp(d, d, 4, 3));
  auto dec_in = media::dims(c, "decoder_in_channels", {256, 256, 256});
  int64_t levels = media::count(c, "num_feature_levels", 3);
  media::require(c, !dec_in.empty() && levels <= 64, "decoder_in_channels out of range");
  bool same = d == dec_in.back();
  auto dec_proj = make("ModuleList");
  for (int64_t k = 0; k < std::max<int64_t>(levels, static_cast<int64_t>(dec_in.size())); ++k)
    dec_proj->add(std::to_string(k), same ? leaf("Identity")
                                          : conv_norm(dec_in.back(), d, k < static_cast<int64_t>(dec_in.size()) ? 1 : 3, ""));
  m->add("decoder_input_proj", dec_proj);
  m->add("decoder", decoder(c, d));
  std::vector<std::string> no_split{kP + "HybridEncoder", kP + "LiteEncoder", kP + "DecoderLayer"};
  merge_no_split(no_split, bb.no_split);
  return {m, no_split};
}

MEMFIT_FAMILY({"deimv2"}, "Deimv2", build);

}  // namespace
}  // namespace memfit
