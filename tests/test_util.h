// Helpers shared by the fixture-driven test suites.
#pragma once
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

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

}  // namespace memfit::testing_util
