// MLCD: transformers' modeling_mlcd.py (MLCDVisionModel). CLIP's vision tower under the MLCD prefix whose
// embeddings keep class_embedding, the bias-free patch conv and position_ids but no position table: positions come
// from a 2-D rotary table (vision_rotary_embedding: float32 inv_freq over head_dim / 2, not persistent) and a
// learned class_pos_emb [1, head_dim / 2].
#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  if (cls != "MLCDVisionModel") heads::unsupported(cls);
  int64_t h = media::dim(c, "hidden_size", 1664), heads = media::dim(c, "num_attention_heads", 16);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  int64_t half = h / heads / 2;
  Model m = clip_vision_model(c, "MLCD");
  auto& emb = m.root->child("embeddings")->children;
  emb.erase(std::remove_if(emb.begin(), emb.end(), [](const auto& ch) { return ch.first == "position_embedding"; }),
            emb.end());
  auto rope = make("MLCDRotaryEmbedding");
  rope->buffer("inv_freq", {(half + 1) / 2}, DType::F32, false);
  m.root->add("vision_rotary_embedding", rope);
  m.root->param("class_pos_emb", {1, half});
  m.no_split = {"MLCDEncoderLayer"};
  return m;
}

MEMFIT_FAMILY({"mlcd_vision_model", "mlcd"}, "MLCDVision", build, "MLCDVisionModel");

}  // namespace
}  // namespace memfit
