// timm MlpMixer (timm/models/mlp_mixer.py): PatchEmbed stem, MixerBlocks (norm1, token-mixing Mlp over the patch
// sequence, norm2, channel Mlp), norm, head. mixer_{s,b,l}{16,32}_224.
#include <array>
#include <map>

#include "arch/timm_layers.h"

namespace memfit {
namespace {
using namespace blocks;

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, std::array<int64_t, 3>, std::less<>> variants{
      {"mixer_s32_224", {32, 8, 512}},   {"mixer_s16_224", {16, 8, 512}},   {"mixer_b32_224", {32, 12, 768}},
      {"mixer_b16_224", {16, 12, 768}},  {"mixer_l32_224", {32, 24, 1024}}, {"mixer_l16_224", {16, 24, 1024}},
  };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  auto [patch, depth, dim] = it->second;
  int64_t grid = timm::img_size(c, 224) / patch, seq = grid * grid;
  auto b = make("MixerBlock");
  b->add("norm1", layer_norm(dim));
  b->add("mlp_tokens", timm::mlp(seq, dim / 2, seq));
  b->add("drop_path", leaf("Identity"));
  b->add("norm2", layer_norm(dim));
  b->add("mlp_channels", timm::mlp(dim, dim * 4, dim));
  auto root = make("MlpMixer");
  root->add("stem", timm::patch_embed(timm::in_chans(c), dim, patch));
  root->add("blocks", repeat(b, depth, "Sequential"));
  root->add("norm", layer_norm(dim));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dim, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"mixer_"}, build);

}  // namespace
}  // namespace memfit
