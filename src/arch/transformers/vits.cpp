// VITS / MMS-TTS: transformers' modeling_vits.py. A relative-position transformer text encoder (per-layer
// emb_rel_k / emb_rel_v windows, conv feed-forward), a residual coupling flow of weight-normed WaveNets, a HiFi-GAN
// decoder, a (stochastic) duration predictor with dilated depth-separable convs and spline flows, an optional
// speaker embedding, and a posterior WaveNet encoder over linear spectrograms.
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/audio_codec.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Dims {
  int64_t h, flow, spk;
};

// VitsWaveNet(num_layers): weight-normed in_layers (k = wavenet_kernel_size) and 1x1 res_skip_layers.
ModulePtr wavenet(const Config& c, const Dims& d, int64_t n) {
  int64_t k = media::dim(c, "wavenet_kernel_size", 5);
  std::vector<ModulePtr> in, res;
  for (int64_t i = 0; i < n; ++i) {
    in.push_back(audio::wn_conv1d(d.h, 2 * d.h, k));
    res.push_back(audio::wn_conv1d(d.h, i < n - 1 ? 2 * d.h : d.h, 1));
  }
  auto m = make("VitsWaveNet");
  m->add("in_layers", module_list(std::move(in)));
  m->add("res_skip_layers", module_list(std::move(res)));
  m->add("dropout", leaf("Dropout"));
  if (d.spk != 0) m->add("cond_layer", audio::wn_conv1d(d.spk, 2 * d.h * n, 1));
  return m;
}

ModulePtr text_encoder(const Config& c, const Dims& d) {
  int64_t heads = media::dim(c, "num_attention_heads", 2), window = media::count(c, "window_size", 4);
  media::divisible(c, d.h, heads, "hidden_size / num_attention_heads");
  int64_t ffn = media::dim(c, "ffn_dim", 768), fk = media::dim(c, "ffn_kernel_size", 3);
  auto attn = media::kvq_attention("VitsAttention", d.h, c.b("use_bias", true), c.b("use_bias", true));
  if (window > 0) {
    attn->param("emb_rel_k", {1, 2 * window + 1, d.h / heads});
    attn->param("emb_rel_v", {1, 2 * window + 1, d.h / heads});
  }
  auto ff = make("VitsFeedForward");
  ff->add("conv_1", media::conv1d(d.h, ffn, fk));
  ff->add("conv_2", media::conv1d(ffn, d.h, fk));
  ff->add("dropout", leaf("Dropout"));
  ff->add("act_fn", leaf(act_class(c.s("hidden_act", "relu"))));
  auto l = make("VitsEncoderLayer");
  l->add("attention", attn);
  l->add("dropout", leaf("Dropout"));
  l->add("layer_norm", layer_norm(d.h));
  l->add("feed_forward", ff);
  l->add("final_layer_norm", layer_norm(d.h));
  auto enc = make("VitsEncoder");
  enc->add("layers", repeat(l, media::count(c, "num_hidden_layers", 6)));
  auto m = make("VitsTextEncoder");
  m->add("embed_tokens", embedding(media::dim(c, "vocab_size", 38), d.h));
  m->add("encoder", enc);
  m->add("project", media::conv1d(d.h, 2 * d.flow, 1));
  return m;
}

ModulePtr flow(const Config& c, const Dims& d) {
  auto l = make("VitsResidualCouplingLayer");
  l->add("conv_pre", media::conv1d(d.flow / 2, d.h, 1));
  l->add("wavenet", wavenet(c, d, media::count(c, "prior_encoder_num_wavenet_layers", 4)));
  l->add("conv_post", media::conv1d(d.h, d.flow / 2, 1));
  auto m = make("VitsResidualCouplingBlock");
  m->add("flows", repeat(l, media::count(c, "prior_encoder_num_flows", 4)));
  return m;
}

ModulePtr decoder(const Config& c, const Dims& d) {
  auto g = audio::hifigan(c, d.flow);
  auto m = make("VitsHifiGan");
  m->add("conv_pre", g.conv_pre);
  m->add("upsampler", g.upsampler);
  m->add("resblocks", g.resblocks);
  m->add("conv_post", media::conv1d(g.out_channels, 1, 7, false));
  if (d.spk != 0) m->add("cond", media::conv1d(d.spk, media::dim(c, "upsample_initial_channel", 512), 1));
  return m;
}

// VitsDilatedDepthSeparableConv: depth_separable_num_layers depthwise + pointwise convs and two LayerNorms each.
ModulePtr dds(const Config& c, const Dims& d) {
  int64_t k = media::dim(c, "duration_predictor_kernel_size", 3), n = media::count(c, "depth_separable_num_layers", 3);
  auto m = make("VitsDilatedDepthSeparableConv");
  m->add("dropout", leaf("Dropout"));
  m->add("convs_dilated", repeat(media::conv1d(d.h, d.h, k, true, d.h), n));
  m->add("convs_pointwise", repeat(media::conv1d(d.h, d.h, 1), n));
  m->add("norms_1", repeat(layer_norm(d.h), n));
  m->add("norms_2", repeat(layer_norm(d.h), n));
  return m;
}

ModulePtr flows(const Config& c, const Dims& d) {
  int64_t ch = media::dim(c, "depth_separable_channels", 2), bins = media::dim(c, "duration_predictor_flow_bins", 10);
  auto affine = make("VitsElementwiseAffine");
  affine->param("translate", {ch, 1}).param("log_scale", {ch, 1});
  auto conv_flow = make("VitsConvFlow");
  conv_flow->add("conv_pre", media::conv1d(ch / 2, d.h, 1));
  conv_flow->add("conv_dds", dds(c, d));
  conv_flow->add("conv_proj", media::conv1d(d.h, ch / 2 * (bins * 3 - 1), 1));
  std::vector<ModulePtr> list{affine};
  int64_t n = media::count(c, "duration_predictor_num_flows", 4);
  for (int64_t i = 0; i < n; ++i) list.push_back(conv_flow);
  return module_list(std::move(list));
}

ModulePtr duration_predictor(const Config& c, const Dims& d) {
  if (!c.b("use_stochastic_duration_prediction", true)) {
    int64_t k = media::dim(c, "duration_predictor_kernel_size", 3);
    int64_t f = media::dim(c, "duration_predictor_filter_channels", 256);
    auto m = make("VitsDurationPredictor");
    m->add("dropout", leaf("Dropout"));
    m->add("conv_1", media::conv1d(d.h, f, k));
    m->add("norm_1", layer_norm(f));
    m->add("conv_2", media::conv1d(f, f, k));
    m->add("norm_2", layer_norm(f));
    m->add("proj", media::conv1d(f, 1, 1));
    if (d.spk != 0) m->add("cond", media::conv1d(d.spk, d.h, 1));
    return m;
  }
  auto m = make("VitsStochasticDurationPredictor");
  m->add("conv_pre", media::conv1d(d.h, d.h, 1));
  m->add("conv_proj", media::conv1d(d.h, d.h, 1));
  m->add("conv_dds", dds(c, d));
  if (d.spk != 0) m->add("cond", media::conv1d(d.spk, d.h, 1));
  m->add("flows", flows(c, d));
  m->add("post_conv_pre", media::conv1d(1, d.h, 1));
  m->add("post_conv_proj", media::conv1d(d.h, d.h, 1));
  m->add("post_conv_dds", dds(c, d));
  m->add("post_flows", flows(c, d));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "VitsModel") heads::unsupported(cls);
  Dims d{media::dim(c, "hidden_size", 192), media::dim(c, "flow_size", 192),
         media::count(c, "speaker_embedding_size", 0)};
  auto m = make("VitsModel");
  m->add("text_encoder", text_encoder(c, d));
  m->add("flow", flow(c, d));
  m->add("decoder", decoder(c, d));
  m->add("duration_predictor", duration_predictor(c, d));
  if (media::count(c, "num_speakers", 1) > 1)
    m->add("embed_speaker", embedding(media::dim(c, "num_speakers", 1), d.spk));
  auto post = make("VitsPosteriorEncoder");
  post->add("conv_pre", media::conv1d(media::dim(c, "spectrogram_bins", 513), d.h, 1));
  post->add("wavenet", wavenet(c, d, media::count(c, "posterior_encoder_num_wavenet_layers", 16)));
  post->add("conv_proj", media::conv1d(d.h, 2 * d.flow, 1));
  m->add("posterior_encoder", post);
  return {m, {}};
}

MEMFIT_FAMILY({"vits"}, "Vits", build);

}  // namespace
}  // namespace memfit
