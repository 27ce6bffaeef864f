// Hand-checked BEiT (no fixture): microsoft/beit-base-patch16-224's hyper-parameters.
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

// microsoft/beit-base-patch16-224 (its 1000 ImageNet labels given as num_labels).
const char* kBeitBase = R"({
  "architectures": ["BeitForImageClassification"], "model_type": "beit", "attention_probs_dropout_prob": 0.0,
  "drop_path_rate": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.0, "hidden_size": 768, "image_size": 224,
  "initializer_range": 0.02, "intermediate_size": 3072, "layer_norm_eps": 1e-12, "layer_scale_init_value": 0.1,
  "num_attention_heads": 12, "num_channels": 3, "num_hidden_layers": 12, "num_labels": 1000, "patch_size": 16,
  "use_absolute_position_embeddings": false, "use_mask_token": false, "use_mean_pooling": true,
  "use_relative_position_bias": true, "use_shared_relative_position_bias": false, "vocab_size": 8192})";

TEST(Beit, BaseMatchesHandCount) {
  auto built = build_transformers(Json::parse(kBeitBase), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "BeitForImageClassification");
  Measurement m = measure(built->model);
  // Embeddings: cls 768 + patch conv 768*3*256 + 768 = 591,360 (no mask token, no absolute positions).
  // Layer: q/v/o 3(768^2 + 768) + k 768^2 = 2,361,600; two LayerNorms 3,072; fc1 + fc2 4,722,432;
  //   lambda_1/2 1,536; relative bias table ((2*14-1)^2 + 3) * 12 heads = 8,784  -> 7,097,424 x 12 = 85,169,088.
  // Mean pooling: the model's layernorm is an Identity, the pooler's LayerNorm 1,536; classifier 768*1000 + 1000.
  // 591,360 + 85,169,088 + 1,536 + 769,000 = 86,530,984.
  EXPECT_EQ(m.parameters, 86530984u);
  EXPECT_EQ(m.buffer_bits, 0u);
  EXPECT_EQ(m.largest_bits, 7097424u * 32u);

  auto names = checkpoint_tensors(built->model);
  auto has = [&](const std::string& n, std::vector<int64_t> shape) {
    return std::any_of(names.begin(), names.end(), [&](const auto& t) { return t.name == n && t.shape == shape; });
  };
  EXPECT_TRUE(has("beit.encoder.layer.3.attention.attention.relative_position_bias.relative_position_bias_table",
                  {732, 12}));
  EXPECT_TRUE(has("beit.encoder.layer.0.attention.attention.key.weight", {768, 768}));
  EXPECT_FALSE(has("beit.encoder.layer.0.attention.attention.key.bias", {768}));
  EXPECT_TRUE(has("beit.encoder.layer.11.lambda_2", {768}));
  EXPECT_TRUE(has("beit.encoder.layer.5.output.dense.weight", {768, 3072}));
  EXPECT_TRUE(has("beit.pooler.layernorm.weight", {768}));
  // embeddings 3 + 12 layers x 18 (q/v/o weight+bias, k weight, 2 norms, fc1/fc2, lambdas, table) + pooler 2
  // + classifier 2
  EXPECT_EQ(names.size(), 223u);
}

TEST(Beit, SharedBiasAndMaskedImageModeling) {
  auto cfg = Json::parse(kBeitBase);
  cfg["architectures"] = Json::array({"BeitForMaskedImageModeling"});
  cfg["use_relative_position_bias"] = false;
  cfg["use_shared_relative_position_bias"] = true;
  cfg["use_mask_token"] = true;
  auto built = build_transformers(cfg, Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  // 86,530,984 - 769,000 classifier - 1,536 pooler - 12 x 8,784 per-layer tables + 8,784 shared table
  //   + 768 mask token + 1,536 final LayerNorm + lm_head 768*8192 + 8192 = 91,965,776.
  EXPECT_EQ(measure(built->model).parameters, 91965776u);
  auto names = checkpoint_tensors(built->model);
  EXPECT_TRUE(std::any_of(names.begin(), names.end(), [](const auto& t) {
    return t.name == "beit.encoder.relative_position_bias.relative_position_bias_table";
  }));
}

}  // namespace
}  // namespace memfit
