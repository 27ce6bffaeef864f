// PE Audio-Video (modeling_pe_audio_video.py). PeAudioVideoEncoder: pe.h's trunk over an embedder that runs a
// PeAudioEncoder and a PeVideoEncoder (AutoModel of audio_config / video_config), projects the video features to the
// audio width (1x1 conv, LayerNorm) and fuses both (concat_modality_proj, data_proj). PeAudioVideoModel: a text
// model, a PeAudioModel and a PeVideoModel built from the shared text config, the audio-video encoder, and four
// contrastive heads with their logit scales and biases. _tied_weights_keys ties the inner text models to the outer
// one and the fused encoder's audio / video encoders to the PeAudioModel's / PeVideoModel's (parameters only).
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/pe.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kPav = "PeAudioVideo";

ModulePtr av_encoder(const Config& c) {
  Config audio = c.sub("audio_config"), video = c.sub("video_config");
  int64_t ah = media::dim(audio, "hidden_size", 1792), vh = media::dim(video, "hidden_size", 1792);
  int64_t h = media::dim(c, "hidden_size", 1792);
  auto e = make(kPav + "EncoderEmbedder");
  e->add("audio_encoder", auto_model(audio).root);
  e->add("video_encoder", auto_model(video).root);
  e->add("video_proj", media::conv1d(vh, ah, 1));
  e->add("video_norm", layer_norm(ah));
  e->add("concat_modality_proj", linear(ah + vh, h));
  e->add("data_proj", linear(h, h));
  return pe::encoder(kPav, c, e);
}

Model build_encoder(const Config& c, std::string_view cls) {
  if (cls != kPav + "Encoder") heads::unsupported(cls);
  return {av_encoder(c), {kPav + "EncoderLayer", "TimmWrapperForImageClassification"}};
}

Model build(const Config& c, std::string_view cls) {
  if (cls != kPav + "Model") heads::unsupported(cls);
  Config avc = c.sub("audio_video_config");
  Json text = c.sub("text_config").raw();
  Json aj = {{"model_type", "pe_audio"}, {"text_config", text}, {"audio_config", avc.sub("audio_config").raw()}};
  Json vj = {{"model_type", "pe_video"}, {"text_config", text}, {"video_config", avc.sub("video_config").raw()}};
  int64_t th = media::dim(c.sub("text_config"), "hidden_size", 1024), avh = media::dim(avc, "hidden_size", 1792);
  int64_t ah = media::dim(avc.sub("audio_config"), "hidden_size", 1792);
  int64_t vh = media::dim(avc.sub("video_config"), "hidden_size", 1792);
  auto audio = auto_model(Config(aj, "pe_audio")).root, video = auto_model(Config(vj, "pe_video")).root;
  auto tie_text = [](const ModulePtr& model) {
    auto copy = make(model->cls);
    copy->params = model->params;
    for (const auto& [n, ch] : model->children)
      copy->add(n, n == "text_model" ? pe::tied_copy(ch, "text_model.") : ch);
    return copy;
  };
  auto enc = av_encoder(avc);
  auto emb = enc->child("embedder");
  for (auto& [n, ch] : emb->children) {
    if (n == "audio_encoder") ch = pe::tied_copy(ch, "audio_model.audio_encoder.");
    if (n == "video_encoder") ch = pe::tied_copy(ch, "video_model.video_encoder.");
  }
  auto root = make(kPav + "Model");
  for (const char* s : {"audio_video", "text_audio_video", "audio_plus_text", "video_plus_text"}) {
    root->param(std::string(s) + "_logit_scale", {1});
    root->param(std::string(s) + "_logit_bias", {1});
  }
  root->add("text_model", auto_model(c.sub("text_config")).root);
  root->add("audio_model", tie_text(audio));
  root->add("video_model", tie_text(video));
  root->add("audio_video_encoder", enc);
  root->add("audio_video_head", pe::head(kPav, avh, th));
  root->add("text_audio_video_head", pe::head(kPav, th, th));
  root->add("audio_plus_text_head", pe::head(kPav, th + ah, th));
  root->add("video_plus_text_head", pe::head(kPav, th + vh, th));
  return {root, pe::no_split({"PeAudioEncoderLayer", kPav + "EncoderLayer", "PeVideoEncoderLayer"})};
}

MEMFIT_FAMILY({"pe_audio_video_encoder"}, "PeAudioVideoEncoder", build_encoder, "PeAudioVideoEncoder");
MEMFIT_FAMILY({"pe_audio_video"}, "PeAudioVideo", build);

}  // namespace
}  // namespace memfit
