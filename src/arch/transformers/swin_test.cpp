// Hand-checked Swin (no fixture): microsoft/swin-tiny-patch4-window7-224's hyper-parameters.
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

// microsoft/swin-tiny-patch4-window7-224 (its 1000 ImageNet labels given as num_labels).
const char* kSwinTiny = R"({
  "architectures": ["SwinForImageClassification"], "model_type": "swin", "depths": [2, 2, 6, 2],
  "drop_path_rate": 0.1, "embed_dim": 96, "encoder_stride": 32, "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
  "image_size": 224, "layer_norm_eps": 1e-05, "mlp_ratio": 4.0, "num_channels": 3, "num_heads": [3, 6, 12, 24],
  "num_labels": 1000, "patch_size": 4, "qkv_bias": true, "use_absolute_embeddings": false, "window_size": 7})";

TEST(Swin, TinyMatchesHandCount) {
  auto built = build_transformers(Json::parse(kSwinTiny), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "SwinForImageClassification");
  Measurement m = measure(built->model);
  // A block of width d with h heads: q/k/v/o 4(d^2 + d), relative bias table 13*13*h, two LayerNorms 4d,
  // fc1 + fc2 8d^2 + 5d: 12d^2 + 13d + 169h.
  //   d=96,h=3: 112,347 x2 = 224,694      d=192,h=6: 445,878 x2 = 891,756
  //   d=384,h=12: 1,776,492 x6 = 10,658,952   d=768,h=24: 7,091,928 x2 = 14,183,856
  // Patch merging after stages 0-2 (reduction 8d^2, norm 8d): 74,496 + 296,448 + 1,182,720 = 1,553,664.
  // Stem conv 3*96*16 + 96 = 4,704 and its LayerNorm 192; final LayerNorm 1,536; classifier 768*1000 + 1000.
  // 4,896 + 224,694 + 891,756 + 10,658,952 + 14,183,856 + 1,553,664 + 1,536 + 769,000 = 28,288,354.
  EXPECT_EQ(m.parameters, 28288354u);
  // One non-persistent int64 relative_position_index of 7^4 entries per block (12 blocks).
  EXPECT_EQ(m.buffer_bits, 12u * 2401u * 64u);
  // SwinStage is no-split: the last stage (2 blocks + their index buffers) is the largest layer.
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"swin.encoder.layers.3"});
  EXPECT_EQ(m.largest_bits, (14183856u * 32u) + 2u * 2401u * 64u);

  auto names = checkpoint_tensors(built->model);
  auto has = [&](const std::string& n, std::vector<int64_t> shape) {
    return std::any_of(names.begin(), names.end(), [&](const auto& t) { return t.name == n && t.shape == shape; });
  };
  EXPECT_TRUE(has("swin.encoder.layers.2.blocks.5.attention.self.relative_position_bias_table", {169, 12}));
  EXPECT_TRUE(has("swin.encoder.layers.0.blocks.0.attention.self.query.weight", {96, 96}));
  EXPECT_TRUE(has("swin.encoder.layers.3.blocks.1.output.dense.weight", {768, 3072}));
  EXPECT_TRUE(has("swin.encoder.layers.1.downsample.reduction.weight", {384, 768}));
  EXPECT_TRUE(has("classifier.weight", {1000, 768}));
  // Stem 4 + 12 blocks x 17 + 3 mergers x 3 + final norm 2 + classifier 2 (index buffers are not saved).
  EXPECT_EQ(names.size(), 221u);
}

TEST(Swin, RejectsAbsurdConfig) {
  auto bad = Json::parse(kSwinTiny);
  bad["num_heads"] = Json::array({3});
  EXPECT_FALSE(build_transformers(bad, Target::TaskModel));
  bad = Json::parse(kSwinTiny);
  bad["embed_dim"] = -4;
  EXPECT_FALSE(build_transformers(bad, Target::TaskModel));
}

}  // namespace
}  // namespace memfit
