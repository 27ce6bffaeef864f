// X-Codec: transformers' modeling_xcodec.py. DAC's acoustic encoder/decoder (AutoModel of acoustic_model_config;
// the decoder's tanh replaced by Identity), a semantic conv encoder/decoder over the features of a HuBERT-style
// semantic model (AutoModel of semantic_model_config), fc / fc1 / fc2 projections and a residual vector quantizer
// whose codebooks are buffers (inited, cluster_size, embed, embed_avg). Higgs Audio v2's tokenizer
// (modeling_higgs_audio_v2_tokenizer.py) is the same model under its own prefix, each quantizer projecting in and out
// of codebook_dim (project_in / project_out).
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/audio_codec.h"
#include "arch/transformers/dac.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Shape {
  std::string p;  // "Xcodec", "HiggsAudioV2Tokenizer"
  int64_t sem, kernel, unit_kernel;
  std::vector<int64_t> ratios, strides, dilations;
};

// XcodecResidualUnit(in, out): ELU, conv1 (unit_kernel_size, no bias), conv2 (1x1, no bias).
ModulePtr unit(const Shape& s, int64_t in, int64_t out) {
  auto m = make(s.p + "ResidualUnit");
  m->add("activation", leaf("ELU"));
  m->add("conv1", media::conv1d(in, out, s.unit_kernel, false));
  m->add("conv2", media::conv1d(out, out, 1, false));
  return m;
}

ModulePtr units(const Shape& s, int64_t d) { return repeat(unit(s, d, d), static_cast<int64_t>(s.dilations.size())); }

ModulePtr semantic_encoder(const Shape& s) {
  std::vector<ModulePtr> blocks;
  int64_t in = s.sem;
  for (size_t i = 0; i < s.strides.size(); ++i) {
    int64_t out = s.sem * s.ratios[i];
    auto b = make(s.p + "SemanticEncoderBlock");
    b->add("res_units", units(s, in));
    b->add("conv", media::conv1d(in, out, s.strides[i] == 1 ? 3 : 2 * s.strides[i]));
    blocks.push_back(b);
    in = out;
  }
  auto m = make("SemanticEncoder");
  m->add("conv", media::conv1d(s.sem, s.sem, s.kernel, false));
  m->add("conv_blocks", module_list(std::move(blocks)));
  return m;
}

ModulePtr semantic_decoder(const Shape& s) {
  std::vector<ModulePtr> blocks;
  for (size_t i = 0; i < s.strides.size(); ++i) {
    int64_t in = s.sem * s.ratios[i], out = i + 1 < s.ratios.size() ? s.sem * s.ratios[i + 1] : s.sem;
    auto b = make("SemanticDecoderBlock");
    b->add("conv", s.strides[i] == 1 ? media::conv1d(in, out, 3)
                                     : audio::conv_transpose1d(in, out, 2 * s.strides[i], false));
    b->add("res_units", units(s, out));
    blocks.push_back(b);
  }
  auto m = make("SemanticDecoder");
  m->add("conv1", media::conv1d(s.sem, s.sem * s.ratios[0], s.kernel, false));
  m->add("conv_blocks", module_list(std::move(blocks)));
  m->add("conv2", media::conv1d(s.sem, s.sem, s.kernel, false));
  return m;
}

Model build(const Config& c, std::string_view cls, const std::string& p) {
  if (cls != p + "Model") heads::unsupported(cls);
  Config ac = c.sub("acoustic_model_config"), sc = c.sub("semantic_model_config");
  Shape s{p, media::dim(sc, "hidden_size", 768), media::dim(c, "kernel_size", 3), media::dim(c, "unit_kernel_size", 3),
          media::dims(c, "channel_ratios", {1, 1}), media::dims(c, "strides", {1, 1}),
          media::dims(c, "block_dilations", {1, 1})};
  media::require(c, !s.strides.empty() && s.strides.size() == s.ratios.size(),
                 "strides and channel_ratios must be non-empty and of one length");
  int64_t ah = media::dim(ac, "hidden_size", 256), h = ah + s.sem;
  double hop = 1;
  for (int64_t r : media::dims(ac, "downsampling_ratios", {8, 5, 4, 2})) hop *= static_cast<double>(r);
  int64_t size = media::dim(c, "codebook_size", 1024), dim = media::dim(c, "codebook_dim", h);
  int64_t q = audio::codec_quantizers(c, hop, media::dim(c, "sample_rate", 16000), size, 4.0);
  auto book = make(p + "EuclideanCodebook");
  book->buffer("inited", {1}, DType::F32).buffer("cluster_size", {size}, DType::F32);
  book->buffer("embed", {size, dim}, DType::F32).buffer("embed_avg", {size, dim}, DType::F32);
  auto vq = make(p + "VectorQuantization");
  vq->add("codebook", book);
  if (p != "Xcodec") {
    vq->add("project_in", linear(h, dim));
    vq->add("project_out", linear(dim, h));
  }
  auto rvq = make(p + "ResidualVectorQuantization");
  rvq->add("quantizers", repeat(vq, q));

  auto m = make(p + "Model");
  m->add("acoustic_encoder", dac::encoder(ac));
  m->add("acoustic_decoder", dac::decoder(ac, true));
  m->add("encoder_semantic", semantic_encoder(s));
  m->add("decoder_semantic", semantic_decoder(s));
  m->add("semantic_model", auto_model(sc).root);
  m->add("fc", linear(h, h));
  m->add("fc1", linear(h, s.sem));
  m->add("fc2", linear(h, ah));
  m->add("quantizer", rvq);
  return {m, {"HubertEncoderLayer", "ParametrizedConv1d", p + "ResidualVectorQuantization"}};
}

MEMFIT_FAMILY({"xcodec"}, "Xcodec", [](const Config& c, std::string_view cls) { return build(c, cls, "Xcodec"); });
MEMFIT_FAMILY({"higgs_audio_v2_tokenizer"}, "HiggsAudioV2Tokenizer",
              [](const Config& c, std::string_view cls) { return build(c, cls, "HiggsAudioV2Tokenizer"); });

}  // namespace
}  // namespace memfit
