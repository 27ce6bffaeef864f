// Phi-4-multimodal: transformers' modeling_phi4_multimodal.py (a Phi3-style decoder with fused qkv/gate_up,
// plus embed_tokens_extend: a SigLIP-style image encoder with projections and a conformer audio encoder).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"
#include "arch/transformers/vision_towers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr conv1d(int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  auto m = make("Conv1d");
  m->param("weight", {out, in / groups, k}).param("bias", {out});
  return m;
}

// Phi4MultimodalAudioModel with Phi4MultimodalAudioConfig's defaults.
ModulePtr audio_model(const Config& a) {
  int64_t h = a.i("hidden_size", 1024), inter = a.i("intermediate_size", 1536), heads = a.i("num_attention_heads", 16);
  int64_t blocks_n = a.i("num_blocks", 24), ext = a.i("ext_pw_out_channel", 1024), k = a.i("kernel_size", 3);
  int64_t dw_mult = a.i("depthwise_multiplier", 1), dw_out = a.i("depthwise_separable_out_channel", 1024);
  int64_t reduction = a.i("time_reduction", 8), ch = a.i("nemo_conv_channels", 1024), in = a.i("input_size", 80);
  int64_t max_dist = a.i("bias_max_distance", 1000);
  if (h <= 0 || heads <= 0 || blocks_n < 0 || blocks_n > 100000 || reduction < 2 || reduction > (1 << 20) || ch <= 0)
    a.missing("time_reduction");
  int64_t steps = 0, final_size = in;
  for (int64_t r = reduction; r > 1; r /= 2) ++steps, final_size = (final_size - 1) / 2 + 1;

  auto norm = make("Phi4MultimodalAudioMeanVarianceNormLayer");
  norm->buffer("global_mean", {in}, DType::F32).buffer("global_invstd", {in}, DType::F32);
  auto conv = make("Sequential");
  std::string act = act_class(a.s("nemo_activation", "relu"));
  conv->add("0", conv2d(1, ch, 3));
  conv->add("1", leaf(act));
  for (int64_t i = 0, idx = 2; i < steps - 1; ++i, idx += 3) {
    conv->add(std::to_string(idx), conv2d(ch, ch, 3, true, ch));
    conv->add(std::to_string(idx + 1), conv2d(ch, ch, 1));
    conv->add(std::to_string(idx + 2), leaf(act));
  }
  auto embed = make("Phi4MultimodalAudioNemoConvSubsampling");
  embed->add("act_fn", leaf(act));
  embed->add("conv", conv);
  embed->add("out", linear(ch * final_size, h));
  auto bias = make("Phi4MultimodalAudioRelativeAttentionBias");
  bias->add("bias_values", embedding(a.b("bias_symmetric", false) ? max_dist : 2 * max_dist, heads));

  auto mlp = make("Phi4MultimodalAudioMLP");
  mlp->add("layer_norm", layer_norm(h));
  mlp->add("act_fn", leaf(act_class(a.s("activation", "swish"))));
  mlp->add("gate_up_proj", linear(h, 2 * inter));
  mlp->add("down_proj", linear(inter, h));
  mlp->add("dropout", leaf("Dropout"));
  auto attn = make("Phi4MultimodalAudioAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj", "o_proj"}) attn->add(n, linear(h, h));
  auto glu = make("Phi4MultimodalAudioGluPointWiseConv");
  glu->add("ext_pw_conv_1d", conv1d(h, 2 * ext, 1));
  glu->add("glu_act", leaf(act_class(a.s("conv_glu_type", "swish"))));
  glu->param("b1", {1, ext, 1}).param("b2", {1, ext, 1});
  auto dw = make("Phi4MultimodalAudioDepthWiseSeparableConv1d");
  dw->add("dw_conv", conv1d(h, h * dw_mult, k, h));
  dw->add("pw_conv", conv1d(h * dw_mult, dw_out, 1));
  auto cm = make("Phi4MultimodalAudioConvModule");
  cm->add("layer_norm", layer_norm(h));
  cm->add("glu", glu);
  cm->add("dw_sep_conv_1d", dw);
  cm->add("act", leaf(act_class(a.s("conv_activation", "swish"))));
  cm->add("ext_pw_conv_1d", conv1d(h, ext, 1));
  cm->add("dropout", leaf("Dropout"));
  auto layer = make("Phi4MultimodalAudioConformerEncoderLayer");
  layer->add("feed_forward_in", mlp);
  layer->add("self_attn", attn);
  layer->add("conv", cm);
  layer->add("feed_forward_out", mlp);
  layer->add("layer_norm_att", layer_norm(h));
  layer->add("layer_norm", layer_norm(h));

  auto m = make("Phi4MultimodalAudioModel");
  m->add("encoder_embedding", norm);
  m->add("embed", embed);
  m->add("relative_attention_bias_layer", bias);
  m->add("encoders", repeat(layer, blocks_n));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  int64_t vocab = c.i("vocab_size", 200064), h = c.i("hidden_size", 3072), inter = c.i("intermediate_size", 8192);
  int64_t layers = c.i("num_hidden_layers", 32), heads = c.i("num_attention_heads", 32);
  int64_t kv = c.i("num_key_value_heads", 8);
  if (heads <= 0 || layers < 0 || layers > 100000) c.missing("num_attention_heads");
  int64_t head_dim = c.i("head_dim", h / heads);
  double partial = 1.0;
  if (auto rp = c.opt_sub("rope_parameters")) partial = rp->f("partial_rotary_factor", 1.0);

  auto attn = make("Phi4MultimodalAttention");
  attn->add("o_proj", linear(heads * head_dim, h, false));
  attn->add("qkv_proj", linear(h, heads * head_dim + 2 * kv * head_dim, false));
  auto mlp = make("Phi4MultimodalMLP");
  mlp->add("gate_up_proj", linear(h, 2 * inter, false));
  mlp->add("down_proj", linear(inter, h, false));
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "silu"))));
  auto layer = make("Phi4MultimodalDecoderLayer");
  layer->add("self_attn", attn);
  layer->add("mlp", mlp);
  layer->add("input_layernorm", rms_norm("Phi4MultimodalRMSNorm", h));
  layer->add("post_attention_layernorm", rms_norm("Phi4MultimodalRMSNorm", h));
  layer->add("resid_attn_dropout", leaf("Dropout"));
  layer->add("resid_mlp_dropout", leaf("Dropout"));

  SubConfig vc = sub_config(c, "vision_config",
                            {{"hidden_size", 1152}, {"intermediate_size", 4304}, {"num_hidden_layers", 27},
                             {"num_attention_heads", 16}, {"image_size", 448}, {"patch_size", 14}},
                            "phi4_multimodal_vision");
  SubConfig ac = sub_config(c, "audio_config", Json::object(), "phi4_multimodal_audio");
  int64_t vh = vc.c.i("hidden_size"), ah = ac.c.i("hidden_size", 1024) * ac.c.i("downsample_rate", 1);
  auto image = make("Phi4MultimodalImageEmbedding");
  if ((vc.c.i("image_size") / vc.c.i("patch_size")) % 2) image->add("img_processor_padding", leaf("ReflectionPad2d"));
  image->add("drop", leaf("Dropout"));
  image->add("img_processor", siglip_vision_model(vc.c, "Phi4Multimodal", false).root);
  image->add("image_token_compression", leaf("AvgPool2d"));
  image->add("img_projection_up", linear(vh, h));
  image->add("img_projection_down", linear(h, h));
  image->param("global_img_feature_extensor", {1, 1, vh}).param("sub_img_feature_extensor", {1, 1, 1, vh});
  auto audio = make("Phi4MultimodalAudioEmbedding");
  audio->add("drop", leaf("Dropout"));
  audio->add("encoder", audio_model(ac.c));
  audio->add("up_proj_for_speech", linear(ah, h));
  audio->add("down_proj_for_speech", linear(h, h));
  audio->add("up_proj_for_vision_speech", linear(ah, h));
  audio->add("down_proj_for_vision_speech", linear(h, h));
  auto extend = make("Phi4MultimodalFeatureEmbedding");
  extend->add("image_embed", image);
  extend->add("audio_embed", audio);

  auto m = make("Phi4MultimodalModel");
  m->add("embed_tokens", embedding(vocab, h));
  m->add("layers", repeat(layer, layers));
  m->add("norm", rms_norm("Phi4MultimodalRMSNorm", h));
  m->add("rotary_emb", rotary("Phi4MultimodalRotaryEmbedding", static_cast<int64_t>(head_dim * partial)));
  m->add("embed_dropout", leaf("Dropout"));
  m->add("embed_tokens_extend", extend);
  Model base{m, {"Phi4MultimodalDecoderLayer"}};
  if (cls == "Phi4MultimodalModel") return base;
  if (cls != "Phi4MultimodalForCausalLM") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("model", m);
  root->add("lm_head", heads::lm_head(h, vocab, heads::ties_embeddings(c, false), "model.embed_tokens.weight"));
  base.root = root;
  return base;
}

MEMFIT_FAMILY({"phi4_multimodal"}, "Phi4Multimodal", build);

}  // namespace
}  // namespace memfit
