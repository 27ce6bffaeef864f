// UDOP: transformers' modeling_udop.py (UdopModel, UdopForConditionalGeneration, UdopEncoderModel). T5's
// encoder-decoder (t5.h's blocks under the Udop prefix) with a patch embedding (a Conv2d, patch_size stride) at the
// root and in each stack, the encoder's 2-D cell embeddings (x/y tables [max_2d_position_embeddings, d_model]) and,
// in both stacks, an aggregated relative bias: one Embedding [buckets (+2 with prefix_bucket), heads] per entry of
// relative_bias_args. With tie_word_embeddings, embed_tokens share `shared` and the encoder's patch projection shares
// patch_embed's; the LM head also ties lm_head and both stacks' first relative bias.
#include <fmt/format.h>

#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/t5.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Udop {
  t5::T5Shape s;
  int64_t channels, patch, cell;
  bool tied;
  std::vector<int64_t> bias_rows;  // one Embedding per relative_bias_args entry
};

ModulePtr patch_embeddings(const Udop& u, const std::string& tie_to) {
  auto m = make("UdopPatchEmbeddings");
  if (tie_to.empty()) {
    m->add("proj", conv2d(u.channels, u.s.d_model, u.patch));
  } else {
    auto proj = make("Conv2d");
    proj->tie("weight", {u.s.d_model, u.channels, u.patch, u.patch}, tie_to + ".weight");
    proj->tie("bias", {u.s.d_model}, tie_to + ".bias");
    m->add("proj", proj);
  }
  return m;
}

ModulePtr stack(const Udop& u, bool decoder, int64_t n, bool tie_bias) {
  auto st = make("UdopStack");
  if (u.tied) {
    auto emb = make("Embedding");
    emb->tie("weight", {u.s.vocab, u.s.d_model}, "shared.weight");
    st->add("embed_tokens", emb);
  } else {
    st->add("embed_tokens", embedding(u.s.vocab, u.s.d_model));
  }
  st->add("embed_patches", patch_embeddings(u, u.tied && !decoder ? "patch_embed.proj" : ""));
  std::vector<ModulePtr> blocks{t5::block(u.s, decoder, true)};
  auto rest = t5::block(u.s, decoder, false);
  for (int64_t i = 1; i < checked_count(n); ++i) blocks.push_back(rest);
  st->add("block", module_list(blocks));
  st->add("final_layer_norm", rms_norm("UdopLayerNorm", u.s.d_model));
  st->add("dropout", leaf("Dropout"));
  if (!decoder) {
    auto cells = make("UdopCellEmbeddings");
    cells->add("x_position_embeddings", embedding(u.cell, u.s.d_model));
    cells->add("y_position_embeddings", embedding(u.cell, u.s.d_model));
    st->add("cell_2d_embedding", cells);
  }
  std::vector<ModulePtr> biases;
  for (size_t i = 0; i < u.bias_rows.size(); ++i) {
    auto b = make("RelativePositionBias");
    // The LM head (and the encoder-only model) ties the first bias to the encoder's block-0 relative_attention_bias.
    if (i == 0 && tie_bias && u.tied && u.bias_rows[0] == u.s.buckets)
      b->add("relative_attention_bias", make("Embedding"))
          ->tie("weight", {u.bias_rows[0], u.s.heads},
                "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight");
    else
      b->add("relative_attention_bias", embedding(u.bias_rows[i], u.s.heads));
    biases.push_back(b);
  }
  auto agg = make("RelativePositionBiasAggregated");
  agg->add("biases", module_list(biases));
  st->add("relative_bias", agg);
  return st;
}

Udop read(const Config& c) {
  const std::string ff = c.s("feed_forward_proj", "relu");
  Udop u{{"Udop", media::dim(c, "vocab_size", 33201), media::dim(c, "d_model", 1024), media::dim(c, "d_kv", 64),
          media::dim(c, "d_ff", 4096), media::dim(c, "num_heads", 16),
          media::dim(c, "relative_attention_num_buckets", 32), ff.starts_with("gated-")},
         media::dim(c, "num_channels", 3), media::dim(c, "patch_size", 16),
         media::dim(c, "max_2d_position_embeddings", 1024), c.b("tie_word_embeddings", true), {}};
  if (c.raw().contains("relative_bias_args") && c.raw()["relative_bias_args"].is_array()) {
    for (const Json& a : c.raw()["relative_bias_args"]) {
      if (!a.is_object()) throw ConfigError("`relative_bias_args` entries must be objects (model_type `udop`)");
      const std::string type = a.value("type", std::string{});
      media::require(c, type == "1d" || type == "horizontal" || type == "vertical",
                     "relative_bias_args type must be `1d`, `horizontal` or `vertical`");
      if (a.contains("num_heads") && a["num_heads"] != u.s.heads)
        throw ConfigError("relative_bias_args num_heads must match num_heads (model_type `udop`)");
      Config ac(a, "udop", "relative_bias_args.");
      const int64_t buckets = media::dim(ac, "relative_attention_num_buckets", 32);
      const bool extra = ac.b("prefix_bucket", false) && !ac.b("expand", false);
      u.bias_rows.push_back(buckets + (extra ? 2 : 0));
    }
  }
  return u;
}

MEMFIT_FAMILY({"udop"}, "Udop", [](const Config& c, std::string_view cls) {
  const Udop u = read(c);
  const int64_t enc = media::count(c, "num_layers", 24), dec = media::count(c, "num_decoder_layers", enc);
  const bool lm = cls == "UdopForConditionalGeneration";
  if (!lm && cls != "UdopModel" && cls != "UdopEncoderModel") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("shared", embedding(u.s.vocab, u.s.d_model));
  root->add("patch_embed", patch_embeddings(u, ""));
  root->add("encoder", stack(u, false, enc, lm || cls == "UdopEncoderModel"));
  if (cls == "UdopEncoderModel") return Model{root, {}};
  root->add("decoder", stack(u, true, dec, lm));
  if (lm) root->add("lm_head", heads::lm_head(u.s.d_model, u.s.vocab, u.tied, "shared.weight"));
  return Model{root, {}};
});

}  // namespace
}  // namespace memfit
