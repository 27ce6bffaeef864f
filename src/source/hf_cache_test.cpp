// The HF cache layout: reading the tree huggingface_hub wrote (tests/data/hf_cache), writing the same layout,
// and concurrent writers.
#include "source/hf_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "source/catalog.h"
#include "source/fake_hub_test.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

namespace fs = std::filesystem;
using testing::EnvGuard;
using testing::TempDir;

const std::string kFixture = std::string(MEMFIT_TEST_DATA) + "/hf_cache";
const std::string kBertCommit = "2173ff02130becba860c31436620e1fbcca39ec5";
const std::string kResnetCommit = "0a01732479df6ed9f721211af89b2d248f48f59e";

TEST(HfCache, DirectoryFollowsHuggingfaceHubsEnvironment) {
  EnvGuard env;
  env.set("HOME", "/home/u");
  EXPECT_EQ(hub_cache_dir(), "/home/u/.cache/huggingface/hub");
  env.set("XDG_CACHE_HOME", "/xdg");
  EXPECT_EQ(hub_cache_dir(), "/xdg/huggingface/hub");
  env.set("HF_HOME", "/hf");
  EXPECT_EQ(hub_cache_dir(), "/hf/hub");
  env.set("HF_HUB_CACHE", "/cache");
  EXPECT_EQ(hub_cache_dir(), "/cache");
  EXPECT_EQ(repo_folder_name("timm/resnet50.a1_in1k"), "models--timm--resnet50.a1_in1k");
  EXPECT_EQ(repo_folder_name("gpt2"), "models--gpt2");
}

TEST(HfCache, ReadsTheTreeHuggingfaceHubWrote) {
  auto bert = cache_find(kFixture, "bert-base-cased", "main", "config.json");
  ASSERT_TRUE(bert);
  EXPECT_EQ(bert->commit, kBertCommit);
  EXPECT_TRUE(fs::is_symlink(bert->path));
  EXPECT_EQ(testing::slurp(bert->path), find_in_catalog("bert-base-cased")->config);
  auto resnet = cache_find(kFixture, "timm/resnet50.a1_in1k", kResnetCommit, "config.json");  // by commit
  ASSERT_TRUE(resnet);
  EXPECT_EQ(testing::slurp(resnet->path), find_in_catalog("timm/resnet50.a1_in1k")->config);
  EXPECT_FALSE(cache_find(kFixture, "bert-base-cased", "v2", "config.json"));
  EXPECT_FALSE(cache_find(kFixture, "bert-base-cased", "main", "model.safetensors"));
  EXPECT_FALSE(cache_find(kFixture, "gpt2", "main", "config.json"));
  EXPECT_FALSE(cache_find(kFixture, "bert-base-cased", "../../x", "config.json"));
}

TEST(HfCache, WritesTheSameLayout) {
  TempDir dir;
  const std::string commit = "0123456789abcdef0123456789abcdef01234567";
  auto p = cache_store(dir.str(), "acme/tiny", "refs/pr/2", commit, "abc123", "config.json", "{\"a\": 1}");
  ASSERT_TRUE(p) << p.error().message;
  fs::path repo = dir.path() / "models--acme--tiny";
  fs::path snap = repo / "snapshots" / commit / "config.json";
  EXPECT_EQ(*p, snap.string());
  ASSERT_TRUE(fs::is_symlink(snap));
  EXPECT_EQ(fs::read_symlink(snap).string(), "../../blobs/abc123");  // relative, like huggingface_hub
  EXPECT_EQ(testing::slurp(repo / "blobs" / "abc123"), "{\"a\": 1}");
  EXPECT_EQ(testing::slurp(repo / "refs" / "refs" / "pr" / "2"), commit);
  EXPECT_TRUE(fs::exists(dir.path() / "CACHEDIR.TAG"));
  auto hit = cache_find(dir.str(), "acme/tiny", "refs/pr/2", "config.json");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->commit, commit);
  // A revision that is the commit itself writes no ref; nested files get a deeper relative link.
  ASSERT_TRUE(cache_store(dir.str(), "acme/tiny", commit, commit, "def456", "sub/x.json", "{}"));
  EXPECT_EQ(fs::read_symlink(repo / "snapshots" / commit / "sub" / "x.json").string(), "../../../blobs/def456");
  EXPECT_FALSE(fs::exists(repo / "refs" / commit));
  // Unsafe inputs are refused, never written outside the cache.
  EXPECT_FALSE(cache_store(dir.str(), "acme/tiny", "main", commit, "../evil", "config.json", "{}"));
  EXPECT_FALSE(cache_store(dir.str(), "acme/tiny", "main", commit, "abc", "../../config.json", "{}"));
  EXPECT_FALSE(cache_store(dir.str(), "acme/tiny", "main", "not-a-sha", "abc", "config.json", "{}"));
}

TEST(HfCache, ConcurrentWritersLeaveAConsistentCache) {
  TempDir dir;
  const std::string commit = "fedcba9876543210fedcba9876543210fedcba98";
  const std::string content(50000, 'x');
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      for (int k = 0; k < 20; ++k)
        EXPECT_TRUE(cache_store(dir.str(), "acme/big", "main", commit, "e1", "config.json", content));
    });
  for (auto& t : threads) t.join();
  auto hit = cache_find(dir.str(), "acme/big", "main", "config.json");
  ASSERT_TRUE(hit);
  EXPECT_EQ(testing::slurp(hit->path), content);
  for (const auto& e : fs::recursive_directory_iterator(dir.path()))
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();  // no temp file left behind
}

}  // namespace
}  // namespace memfit
