// Gemma 3n: transformers' modeling_gemma3n.py. A text decoder with AltUp, LAuReL, per-layer embeddings and KV
// sharing in the last layers; a conformer audio encoder; a timm MobileNetV5 vision tower (mobilenetv5.cpp).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/timm/mobilenetv5.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr norm(int64_t d) { return rms_norm("Gemma3nRMSNorm", d); }
ModulePtr scaled_embedding(int64_t n, int64_t d) {
  auto e = embedding(n, d, "Gemma3nTextScaledWordEmbedding");
  e->buffer("embed_scale", {}, DType::F32, false);
  return e;
}

// Gemma3nTextModel with Gemma3nTextConfig's defaults (E4B).
ModulePtr text_model(const Config& c) {
  int64_t vocab = c.i("vocab_size", 262400), h = c.i("hidden_size", 2048), heads = c.i("num_attention_heads", 8);
  int64_t layers = checked_count(c.i("num_hidden_layers", 35), "num_hidden_layers");
  int64_t kv = c.i("num_key_value_heads", 2), hd = c.i("head_dim", 256), ple = c.i("hidden_size_per_layer_input", 256);
  int64_t altup = checked_count(c.i("altup_num_inputs", 4), "altup_num_inputs"), rank = c.i("laurel_rank", 64);
  int64_t first_shared = layers - c.i("num_kv_shared_layers", 15);
  std::vector<int64_t> inter(layers, 16384);
  if (c.raw().contains("intermediate_size") && c.raw()["intermediate_size"].is_array()) {
    inter = c.ints("intermediate_size");
    if (static_cast<int64_t>(inter.size()) != layers) c.missing("intermediate_size");
  } else {
    inter.assign(layers, c.i("intermediate_size", 16384));
  }
  auto types = c.strings("layer_types");
  if (types.empty())
    for (int64_t i = 0; i < layers; ++i) types.push_back((i + 1) % 5 ? "sliding_attention" : "full_attention");
  std::string act = act_class(c.s("hidden_activation", "gelu_pytorch_tanh"));

  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < layers; ++i) {
    auto a = make("Gemma3nTextAttention");
    a->add("q_proj", linear(h, heads * hd, false));
    a->add("q_norm", norm(hd));
    if (!(i >= first_shared && first_shared > 0)) {
      a->add("k_proj", linear(h, kv * hd, false));
      a->add("v_proj", linear(h, kv * hd, false));
      a->add("k_norm", norm(hd));
      a->add("v_norm", make("Gemma3nRMSNorm"));
    }
    a->add("o_proj", linear(heads * hd, h, false));
    auto au = make("Gemma3nTextAltUp");
    au->param("correct_output_scale", {h});
    au->add("correction_coefs", linear(altup, altup, false));
    au->add("prediction_coefs", linear(altup, altup * altup, false));
    au->add("modality_router", linear(h, altup, false));
    au->add("router_norm", norm(h));
    au->buffer("router_input_scale", {}, DType::F32, false);
    auto laurel = make("Gemma3nTextLaurelBlock");
    laurel->add("linear_left", linear(h, rank, false));
    laurel->add("linear_right", linear(rank, h, false));
    laurel->add("post_laurel_norm", norm(h));
    auto l = make("Gemma3nTextDecoderLayer");
    l->add("self_attn", a);
    l->add("mlp", gated_mlp("Gemma3nTextMLP", h, inter[i], false, act));
    for (const char* n : {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                          "post_feedforward_layernorm"})
      l->add(n, norm(h));
    l->add("act_fn", leaf(act));
    l->add("altup", au);
    l->add("laurel", laurel);
    l->add("per_layer_input_gate", linear(h, ple, false));
    l->add("per_layer_projection", linear(ple, h, false));
    l->add("post_per_layer_input_norm", norm(h));
    ls.push_back(l);
  }
  auto m = make("Gemma3nTextModel");
  m->add("embed_tokens", scaled_embedding(vocab, h));
  m->add("layers", module_list(std::move(ls)));
  m->add("norm", norm(h));
  auto rope = make("Gemma3nRotaryEmbedding");
  for (const char* t : {"sliding_attention", "full_attention"}) {
    if (std::find(types.begin(), types.end(), t) == types.end()) continue;
    rope->buffer(std::string(t) + "_inv_freq", {hd / 2}, DType::F32, false);
    rope->buffer(std::string(t) + "_original_inv_freq", {hd / 2}, DType::F32, false);
  }
  m->add("rotary_emb", rope);
  m->add("embed_tokens_per_layer", scaled_embedding(c.i("vocab_size_per_layer_input", 262144), layers * ple));
  m->add("per_layer_model_projection", linear(h, layers * ple, false));
  m->add("per_layer_projection_norm", norm(ple));
  std::vector<ModulePtr> up, down;
  for (int64_t i = 1; i < altup; ++i) up.push_back(linear(h, h, false)), down.push_back(linear(h, h, false));
  m->add("altup_projections", module_list(up));
  m->add("altup_unembed_projections", module_list(down));
  m->buffer("per_layer_projection_scale", {}, DType::F32, false);
  m->buffer("per_layer_input_scale", {}, DType::F32, false);
  return m;
}

ModulePtr clip_buffer(ModulePtr m) {
  m->buffer("gradient_clipping", {}, DType::F32, false);
  return m;
}

// Gemma3nAudioEncoder with Gemma3nAudioConfig's defaults.
ModulePtr audio_encoder(const Config& a) {
  int64_t h = a.i("hidden_size", 1536), heads = a.i("conf_num_attention_heads", 8), f = a.i("input_feat_size", 128);
  int64_t chunk = a.i("conf_attention_chunk_size", 12), left = a.i("conf_attention_context_left", 13);
  int64_t right = a.i("conf_attention_context_right", 0), k = a.i("conf_conv_kernel_size", 5);
  if (heads <= 0 || h <= 0 || chunk < 0 || left < 0 || right < 0) a.missing("conf_num_attention_heads");
  std::vector<int64_t> ch{128, 32};
  if (a.has("sscp_conv_channel_size")) ch = a.ints("sscp_conv_channel_size");
  if (ch.size() != 2) a.missing("sscp_conv_channel_size");
  auto sscp = make("Gemma3nAudioSubSampleConvProjection");
  int64_t in = 1;
  for (int i = 0; i < 2; ++i) {  // 3x3 kernels, stride 2, frequency padded by 1 on each side
    auto blk = make("Gemma3nAudioSSCPConvBlock");
    blk->add("conv", conv2d(in, ch[i], 3, false));
    blk->add("norm", rms_norm("Gemma3nAudioCumulativeGroupNorm", ch[i]));
    blk->add("activation", leaf("ReLU"));
    sscp->add("conv_" + std::to_string(i), blk);
    in = ch[i];
    f = (f + 2 - 3) / 2 + 1;
  }
  sscp->add("input_proj_linear", linear(ch[1] * f, h, false));

  auto ffw = [&] {
    auto m = make("Gemma3nAudioConformerFeedForward");
    m->add("pre_layer_norm", norm(h));
    m->add("ffw_layer_1", linear(h, 4 * h, false));
    m->add("ffw_layer_2", linear(4 * h, h, false));
    m->add("post_layer_norm", norm(h));
    return clip_buffer(m);
  };
  auto rel = make("Gemma3nAudioRelativePositionEmbedding");
  rel->add("pos_proj", linear(h, h, false));
  rel->buffer("inv_timescales", {1, 1, h / 2}, DType::F32, false);
  auto attn = make("Gemma3nAudioAttention");
  attn->param("per_dim_scale", {h / heads});
  attn->add("relative_position_embedding", rel);
  for (const char* n : {"q_proj", "k_proj", "v_proj"}) attn->add(n, linear(h, h, false));
  attn->buffer("q_scale", {}, DType::F32, false);
  attn->buffer("local_causal_valid_mask", {chunk, chunk + std::max<int64_t>(0, left - 1) + right}, DType::Bool, false);
  attn->buffer("softcap", {}, DType::F32, false);
  auto ca = make("Gemma3nAudioConformerAttention");
  ca->add("pre_attn_norm", norm(h));
  ca->add("attn", attn);
  ca->add("post", linear(h, h, false));
  ca->add("post_norm", norm(h));
  auto lconv = make("Gemma3nAudioConformerLightConv1d");
  lconv->add("pre_layer_norm", norm(h));
  lconv->add("linear_start", linear(h, 2 * h, false));
  auto dw = make("Conv1d");
  dw->param("weight", {h, 1, k});
  lconv->add("depthwise_conv1d", dw);
  lconv->add("conv_norm", norm(h));
  lconv->add("linear_end", linear(h, h, false));
  auto block = make("Gemma3nAudioConformerBlock");
  block->add("ffw_layer_start", ffw());
  block->add("attention", clip_buffer(ca));
  block->add("lconv1d", clip_buffer(lconv));
  block->add("ffw_layer_end", ffw());
  block->add("norm", norm(h));
  clip_buffer(block);
  auto m = make("Gemma3nAudioEncoder");
  m->add("subsample_conv_projection", sscp);
  m->add("conformer", repeat(block, a.i("conf_num_hidden_layers", 12)));
  return m;
}

ModulePtr embedder(const Config& mm, int64_t mm_hidden, int64_t text_hidden) {
  auto e = make("Gemma3nMultimodalEmbedder");
  e->add("embedding", embedding(mm.i("vocab_size", 128), mm_hidden));
  e->add("hard_embedding_norm", norm(mm_hidden));
  e->add("soft_embedding_norm", norm(mm_hidden));
  e->add("embedding_projection", linear(mm_hidden, text_hidden, false));
  e->add("embedding_post_projection_norm", make("Gemma3nRMSNorm"));
  return e;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig tc = sub_config(c, "text_config", Json::object(), "gemma3n_text");
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "gemma3n_vision");
  SubConfig ac = sub_config(c, "audio_config", Json::object(), "gemma3n_audio");
  std::string arch = vc.c.s("architecture", "mobilenetv5_300m_enc");
  ModulePtr timm = mobilenetv5_encoder(arch);
  if (!timm) heads::unsupported("Gemma3n with vision tower " + arch);
  int64_t th = tc.c.i("hidden_size", 2048);
  auto vision = make("TimmWrapperModel");
  vision->add("timm_model", timm);
  auto m = make("Gemma3nModel");
  m->add("vision_tower", vision);
  m->add("language_model", text_model(tc.c));
  m->add("audio_tower", audio_encoder(ac.c));
  m->add("embed_vision", embedder(vc.c, vc.c.i("hidden_size", 2048), th));
  m->add("embed_audio", embedder(ac.c, ac.c.i("hidden_size", 1536), th));
  Model base{m, {"Gemma3nTextDecoderLayer", "TimmWrapperModel"}};
  if (cls == "Gemma3nModel") return base;
  if (cls != "Gemma3nForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, tc.c.i("vocab_size", 262400),
                                c.b("tie_word_embeddings", true));
}

MEMFIT_FAMILY({"gemma3n"}, "Gemma3n", build);
// The audio tower on its own (AutoModel of a gemma3n_audio config); _no_split_modules is the family's.
MEMFIT_FAMILY({"gemma3n_audio"}, "Gemma3nAudio", [](const Config& c, std::string_view cls) {
  if (cls != "Gemma3nAudioEncoder") heads::unsupported(cls);
  return Model{audio_encoder(c), {"Gemma3nTextDecoderLayer"}};
}, "Gemma3nAudioEncoder");

// The text model on its own (gemma3n_text: Gemma3nTextModel).
MEMFIT_FAMILY({"gemma3n_text"}, "Gemma3nText", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "Gemma3nTextModel") heads::unsupported(cls);
  return {text_model(c), {"Gemma3nTextDecoderLayer"}};
});

}  // namespace
}  // namespace memfit
