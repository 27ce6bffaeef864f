// BROS (bros.cpp), hand-checked against modeling_bros.py (withheld from the sweep: no fixture).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

TEST(Bros, DefaultConfigByHand) {
  // BrosConfig(): vocab 30522, hidden 768, 12 layers, 12 heads, intermediate 3072, 512 positions, 2 types,
  // dim_bbox 8 -> d2 = 192, d1 = 24, bbox projection width 64.
  // embeddings: word 23,440,896, position 393,216, token_type 1,536, LayerNorm 1,536 -> 23,837,184
  //   (+ persistent position_ids and token_type_ids int64 [1, 512]: 8,192 bytes)
  // bbox_embeddings: bbox_projection 192*64 = 12,288 (no bias); x/y_pos_emb inv_freq float32 [12]: 96 bytes
  // 12 BERT layers of 7,087,872 = 85,054,464; pooler 590,592
  // total 23,837,184 + 12,288 + 85,054,464 + 590,592 = 109,494,528 (jinho8345/bros-base-uncased: 110M)
  auto built = build_transformers(Json::parse(R"({"model_type": "bros"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "BrosModel");
  auto m = measure(built->model);
  EXPECT_EQ(m.parameters, 109494528u);
  EXPECT_EQ(m.total_bits / 8, 109494528ull * 4 + 8192 + 96);
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"embeddings.word_embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 23440896ull * 4);
  EXPECT_EQ(built->model.root->children[1].first, "bbox_embeddings");
}

TEST(Bros, TokenClassification) {
  // classifier Linear(768, num_labels 2) = 1,538.
  auto built = build_transformers(Json::parse(R"({"model_type": "bros",
      "architectures": ["BrosForTokenClassification"]})"), Target::TaskModel);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(measure(built->model).parameters, 109494528u + 1538);
}

}  // namespace
