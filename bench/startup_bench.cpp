// Whole-process start-up: spawning `memfit estimate-memory bert-base-cased --offline` (catalog, no network), and
// `memfit --version`, next to `python3 -c pass`, the floor of any Python tool. memfit loads libcurl only when the
// Hub is used, so a local or catalog run maps just libstdc++, libfmt and libc.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace {

void spawn_and_wait(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  if (posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ) == 0) waitpid(pid, nullptr, 0);
  posix_spawn_file_actions_destroy(&fa);
}

void BM_Spawn(benchmark::State& state, std::vector<std::string> argv) {
  for (auto _ : state) spawn_and_wait(argv);
}

BENCHMARK_CAPTURE(BM_Spawn, memfit_catalog_estimate,
                  std::vector<std::string>{MEMFIT_BINARY, "estimate-memory", "bert-base-cased", "--offline"})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Spawn, memfit_version, std::vector<std::string>{MEMFIT_BINARY, "--version"})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Spawn, python3_pass, std::vector<std::string>{"python3", "-c", "pass"})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
