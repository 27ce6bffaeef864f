// Parakeet: transformers' modeling_parakeet.py. ParakeetEncoder (a FastConformer): a Conv2d subsampler
// (log2(subsampling_factor) stride-2 stages: a full conv, then depthwise + pointwise pairs, and a Linear from
// channels * num_mel_bins / stride^stages), relative positions (a float32 inv_freq [hidden / 2], not persistent) and
// blocks of two half-step feed-forwards, relative-position attention (q/k/v/o, relative_k_proj, bias_u / bias_v),
// a convolution module (pointwise GLU conv, depthwise conv, BatchNorm1d, pointwise conv) and five LayerNorms.
// ParakeetForCTC adds a Conv1d head; ...ForRNNT / ForTDT an encoder projection, an LSTM prediction network and a
// joint head (TDT: vocab + len(durations) outputs). Nemotron ASR Streaming (modeling_nemotron_asr_streaming.py) is
// the same under its prefix with causal convs: a subsampler of conv_in + (depthwise, pointwise) stages whose Linear
// input is channels * the frequency bins left after padding k - 1 + stride - 1 per stage, and a LayerNorm instead of
// the BatchNorm1d in the convolution module. Nemotron 3.5 ASR (modeling_nemotron3_5_asr.py): its RNNT over that
// encoder plus a prompt projector.

#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// `p`: "Parakeet" or "NemotronAsrStreaming".
Model parakeet_encoder(const Config& c, const std::string& p = "Parakeet") {
  bool streaming = p != "Parakeet";
  int64_t h = media::dim(c, "hidden_size", 1024), inter = media::dim(c, "intermediate_size", 4096);
  int64_t heads = media::dim(c, "num_attention_heads", 8), kv = media::dim(c, "num_key_value_heads", heads);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  int64_t hd = h / heads, ch = media::dim(c, "subsampling_conv_channels", 256);
  int64_t k = media::dim(c, "subsampling_conv_kernel_size", 3), stride = media::dim(c, "subsampling_conv_stride", 2);
  int64_t factor = media::dim(c, "subsampling_factor", 8), stages = 0;
  while ((int64_t{1} << (stages + 1)) <= factor) ++stages;  // int(math.log2(factor))
  bool bias = c.b("attention_bias", true), conv_bias = c.b("convolution_bias", true);

  auto sub = make(p + "EncoderSubsamplingConv2D");
  int64_t freq = media::dim(c, "num_mel_bins", 80);
  if (streaming) {
    sub->add("conv_in", conv2d(1, ch, k));
    auto stage = make(p + "EncoderSubsamplingLayer");
    stage->add("depthwise_conv", conv2d(ch, ch, k, true, ch));
    stage->add("pointwise_conv", conv2d(ch, ch, 1));
    sub->add("layers", repeat(stage, std::max<int64_t>(stages - 1, 0)));
    sub->add("act_fn", leaf("ReLU"));
    for (int64_t i = 0; i < stages; ++i) freq = (freq + (k - 1) + (stride - 1) - k) / stride + 1;
  } else {
    auto layers = make("ModuleList");
    int64_t n = 0;
    layers->add(std::to_string(n++), conv2d(1, ch, k));
    layers->add(std::to_string(n++), leaf("ReLU"));
    for (int64_t i = 0; i + 1 < stages; ++i) {
      layers->add(std::to_string(n++), conv2d(ch, ch, k, true, ch));
      layers->add(std::to_string(n++), conv2d(ch, ch, 1));
      layers->add(std::to_string(n++), leaf("ReLU"));
    }
    sub->add("layers", layers);
    for (int64_t i = 0; i < stages; ++i) freq /= stride;
  }
  media::require(c, freq > 0, "num_mel_bins is too small for the subsampling");
  sub->add("linear", linear(ch * freq, h));
  auto pos = make(p + "EncoderRelPositionalEncoding");
  pos->buffer("inv_freq", {h / 2}, DType::F32, false);

  std::string act = act_class(c.s("hidden_act", "silu"));
  auto ff = make(p + "EncoderFeedForward");
  ff->add("linear1", linear(h, inter, bias));
  ff->add("activation", leaf(act));
  ff->add("linear2", linear(inter, h, bias));
  auto attn = make(p + "EncoderAttention");
  attn->add("q_proj", linear(h, heads * hd, bias));
  attn->add("k_proj", linear(h, kv * hd, bias));
  attn->add("v_proj", linear(h, kv * hd, bias));
  attn->add("o_proj", linear(heads * hd, h, bias));
  attn->add("relative_k_proj", linear(h, heads * hd, false));
  attn->param("bias_u", {heads, hd}).param("bias_v", {heads, hd});
  int64_t kernel = media::dim(c, "conv_kernel_size", 9);
  auto conv = make(p + "EncoderConvolutionModule");
  conv->add("activation", leaf(act));
  conv->add("pointwise_conv1", media::conv1d(h, 2 * h, 1, conv_bias));
  conv->add("depthwise_conv", media::conv1d(h, h, kernel, conv_bias, h));
  conv->add("norm", streaming ? layer_norm(h) : batch_norm(h, "BatchNorm1d"));
  conv->add("pointwise_conv2", media::conv1d(h, h, 1, conv_bias));
  auto block = make(p + "EncoderBlock");
  block->add("feed_forward1", ff);
  block->add("self_attn", attn);
  block->add("conv", conv);
  block->add("feed_forward2", ff);
  for (const char* nm : {"norm_feed_forward1", "norm_self_att", "norm_conv", "norm_feed_forward2", "norm_out"})
    block->add(nm, layer_norm(h));

  auto m = make(p + "Encoder");
  m->add("subsampling", sub);
  m->add("encode_positions", pos);
  m->add("layers", repeat(block, media::count(c, "num_hidden_layers", 24)));
  return {m, {p + "EncoderBlock"}};
}

// `p` names the heads' classes, `enc_p` the encoder's (Nemotron 3.5 ASR heads over the streaming encoder).
Model build(const Config& c, std::string_view cls, const std::string& head, const std::string& p = "Parakeet",
            const std::string& enc_p = "Parakeet") {
  if (cls != p + head) heads::unsupported(cls);
  bool streaming = enc_p != "Parakeet";
  SubConfig ec = sub_config(
      c, "encoder_config", {{"model_type", streaming ? "nemotron_asr_streaming_encoder" : "parakeet_encoder"}}, "");
  Model enc = parakeet_encoder(ec.c, enc_p);
  int64_t eh = media::dim(ec.c, "hidden_size", 1024), vocab = media::dim(c, "vocab_size", 1025);
  auto root = make(std::string(cls));
  root->add("encoder", enc.root);
  if (head == "ForCTC") {
    root->add("ctc_head", media::conv1d(eh, vocab, 1));
    return {root, enc.no_split};
  }
  int64_t dh = media::dim(c, "decoder_hidden_size", 640), layers = media::count(c, "num_decoder_layers", 2);
  root->add("encoder_projector", linear(eh, dh));
  auto lstm = make("LSTM");
  for (int64_t i = 0; i < layers; ++i) {
    std::string l = "_l" + std::to_string(i);
    lstm->param("weight_ih" + l, {4 * dh, dh}).param("weight_hh" + l, {4 * dh, dh});
    lstm->param("bias_ih" + l, {4 * dh}).param("bias_hh" + l, {4 * dh});
  }
  auto dec = make(p + "RNNTDecoder");
  dec->add("embedding", embedding(vocab, dh));
  dec->add("lstm", lstm);
  dec->add("decoder_projector", linear(dh, dh));
  root->add("decoder", dec);
  int64_t outs = vocab;
  if (head == "ForTDT") {
    const Json& raw = c.raw();
    auto it = raw.find("durations");
    outs += it != raw.end() && it->is_array() ? static_cast<int64_t>(it->size()) : 5;
  }
  auto joint = make(p + (head == "ForTDT" ? "TDTJointNetwork" : "RNNTJointNetwork"));
  joint->add("activation", leaf(act_class(c.s("hidden_act", "relu"))));
  joint->add("head", linear(dh, outs));
  root->add("joint", joint);
  if (p == "Nemotron3_5Asr") {  // prompt_projector: encoder width + num_prompts -> prompt_intermediate -> width
    int64_t inter = media::dim(c, "prompt_intermediate_size", 2048);
    auto pp = make(p + "PromptProjector");
    pp->add("linear_1", linear(eh + media::count(c, "num_prompts", 128), inter));
    pp->add("act", leaf("ReLU"));
    pp->add("linear_2", linear(inter, eh));
    root->add("prompt_projector", pp);
  }
  return {root, {enc_p + "EncoderBlock", p + "RNNTDecoder"}};
}

MEMFIT_FAMILY({"parakeet_encoder"}, "ParakeetEncoder", [](const Config& c, std::string_view cls) {
  if (cls != "ParakeetEncoder") heads::unsupported(cls);
  return parakeet_encoder(c);
}, "ParakeetEncoder");
MEMFIT_FAMILY({"nemotron_asr_streaming_encoder"}, "NemotronAsrStreamingEncoder", [](const Config& c, std::string_view cls) {
  if (cls != "NemotronAsrStreamingEncoder") heads::unsupported(cls);
  return parakeet_encoder(c, "NemotronAsrStreaming");
}, "NemotronAsrStreamingEncoder");
MEMFIT_FAMILY({"nemotron_asr_streaming"}, "NemotronAsrStreaming", [](const Config& c, std::string_view cls) {
  return build(c, cls, "ForRNNT", "NemotronAsrStreaming", "NemotronAsrStreaming");
}, "NemotronAsrStreamingForRNNT");
MEMFIT_FAMILY({"nemotron3_5_asr"}, "Nemotron3_5Asr", [](const Config& c, std::string_view cls) {
  return build(c, cls, "ForRNNT", "Nemotron3_5Asr", "NemotronAsrStreaming");
}, "Nemotron3_5AsrForRNNT");
MEMFIT_FAMILY({"parakeet_ctc"}, "Parakeet",
              [](const Config& c, std::string_view cls) { return build(c, cls, "ForCTC"); }, "ParakeetForCTC");
MEMFIT_FAMILY({"parakeet_rnnt"}, "Parakeet",
              [](const Config& c, std::string_view cls) { return build(c, cls, "ForRNNT"); }, "ParakeetForRNNT");
MEMFIT_FAMILY({"parakeet_tdt"}, "Parakeet",
              [](const Config& c, std::string_view cls) { return build(c, cls, "ForTDT"); }, "ParakeetForTDT");

}  // namespace
}  // namespace memfit
