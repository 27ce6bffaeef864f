// PE Audio and PE Video (modeling_pe_audio.py, modeling_pe_video.py): PeAudioEncoder / PeVideoEncoder (pe.h's trunk
// over the DAC or timm embedder), and PeAudioModel / PeVideoModel: a ModernBERT text model (AutoModel of
// text_config), the encoder, a text head and an encoder head into the text width, and a logit scale and bias.
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/pe.h"

namespace memfit {
namespace MEMFIT_TU {

ModulePtr audio_encoder(const Config& c) { return pe::encoder("PeAudio", c, pe::audio_embedder(c)); }
ModulePtr video_encoder(const Config& c) { return pe::encoder("PeVideo", c, pe::video_embedder(c)); }

// PeAudioModel / PeVideoModel: `m` names the modality ("audio", "video"), P the class prefix.
Model pair_model(const Config& c, const std::string& p, const std::string& m) {
  Config text = c.sub("text_config"), enc = c.sub(m + "_config");
  int64_t th = media::dim(text, "hidden_size", 1024), eh = media::dim(enc, "hidden_size", 1792);
  auto root = make(p + "Model");
  root->param("text_" + m + "_logit_scale", {1});
  root->param("text_" + m + "_logit_bias", {1});
  root->add("text_model", auto_model(text).root);
  root->add(m + "_encoder", m == "audio" ? audio_encoder(enc) : video_encoder(enc));
  root->add("text_" + m + "_head", pe::head(p, th, th));
  root->add(m + "_head", pe::head(p, eh, th));
  return {root, pe::no_split({p + "EncoderLayer"})};
}

Model build_audio_encoder(const Config& c, std::string_view cls) {
  if (cls != "PeAudioEncoder") heads::unsupported(cls);
  return {audio_encoder(c), {"PeAudioEncoderLayer", "TimmWrapperForImageClassification"}};
}

Model build_video_encoder(const Config& c, std::string_view cls) {
  if (cls != "PeVideoEncoder") heads::unsupported(cls);
  return {video_encoder(c), {"PeVideoEncoderLayer", "TimmWrapperForImageClassification"}};
}

Model build_audio(const Config& c, std::string_view cls) {
  if (cls != "PeAudioModel") heads::unsupported(cls);
  return pair_model(c, "PeAudio", "audio");
}

Model build_video(const Config& c, std::string_view cls) {
  if (cls != "PeVideoModel") heads::unsupported(cls);
  return pair_model(c, "PeVideo", "video");
}

MEMFIT_FAMILY({"pe_audio_encoder"}, "PeAudioEncoder", build_audio_encoder, "PeAudioEncoder");
MEMFIT_FAMILY({"pe_video_encoder"}, "PeVideoEncoder", build_video_encoder, "PeVideoEncoder");
MEMFIT_FAMILY({"pe_audio"}, "PeAudio", build_audio);
MEMFIT_FAMILY({"pe_video"}, "PeVideo", build_video);

}  // namespace
}  // namespace memfit
