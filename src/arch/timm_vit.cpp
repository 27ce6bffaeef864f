// timm VisionTransformer (timm/models/vision_transformer.py): PatchEmbed, cls_token + pos_embed, norm_pre (CLIP),
// pre-norm Blocks (norm1, attn, ls1, drop_path1, norm2, mlp, ls2, drop_path2), norm, fc_norm, head.
#include <map>
#include <regex>
#include <set>

#include "arch/timm_layers.h"

namespace memfit {
namespace {
using namespace blocks;

struct Size {
  int64_t dim, depth, heads;
};

ModulePtr block(int64_t dim, int64_t heads, int64_t hidden) {
  auto b = make("Block");
  b->add("norm1", layer_norm(dim));
  b->add("attn", timm::attention(dim, heads));
  b->add("ls1", leaf("Identity"));
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(dim));
  b->add("mlp", timm::mlp(dim, hidden, dim));
  b->add("ls2", leaf("Identity"));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

// The registered vit_{tiny,small,base,large,huge}_patch{P}[_clip]_{IMG} models: size, patch, CLIP pre-norm and
// default image size read off the name, as the registered model functions define them.
Model build(const Config& c, std::string_view arch) {
  static const std::set<std::string, std::less<>> registered{
      "vit_tiny_patch16_224", "vit_tiny_patch16_384", "vit_small_patch32_224",
      "vit_small_patch32_384", "vit_small_patch16_224", "vit_small_patch16_384",
      "vit_small_patch8_224", "vit_base_patch32_224", "vit_base_patch32_384",
      "vit_base_patch16_224", "vit_base_patch16_384", "vit_base_patch8_224",
      "vit_large_patch32_224", "vit_large_patch32_384", "vit_large_patch16_224",
      "vit_large_patch16_384", "vit_large_patch14_224", "vit_huge_patch14_224",
      "vit_base_patch32_clip_224", "vit_base_patch32_clip_384", "vit_base_patch32_clip_448",
      "vit_base_patch16_clip_224", "vit_base_patch16_clip_384", "vit_large_patch14_clip_224",
      "vit_large_patch14_clip_336", "vit_huge_patch14_clip_224", "vit_huge_patch14_clip_336",
  };
  static const std::regex re(R"(vit_(tiny|small|base|large|huge)_patch(8|14|16|32)(_clip)?_(224|336|384|448))");
  std::cmatch m;
  if (!registered.contains(arch) || !std::regex_match(arch.begin(), arch.end(), m, re)) timm::unsupported(arch);
  static const std::map<std::string, Size> sizes{{"tiny", {192, 12, 3}},
                                                 {"small", {384, 12, 6}},
                                                 {"base", {768, 12, 12}},
                                                 {"large", {1024, 24, 16}},
                                                 {"huge", {1280, 32, 16}}};
  Size s = sizes.at(m[1].str());
  int64_t patch = std::stoi(m[2].str());
  bool pre_norm = m[3].matched;
  int64_t img = timm::img_size(c, std::stoi(m[4].str()));
  int64_t classes = timm::num_classes(c);
  int64_t num_patches = (img / patch) * (img / patch);

  auto root = make("VisionTransformer");
  root->add("patch_embed", timm::patch_embed(timm::in_chans(c), s.dim, patch, !pre_norm));
  root->param("cls_token", {1, 1, s.dim});
  root->param("pos_embed", {1, num_patches + 1, s.dim});
  root->add("pos_drop", leaf("Dropout"));
  root->add("patch_drop", leaf("Identity"));
  root->add("norm_pre", pre_norm ? layer_norm(s.dim) : leaf("Identity"));
  root->add("blocks", repeat(block(s.dim, s.heads, s.dim * 4), s.depth, "Sequential"));
  root->add("norm", layer_norm(s.dim));
  root->add("fc_norm", leaf("Identity"));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(s.dim, classes));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"vit_"}, build);

}  // namespace
}  // namespace memfit
