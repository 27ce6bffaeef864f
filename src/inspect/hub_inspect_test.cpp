// memfit inspect on a Hub repository, against the stand-in Hub (source/fake_hub_test.h): only headers travel
// (the bytes received stay a tiny fraction of the checkpoint), totals match the index, GGUF by --file.
#ifdef MEMFIT_HAS_HUB
#include "inspect/hub_inspect.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "format/gguf.h"
#include "format/safetensors.h"
#include "source/fake_hub_test.h"
#include "source/hf_cache.h"

namespace memfit::inspect {
namespace {

namespace fs = std::filesystem;

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(HubInspect, ReadsOnlyHeadersWithRanges) {
  auto dir = fs::temp_directory_path() / ("memfit_hubinspect_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  testing::FakeHub hub;
  testing::FakeRepo repo;
  repo.sha = "0123456789abcdef0123456789abcdef01234567";
  repo.files["config.json"] = R"({"model_type": "llama", "num_local_experts": 4})";
  uint64_t total = 0, file_total = 0;
  nlohmann::json wm = nlohmann::json::object();
  for (int k = 1; k <= 3; ++k) {
    std::string name = "model-0000" + std::to_string(k) + "-of-00003.safetensors";
    std::vector<safetensors::WriteTensor> ts;
    for (int e = 0; e < 4; ++e) {
      std::string t = "model.layers." + std::to_string(k) + ".mlp.experts." + std::to_string(e) + ".w1.weight";
      ts.push_back({t, "BF16", {512, 512}});
      wm[t] = name;
      total += 512 * 512 * 2;
    }
    ASSERT_TRUE(safetensors::write_file((dir / name).string(), ts));
    repo.files[name] = file_bytes(dir / name);
    file_total += repo.files[name].size();
  }
  repo.files["model.safetensors.index.json"] = nlohmann::json{{"metadata", {{"total_size", total}}},
                                                              {"weight_map", wm}}.dump();
  auto p = (dir / "m.gguf").string();
  ASSERT_TRUE(gguf::write_file(p, {{"general.architecture", gguf::Value::of_string("llama")},
                                   {"general.file_type", gguf::Value::of_u32(7)}},
                               {{"token_embd.weight", {1024, 1024}, 8}}));
  repo.files["m-Q8_0.gguf"] = file_bytes(p);
  hub.add("org/model", repo);

  // The index and config are cached like other Hub downloads, in a cache of the test's own.
  std::string cache = (dir / "hub-cache").string();
  struct CacheEnv {
    const char* saved = std::getenv("HF_HUB_CACHE");
    std::string value = saved ? saved : "";
    explicit CacheEnv(const std::string& c) { ::setenv("HF_HUB_CACHE", c.c_str(), 1); }
    ~CacheEnv() { saved ? ::setenv("HF_HUB_CACHE", value.c_str(), 1) : ::unsetenv("HF_HUB_CACHE"); }
  } cache_env(cache);
  HubInspectOptions o;
  o.endpoint = hub.endpoint();
  o.timeout_s = 5;
  auto r = inspect_hub("org/model", o);
  ASSERT_TRUE(r) << r.error().message;
  auto cached = cache_find(cache, "org/model", "main", "model.safetensors.index.json");
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(cached->commit, repo.sha);
  EXPECT_EQ(r->files.size(), 3u);
  EXPECT_EQ(r->tensors, 12u);
  EXPECT_EQ(r->total_bytes, total);
  EXPECT_EQ(r->index_total_size, total);
  EXPECT_TRUE(r->notes.empty());
  ASSERT_TRUE(r->moe);
  EXPECT_EQ(r->moe->experts, 4u);
  EXPECT_TRUE(r->moe->consistent);
  ASSERT_TRUE(r->fetched_bytes);
  EXPECT_LT(*r->fetched_bytes * 100, file_total) << *r->fetched_bytes << " of " << file_total;

  o.file = "m-Q8_0.gguf";
  auto g = inspect_hub("org/model", o);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->format, "gguf");
  EXPECT_EQ(g->total_bytes, 1024ull * 1024 / 32 * 34);
  EXPECT_EQ(g->gguf->file_type, "Q8_0");
  EXPECT_LT(*g->fetched_bytes * 5, repo.files["m-Q8_0.gguf"].size());

  auto missing = inspect_hub("org/absent", HubInspectOptions{.endpoint = hub.endpoint()});
  ASSERT_FALSE(missing);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace memfit::inspect
#endif
