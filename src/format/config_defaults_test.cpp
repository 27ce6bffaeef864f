// Omitted keys take the config class's defaults, as AutoConfig fills them (data/transformers_configs.json).
#include "format/config_defaults.h"

#include <gtest/gtest.h>

#include <fstream>

#include "arch/registry.h"
#include "tree/measure.h"

namespace {

using namespace memfit;

Json sweep_result(const std::string& type) {
  std::ifstream in(std::string(MEMFIT_TEST_DATA) + "/sweep/transformers_defaults/" + type + "/result.json");
  return Json::parse(in);
}

TEST(ConfigDefaults, BareLlamaBuildsLikeTheDefaultLlamaConfig) {
  // {"model_type": "llama"} once failed with "config key `vocab_size` is missing"; transformers builds LlamaConfig().
  auto b = build_transformers(Json::parse(R"({"model_type": "llama"})"));
  ASSERT_TRUE(b) << b.error().message;
  Json want = sweep_result("llama");
  Measurement m = measure(b->model);
  EXPECT_EQ(b->cls, "LlamaModel");
  EXPECT_EQ(m.parameters, 6607343616u);
  EXPECT_EQ(m.parameters, want["param_count"].get<uint64_t>());
  EXPECT_EQ(m.total_bits / 8, want["total_size_bytes"].get<uint64_t>());
  EXPECT_EQ(m.largest_bits / 8, want["largest_layer_bytes"].get<uint64_t>());
}

TEST(ConfigDefaults, ComputedDefaultsAndKeptValues) {
  Json c = with_class_defaults(Json::parse(R"({"model_type": "llama", "hidden_size": 1024, "num_attention_heads": 8,
                                               "vocab_size": 7})"));
  EXPECT_EQ(c["vocab_size"].dump(), "7");               // given: kept
  EXPECT_EQ(c["intermediate_size"].dump(), "11008");    // omitted: the class default
  EXPECT_EQ(c["head_dim"].dump(), "128");               // __post_init__: hidden_size // num_attention_heads
  EXPECT_EQ(c["num_key_value_heads"].dump(), "8");      // __post_init__: num_attention_heads
  EXPECT_TRUE(c["pad_token_id"].is_null());
}

// Only the first top-level `if self.k is None:` block runs: Step3p7TextConfig's first one (layers 0-2 dense, from
// the legacy moe_layers_enum) cannot be evaluated statically, so the key stays omitted for the family to fill, rather
// than taking the later, never-reached all-sparse default; ColModernVBert's vlm_config defaults to modernvbert.
TEST(ConfigDefaults, FirstNoneBlockWins) {
  Json step = with_class_defaults(Json::parse(R"({"model_type": "step3p7"})"));
  EXPECT_FALSE(step["text_config"].contains("mlp_layer_types") && !step["text_config"]["mlp_layer_types"].is_null());
  EXPECT_EQ(step["text_config"]["num_hidden_layers"], 45);
  const Json* col = config_class_data("ColModernVBertConfig");
  ASSERT_NE(col, nullptr);
  EXPECT_EQ((*col)["sub_configs"]["vlm_config"]["model_type"], "modernvbert");
}

TEST(ConfigDefaults, AttributeMapAliasesBothWays) {
  // GPT2Config maps hidden_size -> n_embd: a file giving the alias sets the real key, and the alias reads it back.
  Json c = with_class_defaults(Json::parse(R"({"model_type": "gpt2", "hidden_size": 256})"));
  EXPECT_EQ(c["n_embd"].dump(), "256");
  EXPECT_EQ(c["hidden_size"].dump(), "256");
  EXPECT_EQ(c["n_layer"].dump(), "12");
  EXPECT_EQ(c["num_hidden_layers"].dump(), "12");
}

TEST(ConfigDefaults, SubConfigsFromTheirDefaultClasses) {
  // LlavaConfig: an omitted vision_config is CLIPVisionConfig with the overrides __post_init__ passes, an omitted
  // text_config LlamaConfig(); a text_config dict without model_type is a llama one.
  Json c = with_class_defaults(Json::parse(R"({"model_type": "llava", "text_config": {"hidden_size": 64}})"));
  EXPECT_EQ(c["vision_config"]["model_type"].dump(), R"("clip_vision_model")");
  EXPECT_EQ(c["vision_config"]["hidden_size"].dump(), "1024");
  EXPECT_EQ(c["vision_config"]["num_hidden_layers"].dump(), "24");
  EXPECT_EQ(c["vision_config"]["image_size"].dump(), "336");
  EXPECT_EQ(c["text_config"]["model_type"].dump(), R"("llama")");
  EXPECT_EQ(c["text_config"]["hidden_size"].dump(), "64");
  EXPECT_EQ(c["text_config"]["vocab_size"].dump(), "32000");
  EXPECT_EQ(c["text_config"]["head_dim"].dump(), "2");  // 64 // 32 heads
  // Qwen2.5-VL's sub-configs are fixed classes, written with their own model_type.
  Json q = with_class_defaults(Json::parse(R"({"model_type": "qwen2_5_vl"})"));
  EXPECT_EQ(q["text_config"]["model_type"].dump(), R"("qwen2_5_vl_text")");
  EXPECT_EQ(q["vision_config"]["model_type"].dump(), R"("qwen2_5_vl_vision")");
}

TEST(ConfigDefaults, UnknownTypesUnchanged) {
  Json given = Json::parse(R"({"model_type": "mystery", "hidden_size": 8})");
  EXPECT_EQ(with_class_defaults(given).dump(), given.dump());
  EXPECT_EQ(config_class_for("llama"), "LlamaConfig");
  EXPECT_EQ(config_class_for("mystery"), "");
  EXPECT_GT(transformers_model_types().size(), 650u);
}

TEST(ConfigDefaults, Glm4MoeOddRotaryDimension) {
  // Glm4MoeConfig(): head_dim 4096 // 96 = 42, partial_rotary_factor 0.5 -> int(21): arange(0, 21, 2) has 11 entries,
  // so inv_freq and original_inv_freq are 44 bytes each (memfit once made them 40: 8 bytes off the real tool).
  auto b = build_transformers(Json::parse(R"({"model_type": "glm4_moe"})"));
  ASSERT_TRUE(b) << b.error().message;
  uint64_t rotary = 0;
  for (const auto& [name, bits] : module_sizes(b->model))
    if (name == "rotary_emb") rotary = bits / 8;
  EXPECT_EQ(rotary, 88u);
}

}  // namespace

// config_class_for reads one model type's class from the data's text; it agrees with the parsed table for every type.
TEST(ConfigDefaults, ClassLookupMatchesTheParsedTable) {
  auto types = transformers_model_types();
  EXPECT_EQ(types.size(), 699u);
  for (const auto& t : types) {
    std::string cls = config_class_for(t);
    ASSERT_FALSE(cls.empty()) << t;
    EXPECT_NE(config_class_data(cls), nullptr) << t << " -> " << cls;
  }
  EXPECT_EQ(config_class_for("llama"), "LlamaConfig");
  EXPECT_EQ(config_class_for("audio-spectrogram-transformer"), "ASTConfig");
  EXPECT_EQ(config_class_for("lla"), "");
  EXPECT_EQ(config_class_for("LlamaConfig"), "");
  EXPECT_EQ(config_class_for(""), "");
}
