// Runs the built memfit binary (MEMFIT_BINARY) offline and captures its exit code, stdout and stderr.
#pragma once
#include <unistd.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace memfit::testing_util {

struct CliRun {
  int code;
  std::string out, err;
};

inline CliRun run_cli(const std::string& args) {
  namespace fs = std::filesystem;
  fs::path err_file = fs::temp_directory_path() / ("memfit_cli_err_" + std::to_string(::getpid()));
  // Offline: these runs exercise the bundled data and must never reach the real Hub (src/source/hub_cli_test.cpp
  // covers the Hub against a local stand-in).
  std::string cmd = "HF_HUB_OFFLINE=1 HF_HUB_CACHE=/nonexistent/memfit-test-cache " + std::string(MEMFIT_BINARY) +
                    " " + args + " 2>" + err_file.string();
  CliRun r{};
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  fs::remove(err_file);
  return r;
}

}  // namespace memfit::testing_util
