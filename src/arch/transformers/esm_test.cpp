// ESM, hand-checked against modeling_esm.py (the real sweep cannot build the default config: vocab_size defaults to
// None).
#include <gtest/gtest.h>

#include <map>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Esm, DefaultSizesWithVocab) {
  // EsmConfig() + vocab_size 33: hidden 768, 12 layers, 12 heads, intermediate 3072, 1026 absolute positions.
  auto built = build_transformers(Json::parse(R"({"model_type": "esm", "vocab_size": 33})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "EsmModel");
  // word_embeddings 33*768 = 25,344; position_embeddings 1026*768 = 787,968. Per layer: query, key, value
  // 3*(768*768 + 768) = 1,771,776; attention.output.dense 590,592; attention.LayerNorm 1,536; intermediate
  // 768*3072 + 3072 = 2,362,368; output 3072*768 + 768 = 2,360,064; LayerNorm 1,536 -> 7,087,872 (12: 85,054,464).
  // emb_layer_norm_after 1,536; pooler 590,592; contact_head.regression 12*12 + 1 = 145 -> 86,460,049.
  // Buffer: position_ids int64 [1, 1026].
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 86460049u);
  EXPECT_EQ(m.total_bits / 8, 86460049ull * 4 + 1026 * 8);
  std::vector<std::string> layers;
  for (int i = 0; i < 12; ++i) layers.push_back("encoder.layer." + std::to_string(i));
  EXPECT_EQ(m.largest_names, layers);  // every EsmLayer: 7,087,872 parameters
  EXPECT_EQ(m.largest_bits / 8, 7087872ull * 4);
}

// facebook/esm2_t33_650M_UR50D's architecture keys (config.json).
const char* kEsm2 = R"({
  "architectures": ["EsmForMaskedLM"], "model_type": "esm", "vocab_size": 33, "hidden_size": 1280,
  "num_hidden_layers": 33, "num_attention_heads": 20, "intermediate_size": 5120, "max_position_embeddings": 1026,
  "position_embedding_type": "rotary", "emb_layer_norm_before": false, "token_dropout": true,
  "mask_token_id": 32, "pad_token_id": 1, "layer_norm_eps": 1e-05})";

TEST(Esm, Esm2_650MByHand) {
  // word_embeddings 33*1280 = 42,240 (rotary: no position table, no embedding layer_norm). Per layer: q, k, v
  // 3*(1280*1280 + 1280) = 4,919,040; output dense 1,639,680; two LayerNorms 5,120; intermediate 1280*5120 + 5120 =
  // 6,558,720; output 5120*1280 + 1280 = 6,554,880 -> 19,677,440 (33: 649,355,520). emb_layer_norm_after 2,560;
  // contact_head 33*20 + 1 = 661.
  auto built = build_transformers(Json::parse(kEsm2));
  ASSERT_TRUE(built) << built.error().message;
  // EsmModel adds the pooler 1,639,680 -> 651,040,661.
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 651040661u);
  // Buffers: position_ids int64 [1, 1026]; rotary_embeddings.inv_freq [32] float32 (persistent).
  EXPECT_EQ(m.total_bits / 8, 651040661ull * 4 + 1026 * 8 + 32 * 4);
  auto task = build_transformers(Json::parse(kEsm2), Target::TaskModel);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_EQ(task->cls, "EsmForMaskedLM");
  // No pooler; lm_head dense 1,639,680, layer_norm 2,560, bias 33, decoder tied -> 651,043,254.
  EXPECT_EQ(measure(task->model).parameters, 651043254u);
  std::map<std::string, bool> names;
  for (const auto& t : checkpoint_tensors(task->model)) names[t.name] = true;
  EXPECT_TRUE(names.count("esm.rotary_embeddings.inv_freq"));
  EXPECT_TRUE(names.count("esm.contact_head.regression.weight"));
  EXPECT_TRUE(names.count("lm_head.bias"));
  EXPECT_FALSE(names.count("lm_head.decoder.weight"));
}

}  // namespace
