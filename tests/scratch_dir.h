// A per-process scratch folder for tests (/tmp/memfit_<tag>_<pid>), removed when the test process exits.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <system_error>

namespace memfit::testing_util {

inline std::filesystem::path scratch_dir(const std::string& tag) {
  struct Cleanup {
    std::map<std::string, std::filesystem::path> dirs;
    ~Cleanup() {
      for (const auto& [_, d] : dirs) {
        std::error_code ec;
        std::filesystem::remove_all(d, ec);
      }
    }
  };
  static Cleanup cleanup;
  auto [it, fresh] = cleanup.dirs.try_emplace(
      tag, std::filesystem::temp_directory_path() / ("memfit_" + tag + "_" + std::to_string(::getpid())));
  std::error_code ec;
  std::filesystem::create_directories(it->second, ec);
  return it->second;
}

}  // namespace memfit::testing_util
