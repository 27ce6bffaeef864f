// `memfit serve` through the built binary: the server module (memfit-serve.so, serve/module.h) is loaded beside the
// binary, answers on the port it prints and stops cleanly on SIGTERM; without the module the command says so.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>

#include "scratch_dir.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {

namespace fs = std::filesystem;

struct Spawned {
  pid_t pid = -1;
  FILE* out = nullptr;  // the child's stdout
};

// Starts BINARY serve --port 0 --quiet --offline with stdout on a pipe and stderr into `err`.
Spawned spawn_serve(const std::string& binary, const fs::path& err) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    FILE* e = std::fopen(err.c_str(), "w");
    if (e) dup2(fileno(e), 2);
    close(fds[0]);
    execl(binary.c_str(), binary.c_str(), "serve", "--port", "0", "--quiet", "--offline", nullptr);
    _exit(127);
  }
  close(fds[1]);
  return {pid, fdopen(fds[0], "r")};
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const fs::path& p) {
  std::string s;
  if (FILE* f = std::fopen(p.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    std::fclose(f);
  }
  return s;
}

TEST(ServeModule, BinaryServesThroughTheModuleAndStopsOnSigterm) {
  ASSERT_TRUE(fs::exists(fs::path(MEMFIT_BINARY).parent_path() / "memfit-serve.so"));
  fs::path dir = memfit::testing_util::scratch_dir("serve_module");
  Spawned s = spawn_serve(MEMFIT_BINARY, dir / "err");
  ASSERT_GT(s.pid, 0);
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, s.out), nullptr);
  std::smatch m;
  std::string text = line;
  ASSERT_TRUE(std::regex_match(text, m, std::regex(R"(memfit serve: http://127\.0\.0\.1:(\d+)/\n)"))) << text;
  httplib::Client c("127.0.0.1", std::stoi(m[1]));
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"ok","version":"0.1.0"})");
  auto est = c.Get("/api/estimate?model=bert-base-cased");
  ASSERT_TRUE(est);
  EXPECT_EQ(est->status, 200);
  EXPECT_NE(est->body.find("\"parameters\":108310272"), std::string::npos) << est->body.substr(0, 300);
  kill(s.pid, SIGTERM);
  EXPECT_EQ(wait_exit(s.pid), 0);
  std::fclose(s.out);
}

TEST(ServeModule, MissingModuleIsOneClearError) {
  fs::path dir = memfit::testing_util::scratch_dir("serve_module_missing");
  fs::path copy = dir / "memfit";
  fs::copy_file(MEMFIT_BINARY, copy);
  fs::permissions(copy, fs::perms::owner_all);
  Spawned s = spawn_serve(copy.string(), dir / "err");
  ASSERT_GT(s.pid, 0);
  EXPECT_EQ(wait_exit(s.pid), 3);
  std::fclose(s.out);
  std::string err = slurp(dir / "err");
  EXPECT_EQ(err.rfind("memfit: error: the web server module `" + (dir / "memfit-serve.so").string() +
                          "` could not be loaded (",
                      0),
            0u)
      << err;
  EXPECT_NE(err.find("): it is built beside the binary by `make memfit`\n"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1);
}

}  // namespace
