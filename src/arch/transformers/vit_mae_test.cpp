// Hand-checked ViT-MAE (no fixture): facebook/vit-mae-base's hyper-parameters.
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

const char* kViTMAEBase = R"({
  "architectures": ["ViTMAEForPreTraining"], "model_type": "vit_mae", "attention_probs_dropout_prob": 0.0,
  "decoder_hidden_size": 512, "decoder_intermediate_size": 2048, "decoder_num_attention_heads": 16,
  "decoder_num_hidden_layers": 8, "hidden_act": "gelu", "hidden_dropout_prob": 0.0, "hidden_size": 768,
  "image_size": 224, "initializer_range": 0.02, "intermediate_size": 3072, "layer_norm_eps": 1e-12,
  "mask_ratio": 0.75, "norm_pix_loss": false, "num_attention_heads": 12,
  "num_channels": 3, "num_hidden_layers": 12, "patch_size": 16, "qkv_bias": true})";

TEST(ViTMAE, BaseMatchesHandCount) {
  auto built = build_transformers(Json::parse(kViTMAEBase), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "ViTMAEForPreTraining");
  // Encoder: cls 768 + patch conv 768*3*256 + 768 + positions 197*768 + 12 layers x 7,087,872
  //   (q/k/v/o 4(768^2+768), two LayerNorms 3,072, fc1 768*3072+3072, fc2 3072*768+768) + LayerNorm 1,536
  //   = 768 + 590,592 + 151,296 + 85,054,464 + 1,536 = 85,798,656.
  // Decoder: embed 768*512+512 = 393,728, mask token 512, positions 197*512 = 100,864,
  //   8 layers x 3,152,384 (width 512, MLP 2048) = 25,219,072, norm 1,024, pred 512*768+768 = 393,984
  //   = 26,109,184.  Total 111,907,840.
  EXPECT_EQ(measure(built->model).parameters, 111907840u);

  auto names = checkpoint_tensors(built->model);
  auto has = [&](const std::string& n) {
    return std::any_of(names.begin(), names.end(), [&](const auto& t) { return t.name == n; });
  };
  EXPECT_TRUE(has("vit.encoder.layer.11.attention.attention.query.weight"));
  EXPECT_TRUE(has("vit.encoder.layer.0.layernorm_before.weight"));
  EXPECT_TRUE(has("vit.embeddings.position_embeddings"));
  EXPECT_TRUE(has("decoder.decoder_layers.7.attention.output.dense.bias"));
  EXPECT_TRUE(has("decoder.decoder_layers.0.intermediate.dense.weight"));
  EXPECT_TRUE(has("decoder.decoder_pos_embed"));

  auto base = Json::parse(kViTMAEBase);
  base.erase("architectures");
  auto model = build_transformers(base);
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(model->cls, "ViTMAEModel");
  EXPECT_EQ(measure(model->model).parameters, 85798656u);
}

}  // namespace
}  // namespace memfit
