// Cross-check of `memfit inspect` against real Hub indexes (tests/data/indexes): for every index whose model has a
// task listing (tests/data/results_task, saved_keys with shapes), write the sparse safetensors shards that
// checkpoint has (its weight_map names and files, the listed shapes, the stored dtype) and check that inspect's
// total equals metadata.total_size. Index-only tensors are sized as TASK_INDEX_CHECK.md explains them: per-layer
// rotary inv_freq buffers in fp32, MXFP4 expert _blocks/_scales (gpt-oss), legacy SigLIP names (medgemma). Where
// memfit builds the task model, its checkpoint tensors and the headers also agree tensor by tensor.
#include <gtest/gtest.h>

#include "scratch_dir.h"
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "format/config.h"
#include "format/safetensors.h"
#include "inspect/inspect.h"
#include "memfit.h"
#include "source/catalog.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {

namespace fs = std::filesystem;
using namespace memfit;

struct Case {
  std::string task_file;
  std::string index;  // relative to tests/data
};

// The cases as listed in results_task/index_cases.txt (cheap to read in every test process).
std::vector<Case> listed_cases() {
  std::vector<Case> out;
  fs::path dir = fs::path(MEMFIT_TEST_DATA) / "results_task";
  std::ifstream in(dir / "index_cases.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto sp = line.find(' ');
    out.push_back({(dir / line.substr(sp + 1)).string(), line.substr(0, sp)});
  }
  return out;
}

// The cases as the task listings define them: every safetensors index that an index_comparison names.
std::vector<Case> cases_from_listings() {
  std::vector<Case> out;
  for (const auto& f : fs::directory_iterator(fs::path(MEMFIT_TEST_DATA) / "results_task")) {
    if (f.path().extension() != ".json") continue;
    std::ifstream in(f.path());
    Json fx = Json::parse(in);
    if (fx["status"] != "ok" || !fx.contains("index_comparison") || !fx["index_comparison"].is_array()) continue;
    for (const auto& c : fx["index_comparison"]) {
      std::string idx = c.value("index", "");
      if (idx.ends_with(".safetensors.index.json")) out.push_back({f.path().string(), idx});
    }
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.index < b.index; });
  return out;
}

TEST(IndexCrossCheckCases, ListMatchesTheTaskListings) {
  auto listed = listed_cases();
  auto real = cases_from_listings();
  ASSERT_EQ(listed.size(), real.size());
  EXPECT_EQ(listed.size(), 12u);
  for (size_t i = 0; i < real.size(); ++i) {
    EXPECT_EQ(listed[i].index, real[i].index);
    EXPECT_EQ(fs::path(listed[i].task_file).filename(), fs::path(real[i].task_file).filename());
  }
}

std::string st_dtype(const std::string& torch) {
  static const std::map<std::string, std::string> k{
      {"float32", "F32"}, {"float16", "F16"}, {"bfloat16", "BF16"}, {"float64", "F64"}, {"int64", "I64"},
      {"int32", "I32"},   {"int16", "I16"},   {"int8", "I8"},       {"uint8", "U8"},    {"bool", "BOOL"}};
  auto it = k.find(torch);
  return it == k.end() ? "" : it->second;
}

class IndexCrossCheck : public ::testing::TestWithParam<Case> {};

TEST_P(IndexCrossCheck, InspectTotalEqualsIndexTotalSize) {
  const Case& c = GetParam();
  Json fx = Json::parse(std::ifstream(c.task_file));
  Json cmp;
  for (const auto& x : fx["index_comparison"])
    if (x["index"] == c.index) cmp = x;
  Json index = Json::parse(std::ifstream(fs::path(MEMFIT_TEST_DATA) / c.index));
  const uint64_t total_size = index["metadata"]["total_size"].get<uint64_t>();

  // The stored dtype of floating tensors: the config's torch_dtype; gpt-oss stores its non-expert weights in bf16.
  const bool mxfp4 = cmp.value("bytes_diff_explained_by", Json("")).is_string() &&
                     cmp.value("bytes_diff_explained_by", std::string()).starts_with("mxfp4");
  std::string ckpt = mxfp4 ? "BF16" : st_dtype(fx["checkpoint_dtype_assumed"].get<std::string>());
  ASSERT_FALSE(ckpt.empty()) << fx["checkpoint_dtype_assumed"];

  std::map<std::string, std::pair<std::vector<int64_t>, std::string>> saved;
  for (const auto& k : fx["saved_keys"]) saved[k[0]] = {k[1].get<std::vector<int64_t>>(), k[2].get<std::string>()};

  // Index-only tensors explained as fp32 buffers (Llama-2's per-layer inv_freq): elements per tensor.
  uint64_t fp32_only_elements = 0;
  if (cmp.contains("bytes_only_in_index_sized_fp32") && cmp["only_in_index"]["count"].get<uint64_t>() > 0 && !mxfp4)
    fp32_only_elements = cmp["bytes_only_in_index_sized_fp32"].get<uint64_t>() / 4 /
                         cmp["only_in_index"]["count"].get<uint64_t>();

  uint64_t expected_params = 0;
  std::map<std::string, std::vector<safetensors::WriteTensor>> shards;
  for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it) {
    const std::string& name = it.key();
    safetensors::WriteTensor t{name, "", {}};
    auto found = saved.find(name);
    if (found == saved.end() && name.find(".vision_model.") != std::string::npos) {
      // Legacy SigLIP naming (vision_tower.vision_model.*) that transformers 5 renames on load.
      std::string renamed = name;
      renamed.erase(renamed.find(".vision_model."), std::string(".vision_model").size());
      found = saved.find(renamed);
    }
    if (found != saved.end()) {
      const auto& [shape, torch] = found->second;
      bool floating = torch.starts_with("float") || torch.starts_with("bfloat");
      t.dtype = floating ? ckpt : st_dtype(torch);
      t.shape = shape;
      uint64_t n = 1;
      for (auto d : shape) n *= static_cast<uint64_t>(d);
      expected_params += n;
    } else if (mxfp4 && (name.ends_with("_blocks") || name.ends_with("_scales"))) {
      // Model tensor [E, in, out] stored as out rows of in/32 blocks of 16 bytes (+ one E8M0 scale per block).
      bool blocks = name.ends_with("_blocks");
      auto m = saved.find(name.substr(0, name.size() - 7));
      ASSERT_NE(m, saved.end()) << name;
      const auto& s = m->second.first;
      ASSERT_EQ(s.size(), 3u);
      t.dtype = "U8";
      t.shape = blocks ? std::vector<int64_t>{s[0], s[2], s[1] / 32, 16} : std::vector<int64_t>{s[0], s[2], s[1] / 32};
      if (blocks) expected_params += static_cast<uint64_t>(s[0] * s[1] * s[2]);
    } else if (fp32_only_elements > 0 && name.ends_with("inv_freq")) {
      t.dtype = "F32";
      t.shape = {static_cast<int64_t>(fp32_only_elements)};
      expected_params += fp32_only_elements;
    } else {
      FAIL() << "index tensor `" << name << "` is neither in the task listing nor explained";
    }
    shards[it.value().get<std::string>()].push_back(std::move(t));
  }

  auto dir = memfit::testing_util::scratch_dir("xcheck") / fs::path(c.index).parent_path();
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / fs::path(c.index).filename()) << index.dump();
  for (const auto& [file, ts] : shards) ASSERT_TRUE(safetensors::write_file((dir / file).string(), ts)) << file;
  const CatalogEntry* entry = find_in_catalog(fx["model_id"].get<std::string>());
  if (entry) std::ofstream(dir / "config.json") << entry->config;  // for quantization_config and expert counts

  auto r = inspect::inspect_path(dir.string());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->files.size(), shards.size());
  EXPECT_EQ(r->tensors, index["weight_map"].size());
  EXPECT_EQ(r->index_total_size, total_size);
  EXPECT_EQ(r->total_bytes, total_size) << c.index;
  EXPECT_TRUE(r->notes.empty()) << r->notes.front();
  EXPECT_EQ(r->parameters, expected_params);
  if (mxfp4) {
    // Unpacked, the MXFP4 experts give back the model's parameter count exactly.
    EXPECT_EQ(r->parameters, cmp["saved_numel"].get<uint64_t>());
    EXPECT_EQ(r->quantization.method, "mxfp4");
    ASSERT_TRUE(r->moe);
    EXPECT_EQ(r->moe->experts, 32u);
  }
  if (r->moe && entry) {
    EXPECT_TRUE(r->moe->config_experts.has_value());
    EXPECT_TRUE(r->moe->consistent) << r->moe->experts << " vs " << *r->moe->config_experts;
  }
  // What the config-built model would weigh at the stored width vs the index: the difference the check explains.
  if (cmp.contains("bytes_diff") && !cmp["bytes_diff"].is_null()) {
    int64_t diff = static_cast<int64_t>(total_size) - cmp["model_saved_bytes"].get<int64_t>();
    EXPECT_EQ(diff, cmp["bytes_diff"].get<int64_t>());
  }

  // Tensor by tensor against memfit's own task model, where memfit builds it.
  std::string id = fx["model_id"];
  if (entry) {
    ModelSource src{id, "catalog", std::string(entry->config), id, std::string(entry->library)};
    EstimateOptions opts;
    opts.library = "transformers";
    opts.target = Target::TaskModel;
    // Only real family builders: the generic estimate (`approximate`) does not claim checkpoint names.
    if (auto built = build_model(src, opts); built && !built->approximate) {
      std::map<std::string, std::vector<int64_t>> headers;
      for (const auto& t : r->tensor_list) headers[t.name] = t.shape;
      int bad = 0, matched = 0;
      for (const auto& e : checkpoint_tensors(built->model)) {
        auto h = headers.find(e.name);
        if (h == headers.end()) continue;  // renamed or quantized in the checkpoint (checked above)
        ++matched;
        if (h->second != e.shape && bad++ < 5) ADD_FAILURE() << "shape differs for `" << e.name << "`";
      }
      EXPECT_GT(matched, 0);
    }
  }
  fs::remove_all(dir);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string n = fs::path(info.param.index).parent_path().string();
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(All, IndexCrossCheck, ::testing::ValuesIn(listed_cases()), case_name);

}  // namespace
