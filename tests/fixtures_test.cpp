// Every fixture in tests/data/results (what the real accelerate + transformers/timm computed) against memfit:
// parameters, total bytes, largest layer bytes and names, and accelerate's module_sizes, exactly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "memfit.h"
#include "source/catalog.h"
#include "test_util.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {

namespace fs = std::filesystem;
using namespace memfit;

std::vector<std::string> fixture_files() {
  auto out = testing_util::json_files("results/transformers");
  auto timm = testing_util::json_files("results/timm");
  out.insert(out.end(), timm.begin(), timm.end());
  return out;
}

Json load(const std::string& path) {
  std::ifstream in(path);
  return Json::parse(in);
}

uint64_t bits_of(const Json& bytes) { return static_cast<uint64_t>(bytes.get<double>() * 8.0 + 0.5); }

// The fixtures this suite skips, and why; any other skip fails, and so does a listed case that runs.
const testing_util::ExpectedSkips& kExpectedSkips = testing_util::remote_code_fixtures();

class Fixture : public ::testing::TestWithParam<std::string> {};

TEST_P(Fixture, MatchesAccelerate) {
  Json fx = load(GetParam());
  std::string id = fx["model_id"];
  if (fx["status"] != "ok") MEMFIT_SKIP_OR_FAIL(kExpectedSkips, id, "fixture status " + fx["status"].dump());
  ASSERT_NE(find_in_catalog(id), nullptr) << id << " missing from the catalog";
  auto built = testing_util::build_catalog(id, Target::Accelerate, fx["library"]);
  if (!built && built.error().kind == ErrorKind::Unsupported) MEMFIT_SKIP_OR_FAIL(kExpectedSkips, id, built.error().message);
  ASSERT_TRUE(built) << built.error().message;
  if (built->approximate) MEMFIT_SKIP_OR_FAIL(kExpectedSkips, id, "family not implemented (generic estimate)");
  testing_util::expect_not_listed(kExpectedSkips, id);
  if (fx.contains("model_class") && !fx["model_class"].is_null()) EXPECT_EQ(built->cls, fx["model_class"]);

  Measurement m = measure(built->model);
  bool ties_broken = fx.contains("intended_ties_not_shared") && !fx["intended_ties_not_shared"].empty();
  uint64_t want_params = ties_broken ? fx["param_count_if_ties_honoured"].get<uint64_t>() : fx["param_count"].get<uint64_t>();
  uint64_t want_total = bits_of(ties_broken ? fx["total_size_bytes_if_ties_honoured"] : fx["total_size_bytes"]);
  EXPECT_EQ(m.parameters, want_params);
  EXPECT_EQ(m.total_bits, want_total) << "total bytes " << m.total_bits / 8.0;
  EXPECT_EQ(m.largest_bits, bits_of(fx["largest_layer_bytes"]));
  EXPECT_EQ(m.largest_names, fx["largest_layer_names"].get<std::vector<std::string>>());
  if (fx.contains("no_split_modules") && fx["no_split_modules"].is_array()) {
    auto want = fx["no_split_modules"].get<std::vector<std::string>>();
    auto got = built->model.no_split;
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want);
  }

  if (!ties_broken) {
    // module_sizes: the first name whose size differs, and names on one side only.
    std::map<std::string, uint64_t> got;
    for (const auto& [k, v] : module_sizes(built->model)) got[k] = v;
    int reported = 0;
    for (const auto& [k, v] : fx["module_sizes"].items()) {
      auto it = got.find(k);
      if (it == got.end()) {
        if (reported++ < 5) ADD_FAILURE() << "missing module/tensor `" << k << "`";
      } else if (it->second != bits_of(v)) {
        if (reported++ < 5) ADD_FAILURE() << "`" << k << "`: " << it->second / 8.0 << " bytes, want " << v;
      }
      if (it != got.end()) got.erase(it);
    }
    for (const auto& [k, v] : got)
      if (reported++ < 5) ADD_FAILURE() << "extra module/tensor `" << k << "` (" << v / 8.0 << " bytes)";
  }
}

TEST(FixtureSkips, ListedAndCounted) {
  std::vector<std::string> ids;
  for (const auto& f : fixture_files()) ids.push_back(load(f)["model_id"]);
  testing_util::expect_listed_ids_exist(kExpectedSkips, ids);
  EXPECT_EQ(kExpectedSkips.size(), 5u);
}

INSTANTIATE_TEST_SUITE_P(All, Fixture, ::testing::ValuesIn(fixture_files()),
                         [](const auto& info) { return testing_util::safe_name(fs::path(info.param).stem().string()); });

}  // namespace
