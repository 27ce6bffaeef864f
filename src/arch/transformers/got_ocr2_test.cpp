// got_ocr2 (withheld from the default-config sweep): GotOcr2Config's default (SAM ViT-B vision encoder, the Qwen2
// text config GotOcr2Config fills in, the conv projector) derived module by module from modeling_got_ocr2.py. The
// default config is GOT-OCR-2.0-hf's (stepfun-ai/GOT-OCR-2.0-hf, about 560M parameters).
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

// Vision (hidden 768, 12 layers, 12 heads of 64, mlp_dim 3072, image 1024 / patch 16 = a 64 x 64 grid):
//   patch_embed.projection Conv2d(3, 768, 16) 3 * 16 * 16 * 768 + 768 = 590,592; pos_embed 64 * 64 * 768 = 3,145,728.
//   layer: layer_norm1/2 2 * 1536, qkv 768 * 2304 + 2304 = 1,771,776, proj 768 * 768 + 768 = 590,592,
//     mlp lin1 768 * 3072 + 3072 = 2,362,368, lin2 3072 * 768 + 768 = 2,360,064 -> 7,087,872;
//     rel_pos_h + rel_pos_w: windowed (14) 2 * 27 * 64 = 3456, global (layers 2, 5, 8, 11: the grid) 2 * 127 * 64.
//   neck: conv1 768 * 256 (no bias), layer_norm1 512, conv2 256 * 256 * 9 (no bias), layer_norm2 512 = 787,456.
//   vision = 590,592 + 3,145,728 + 12 * 7,087,872 + 8 * 3456 + 4 * 16,256 + 787,456 = 89,670,912.
// Projector: conv_upsampler1 256 * 512 * 9 = 1,179,648, conv_upsampler2 512 * 1024 * 9 = 4,718,592,
//   multimodal_projector 1024 * 1024 + 1024 = 1,049,600 -> 6,947,840.
// Text (Qwen2: vocab 151860, hidden 1024, 24 layers, 16 heads = 16 kv heads, intermediate 2816, q/k/v bias):
//   embed_tokens 155,504,640; layer q/k/v 3 * (1024 * 1024 + 1024), o 1024 * 1024, MLP 3 * 1024 * 2816, norms
//   2048 = 12,850,176; norm 1024 -> 463,909,888.
constexpr uint64_t kVision = 89'670'912, kProjector = 6'947'840, kText = 463'909'888;

TEST(GotOcr2, DefaultConfigModuleByModule) {
  auto built = build_transformers(Json::parse(R"({"model_type": "got_ocr2"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "GotOcr2Model");
  Measurement m = measure(built->model);
  EXPECT_EQ(m.parameters, kVision + kProjector + kText);
  EXPECT_EQ(m.parameters, 560'528'640ull);
  EXPECT_EQ(m.buffer_bits, 64ull * 32);  // Qwen2's rotary inv_freq + original_inv_freq [32] each
  // _no_split_modules is the union the sub-models bring: only Qwen2DecoderLayer (12,850,176 * 4 B), so the largest
  // layer is the text embedding, 155,504,640 * 4 B.
  EXPECT_EQ(m.largest_bits / 8, 622'018'560ull);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"language_model.embed_tokens"});
  const auto& top = built->model.root->children;
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].first, "vision_tower");
  EXPECT_EQ(top[0].second->cls, "GotOcr2VisionEncoder");
  EXPECT_EQ(top[1].first, "multi_modal_projector");
  EXPECT_EQ(top[2].first, "language_model");
  EXPECT_EQ(top[2].second->cls, "Qwen2Model");
}

TEST(GotOcr2, TiedHeadAndCheckpointNames) {
  auto head = build_transformers(Json::parse(R"({"model_type": "got_ocr2",
      "architectures": ["GotOcr2ForConditionalGeneration"]})"), Target::TaskModel);
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->cls, "GotOcr2ForConditionalGeneration");
  EXPECT_EQ(measure(head->model).parameters, 560'528'640ull);  // lm_head tied to the text embedding
  auto tensors = checkpoint_tensors(head->model);
  auto has = [&](const std::string& name) {
    return std::any_of(tensors.begin(), tensors.end(), [&](const CheckpointTensor& t) { return t.name == name; });
  };
  EXPECT_TRUE(has("vision_tower.layers.2.attn.rel_pos_h"));
  EXPECT_TRUE(has("multi_modal_projector.conv_upsampler1.weight"));
  EXPECT_TRUE(has("language_model.model.embed_tokens.weight"));

  // Untied, with a smaller vision encoder (2 layers, the second global, no absolute positions).
  auto untied = build_transformers(Json::parse(R"({"model_type": "got_ocr2", "tie_word_embeddings": false,
      "architectures": ["GotOcr2ForConditionalGeneration"],
      "vision_config": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "mlp_dim": 128,
                        "output_channels": 32, "image_size": 64, "patch_size": 16, "window_size": 2,
                        "global_attn_indexes": [1], "use_abs_pos": false}})"), Target::TaskModel);
  ASSERT_TRUE(untied) << untied.error().message;
  // vision: patch 3 * 256 * 64 + 64 = 49,216; layer 2 * 128 + 64 * 192 + 192 + 64 * 64 + 64 + 64 * 128 + 128
  //   + 128 * 64 + 64 = 33,472, rel_pos windowed 2 * 3 * 16 = 96, global (grid 4) 2 * 7 * 16 = 224;
  //   neck 64 * 32 + 64 + 32 * 32 * 9 + 64 = 11,392.  -> 49,216 + 2 * 33,472 + 96 + 224 + 11,392 = 127,872.
  // projector: 32 * 64 * 9 + 64 * 1024 * 9 + 1,049,600 = 1,657,856.  lm_head 1024 * 151860 of its own.
  EXPECT_EQ(measure(untied->model).parameters, 127'872ull + 1'657'856 + kText + 1024ull * 151860);
}

}  // namespace MEMFIT_TU
