// ViLT (vilt.cpp), hand-checked against modeling_vilt.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Vilt, DefaultConfigByHand) {
  // ViltConfig(): vocab 30522, hidden 768, 12 layers, intermediate 3072, 40 text positions, image 384, patch 32
  // (144 patches), qkv_bias True.
  // text_embeddings: word 23,440,896, position 40*768 = 30,720, token_type 1,536, LayerNorm 1,536 -> 23,474,688
  //   (+ non-persistent id buffers int64 [1, 40]: 640 bytes)
  // cls_token 768; patch_embeddings.projection 3*768*32*32 + 768 = 2,360,064; position_embeddings 145*768 =
  //   111,360; modality token_type_embeddings 1,536 -> embeddings 25,948,416
  // layer: q/k/v 3*590,592, attention.output.dense 590,592, intermediate 2,362,368, output 2,360,064,
  //   layernorm_before/after 3,072 -> 7,087,872; 12 layers 85,054,464
  // layernorm 1,536; pooler 590,592 -> total 111,595,008
  auto built = build_transformers(Json::parse(R"({"model_type": "vilt"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "ViltModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 111595008u);
  EXPECT_EQ(m.total_bits / 8, 111595008ull * 4 + 640);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 25948416ull * 4 + 640);
}

TEST(Vilt, QuestionAnsweringClassifier) {
  // classifier: Linear(768, 1536) 1,181,184, LayerNorm(1536) 3,072, Linear(1536, 3129) 4,809,273 (VQAv2's labels).
  auto built = build_transformers(Json::parse(R"({"model_type": "vilt", "num_labels": 3129,
      "architectures": ["ViltForQuestionAnswering"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 111595008u + 1181184 + 3072 + 4809273);
}

}  // namespace
