// Music Flamingo: transformers' modeling_musicflamingo.py. MusicFlamingoModel = `audio_tower` (AutoModel of
// audio_config: the AudioFlamingo3 Whisper-style encoder), `language_model` (AutoModel of text_config, Qwen2 by
// default), `multi_modal_projector` (linear_1 audio -> text width, act, linear_2, bias by projector_bias) and
// `pos_emb`, a rotary time embedding holding three non-persistent float32 buffers: inv_freq and original_inv_freq
// [ceil(int(audio hidden * partial_rotary_factor) / 2)] and position_angles [int(rope_theta), 2 * that]
// (max_position_embeddings is set to rope_theta). No _no_split_modules of its own (the union is the towers'), and
// MusicFlamingoForConditionalGeneration's lm_head is never tied (_tied_weights_keys is None).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr rotary_time_embedding(const Config& c, int64_t head_dim) {
  double theta = 1200.0, fraction = 0.2;
  if (auto r = c.opt_sub("rope_parameters")) {
    theta = r->f("rope_theta", theta);
    fraction = r->f("partial_rotary_factor", 1.0);
  }
  media::require(c, theta >= 1 && theta <= 1e7, "rope_parameters.rope_theta out of range");
  media::require(c, fraction > 0 && fraction <= 1, "rope_parameters.partial_rotary_factor out of range");
  int64_t dim = static_cast<int64_t>(static_cast<double>(head_dim) * fraction), half = (dim + 1) / 2;
  auto m = make("MusicFlamingoRotaryEmbedding");
  m->buffer("inv_freq", {half}, DType::F32, false);
  m->buffer("original_inv_freq", {half}, DType::F32, false);
  m->buffer("position_angles", {static_cast<int64_t>(theta), 2 * half}, DType::F32, false);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig ac = sub_config(c, "audio_config", {{"model_type", "audioflamingo3_encoder"}}, "audioflamingo3_encoder");
  // MusicFlamingoConfig reads a "musicflamingo_encoder" (or null) audio model_type as audioflamingo3_encoder.
  if (auto it = ac.json->find("model_type"); it == ac.json->end() || it->is_null() || *it == "musicflamingo_encoder")
    (*ac.json)["model_type"] = "audioflamingo3_encoder";
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "qwen2"}}, "qwen2");
  Model audio = auto_model(ac.c), text = auto_model(tc.c);
  int64_t ah = media::dim(ac.c, "d_model", media::dim(ac.c, "hidden_size", 1280));
  int64_t th = media::dim(tc.c, "hidden_size", 4096);
  bool bias = c.b("projector_bias", true);
  auto proj = make("MusicFlamingoMultiModalProjector");
  proj->add("linear_1", linear(ah, th, bias));
  proj->add("act", leaf(act_class(c.s("projector_hidden_act", "gelu"))));
  proj->add("linear_2", linear(th, th, bias));

  auto m = make("MusicFlamingoModel");
  m->add("audio_tower", audio.root);
  m->add("language_model", text.root);
  m->add("multi_modal_projector", proj);
  m->add("pos_emb", rotary_time_embedding(c, ah));
  Model base{m, {}};
  merge_no_split(base.no_split, audio.no_split);
  merge_no_split(base.no_split, text.no_split);
  if (cls == "MusicFlamingoModel") return base;
  if (cls != "MusicFlamingoForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, media::dim(tc.c, "vocab_size", 151936), false);
}

MEMFIT_FAMILY({"musicflamingo"}, "MusicFlamingo", build);

}  // namespace
}  // namespace memfit
