// CLAP: transformers' modeling_clap.py ClapModel. logit_scale_a / logit_scale_t, the text model (RoBERTa's embeddings
// with persistent id buffers, BERT layers, a pooler) and its projection (linear1, act, linear2), and the audio model:
// ClapAudioEncoder, HTSAT's Swin (a Conv2d patch embedding over the spectrogram, optional LayerNorm and attentional
// feature fusion, stages of Donut-layout Swin layers with patch merging, a BatchNorm2d over the mel bins, a final
// LayerNorm over patch_embeds_hidden_size * 2^(stages - 1)) and its projection.
#include "arch/blocks.h"
#include "arch/transformers/bert.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/swin_v4.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// RoBERTa's tree under ClapText names; its id buffers are persistent.
ModulePtr text_model(const Config& t) {
  ModulePtr m = bert::model(bert::read(t, "ClapText", 50265), true, t, true);
  for (auto& [name, b] : m->child("embeddings")->buffers) b.persistent = true;
  return m;
}

ModulePtr projection(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 768), p = media::dim(c, "projection_dim", 512);
  auto m = make("ClapProjectionLayer");
  m->add("linear1", linear(h, p));
  m->add("activation", leaf(act_class(c.s("projection_hidden_act", "relu"))));
  m->add("linear2", linear(p, p));
  return m;
}

ModulePtr aff_block(const Config& a, int64_t ch) {
  int64_t r = media::dim(a, "aff_block_r", 4), inter = ch / r;
  auto branch = [&](bool global) {
    auto s = make("Sequential");
    int i = 0;
    if (global) s->add(std::to_string(i++), leaf("AdaptiveAvgPool2d"));
    s->add(std::to_string(i++), conv2d(ch, inter, 1));
    s->add(std::to_string(i++), batch_norm(inter));
    s->add(std::to_string(i++), leaf("ReLU"));
    s->add(std::to_string(i++), conv2d(inter, ch, 1));
    s->add(std::to_string(i++), batch_norm(ch));
    return s;
  };
  auto m = make("ClapAudioAFFBlock");
  m->add("local_att", branch(false));
  m->add("global_att", branch(true));
  m->add("sigmoid", leaf("Sigmoid"));
  return m;
}

ModulePtr audio_encoder(const Config& a) {
  int64_t embed = media::dim(a, "patch_embeds_hidden_size", 96), window = media::dim(a, "window_size", 8);
  int64_t in = media::dim(a, "patch_embed_input_channels", 1);
  media::require(a, window <= 4096, "window_size out of range");
  auto [ph, pw] = media::pair(a, "patch_size", 4);
  bool fusion = a.b("enable_fusion", false);
  auto pe = make("ClapAudioPatchEmbed");
  int64_t scale = fusion && a.s("fusion_type", "") == "channel_map" ? 4 : 1;
  pe->add("proj", conv2d(in * scale, embed, ph, pw));
  pe->add("norm", a.b("enable_patch_layer_norm", true) ? layer_norm(embed) : leaf("Identity"));
  if (fusion) {
    pe->add("fusion_model", aff_block(a, embed));
    pe->add("mel_conv2d", conv2d(in, embed, ph, 3 * pw));
  }

  auto depths = media::dims(a, "depths", {2, 2, 6, 2}, 0);
  auto heads = media::dims(a, "num_attention_heads", {4, 8, 16, 32});
  media::require(a, !depths.empty() && depths.size() <= 16 && heads.size() >= depths.size(),
                 "depths/num_attention_heads lengths are inconsistent");
  bool dpr = a.f("drop_path_rate", 0.0) > 0;
  auto stages = make("ModuleList");
  int64_t dim = embed;
  for (size_t i = 0; i < depths.size(); ++i) {
    dim = embed << i;
    media::require(a, dim <= media::kMaxDim, "patch_embeds_hidden_size too large");
    auto layer = [&](bool dp) {
      auto l = swin_v4_layer(a, "ClapAudio", dim, heads[i], window, dp);
      if (dp) l->child("drop_path")->cls = "ClapDropPath";
      return l;
    };
    auto plain = layer(dpr);
    auto first = i == 0 ? layer(false) : plain;
    std::vector<ModulePtr> blocks;
    for (int64_t j = 0; j < depths[i]; ++j) blocks.push_back(j == 0 ? first : plain);
    auto stage = make("ClapAudioStage");
    stage->add("blocks", module_list(blocks));
    if (i + 1 < depths.size()) {
      auto merge = make("ClapAudioPatchMerging");
      merge->add("reduction", linear(4 * dim, 2 * dim, false));
      merge->add("norm", layer_norm(4 * dim));
      stage->add("downsample", merge);
    }
    stages->add(std::to_string(i), stage);
  }
  auto enc = make("ClapAudioEncoder");
  enc->add("patch_embed", pe);
  enc->add("layers", stages);
  enc->add("batch_norm", batch_norm(media::dim(a, "num_mel_bins", 64)));
  enc->add("norm", layer_norm(dim));
  enc->add("avgpool", leaf("AdaptiveAvgPool1d"));
  return enc;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "ClapModel") heads::unsupported(cls);
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "clap_text_model"}}, "clap_text_model");
  SubConfig ac = sub_config(c, "audio_config", {{"model_type", "clap_audio_model"}}, "clap_audio_model");
  auto audio = make("ClapAudioModel");
  audio->add("audio_encoder", audio_encoder(ac.c));
  auto m = make("ClapModel");
  m->param("logit_scale_a", {});
  m->param("logit_scale_t", {});
  m->add("text_model", text_model(tc.c));
  m->add("text_projection", projection(tc.c));
  m->add("audio_model", audio);
  m->add("audio_projection", projection(ac.c));
  return {m, {}};  // ClapModel declares no _no_split_modules
}

MEMFIT_FAMILY({"clap"}, "Clap", build);

}  // namespace
}  // namespace memfit
