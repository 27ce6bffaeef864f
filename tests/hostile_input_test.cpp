// The defects a hostile-input audit found (issue 12), each run through the real binary: the exit code, one escaped
// line on stderr, no hang, bounded memory. Every case failed (or hung) before its fix.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "scratch_dir.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {

namespace fs = std::filesystem;

struct Outcome {
  int code = -1;      // exit code; -1 when killed
  bool timed_out = false;
  std::string out, err;
  long max_rss_kb = 0;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path scratch() { return memfit::testing_util::scratch_dir("hostile_input"); }

// Runs the memfit binary with `args` and extra environment `env` ("K=V"), offline unless `env` says otherwise, the
// developer's Hub settings cleared; killed after `limit_s` seconds.
Outcome run(const std::vector<std::string>& args, const std::vector<std::string>& env = {}, int limit_s = 30) {
  static int counter = 0;
  fs::path out = scratch() / fmt::format("out{}", counter), err = scratch() / fmt::format("err{}", counter);
  ++counter;
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const char* k : {"HF_TOKEN", "HF_TOKEN_PATH", "HF_HOME", "HF_ENDPOINT", "MEMFIT_TIMEOUT",
                          "MEMFIT_CONNECT_TIMEOUT", "MEMFIT_RETRIES", "XDG_CACHE_HOME"})
      ::unsetenv(k);
    ::setenv("HF_HUB_OFFLINE", "1", 1);
    ::setenv("HF_HUB_CACHE", "/nonexistent/memfit-test-cache", 1);
    for (const auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> argv{const_cast<char*>(MEMFIT_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(MEMFIT_BINARY, argv.data());
    ::_exit(127);
  }
  Outcome r;
  int status = 0;
  struct rusage ru{};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit_s);
  while (::wait4(pid, &status, WNOHANG, &ru) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::wait4(pid, &status, 0, &ru);
      r.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.max_rss_kb = ru.ru_maxrss;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// One line on stderr, with no control character but its newline.
void expect_one_clean_line(const Outcome& r) {
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  for (unsigned char c : r.err)
    if (c != '\n') EXPECT_FALSE(c < 0x20 || c == 0x7f) << "raw control byte " << int(c) << " in " << r.err;
}

fs::path folder_with_config(const std::string& name, const std::string& config) {
  fs::path d = scratch() / name;
  fs::create_directories(d);
  std::ofstream(d / "config.json") << config;
  return d;
}

// Defect 7: a FIFO blocked the run forever (open before fstat); it is refused at once.
TEST(HostileInput, FifoIsRefusedWithoutWaiting) {
  fs::path fifo = scratch() / "pipe.safetensors";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Outcome r = run({"inspect", fifo.string()}, {}, 20);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.code, 4);
  EXPECT_NE(r.err.find("not a regular file (a FIFO)"), std::string::npos) << r.err;
  fs::path d = scratch() / "fifo_config";
  fs::create_directories(d);
  ASSERT_EQ(::mkfifo((d / "config.json").c_str(), 0600), 0);
  Outcome e = run({"estimate-memory", d.string()}, {}, 20);
  EXPECT_FALSE(e.timed_out);
  EXPECT_EQ(e.code, 4);
  EXPECT_NE(e.err.find("not a regular file (a FIFO)"), std::string::npos) << e.err;
}

// Defect 7: a looping symlink in a checkpoint folder threw an uncaught filesystem_error (exit 1).
TEST(HostileInput, SymlinkLoops) {
  fs::path d = scratch() / "looping";
  fs::create_directories(d);
  fs::create_symlink("b.safetensors", d / "a.safetensors");
  fs::create_symlink("a.safetensors", d / "b.safetensors");
  Outcome r = run({"inspect", d.string()});
  EXPECT_EQ(r.code, 3) << r.err;  // the loop is not a file; nothing else is there
  EXPECT_NE(r.err.find("no .safetensors or .gguf files"), std::string::npos) << r.err;
  Outcome direct = run({"inspect", (d / "a.safetensors").string()});
  EXPECT_EQ(direct.code, 4) << direct.err;
  EXPECT_NE(direct.err.find("symlink loop"), std::string::npos) << direct.err;
}

// Defect 7: character devices and /proc files: the right code and words (was exit 3 "Operation not supported",
// and /proc files read as empty).
TEST(HostileInput, DevicesAndProcFiles) {
  Outcome zero = run({"estimate-memory", "/dev/zero"});
  EXPECT_EQ(zero.code, 4);
  EXPECT_NE(zero.err.find("not a regular file (a character device)"), std::string::npos) << zero.err;
  Outcome proc = run({"estimate-memory", "/proc/self/status"});
  EXPECT_EQ(proc.code, 4);
  EXPECT_NE(proc.err.find("malformed JSON"), std::string::npos) << proc.err;
  EXPECT_EQ(proc.err.find("end of input"), std::string::npos) << "read as empty: " << proc.err;
  fs::path d = folder_with_config("unreadable", R"({"model_type": "bert"})");
  fs::permissions(d / "config.json", fs::perms::none);
  Outcome locked = run({"estimate-memory", d.string()});
  if (::geteuid() == 0) {
    EXPECT_EQ(locked.code, 0) << "root reads any file: " << locked.err;
  } else {
    EXPECT_EQ(locked.code, 4) << locked.err;
    EXPECT_NE(locked.err.find("Permission denied"), std::string::npos) << locked.err;
  }
  fs::permissions(d / "config.json", fs::perms::owner_all);
}

// Defect 8: a model_type with escape sequences, BEL and newlines reached the terminal raw; a 10 MB one whole.
TEST(HostileInput, TextFromFilesIsEscapedAndCapped) {
  fs::path d = folder_with_config("escapes", "{\"model_type\": \"\\u001b[2J\\u0007evil\\nmemfit: forged line\\u009b\"}");
  Outcome r = run({"estimate-memory", d.string()});
  EXPECT_NE(r.code, 0);
  expect_one_clean_line(r);
  EXPECT_NE(r.err.find("\\x1b[2J\\x07evil\\nmemfit: forged line\\u009b"), std::string::npos) << r.err;
  fs::path big = folder_with_config("big_type", "{\"model_type\": \"" + std::string(10 << 20, 'x') + "\"}");
  Outcome b = run({"estimate-memory", big.string()});
  EXPECT_NE(b.code, 0);
  expect_one_clean_line(b);
  EXPECT_LT(b.err.size(), 2200u);
  EXPECT_NE(b.err.find("xxx...("), std::string::npos) << b.err.substr(0, 300);
}

// Defect 9: an invalid --revision with a plain id was "not a valid Hub id" (exit 3); it is a usage error.
TEST(HostileInput, InvalidRevisionIsAUsageError) {
  Outcome r = run({"estimate-memory", "bert-base-cased", "--revision", "a..b"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(r.err, "memfit: error: --revision: `a..b` is not a valid revision (a branch, tag, commit sha or "
                   "refs/pr/N)\n");
}

// Defect 12: a 128 KB model id took seconds in the closest-id search and was printed back whole.
TEST(HostileInput, HugeModelIdIsCutEarly) {
  Outcome r = run({"estimate-memory", std::string((128 << 10) - 1, 'a')});  // the longest argument Linux passes
  EXPECT_EQ(r.code, 2) << r.err.substr(0, 200);
  EXPECT_EQ(r.err, "memfit: error: the model argument is 131071 bytes long: a Hub id has at most 96 characters and "
                   "a path at most 4096\n");
  Outcome mid = run({"estimate-memory", std::string(3000, 'a') + "/b"});
  EXPECT_EQ(mid.code, 3);
  EXPECT_LT(mid.err.size(), 600u);
}

// Defect 11: a token with CR/LF was sent as is (header injection). Refused before any request, naming its source.
TEST(HostileInput, TokenWithLineBreakIsRefused) {
  Outcome r = run({"estimate-memory", "bert-base-cased"},
              {"HF_HUB_OFFLINE=0", "HF_ENDPOINT=http://127.0.0.1:9", "HF_TOKEN=hf_abc\r\nX-Injected: 1"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(r.err, "memfit: error: the Hub token from HF_TOKEN contains a line break (a pasted line break?); it was "
                   "not sent\n");
  EXPECT_EQ(r.err.find("hf_abc"), std::string::npos);
  Outcome flag = run({"inspect", "org/model", "--token", "hf_a\nb"}, {"HF_HUB_OFFLINE=0", "HF_ENDPOINT=http://127.0.0.1:9"});
  EXPECT_EQ(flag.code, 2) << flag.err;
  EXPECT_NE(flag.err.find("token from --token"), std::string::npos) << flag.err;
}

// Defect 6: a timeout under 1 ms became libcurl's 0 ("never"); 1e300 overflowed a long.
TEST(HostileInput, TimeoutsAreRangeChecked) {
  const std::vector<std::string> online{"HF_HUB_OFFLINE=0", "HF_ENDPOINT=http://127.0.0.1:9"};
  for (const char* t : {"0.0001", "1e300", "100000"}) {
    Outcome r = run({"estimate-memory", "bert-base-cased", "--timeout", t}, online);
    EXPECT_EQ(r.code, 2) << t << ": " << r.err;
    EXPECT_NE(r.err.find("expected seconds from 0.001 to 86400"), std::string::npos) << r.err;
    Outcome i = run({"inspect", "org/model", "--timeout", t}, online);
    EXPECT_EQ(i.code, 2) << t << ": " << i.err;
  }
  std::vector<std::string> env = online;
  env.push_back("MEMFIT_TIMEOUT=0.0001");
  Outcome e = run({"estimate-memory", "bert-base-cased"}, env);
  EXPECT_EQ(e.code, 2) << e.err;
  EXPECT_EQ(e.err, "memfit: error: MEMFIT_TIMEOUT=`0.0001`: expected seconds from 0.001 to 86400\n");
  env.back() = "MEMFIT_RETRIES=1000000";
  Outcome retries = run({"estimate-memory", "bert-base-cased"}, env);
  EXPECT_EQ(retries.code, 2) << retries.err;
}

// A header of `n` one-element F32 tensors, written as text (a DOM would cost the test what it checks memfit avoids).
fs::path big_header_file(const std::string& name, size_t n) {
  fs::path p = scratch() / name;
  std::string json = "{";
  json.reserve(n * 64);
  for (size_t k = 0; k < n; ++k)
    json += fmt::format("{}\"model.layers.{}.w\":{{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[{},{}]}}",
                        k ? "," : "", k, 4 * k, 4 * k + 4);
  json += "}";
  std::ofstream out(p, std::ios::binary);
  uint64_t len = json.size();
  for (int k = 0; k < 8; ++k) out.put(static_cast<char>((len >> (8 * k)) & 0xff));
  out << json;
  out.close();
  fs::resize_file(p, 8 + json.size() + 4 * n);
  return p;
}

// Defects 1 and 2: a 44 MB header took 1.13 GB (a JSON DOM) and seconds to minutes (quadratic duplicate check).
TEST(HostileInput, LargeSafetensorsHeaderInBoundedMemory) {
  fs::path p = big_header_file("big.safetensors", 640'000);
  ASSERT_GT(fs::file_size(p), 44u << 20);
  Outcome r = run({"inspect", p.string(), "--format", "json"}, {}, 100);
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"tensors\": 640000"), std::string::npos) << r.out.substr(0, 400);
  EXPECT_LT(r.max_rss_kb, 600 << 10) << "peak memory " << r.max_rss_kb / 1024 << " MiB";
  fs::remove(p);
}

// Start-up: a catalog or local run maps libc and libm only (libstdc++ is linked in, fmt compiled in; libcurl and its
// ~35 libraries are loaded at the first Hub request, the server's libraries by `memfit serve` alone). ld.so's own
// trace (LD_DEBUG=files) lists every object it maps, dlopen'ed ones included.
std::set<std::string> mapped_objects(const std::string& trace) {
  std::set<std::string> out;
  std::regex file(R"(file=([^ \[]+) \[)");
  for (std::sregex_iterator it(trace.begin(), trace.end(), file), end; it != end; ++it)
    out.insert(fs::path((*it)[1].str()).filename().string());
  return out;
}

TEST(HostileInput, LocalRunsDoNotLoadTheNetworkStack) {
  Outcome local = run({"estimate-memory", "bert-base-cased", "--offline"}, {"LD_DEBUG=files"});
  EXPECT_EQ(local.code, 0) << local.err.substr(0, 500);
  EXPECT_EQ(mapped_objects(local.err), (std::set<std::string>{"libc.so.6", "libm.so.6"})) << local.err.substr(0, 2000);
  Outcome hub = run({"estimate-memory", "org/model"}, {"LD_DEBUG=files", "HF_HUB_OFFLINE=0", "HF_ENDPOINT=http://127.0.0.1:9"});
  EXPECT_TRUE(mapped_objects(hub.err).contains("libcurl.so.4")) << "the Hub path loads libcurl";
}

}  // namespace
