// The --breakdown entries for real models, in PyTorch names and accelerate's byte counts.
#include <gtest/gtest.h>

#include "memfit.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

TEST(Breakdown, BertBaseCased) {
  EstimateOptions o;
  o.breakdown = true;
  auto e = estimate_memory("bert-base-cased", o);
  ASSERT_TRUE(e);
  ASSERT_EQ(e->breakdown.size(), 4u);
  auto check = [&](size_t i, const char* name, const char* cls, uint64_t bytes, int64_t count, int depth) {
    EXPECT_EQ(e->breakdown[i].name, name);
    EXPECT_EQ(e->breakdown[i].cls, cls);
    EXPECT_EQ(e->breakdown[i].bits, bytes * 8);
    EXPECT_EQ(e->breakdown[i].count, count);
    EXPECT_EQ(e->breakdown[i].depth, depth);
  };
  check(0, "embeddings", "BertEmbeddings", 90669056, 1, 0);
  check(1, "encoder", "BertEncoder", 340217856, 1, 0);
  check(2, "encoder.layer.{0..11}", "BertLayer", 28351488, 12, 1);
  check(3, "pooler", "BertPooler", 2362368, 1, 0);
}

// T5's block 0 owns the relative attention bias, so it is listed apart from blocks 1..5.
TEST(Breakdown, T5SmallSeparatesBlockZero) {
  EstimateOptions o;
  o.breakdown = true;
  auto e = estimate_memory("google-t5/t5-small", o);
  ASSERT_TRUE(e);
  std::vector<std::string> names;
  for (const auto& x : e->breakdown) names.push_back(x.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "encoder.block.0"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "encoder.block.{1..5}"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "decoder.block.{1..5}"), names.end());
}

}  // namespace
}  // namespace memfit
