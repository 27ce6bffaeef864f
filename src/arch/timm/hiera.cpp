// timm Hiera (timm/models/hiera.py): PatchEmbed, pos_embed, HieraBlocks (norm1, expand proj at stage starts,
// MaskUnitAttention qkv/proj, norm2, Mlp) doubling dim and heads per stage, ClNormMlpClassifierHead.
#include <map>

#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr hiera_block(int64_t dim, int64_t dim_out) {
  auto b = make("HieraBlock");
  b->add("norm1", layer_norm(dim));
  if (dim != dim_out) b->add("proj", linear(dim, dim_out));
  auto a = make("MaskUnitAttention");
  a->add("qkv", linear(dim, 3 * dim_out));
  a->add("proj", linear(dim_out, dim_out));
  b->add("attn", a);
  b->add("ls1", leaf("Identity"));
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(dim_out));
  b->add("mlp", timm::mlp(dim_out, 4 * dim_out, dim_out));
  b->add("ls2", leaf("Identity"));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, std::pair<int64_t, std::vector<int64_t>>, std::less<>> variants{
      {"hiera_tiny_224", {96, {1, 2, 7, 2}}},       {"hiera_small_224", {96, {1, 2, 11, 2}}},
      {"hiera_base_224", {96, {2, 3, 16, 3}}},      {"hiera_base_plus_224", {112, {2, 3, 16, 3}}},
      {"hiera_large_224", {144, {2, 6, 36, 4}}},    {"hiera_huge_224", {256, {2, 6, 36, 4}}},
  };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  int64_t dim = it->second.first;
  int64_t tokens = timm::img_size(c, 224) / 4;
  auto root = make("Hiera");
  auto pe = make("PatchEmbed");
  pe->add("proj", conv2d(timm::in_chans(c), dim, 7));
  root->add("patch_embed", pe);
  root->param("pos_embed", {1, tokens * tokens, dim});
  root->add("unroll", leaf("Unroll"));
  root->add("reroll", leaf("Reroll"));
  auto blocks = make("ModuleList");
  int64_t i = 0;
  for (size_t s = 0; s < it->second.second.size(); ++s)
    for (int64_t k = 0; k < it->second.second[s]; ++k) {
      int64_t out = (s > 0 && k == 0) ? dim * 2 : dim;
      blocks->add(std::to_string(i++), hiera_block(dim, out));
      dim = out;
    }
  root->add("blocks", blocks);
  auto h = make("ClNormMlpClassifierHead");
  h->add("norm", layer_norm(dim));
  h->add("pre_logits", leaf("Identity"));
  h->add("drop", leaf("Dropout"));
  h->add("fc", timm::fc_or_identity(dim, timm::num_classes(c)));
  root->add("head", h);
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"hiera_"}, build);

}  // namespace
}  // namespace memfit
