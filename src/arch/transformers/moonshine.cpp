// Moonshine: transformers' modeling_moonshine.py. An encoder over the raw waveform (three Conv1d, a GroupNorm,
// layers of q/k/v/o attention + fc1/fc2 MLP with bias-free LayerNorms) and a decoder (self- and cross-attention,
// a gated fc1 [2 * intermediate] MLP, three bias-free LayerNorms per layer); each stack has a partial rotary
// embedding (default factor 0.9). The ASR head is proj_out, tied to the decoder's embed_tokens.
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr attention(int64_t h, int64_t heads, int64_t kv, int64_t head_dim, bool bias) {
  return qkvo_attention("MoonshineAttention", {h, heads, kv, head_dim, bias, false});
}

ModulePtr mlp(const std::string& cls, int64_t h, int64_t inter, int64_t fc1_out, const std::string& act) {
  auto m = make(cls);
  m->add("activation_fn", leaf(act_class(act)));
  m->add("fc1", linear(h, fc1_out));
  m->add("fc2", linear(inter, h));
  return m;
}

ModulePtr moonshine_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 288), inter = media::dim(c, "intermediate_size", 1152);
  int64_t heads = media::dim(c, "decoder_num_attention_heads", 8);
  int64_t kv = media::dim(c, "decoder_num_key_value_heads", heads);
  int64_t eh = media::dim(c, "encoder_num_attention_heads", 8), ekv = media::dim(c, "encoder_num_key_value_heads", eh);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  media::divisible(c, h, eh, "hidden_size / encoder_num_attention_heads");
  bool bias = c.b("attention_bias", false);
  auto ln = [&] { return layer_norm(h, false); };
  int64_t rot = rope_dim(h / heads, rope_fraction(c, 0.9));

  auto el = make("MoonshineEncoderLayer");
  el->add("self_attn", attention(h, eh, ekv, h / eh, bias));
  el->add("mlp", mlp("MoonshineEncoderMLP", h, inter, inter, c.s("encoder_hidden_act", "gelu")));
  el->add("input_layernorm", ln());
  el->add("post_attention_layernorm", ln());
  auto enc = make("MoonshineEncoder");
  enc->add("conv1", media::conv1d(1, h, 127, false));
  enc->add("conv2", media::conv1d(h, 2 * h, 7));
  enc->add("conv3", media::conv1d(2 * h, h, 3));
  enc->add("groupnorm", layer_norm(h, true, "GroupNorm"));
  enc->add("layers", repeat(el, media::count(c, "encoder_num_hidden_layers", 6)));
  enc->add("layer_norm", ln());
  enc->add("rotary_emb", rotary("MoonshineRotaryEmbedding", rot));

  auto dl = make("MoonshineDecoderLayer");
  dl->add("self_attn", attention(h, heads, kv, h / heads, bias));
  dl->add("encoder_attn", attention(h, heads, kv, h / heads, bias));
  dl->add("mlp", mlp("MoonshineDecoderMLP", h, inter, 2 * inter, c.s("decoder_hidden_act", "silu")));
  dl->add("input_layernorm", ln());
  dl->add("post_attention_layernorm", ln());
  dl->add("final_layernorm", ln());
  auto dec = make("MoonshineDecoder");
  dec->add("embed_tokens", embedding(media::dim(c, "vocab_size", 32768), h));
  dec->add("layers", repeat(dl, media::count(c, "decoder_num_hidden_layers", 6)));
  dec->add("norm", ln());
  dec->add("rotary_emb", rotary("MoonshineRotaryEmbedding", rot));

  auto m = make("MoonshineModel");
  m->add("encoder", enc);
  m->add("decoder", dec);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"MoonshineEncoderLayer", "MoonshineDecoderLayer"};
  if (cls == "MoonshineModel") return {moonshine_model(c), no_split};
  if (cls != "MoonshineForConditionalGeneration") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("model", moonshine_model(c));
  int64_t h = media::dim(c, "hidden_size", 288), vocab = media::dim(c, "vocab_size", 32768);
  root->add("proj_out", heads::lm_head(h, vocab, heads::ties_embeddings(c), "model.decoder.embed_tokens.weight"));
  return {root, no_split};
}

MEMFIT_FAMILY({"moonshine"}, "Moonshine", build);

}  // namespace
}  // namespace memfit
