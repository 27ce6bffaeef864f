// Whole-process start-up: spawning `memfit estimate-memory bert-base-cased --offline` (catalog, no network), and
// `memfit --version`, next to `true` (the cost of any process start) and `python3 -c pass` (the floor of any Python
// tool). Besides the wall time, `child_cpu_ms` is the child's own CPU time (user + system, from wait4), what the
// README's `perf stat` task-clock figures measure. A local or catalog run maps libc and libm only.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace {

// Runs argv to its end; returns the child's CPU time in seconds.
double spawn_and_wait(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  struct rusage ru {};
  if (posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ) == 0) wait4(pid, nullptr, 0, &ru);
  posix_spawn_file_actions_destroy(&fa);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

void BM_Spawn(benchmark::State& state, std::vector<std::string> argv) {
  double cpu = 0;
  for (auto _ : state) cpu += spawn_and_wait(argv);
  state.counters["child_cpu_ms"] = 1e3 * cpu / static_cast<double>(state.iterations());
}

BENCHMARK_CAPTURE(BM_Spawn, memfit_catalog_estimate,
                  std::vector<std::string>{MEMFIT_BINARY, "estimate-memory", "bert-base-cased", "--offline"})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Spawn, memfit_version, std::vector<std::string>{MEMFIT_BINARY, "--version"})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Spawn, true, std::vector<std::string>{"true"})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Spawn, python3_pass, std::vector<std::string>{"python3", "-c", "pass"})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
