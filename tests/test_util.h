// Helpers shared by the fixture-driven test suites.
#pragma once
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <fstream>

#include "memfit.h"
#include "source/catalog.h"
#include "tree/measure.h"

namespace memfit::testing_util {

// The .json files under tests/data/<sub> (recursively when asked), sorted.
inline std::vector<std::string> json_files(const std::string& sub, bool recursive = false) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  fs::path dir = fs::path(MEMFIT_TEST_DATA) / sub;
  auto add = [&](const fs::path& p) {
    if (p.extension() == ".json") out.push_back(p.string());
  };
  if (recursive) {
    for (const auto& f : fs::recursive_directory_iterator(dir)) add(f.path());
  } else {
    for (const auto& f : fs::directory_iterator(dir)) add(f.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The bytes accelerate's compute_module_sizes gives module (or tensor) `name` of `m`; 0 when there is none.
inline uint64_t module_bytes(const Model& m, const std::string& name) {
  for (const auto& [k, bits] : module_sizes(m))
    if (k == name) return bits / 8;
  return 0;
}

// A gtest-safe name from any string.
inline std::string safe_name(std::string n) {
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

// Builds a catalog model (nullptr-safe: a missing id is an error result).
inline Result<BuiltModel> build_catalog(const std::string& id, Target target = Target::Accelerate,
                                        const std::string& library = "") {
  const CatalogEntry* e = find_in_catalog(id);
  if (!e) return fail(ErrorKind::NotFound, id + " is not in the catalog");
  ModelSource src{id, "catalog", std::string(e->config), id, std::string(e->library)};
  EstimateOptions opts;
  opts.library = library;
  opts.target = target;
  return build_model(src, opts);
}

// A real checkpoint index, tests/data/indexes/<rel> (e.g. "bigscience/bloom/model.safetensors.index.json").
inline Json load_index(const std::string& rel) {
  std::ifstream in(std::string(MEMFIT_TEST_DATA) + "/indexes/" + rel);
  return Json::parse(in);
}

// The index's metadata.total_size (some old indexes store it as a float).
inline uint64_t index_total(const Json& idx) {
  return static_cast<uint64_t>(idx["metadata"]["total_size"].get<double>());
}

// How many of the model's checkpoint tensors the index's weight_map names.
inline size_t names_in_index(const Model& m, const Json& idx) {
  size_t found = 0;
  for (const auto& t : checkpoint_tensors(m)) found += idx["weight_map"].contains(t.name) ? 1 : 0;
  return found;
}

// The cases a fixture suite expects to skip, id -> why. Checked both ways, so a suite cannot pass by skipping:
// a skip that is not listed fails (a family that regressed to "unsupported" or to the generic estimate), and so does
// a listed case that now runs (take it off the list).
using ExpectedSkips = std::map<std::string, std::string>;

// For a case about to be skipped: true when `expected` lists it (the caller then skips); otherwise a failure naming
// the case and the reason, and false (the caller returns).
inline bool skip_is_expected(const ExpectedSkips& expected, const std::string& id, const std::string& why) {
  if (expected.count(id)) return true;
  ADD_FAILURE() << id << " would be skipped (" << why << ") but is not an expected skip: a regression?";
  return false;
}

// The five fixtures the real tool could not build (remote code only in transformers 5): nothing to compare with in
// the accelerate and task-model suites. memfit's own estimates of them are checked against their checkpoint indexes
// (index_check_test.cpp, remote_code_test.cpp).
inline const ExpectedSkips& remote_code_fixtures() {
  static const ExpectedSkips k{
      {"Qwen/Qwen-72B", "fixture status skipped_remote_code"},
      {"internlm/internlm-20b", "fixture status skipped_remote_code"},
      {"openbmb/MiniCPM-V-2", "fixture status skipped_remote_code"},
      {"stabilityai/stable-code-3b", "fixture status skipped_remote_code"},
      {"tiiuae/falcon-40b", "fixture status skipped_remote_code"},
  };
  return k;
}

// Skips the current test when `expected` lists `id`, else fails it; returns from the test either way.
#define MEMFIT_SKIP_OR_FAIL(expected, id, why)                                              \
  do {                                                                                      \
    const std::string memfit_why_ = (why);                                                  \
    if (::memfit::testing_util::skip_is_expected(expected, id, memfit_why_)) GTEST_SKIP() << memfit_why_; \
    return;                                                                                 \
  } while (0)

// For a case that ran: a failure when `expected` still lists it as a skip.
inline void expect_not_listed(const ExpectedSkips& expected, const std::string& id) {
  if (expected.count(id))
    ADD_FAILURE() << id << " is listed as an expected skip (" << expected.at(id) << ") but now runs: remove it";
}

// Every listed id names a case the suite has (a list that outlives its fixtures would hide nothing, but rots).
inline void expect_listed_ids_exist(const ExpectedSkips& expected, const std::vector<std::string>& ids) {
  for (const auto& [id, _] : expected)
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id << " is an expected skip but not a case";
}

}  // namespace memfit::testing_util
