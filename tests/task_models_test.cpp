// Task models (the config's architectures[0], with heads) against tests/data/results_task: the class built, the
// parameter count with ties honoured, and every tensor a checkpoint of it holds, by name and shape.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "memfit.h"
#include "source/catalog.h"
#include "tree/measure.h"

namespace {

namespace fs = std::filesystem;
using namespace memfit;

std::vector<std::string> task_files() {
  std::vector<std::string> out;
  for (const auto& f : fs::directory_iterator(fs::path(MEMFIT_TEST_DATA) / "results_task"))
    if (f.path().extension() == ".json") out.push_back(f.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

class TaskModel : public ::testing::TestWithParam<std::string> {};

TEST_P(TaskModel, MatchesTransformers) {
  std::ifstream in(GetParam());
  Json fx = Json::parse(in);
  std::string id = fx["model_id"];
  if (fx["status"] != "ok") GTEST_SKIP() << id << ": " << fx["status"];
  const CatalogEntry* entry = find_in_catalog(id);
  if (!entry) GTEST_SKIP() << id << " is not in the catalog";
  ModelSource src{id, "catalog", std::string(entry->config), id, std::string(entry->library)};
  EstimateOptions opts;
  opts.library = fx["library"];
  opts.target = Target::TaskModel;
  auto built = build_model(src, opts);
  if (!built && built.error().kind == ErrorKind::Unsupported) GTEST_SKIP() << built.error().message;
  ASSERT_TRUE(built) << built.error().message;
  if (built->approximate) GTEST_SKIP() << id << ": family not implemented yet (generic estimate)";
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

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = fs::path(info.param).stem().string();
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(All, TaskModel, ::testing::ValuesIn(task_files()), test_name);

}  // namespace
