// TIPSv2's dual encoder (tipsv2.cpp): `tipsv2` is withheld from the sweep; its towers are checked on their own (the
// tipsv2_vision_model sweep case: 86,316,288 parameters; the text model by hand in tipsv2_text_test.cpp:
// 109,632,000 parameters + 197,120 bytes of non-persistent buffers).
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "tree/measure.h"
#include "test_util.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

TEST(Tipsv2, DefaultConfigIsBothTowersAndTemperature) {
  auto built = build_transformers(Json::parse(R"({"model_type": "tipsv2"})"));
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->cls, "Tipsv2Model");
  Measurement m = measure(built->model);
  // 109,632,000 + 86,316,288 + temperature 1
  EXPECT_EQ(m.parameters, 195948289u);
  EXPECT_EQ(m.total_bits / 8, 195948289ull * 4 + 197120);
  auto size = [&](const std::string& k) { return testing_util::module_bytes(built->model, k); };
  EXPECT_EQ(size("vision_model"), 345265152u);  // the sweep case's total
  EXPECT_EQ(size("text_model"), 109632000u * 4 + 197120);
  EXPECT_EQ(size("temperature"), 4u);
  // Largest no-split module: the text embeddings (token_embedding 32000*768 and the two buffers) beat a vision layer
  // (28,357,632 bytes).
  EXPECT_EQ(m.largest_names, std::vector<std::string>{"text_model.embeddings"});
  EXPECT_EQ(m.largest_bits / 8, 24576000ull * 4 + 197120);
  EXPECT_EQ(built->model.no_split.size(), 4u);
}

TEST(Tipsv2, TowersMustShareTheirWidth) {
  auto bad = build_transformers(Json::parse(R"({"model_type": "tipsv2", "text_config": {"hidden_size": 1024}})"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("must be equal"), std::string::npos);
  // A larger pair of equal widths builds, as the two towers on their own plus the temperature. Text by hand:
  // token_embedding 32000*1024 = 32,768,000; layer k/v/q/out 4 x 1,049,600, two LayerNorms 4,096, fc1 4,198,400, fc2
  // 4,195,328 = 12,596,224, x12 151,154,688; final LayerNorm 2,048 -> 183,924,736.
  const char* text = R"({"model_type": "tipsv2_text_model", "hidden_size": 1024, "intermediate_size": 4096,
      "num_attention_heads": 16})";
  const char* vision = R"({"model_type": "tipsv2_vision_model", "hidden_size": 1024, "intermediate_size": 4096,
      "num_attention_heads": 16, "num_hidden_layers": 24})";
  Json cfg = Json::parse(R"({"model_type": "tipsv2"})");
  cfg["text_config"] = Json::parse(text);
  cfg["vision_config"] = Json::parse(vision);
  auto big = build_transformers(cfg);
  ASSERT_TRUE(big) << big.error().message;
  auto t = build_transformers(Json::parse(text)), v = build_transformers(Json::parse(vision));
  ASSERT_TRUE(t && v);
  EXPECT_EQ(measure(t->model).parameters, 183924736u);
  EXPECT_EQ(measure(big->model).parameters, 183924736u + measure(v->model).parameters + 1);
}

}  // namespace
}  // namespace memfit
