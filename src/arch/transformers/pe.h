// Perception Encoder audio / video (transformers' modeling_pe_audio.py, modeling_pe_video.py,
// modeling_pe_audio_video.py): the pieces the six model types share. Each <P>Encoder is an embedder (the DAC conv
// encoder, a timm vision model, or both) under a common transformer trunk; each <P>Model pairs encoders with a
// ModernBERT text model through contrastive heads and logit scale/bias scalars.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "format/config.h"
#include "tree/module.h"

namespace memfit::pe {

// <P>Encoder(config): embedder, patch_embedder (a 1-d conv resnet block and a class token), layers (RMSNorm,
// attention with per-head q/k norms, gated MLP), norm, rotary_emb, output.
ModulePtr encoder(const std::string& p, const Config& c, ModulePtr embedder);
// PeAudioEncoderEmbedder: the DAC encoder (plain Conv1d, Snake1d), a 1x1 bottleneck to codebook_dim, data_proj.
ModulePtr audio_embedder(const Config& c);
// PeVideoEncoderEmbedder: AutoModelForImageClassification (TimmWrapper) of vision_config, proj, data_proj.
ModulePtr video_embedder(const Config& c);
// <P>ContrastiveHead(in, out): layer_norm, proj (no bias).
ModulePtr head(const std::string& p, int64_t in, int64_t out);
// A copy of `m` (no shared nodes) whose every parameter is tied to `target` + its dotted name; buffers stay own.
ModulePtr tied_copy(const ModulePtr& m, const std::string& target);
// What every PE model lists as _no_split_modules.
std::vector<std::string> no_split(std::vector<std::string> own);

}  // namespace memfit::pe
