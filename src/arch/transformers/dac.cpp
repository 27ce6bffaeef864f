#include "arch/transformers/dac.h"

#include "arch/blocks.h"
#include "arch/transformers/audio_codec.h"
#include "arch/transformers/media.h"

namespace memfit::dac {
using namespace blocks;

ModulePtr snake(int64_t d) {
  auto m = make("Snake1d");
  m->param("alpha", {1, d, 1});
  return m;
}

namespace {

// <p>ResidualUnit(d): snake1, conv1 (k=7, dilated), snake2, conv2 (k=1). Dilations 1, 3, 9 change no shapes.
ModulePtr residual_unit(const std::string& p, int64_t d, const Activation& act = snake) {
  auto r = make(p + "ResidualUnit");
  r->add("snake1", act(d));
  r->add("conv1", media::conv1d(d, d, 7));
  r->add("snake2", act(d));
  r->add("conv2", media::conv1d(d, d, 1));
  return r;
}

}  // namespace

ModulePtr encoder(const Config& c, const std::string& p, const Activation& act) {
  int64_t enc = media::dim(c, "encoder_hidden_size", 64);
  auto ratios = media::dims(c, "downsampling_ratios", {2, 4, 8, 8});
  media::require(c, ratios.size() <= 16, "downsampling_ratios is too long");
  std::vector<ModulePtr> blocks;
  for (size_t i = 0; i < ratios.size(); ++i) {
    int64_t d = enc << (i + 1);
    auto block = make(p + "EncoderBlock");
    auto unit = residual_unit(p, d / 2, act);
    for (const char* n : {"res_unit1", "res_unit2", "res_unit3"}) block->add(n, unit);
    block->add("snake1", act(d / 2));
    block->add("conv1", media::conv1d(d / 2, d, 2 * ratios[i]));
    blocks.push_back(block);
  }
  int64_t d_model = enc << ratios.size();
  auto m = make(p + "Encoder");
  m->add("conv1", media::conv1d(1, enc, 7));
  m->add("block", module_list(std::move(blocks)));
  m->add("snake1", act(d_model));
  m->add("conv2", media::conv1d(d_model, media::dim(c, "hidden_size", 1024), 3));
  return m;
}

ModulePtr decoder(const Config& c, bool identity_tanh) {
  int64_t ch = media::dim(c, "decoder_hidden_size", 1536);
  auto ratios = media::dims(c, "upsampling_ratios", {8, 8, 4, 2});
  media::require(c, !ratios.empty() && ratios.size() <= 16, "upsampling_ratios must hold 1 to 16 entries");
  std::vector<ModulePtr> blocks;
  for (size_t i = 0; i < ratios.size(); ++i) {
    int64_t in = ch >> i, out = ch >> (i + 1);
    media::require(c, out > 0, "decoder_hidden_size is too small for upsampling_ratios");
    auto block = make("DacDecoderBlock");
    block->add("snake1", snake(in));
    block->add("conv_t1", audio::conv_transpose1d(in, out, 2 * ratios[i]));
    auto unit = residual_unit("Dac", out);
    for (const char* n : {"res_unit1", "res_unit2", "res_unit3"}) block->add(n, unit);
    blocks.push_back(block);
  }
  int64_t out = ch >> ratios.size();
  auto m = make("DacDecoder");
  m->add("conv1", media::conv1d(media::dim(c, "hidden_size", 1024), ch, 7));
  m->add("block", module_list(std::move(blocks)));
  m->add("snake1", snake(out));
  m->add("conv2", media::conv1d(out, 1, 7));
  m->add("tanh", leaf(identity_tanh ? "Identity" : "Tanh"));
  return m;
}

}  // namespace memfit::dac
