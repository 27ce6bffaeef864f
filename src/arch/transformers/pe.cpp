#include "arch/transformers/pe.h"

#include <algorithm>

#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/dac.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"

namespace memfit::pe {
using namespace blocks;

ModulePtr encoder(const std::string& p, const Config& c, ModulePtr embedder) {
  int64_t h = media::dim(c, "hidden_size", 1792), heads = media::dim(c, "num_attention_heads", 14);
  int64_t kv = media::dim(c, "num_key_value_heads", heads);
  int64_t head_dim = c.has("head_dim") ? media::dim(c, "head_dim", 128) : h / heads;
  bool bias = c.b("attention_bias", false);
  auto conv_block = make(p + "ConvBlock1d");
  conv_block->add("groupnorm", layer_norm(h, true, p + "MaskedGroupNorm"));
  conv_block->add("activation", leaf("SiLU"));
  conv_block->add("project", media::conv1d(h, h, 3));
  auto resnet = make(p + "ResnetBlock1d");
  resnet->add("block1", conv_block);
  resnet->add("block2", conv_block);
  auto patch = make(p + "EncoderPatchEmbedder");
  patch->param("class_embedding", {1, 1, h});
  patch->add("resnet_block", resnet);
  auto attn = qkvo_attention(p + "EncoderAttention", {h, heads, kv, head_dim, bias, bias});
  attn->add("q_norm", rms_norm(p + "EncoderRMSNorm", head_dim));
  attn->add("k_norm", rms_norm(p + "EncoderRMSNorm", head_dim));
  auto l = make(p + "EncoderLayer");
  l->add("self_attn", attn);
  l->add("mlp", gated_mlp(p + "EncoderMLP", h, media::dim(c, "intermediate_size", 4800), false,
                          act_class(c.s("hidden_act", "silu"))));
  l->add("input_layernorm", rms_norm(p + "EncoderRMSNorm", h));
  l->add("post_attention_layernorm", rms_norm(p + "EncoderRMSNorm", h));
  auto m = make(p + "Encoder");
  m->add("embedder", std::move(embedder));
  m->add("patch_embedder", patch);
  m->add("layers", repeat(l, media::count(c, "num_hidden_layers", 6)));
  m->add("norm", rms_norm(p + "EncoderRMSNorm", h));
  m->add("rotary_emb", rotary(p + "EncoderRotaryEmbedding", head_dim));
  m->add("output", linear(h, h, false));
  return m;
}

ModulePtr audio_embedder(const Config& c) {
  Config dc = c.sub("dac_config");
  int64_t dac_h = media::dim(dc, "hidden_size", 1024), cb = media::dim(dc, "codebook_dim", 8);
  auto m = make("PeAudioEncoderEmbedder");
  m->add("dac_encoder", dac::encoder(dc, "PeAudioDac"));
  m->add("bottleneck", media::conv1d(dac_h, cb, 1));
  m->add("data_proj", linear(cb, media::dim(c, "hidden_size", 1792)));
  return m;
}

ModulePtr video_embedder(const Config& c) {
  Json vj = c.sub("vision_config").raw();
  // TimmWrapperConfig: num_labels is len(label_names) when the names are given, else its num_classes.
  int64_t labels = 2;
  if (auto it = vj.find("label_names"); it != vj.end() && it->is_array() && !it->empty())
    labels = static_cast<int64_t>(it->size());
  else if (auto n = vj.find("num_classes"); n != vj.end() && n->is_number_integer())
    labels = n->get<int64_t>();
  else labels = heads::num_labels(c.sub("vision_config"));
  media::require(c, labels >= 1 && labels <= media::kMaxDim, "vision_config has too many labels");
  vj.erase("id2label");
  vj.erase("label2id");
  vj["num_labels"] = labels;
  vj["architectures"] = Json::array({"TimmWrapperForImageClassification"});
  auto built = build_transformers(vj, Target::TaskModel);
  if (!built) throw ConfigError("vision_config: " + built.error().message);
  int64_t h = media::dim(c, "hidden_size", 1792);
  auto m = make("PeVideoEncoderEmbedder");
  m->add("vision_model", built->model.root);
  m->add("proj", linear(labels, h, false));
  m->add("data_proj", linear(h, h));
  return m;
}

ModulePtr head(const std::string& p, int64_t in, int64_t out) {
  auto m = make(p + "ContrastiveHead");
  m->add("layer_norm", layer_norm(in));
  m->add("proj", linear(in, out, false));
  return m;
}

ModulePtr tied_copy(const ModulePtr& m, const std::string& target) {
  auto out = make(m->cls);
  for (const auto& [n, t] : m->params) out->tie(n, t.shape, target + n);
  out->buffers = m->buffers;
  for (const auto& [n, ch] : m->children) out->add(n, tied_copy(ch, target + n + "."));
  return out;
}

std::vector<std::string> no_split(std::vector<std::string> own) {
  own.insert(own.begin(), {"ModernBertEmbeddings", "ModernBertEncoderLayer"});
  own.push_back("TimmWrapperForImageClassification");
  return own;
}

}  // namespace memfit::pe
