// reformer (withheld from the default-config sweep): ReformerConfig's default (hidden 256, attn_layers local, lsh x 3,
// axial position embeddings) derived module by module from modeling_reformer.py, and its heads.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// hidden 256, 12 heads x attention_head_size 64 = 768, feed_forward_size 512, vocab 320:
//   embeddings: word_embeddings 320 * 256 = 81,920; axial weights [64, 1, 64] + [1, 64, 192] = 4096 + 12,288.
//   local layer: attention.layer_norm 512, query/key/value 3 * 256 * 768 = 589,824, output.dense 768 * 256 =
//     196,608; feed_forward.layer_norm 512, dense.dense 256 * 512 + 512 = 131,584, output.dense 512 * 256 + 256 =
//     131,328.  = 1,050,368.
//   LSH layer: the same with query_key + value 2 * 256 * 768 = 393,216 instead.  = 853,760.
//   encoder.layer_norm over 2 * 256: 1024.
//   ReformerModel = 81,920 + 16,384 + 3 * 1,050,368 + 3 * 853,760 + 1024 = 5,811,712.
// Buffers: 0-d float32 mask values, 2 per local and 4 per LSH attention: 3 * 8 + 3 * 16 = 72 B.
constexpr uint64_t kModel = 5'811'712;

TEST(Reformer, DefaultConfigModuleByModule) {
  auto built = build_transformers(Json::parse(R"({"model_type": "reformer"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "ReformerModel");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, kModel);
  EXPECT_EQ(m.buffer_bits / 8, 72u);
  EXPECT_EQ(m.total_bits / 8, kModel * 4 + 72);
  // No _no_split_modules: the largest layers are the 21 bias-free 256 <-> 768 Linears (4 per local layer, 3 per LSH
  // layer), 786,432 B each.
  EXPECT_EQ(m.largest_bits / 8, 786'432u);
  ASSERT_EQ(m.largest_names.size(), 21u);
  EXPECT_EQ(m.largest_names.front(), "encoder.layers.0.attention.self_attention.query");
  const auto& layers = built->model.root->child("encoder")->child("layers")->children;
  ASSERT_EQ(layers.size(), 6u);
  EXPECT_EQ(layers[1].second->child("attention")->child("self_attention")->cls, "LSHSelfAttention");
}

TEST(Reformer, HeadsAndPositionEmbeddings) {
  // ReformerModelWithLMHead (google/reformer-crime-and-punishment's class) needs is_decoder; its head decodes from
  // 2 * 256 with a separate bias: 512 * 320 + 320.
  auto lm = build_transformers(Json::parse(R"({"model_type": "reformer", "is_decoder": true,
      "architectures": ["ReformerModelWithLMHead"]})"), Target::TaskModel);
  ASSERT_TRUE(lm) << lm.error().message;
  EXPECT_EQ(measure(lm->model).parameters, kModel + 512 * 320 + 320);
  auto not_decoder = build_transformers(Json::parse(R"({"model_type": "reformer",
      "architectures": ["ReformerModelWithLMHead"]})"), Target::TaskModel);
  EXPECT_FALSE(not_decoder);
  // Sequence classification: dense 512 * 256 + 256, out_proj 256 * 2 + 2.
  auto cls = build_transformers(Json::parse(R"({"model_type": "reformer",
      "architectures": ["ReformerForSequenceClassification"]})"), Target::TaskModel);
  ASSERT_TRUE(cls) << cls.error().message;
  EXPECT_EQ(measure(cls->model).parameters, kModel + 512 * 256 + 256 + 256 * 2 + 2);

  // Plain position embeddings (4096 x 256 instead of the axial 16,384) and LSH layers only.
  auto plain = build_transformers(Json::parse(R"({"model_type": "reformer", "axial_pos_embds": false,
      "attn_layers": ["lsh", "lsh"]})"));
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(measure(plain->model).parameters, 81'920u + 4096 * 256 + 2 * 853'760 + 1024);
  // transformers refuses axial dims that do not sum to hidden_size, and unknown attention types.
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "reformer", "axial_pos_embds_dim": [64, 64]})")));
  EXPECT_FALSE(build_transformers(Json::parse(R"({"model_type": "reformer", "attn_layers": ["global"]})")));
}

}  // namespace MEMFIT_TU
