// Falcon's remote-code RW configs (no fixture: accelerate refuses remote code), checked against the real
// checkpoint index of tiiuae/falcon-40b.
#include <gtest/gtest.h>

#include <fstream>

#include "memfit.h"
#include "source/catalog.h"
#include "tree/measure.h"

namespace {
using namespace memfit;

TEST(Falcon, RefinedWeb40BMatchesTheIndex) {
  const CatalogEntry* e = find_in_catalog("tiiuae/falcon-40b");
  ASSERT_NE(e, nullptr);
  ModelSource src{"tiiuae/falcon-40b", "catalog", std::string(e->config), "tiiuae/falcon-40b", std::string(e->library)};
  auto b = build_model(src, {});
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_FALSE(b->approximate);
  EXPECT_EQ(b->cls, "FalconForCausalLM");  // the config's auto_map names AutoModelForCausalLM
  // hidden 8192, 128 heads of 64, 8 KV heads, 60 layers, vocab 65024, no biases:
  // layer: query_key_value 8192*(2*8+128)*64 = 75,497,472; dense 8192^2 = 67,108,864; MLP 2*8192*32768 =
  //        536,870,912; ln_attn + ln_mlp 4*8192 = 32,768 -> 679,510,016; x60 = 40,770,600,960
  // word_embeddings 65024*8192 = 532,676,608; ln_f 16,384; lm_head tied -> 41,303,293,952
  uint64_t params = measure(b->model).parameters;
  EXPECT_EQ(params, 41'303'293'952u);
  // The bfloat16 .bin index lists lm_head.weight beside the embeddings it is tied to.
  std::ifstream in(std::string(MEMFIT_TEST_DATA) + "/indexes/tiiuae/falcon-40b/pytorch_model.bin.index.json");
  Json idx = Json::parse(in);
  EXPECT_EQ(2 * (params + 65024u * 8192u), static_cast<uint64_t>(idx["metadata"]["total_size"].get<double>()));
  size_t tensors = 0;
  for (const auto& t : checkpoint_tensors(b->model)) tensors += idx["weight_map"].contains(t.name) ? 1 : 0;
  EXPECT_EQ(tensors + 1, idx["weight_map"].size());  // every index tensor but the tied lm_head.weight
}

}  // namespace
