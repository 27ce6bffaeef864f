// Granite Speech: transformers' modeling_granite_speech.py. A CTC conformer encoder (input_linear, conformer blocks
// of two pre-norm feed-forwards, Shaw relative-position attention with to_q / to_kv / to_out and a rel_pos_emb
// table, a GLU / depthwise / BatchNorm conv module, post_norm; an int64 attention_dists buffer), a windowed
// Q-Former projector (query tokens, AutoModel of projector_config, a Linear into the text width) and the Granite
// language model (AutoModel of text_config). ForConditionalGeneration adds lm_head, tied to the text embedding when
// tie_word_embeddings (default True). Granite Speech Plus (modeling_granite_speech_plus.py, model_type
// granite_speech_plus) is the same tree under the GraniteSpeechPlus prefix; its encoder may hand the projector the
// concatenation of cat_hidden_layers' outputs with the last one, so the projector's encoder_hidden_size must be
// hidden_dim * (len(cat_hidden_layers) + 1), which its config checks.
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/vision_towers.h"
#include "format/config_defaults.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr encoder(const Config& c, const std::string& p) {
  int64_t h = media::dim(c, "hidden_dim", 1024), heads = media::dim(c, "num_heads", 8);
  int64_t dh = media::dim(c, "dim_head", 128), inner = dh * heads, mult = media::dim(c, "feedforward_mult", 4);
  int64_t ctx = media::dim(c, "context_size", 200), max_pos = media::dim(c, "max_pos_emb", 512);
  int64_t conv_inner = h * media::dim(c, "conv_expansion_factor", 2), k = media::dim(c, "conv_kernel_size", 15);
  int64_t out = media::dim(c, "output_dim", 42);
  auto ff = make(p + "ConformerFeedForward");
  ff->add("pre_norm", layer_norm(h));
  ff->add("up_proj", linear(h, h * mult));
  ff->add("silu", leaf("SiLU"));
  ff->add("dropout", leaf("Dropout"));
  ff->add("down_proj", linear(h * mult, h));
  auto attn = make(p + "ConformerAttention");
  attn->add("pre_norm", layer_norm(h));
  attn->add("to_q", linear(h, inner, false));
  attn->add("to_kv", linear(h, 2 * inner, false));
  attn->add("to_out", linear(inner, h));
  attn->add("rel_pos_emb", embedding(2 * max_pos + 1, dh));
  attn->add("dropout", leaf("Dropout"));
  auto depth = make(p + "ConformerDepthWiseConv1d");
  depth->add("conv", media::conv1d(conv_inner, conv_inner, k, false, conv_inner));
  auto conv = make(p + "ConformerConvModule");
  conv->add("norm", layer_norm(h));
  conv->add("up_conv", media::conv1d(h, 2 * conv_inner, 1));
  conv->add("glu", leaf("GLU"));
  conv->add("depth_conv", depth);
  conv->add("silu", leaf("SiLU"));
  conv->add("batch_norm", batch_norm(conv_inner, "BatchNorm1d"));
  conv->add("down_conv", media::conv1d(conv_inner, h, 1));
  conv->add("dropout", leaf("Dropout"));
  auto block = make(p + "ConformerBlock");
  block->add("ff1", ff);
  block->add("attn", attn);
  block->add("conv", conv);
  block->add("ff2", ff);
  block->add("post_norm", layer_norm(h));
  auto m = make(p + "CTCEncoder");
  m->buffer("attention_dists", {ctx, ctx}, DType::I64, false);
  m->add("input_linear", linear(media::dim(c, "input_dim", 160), h));
  m->add("layers", repeat(block, media::count(c, "num_layers", 10)));
  m->add("out", linear(h, out));
  m->add("out_mid", linear(out, h));
  return m;
}

// `p`: "GraniteSpeech" or "GraniteSpeechPlus"; `encoder_type` the encoder config's model_type.
Model build(const Config& c, std::string_view cls, const std::string& p, const std::string& encoder_type) {
  Config pc = c.sub("projector_config"), tc = c.sub("text_config");
  int64_t ph = media::dim(pc, "hidden_size", 768), th = media::dim(tc, "hidden_size", 4096);
  int64_t window = media::dim(c, "window_size", 15), rate = media::dim(c, "downsample_rate", 5);
  auto proj = make(p + "EncoderProjector");
  proj->param("query", {1, window / rate, ph});
  proj->add("qformer", auto_model(pc).root);
  proj->add("linear", linear(ph, th));
  Model lm = auto_model(tc);
  auto m = make(p + "Model");
  // GraniteSpeechConfig builds an omitted encoder_config from its encoder config class's defaults.
  SubConfig ec = sub_config(c, "encoder_config", with_class_defaults(Json{{"model_type", encoder_type}}), encoder_type);
  if (encoder_type == "granite_speech_plus_encoder" && ec.c.has("cat_hidden_layers")) {
    auto cat = ec.c.ints("cat_hidden_layers");
    int64_t layers = media::count(ec.c, "num_layers", 10), hidden = media::dim(ec.c, "hidden_dim", 1024);
    for (int64_t i : cat)
      media::require(ec.c, i >= 0 && i < layers, "cat_hidden_layers index out of range [0, num_layers)");
    media::require(pc, media::dim(pc, "encoder_hidden_size", 1408) == hidden * static_cast<int64_t>(cat.size() + 1),
                   "projector encoder_hidden_size must equal encoder hidden_dim * (len(cat_hidden_layers) + 1)");
  }
  m->add("encoder", encoder(ec.c, p));
  m->add("projector", proj);
  m->add("language_model", lm.root);
  if (cls == p + "Model") return {m, lm.no_split};
  if (cls != p + "ForConditionalGeneration") heads::unsupported(cls);
  auto root = make(p + "ForConditionalGeneration");
  root->add("model", m);
  root->add("lm_head", heads::lm_head(th, media::dim(tc, "vocab_size", 32000), c.b("tie_word_embeddings", true),
                                      "model.language_model.embed_tokens.weight"));
  return {root, lm.no_split};
}

MEMFIT_FAMILY({"granite_speech"}, "GraniteSpeech", [](const Config& c, std::string_view cls) {
  return build(c, cls, "GraniteSpeech", "granite_speech_encoder");
});
MEMFIT_FAMILY({"granite_speech_plus"}, "GraniteSpeechPlus", [](const Config& c, std::string_view cls) {
  return build(c, cls, "GraniteSpeechPlus", "granite_speech_plus_encoder");
});

}  // namespace
}  // namespace memfit
