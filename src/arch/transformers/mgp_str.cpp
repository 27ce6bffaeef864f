// MGP-STR: transformers' modeling_mgp_str.py. A ViT encoder (patch conv, cls token, positions, blocks of fused-qkv
// attention + fc1/fc2 MLP) and, for MgpstrForSceneTextRecognition (what AutoModel builds), three A^3 token
// learners (grouped 1x1 convs between LayerNorms) with character, BPE and WordPiece heads.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr mgp_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 768);
  auto [ih, iw] = media::pair(c, "image_size", 32);
  auto [ph, pw] = media::pair(c, "patch_size", 4);
  auto emb = make("MgpstrEmbeddings");
  emb->add("proj", conv2d(media::dim(c, "num_channels", 3), h, ph, pw));
  emb->param("cls_token", {1, 1, h});
  emb->param("pos_embed", {1, (ih / ph) * (iw / pw) + (c.b("distilled", false) ? 2 : 1), h});
  emb->add("pos_drop", leaf("Dropout"));
  int64_t hidden = static_cast<int64_t>(static_cast<double>(h) * c.f("mlp_ratio", 4.0));
  media::require(c, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  auto attn = make("MgpstrAttention");
  attn->add("qkv", linear(h, 3 * h, c.b("qkv_bias", true)));
  attn->add("attn_drop", leaf("Dropout"));
  attn->add("proj", linear(h, h));
  attn->add("proj_drop", leaf("Dropout"));
  auto mlp = make("MgpstrMlp");
  mlp->add("fc1", linear(h, hidden));
  mlp->add("act", leaf("GELU"));
  mlp->add("fc2", linear(hidden, h));
  mlp->add("drop", leaf("Dropout"));
  auto l = make("MgpstrLayer");
  l->add("norm1", layer_norm(h));
  l->add("attn", attn);
  l->add("drop_path", leaf("MgpStrDropPath"));
  l->add("norm2", layer_norm(h));
  l->add("mlp", mlp);
  auto enc = make("MgpstrEncoder");
  enc->add("blocks", repeat(l, media::count(c, "num_hidden_layers", 12), "Sequential"));
  auto m = make("MgpstrModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  return m;
}

ModulePtr a3_module(const Config& c, int64_t h) {
  media::require(c, h % 8 == 0, "hidden_size must divide by 8");
  auto learner = make("Sequential");
  learner->add("0", conv2d(h, h, 1, false, 8));
  learner->add("1", conv2d(h, media::dim(c, "max_token_length", 27), 1, false));
  auto m = make("MgpstrA3Module");
  m->add("token_norm", layer_norm(h));
  m->add("tokenLearner", learner);
  m->add("feat", conv2d(h, h, 1, false, 8));
  m->add("norm", layer_norm(h));
  return m;
}

MEMFIT_FAMILY({"mgp-str"}, "Mgpstr", [](const Config& c, std::string_view cls) -> Model {
  if (cls == "MgpstrModel") return {mgp_model(c), {}};
  if (cls != "MgpstrForSceneTextRecognition") heads::unsupported(cls);
  int64_t h = media::dim(c, "hidden_size", 768);
  auto root = make(std::string(cls));
  root->add("mgp_str", mgp_model(c));
  for (const char* n : {"char_a3_module", "bpe_a3_module", "wp_a3_module"}) root->add(n, a3_module(c, h));
  root->add("char_head", linear(h, media::dim(c, "num_character_labels", 38)));
  root->add("bpe_head", linear(h, media::dim(c, "num_bpe_labels", 50257)));
  root->add("wp_head", linear(h, media::dim(c, "num_wordpiece_labels", 30522)));
  return {root, {}};
}, "MgpstrForSceneTextRecognition");

}  // namespace
}  // namespace memfit
