// Task models (the config's architectures[0], with heads) against tests/data/results_task: the class built, the
// parameter count with ties honoured, and every tensor a checkpoint of it holds, by name and shape.
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

// The task fixtures this suite skips, and why; any other skip fails, and so does a listed case that runs.
const testing_util::ExpectedSkips& kExpectedSkips = testing_util::remote_code_fixtures();

class TaskModel : public ::testing::TestWithParam<std::string> {};

TEST_P(TaskModel, MatchesTransformers) {
  std::ifstream in(GetParam());
  Json fx = Json::parse(in);
  std::string id = fx["model_id"];
  if (fx["status"] != "ok") MEMFIT_SKIP_OR_FAIL(kExpectedSkips, id, "fixture status " + fx["status"].dump());
  if (!find_in_catalog(id)) MEMFIT_SKIP_OR_FAIL(kExpectedSkips, id, "not in the catalog");
  auto built = testing_util::build_catalog(id, Target::TaskModel, fx["library"]);
  if (!built && built.error().kind == ErrorKind::Unsupported) MEMFIT_SKIP_OR_FAIL(kExpectedSkips, id, built.error().message);
  ASSERT_TRUE(built) << built.error().message;
  if (built->approximate) MEMFIT_SKIP_OR_FAIL(kExpectedSkips, id, "family not implemented (generic estimate)");
  testing_util::expect_not_listed(kExpectedSkips, id);
  if (fx["library"] == "transformers") EXPECT_EQ(built->cls, fx["class_built"]);
  EXPECT_EQ(measure(built->model).parameters, fx["param_count"].get<uint64_t>());

  std::map<std::string, std::vector<int64_t>> want;
  for (const auto& k : fx["saved_keys"]) want[k[0]] = k[1].get<std::vector<int64_t>>();
  int reported = 0;
  for (const auto& e : checkpoint_tensors(built->model)) {
    auto it = want.find(e.name);
    if (it == want.end()) {
      if (reported++ < 5) ADD_FAILURE() << "extra tensor `" << e.name << "`";
      continue;
    }
    if (it->second != e.shape && reported++ < 5) ADD_FAILURE() << "shape differs for `" << e.name << "`";
    want.erase(it);
  }
  for (const auto& [k, _] : want)
    if (reported++ < 5) ADD_FAILURE() << "missing tensor `" << k << "`";
}

TEST(TaskModelSkips, ListedAndCounted) {
  std::vector<std::string> ids;
  for (const auto& f : testing_util::json_files("results_task")) {
    std::ifstream in(f);
    ids.push_back(Json::parse(in)["model_id"]);
  }
  testing_util::expect_listed_ids_exist(kExpectedSkips, ids);
  EXPECT_EQ(kExpectedSkips.size(), 5u);
}

INSTANTIATE_TEST_SUITE_P(All, TaskModel, ::testing::ValuesIn(testing_util::json_files("results_task")),
                         [](const auto& info) { return testing_util::safe_name(fs::path(info.param).stem().string()); });

}  // namespace
