// Every real checkpoint index in tests/data/indexes whose config memfit can build: the task model's tensor names
// and bytes agree with it, or memfit names the cause (as TASK_INDEX_CHECK.md does for the real code).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "estimate/index_check.h"
#include "memfit.h"
#include "source/catalog.h"
#include "test_util.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {

namespace fs = std::filesystem;
using namespace memfit;

using testing_util::build_catalog;

// The indexes this suite skips, and why; any other skip fails, and so does a listed case that runs.
const testing_util::ExpectedSkips kExpectedSkips{
    // No config in the catalog: these indexes serve the family unit tests (smollm3, bloom, phi3, falcon), which
    // build the model from the config's hyper-parameters and compare with the index there.
    {"HuggingFaceTB/SmolLM3-3B", "no config in the catalog (smollm3_test.cpp)"},
    {"bigscience/bloom", "no config in the catalog (bloom_test.cpp)"},
    {"microsoft/Phi-3-mini-128k-instruct", "no config in the catalog (phi3_test.cpp)"},
    {"tiiuae/falcon-180B-chat", "no config in the catalog (falcon_test.cpp)"},
    // Remote code memfit has no native stand-in for (the generic estimate has no per-tensor names).
    {"openbmb/MiniCPM-V-2", "remote-code `minicpmv`: generic estimate"},
};

std::string index_id(const fs::path& p) {
  return p.parent_path().parent_path().filename().string() + "/" + p.parent_path().filename().string();
}

class IndexCheck : public ::testing::TestWithParam<std::string> {};

TEST_P(IndexCheck, NamesAndBytesAgreeOrTheCauseIsNamed) {
  fs::path p(GetParam());
  std::string id = index_id(p);
  const CatalogEntry* e = find_in_catalog(id);
  if (!e) MEMFIT_SKIP_OR_FAIL(kExpectedSkips, id, "no config in the catalog");
  auto built = build_catalog(id, Target::TaskModel);
  if (!built && built.error().kind == ErrorKind::Unsupported) MEMFIT_SKIP_OR_FAIL(kExpectedSkips, id, built.error().message);
  ASSERT_TRUE(built) << built.error().message;
  if (built->approximate) MEMFIT_SKIP_OR_FAIL(kExpectedSkips, id, "family not implemented (generic estimate)");
  testing_util::expect_not_listed(kExpectedSkips, id);
  std::ifstream in(p);
  Json index = Json::parse(in);
  Json config = Json::parse(e->config);
  IndexComparison c = compare_with_index(built->model, index, config);
  std::string why;
  for (const auto& s : c.causes) why += "\n  " + s;
  EXPECT_TRUE(c.explained()) << id << ": model " << c.model_total << " B vs index " << c.index_total << " B, "
                             << c.only_in_index.size() << " names only in the index (e.g. "
                             << (c.only_in_index.empty() ? "" : c.only_in_index[0]) << "), "
                             << c.only_in_model.size() << " only in the model (e.g. "
                             << (c.only_in_model.empty() ? "" : c.only_in_model[0]) << ")";
  RecordProperty("causes", why);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  fs::path p(info.param);
  return testing_util::safe_name(p.parent_path().parent_path().filename().string() + "__" +
                                 p.parent_path().filename().string());
}

TEST(IndexCheckSkips, ListedAndCounted) {
  std::vector<std::string> ids;
  for (const auto& f : testing_util::json_files("indexes", true)) ids.push_back(index_id(f));
  testing_util::expect_listed_ids_exist(kExpectedSkips, ids);
  EXPECT_EQ(kExpectedSkips.size(), 5u);
}

INSTANTIATE_TEST_SUITE_P(All, IndexCheck, ::testing::ValuesIn(testing_util::json_files("indexes", true)), test_name);

IndexComparison compare_catalog(const std::string& id, const std::string& index_rel) {
  auto built = build_catalog(id, Target::TaskModel);
  EXPECT_TRUE(built);
  std::ifstream in(std::string(MEMFIT_TEST_DATA) + "/indexes/" + index_rel);
  return compare_with_index(built->model, Json::parse(in), Json::parse(find_in_catalog(id)->config));
}

// Exact expectations where the real code's numbers are known (TASK_INDEX_CHECK.md).
TEST(IndexCheckExact, Llama2InvFreqExplainsTheDifference) {
  IndexComparison c = compare_catalog("meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-hf/model.safetensors.index.json");
  EXPECT_FALSE(c.names_equal);
  EXPECT_EQ(c.only_in_index.size(), 32u);
  EXPECT_TRUE(c.only_in_model.empty());
  EXPECT_EQ(c.stored_bits, 16);
  EXPECT_EQ(c.index_total - c.model_total, 8192u);  // 32 layers x inv_freq[64] at fp32
  ASSERT_EQ(c.causes.size(), 1u);
  EXPECT_NE(c.causes[0].find("32 per-layer rotary `inv_freq` buffers"), std::string::npos);
}

TEST(IndexCheckExact, Qwen25Math72BExactlyEqual) {
  IndexComparison c = compare_catalog("Qwen/Qwen2.5-Math-72B-Instruct",
                                      "Qwen/Qwen2.5-Math-72B-Instruct/model.safetensors.index.json");
  EXPECT_TRUE(c.names_equal);
  EXPECT_TRUE(c.bytes_equal);
  EXPECT_EQ(c.model_total, 145412407296u);
}

// Each cause accounts for its bytes exactly: the documented relations of TASK_INDEX_CHECK.md, to the byte.
TEST(IndexCheckExact, EveryCauseAccountsForItsBytes) {
  IndexComparison llava = compare_catalog("liuhaotian/llava-v1.5-7b", "liuhaotian/llava-v1.5-7b/pytorch_model.bin.index.json");
  EXPECT_TRUE(llava.explained());
  EXPECT_EQ(llava.residue_bits, 0);
  // total_size = the model - its CLIP tower (not in the original LLaVA checkpoint) + 32 fp32 inv_freq[64].
  EXPECT_EQ(static_cast<int64_t>(llava.index_total) - static_cast<int64_t>(llava.model_total), -607'014'912 + 8'192);
  std::string all;
  for (const auto& x : llava.causes) all += x + "\n";
  EXPECT_NE(all.find("does not hold the vision tower"), std::string::npos) << all;
  EXPECT_NE(all.find("([64] at 32 bits)"), std::string::npos) << all;

  IndexComparison neox = compare_catalog("togethercomputer/RedPajama-INCITE-7B-Base",
                                         "togethercomputer/RedPajama-INCITE-7B-Base/pytorch_model.bin.index.json");
  EXPECT_TRUE(neox.explained());
  EXPECT_EQ(neox.index_total - neox.model_total, 32u * (524'288 + 2 + 128));  // mask, masked_bias, fp16 inv_freq
  all.clear();
  for (const auto& x : neox.causes) all += x + "\n";
  EXPECT_NE(all.find("([64] at 16 bits)"), std::string::npos) << all;

  for (const char* id : {"openai/gpt-oss-20b", "google/medgemma-27b-it", "Qwen/Qwen-72B"}) {
    IndexComparison c = compare_catalog(id, std::string(id) + "/model.safetensors.index.json");
    EXPECT_TRUE(c.explained()) << id;
    EXPECT_TRUE(c.unclaimed.empty()) << id;
    EXPECT_EQ(c.residue_bits, 0) << id;
  }
}

// No cause passes unconditionally: one byte more in total_size, or one unknown tensor, and the check fails.
TEST(IndexCheckExact, AnyUnaccountedByteOrNameFails) {
  for (const char* rel : {"liuhaotian/llava-v1.5-7b/pytorch_model.bin.index.json",
                          "google/medgemma-27b-it/model.safetensors.index.json",
                          "meta-llama/Llama-2-7b-hf/model.safetensors.index.json"}) {
    std::string id = fs::path(rel).parent_path().string();
    auto built = build_catalog(id, Target::TaskModel);
    ASSERT_TRUE(built) << id;
    Json config = Json::parse(find_in_catalog(id)->config);
    Json index = testing_util::load_index(rel);
    index["metadata"]["total_size"] = testing_util::index_total(index) + 1;
    IndexComparison more = compare_with_index(built->model, index, config);
    EXPECT_FALSE(more.explained()) << id;
    EXPECT_EQ(more.residue_bits, 8) << id;
    index = testing_util::load_index(rel);
    index["weight_map"]["model.extra.weight"] = "x.safetensors";
    IndexComparison extra = compare_with_index(built->model, index, config);
    EXPECT_FALSE(extra.explained()) << id;
    EXPECT_EQ(extra.unclaimed, std::vector<std::string>{"model.extra.weight"}) << id;
  }
}

}  // namespace
