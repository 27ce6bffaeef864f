// Audio encoders and the audio-language models around them: transformers' modeling_qwen2_audio.py,
// modeling_voxtral.py, modeling_audioflamingo3.py and modeling_glmasr.py. The first three encoders are Whisper's
// encoder under their own prefix (two Conv1d over the mel frames, learned positions, pre-norm layers whose k_proj
// has no bias, an AvgPool1d); GLM-ASR's encoder replaces the learned positions by partial RoPE and uses
// q/k/v/o attention with an fc1/fc2 MLP. Voxtral Realtime's encoder (modeling_voxtral_realtime.py): causal convs,
// RMSNorm layers of q/k/v/o attention over head_dim (k without bias) and a gated MLP whose down_proj has a bias,
// and RoPE; its composite (VoxtralRealtimeModel) builds its own Llama-shaped text model whose layers add an
// ada_rms_norm (Linear hidden -> 32 -> hidden), a projector from hidden * downsample_factor and a float32
// time_embedding inv_freq [text hidden / 2]. Qwen3-ASR's encoder (modeling_qwen3_asr.py): three stride-2 Conv2d
// and a bias-free Linear over the frequency axis, a float32 sinusoid table [max_position_embeddings, d_model] (not
// persistent), Whisper-style layers with a biased k_proj, ln_post. Each composite is audio_tower + a projector + the language model
// AutoModel builds from text_config, and ...ForConditionalGeneration adds lm_head.
#include "arch/blocks.h"
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// Whisper-style encoder (Qwen2AudioEncoder, VoxtralEncoder, AudioFlamingo3Encoder); `p` is the class prefix.
Model whisper_style_encoder(const Config& c, const std::string& p) {
  int64_t d = media::dim(c, "d_model", 1280), ffn = media::dim(c, "encoder_ffn_dim", 5120);
  auto l = make(p + "EncoderLayer");
  l->add("self_attn", media::kvq_attention(p + "Attention", d, true, false));
  l->add("self_attn_layer_norm", layer_norm(d));
  l->add("activation_fn", leaf(act_class(c.s("activation_function", "gelu"))));
  l->add("fc1", linear(d, ffn));
  l->add("fc2", linear(ffn, d));
  l->add("final_layer_norm", layer_norm(d));
  auto e = make(p + "Encoder");
  e->add("conv1", media::conv1d(media::dim(c, "num_mel_bins", 128), d, 3));
  e->add("conv2", media::conv1d(d, d, 3));
  e->add("embed_positions", embedding(media::dim(c, "max_source_positions", 1500), d));
  e->add("layers", repeat(l, media::count(c, "encoder_layers", 32)));
  e->add("layer_norm", layer_norm(d));
  e->add("avg_pooler", leaf("AvgPool1d"));
  return {e, {p + "EncoderLayer"}};
}

// Qwen3ASREncoder: positional_embedding, layers, ln_post, conv2d1..3, conv_out.
Model qwen3_asr_encoder(const Config& c) {
  int64_t d = media::dim(c, "d_model", 1024), ffn = media::dim(c, "encoder_ffn_dim", 4096);
  int64_t down = media::dim(c, "downsample_hidden_size", 480), mels = media::dim(c, "num_mel_bins", 128);
  media::require(c, d % 2 == 0, "d_model must be even");
  auto l = make("Qwen3ASRAudioEncoderLayer");
  l->add("self_attn", media::kvq_attention("Qwen3ASRAudioAttention", d));
  l->add("self_attn_layer_norm", layer_norm(d));
  l->add("activation_fn", leaf(act_class(c.s("activation_function", "gelu"))));
  l->add("fc1", linear(d, ffn));
  l->add("fc2", linear(ffn, d));
  l->add("final_layer_norm", layer_norm(d));
  auto pos = make("SinusoidsPositionEmbedding");
  pos->buffer("positional_embedding", {media::dim(c, "max_position_embeddings", 1500), d}, DType::F32, false);
  auto e = make("Qwen3ASREncoder");
  e->add("positional_embedding", pos);
  e->add("layers", repeat(l, media::count(c, "encoder_layers", 24)));
  e->add("ln_post", layer_norm(d));
  e->add("conv2d1", conv2d(1, down, 3));
  e->add("conv2d2", conv2d(down, down, 3));
  e->add("conv2d3", conv2d(down, down, 3));
  e->add("conv_out", linear(down * ((((mels + 1) / 2 + 1) / 2 + 1) / 2), d, false));
  return {e, {"Qwen3ASRAudioEncoderLayer"}};
}

// GlmAsrEncoder: conv1, conv2, layers (q/k/v/o attention without k bias, fc1/fc2 MLP, two LayerNorms), norm, RoPE.
Model glmasr_encoder(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1280), inter = media::dim(c, "intermediate_size", 5120);
  int64_t heads = media::dim(c, "num_attention_heads", 20), kv = media::dim(c, "num_key_value_heads", heads);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  int64_t hd = c.has("head_dim") ? media::dim(c, "head_dim", h / heads) : h / heads;
  auto attn = make("GlmAsrAttention");
  attn->add("q_proj", linear(h, heads * hd));
  attn->add("k_proj", linear(h, kv * hd, false));
  attn->add("v_proj", linear(h, kv * hd));
  attn->add("o_proj", linear(heads * hd, h));
  auto mlp = make("GlmAsrMLP");
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  mlp->add("act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto l = make("GlmAsrEncoderLayer");
  l->add("self_attn", attn);
  l->add("mlp", mlp);
  l->add("input_layernorm", layer_norm(h));
  l->add("post_attention_layernorm", layer_norm(h));
  auto e = make("GlmAsrEncoder");
  e->add("conv1", media::conv1d(media::dim(c, "num_mel_bins", 128), h, 3));
  e->add("conv2", media::conv1d(h, h, 3));
  e->add("layers", repeat(l, media::count(c, "num_hidden_layers", 32)));
  e->add("norm", layer_norm(h));
  e->add("rotary_emb", rotary("GlmAsrRotaryEmbedding", rope_dim(hd, rope_fraction(c, 0.5))));
  return {e, {"GlmAsrEncoderLayer"}};
}

// VoxtralRealtimeEncoder: embedder (conv1, conv2), layers, norm, rotary_emb.
Model voxtral_realtime_encoder(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1280), inter = media::dim(c, "intermediate_size", 5120);
  int64_t heads = media::dim(c, "num_attention_heads", 32), kv = media::dim(c, "num_key_value_heads", heads);
  int64_t hd = media::dim(c, "head_dim", 64);
  const std::string p = "VoxtralRealtime";
  auto attn = make(p + "Attention");
  attn->add("q_proj", linear(h, heads * hd));
  attn->add("k_proj", linear(h, kv * hd, false));
  attn->add("v_proj", linear(h, kv * hd));
  attn->add("o_proj", linear(heads * hd, h));
  auto mlp = make(p + "MLP");
  mlp->add("gate_proj", linear(h, inter, false));
  mlp->add("up_proj", linear(h, inter, false));
  mlp->add("down_proj", linear(inter, h));
  mlp->add("act_fn", leaf(act_class(c.s("hidden_act", "silu"))));
  auto l = make(p + "EncoderLayer");
  l->add("self_attn", attn);
  l->add("self_attn_layer_norm", rms_norm(p + "RMSNorm", h));
  l->add("activation_fn", leaf(act_class(c.s("activation_function", "gelu"))));
  l->add("final_layer_norm", rms_norm(p + "RMSNorm", h));
  l->add("mlp", mlp);
  auto emb = make(p + "Embedder");
  emb->add("conv1", media::conv1d(media::dim(c, "num_mel_bins", 128), h, 3));
  emb->add("conv2", media::conv1d(h, h, 3));
  emb->children[0].second->cls = emb->children[1].second->cls = p + "CausalConv1d";
  auto e = make(p + "Encoder");
  e->add("embedder", emb);
  e->add("layers", repeat(l, media::count(c, "num_hidden_layers", 32)));
  e->add("norm", rms_norm(p + "RMSNorm", h));
  e->add("rotary_emb", rotary(p + "RotaryEmbedding", hd));
  return {e, {p + "EncoderLayer"}};
}

// VoxtralRealtimeModel: audio_tower, language_model (VoxtralRealtimeTextModel), projector, time_embedding.
Model voxtral_realtime(const Config& c, std::string_view cls) {
  SubConfig ac = sub_config(c, "audio_config", {{"model_type", "voxtral_realtime_encoder"}}, "");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "voxtral_realtime_text"}}, "");
  Model audio = voxtral_realtime_encoder(ac.c);
  DecoderSpec s = read_decoder(tc.c, "VoxtralRealtimeText", true);
  s.head_dim = media::dim(tc.c, "head_dim", 128);
  s.norm = [](int64_t d) { return rms_norm("VoxtralRealtimeRMSNorm", d); };
  auto layer = decoder_layer(s);
  auto ada = make("VoxtralRealtimeTextAdaRmsNorm");
  ada->add("linear1", linear(s.hidden, 32, false));
  ada->add("linear2", linear(32, s.hidden, false));
  layer->add("ada_rms_norm", ada);
  s.layer = [layer](int64_t) { return layer; };
  int64_t ah = media::dim(ac.c, "hidden_size", 1280), down = media::dim(c, "downsample_factor", 4);
  auto proj = make("VoxtralRealtimeMultiModalProjector");
  proj->add("linear_1", linear(ah * down, s.hidden, false));
  proj->add("act", leaf(act_class(c.s("projector_hidden_act", "gelu"))));
  proj->add("linear_2", linear(s.hidden, s.hidden, false));
  auto time = make("VoxtralRealtimeTimeEmbedding");
  time->buffer("inv_freq", {s.hidden / 2}, DType::F32, false);
  auto m = make("VoxtralRealtimeModel");
  m->add("audio_tower", audio.root);
  m->add("language_model", decoder_model(s));
  m->add("multi_modal_projector", proj);
  m->add("time_embedding", time);
  Model base{m, {"VoxtralRealtimeEncoderLayer", "VoxtralRealtimeTextDecoderLayer"}};
  if (cls == "VoxtralRealtimeModel") return base;
  if (cls != "VoxtralRealtimeForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, s.hidden, s.vocab, c.b("tie_word_embeddings", true));
}

struct Kind {
  std::string p, audio_type, text_type;
  bool projector_first = false;  // Qwen2Audio registers multi_modal_projector before language_model
  std::vector<std::string> own_no_split;  // the family's PreTrainedModel._no_split_modules
};

// The projector: Qwen2Audio's single `linear`, else linear_1 (audio -> mid), act, linear_2 (mid -> text hidden).
ModulePtr projector(const Config& c, const Kind& k, const Config& ac, int64_t th) {
  auto p = make(k.p + "MultiModalProjector");
  if (k.p == "Qwen2Audio") {
    p->add("linear", linear(media::dim(ac, "d_model", 1280), th));
    return p;
  }
  if (k.p == "Qwen3ASR") {  // d_model -> d_model -> output_dim, with the audio config's activation
    int64_t d = media::dim(ac, "d_model", 1024);
    p->add("linear_1", linear(d, d));
    p->add("act", leaf(act_class(ac.s("activation_function", "gelu"))));
    p->add("linear_2", linear(d, media::dim(ac, "output_dim", 3584)));
    return p;
  }
  int64_t in = media::dim(ac, "intermediate_size", 5120), mid = th;
  bool bias = true;
  if (k.p == "Voxtral") bias = false;
  if (k.p == "AudioFlamingo3") in = media::dim(ac, "hidden_size", 1280), bias = c.b("projector_bias", true);
  if (k.p == "GlmAsr") mid = 2 * th;
  p->add("linear_1", linear(in, mid, bias));
  p->add("act", leaf(act_class(c.s("projector_hidden_act", "gelu"))));
  p->add("linear_2", linear(mid, th, bias));
  return p;
}

Model composite(const Config& c, std::string_view cls, const Kind& k) {
  SubConfig ac = sub_config(c, "audio_config", {{"model_type", k.audio_type}}, "");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", k.text_type}}, "");
  Model audio = auto_model(ac.c), text = auto_model(tc.c);
  int64_t th = media::dim(tc.c, "hidden_size", 4096);
  auto m = make(k.p + "Model");
  m->add("audio_tower", audio.root);
  if (k.projector_first) m->add("multi_modal_projector", projector(c, k, ac.c, th));
  m->add("language_model", text.root);
  if (!k.projector_first) m->add("multi_modal_projector", projector(c, k, ac.c, th));
  Model base{m, k.own_no_split};
  merge_no_split(base.no_split, audio.no_split);
  merge_no_split(base.no_split, text.no_split);
  if (cls == k.p + "ForConditionalGeneration") {
    bool tied = c.b("tie_word_embeddings", tc.c.b("tie_word_embeddings", false));
    return conditional_generation(std::string(cls), base, th, media::dim(tc.c, "vocab_size", 32000), tied);
  }
  if (cls != k.p + "Model") heads::unsupported(cls);
  return base;
}

Model encoder_only(std::string_view cls, Model m) {
  if (cls != m.root->cls) heads::unsupported(cls);
  return m;
}

const Kind kQwen2Audio{"Qwen2Audio", "qwen2_audio_encoder", "qwen2", true, {"Qwen2AudioAttention"}};
const Kind kVoxtral{"Voxtral", "voxtral_encoder", "llama", false, {}};
const Kind kAudioFlamingo3{"AudioFlamingo3", "audioflamingo3_encoder", "qwen2", false, {"AudioFlamingo3Attention"}};
const Kind kQwen3Asr{"Qwen3ASR", "qwen3_asr_encoder", "qwen3", false, {}};
const Kind kGlmAsr{"GlmAsr", "glmasr_encoder", "llama", false, {"GlmAsrAttention"}};

MEMFIT_FAMILY({"qwen2_audio_encoder"}, "Qwen2AudioEncoder", [](const Config& c, std::string_view cls) {
  return encoder_only(cls, whisper_style_encoder(c, "Qwen2Audio"));
}, "Qwen2AudioEncoder");
MEMFIT_FAMILY({"voxtral_encoder"}, "VoxtralEncoder", [](const Config& c, std::string_view cls) {
  return encoder_only(cls, whisper_style_encoder(c, "Voxtral"));
}, "VoxtralEncoder");
MEMFIT_FAMILY({"audioflamingo3_encoder"}, "AudioFlamingo3Encoder", [](const Config& c, std::string_view cls) {
  return encoder_only(cls, whisper_style_encoder(c, "AudioFlamingo3"));
}, "AudioFlamingo3Encoder");
MEMFIT_FAMILY({"glmasr_encoder"}, "GlmAsrEncoder", [](const Config& c, std::string_view cls) {
  return encoder_only(cls, glmasr_encoder(c));
}, "GlmAsrEncoder");
MEMFIT_FAMILY({"voxtral_realtime_encoder"}, "VoxtralRealtimeEncoder", [](const Config& c, std::string_view cls) {
  return encoder_only(cls, voxtral_realtime_encoder(c));
}, "VoxtralRealtimeEncoder");
MEMFIT_FAMILY({"qwen3_asr_encoder"}, "Qwen3ASREncoder", [](const Config& c, std::string_view cls) {
  return encoder_only(cls, qwen3_asr_encoder(c));
}, "Qwen3ASREncoder");
MEMFIT_FAMILY({"qwen3_asr"}, "Qwen3ASR", [](const Config& c, std::string_view cls) { return composite(c, cls, kQwen3Asr); });
MEMFIT_FAMILY({"voxtral_realtime"}, "VoxtralRealtime", voxtral_realtime);
MEMFIT_FAMILY({"qwen2_audio"}, "Qwen2Audio",
              [](const Config& c, std::string_view cls) { return composite(c, cls, kQwen2Audio); });
MEMFIT_FAMILY({"voxtral"}, "Voxtral", [](const Config& c, std::string_view cls) { return composite(c, cls, kVoxtral); });
MEMFIT_FAMILY({"audioflamingo3"}, "AudioFlamingo3",
              [](const Config& c, std::string_view cls) { return composite(c, cls, kAudioFlamingo3); });
MEMFIT_FAMILY({"glmasr"}, "GlmAsr", [](const Config& c, std::string_view cls) { return composite(c, cls, kGlmAsr); });

}  // namespace
}  // namespace memfit
