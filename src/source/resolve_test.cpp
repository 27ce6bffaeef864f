// The resolution order with the Hub and the HF cache: hub (download cached), cache reuse, offline with zero
// requests, fallback when the Hub is unreachable, the gated case with each token source, remote code.
#include "source/resolve.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "memfit.h"
#include "source/catalog.h"
#include "source/fake_hub_test.h"
#include "source/hf_cache.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

namespace fs = std::filesystem;
using testing::EnvGuard;
using testing::FakeHub;
using testing::FakeRepo;
using testing::Fault;
using testing::TempDir;

const std::string kSha = "1111111111111111111111111111111111111111";

std::string bert_config() { return std::string(find_in_catalog("bert-base-cased")->config); }

FakeRepo bert_repo() {
  FakeRepo r;
  r.sha = kSha;
  r.library_name = "transformers";
  r.files["config.json"] = bert_config();
  return r;
}

struct Fixture {
  EnvGuard env;
  TempDir home;
  FakeHub hub;
  std::vector<std::string> notes;
  Fixture() { env.set("HF_HOME", home.str().c_str()); }
  ResolveOptions opts() {
    ResolveOptions o;
    o.use_hub = true;
    o.endpoint = hub.endpoint();
    o.timeout_s = 3;
    o.max_retries = 1;
    o.note = [this](const std::string& s) { notes.push_back(s); };
    return o;
  }
  fs::path repo_dir(const std::string& id) { return home.path() / "hub" / repo_folder_name(id); }
};

TEST(Resolve, LibraryDefaultStaysNetworkFree) {
  Fixture f;
  f.env.set("HF_ENDPOINT", f.hub.endpoint().c_str());
  auto s = resolve_model("bert-base-cased");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->origin, "catalog");
  EXPECT_EQ(f.hub.requests(), 0);
}

TEST(Resolve, HubDownloadIsCachedThenReused) {
  Fixture f;
  f.hub.add("acme/bert", bert_repo());
  auto s = resolve_model("acme/bert", f.opts());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->origin, "hub");
  EXPECT_EQ(s->config_text, bert_config());
  EXPECT_EQ(s->library_hint, "transformers");
  EXPECT_EQ(s->commit, kSha);
  EXPECT_EQ(f.hub.requests(), 2);  // model info + config.json
  fs::path snap = f.repo_dir("acme/bert") / "snapshots" / kSha / "config.json";
  ASSERT_TRUE(fs::is_symlink(snap));
  EXPECT_EQ(fs::read_symlink(snap), fs::path("../../blobs") / testing::fake_etag(bert_config()));
  EXPECT_EQ(testing::slurp(f.repo_dir("acme/bert") / "refs" / "main"), kSha);
  EXPECT_EQ(testing::slurp(snap), bert_config());

  auto again = resolve_model("acme/bert", f.opts());  // the Hub confirms the commit: no download
  ASSERT_TRUE(again);
  EXPECT_EQ(again->origin, "hub");
  EXPECT_EQ(again->config_text, bert_config());
  EXPECT_EQ(f.hub.requests(), 3);

  ResolveOptions off = f.opts();
  off.offline = true;
  auto offline = resolve_model("acme/bert", off);
  ASSERT_TRUE(offline);
  EXPECT_EQ(offline->origin, "cache");
  EXPECT_EQ(offline->config_text, bert_config());
  f.env.set("HF_HUB_OFFLINE", "1");
  auto env_offline = resolve_model("https://huggingface.co/acme/bert", f.opts());
  ASSERT_TRUE(env_offline);
  EXPECT_EQ(env_offline->origin, "cache");
  EXPECT_EQ(f.hub.requests(), 3);  // offline: not a single request
  EXPECT_TRUE(f.notes.empty());
}

TEST(Resolve, OfflineUsesCacheThenCatalogWithoutRequests) {
  Fixture f;
  f.env.set("HF_HUB_CACHE", (std::string(MEMFIT_TEST_DATA) + "/hf_cache").c_str());
  f.env.set("HF_HUB_OFFLINE", "yes");
  auto cached = resolve_model("timm/resnet50.a1_in1k", f.opts());
  ASSERT_TRUE(cached) << cached.error().message;
  EXPECT_EQ(cached->origin, "cache");
  EXPECT_EQ(cached->commit, "0a01732479df6ed9f721211af89b2d248f48f59e");
  auto catalog = resolve_model("gpt2", f.opts());
  ASSERT_TRUE(catalog);
  EXPECT_EQ(catalog->origin, "catalog");
  auto none = resolve_model("acme/unknown", f.opts());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::NotFound);
  EXPECT_NE(none.error().message.find("offline"), std::string::npos);
  EXPECT_EQ(f.hub.requests(), 0);
}

TEST(Resolve, UnreachableHubFallsBackToCacheThenCatalog) {
  Fixture f;
  f.hub.add("acme/bert", bert_repo());
  ASSERT_TRUE(resolve_model("acme/bert", f.opts()));  // fills the cache
  std::string endpoint = f.hub.endpoint();
  f.hub.stop();
  auto s = resolve_model("acme/bert", f.opts());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->origin, "cache");
  EXPECT_EQ(s->config_text, bert_config());
  ASSERT_EQ(f.notes.size(), 1u);
  EXPECT_NE(f.notes[0].find("could not be reached"), std::string::npos);
  EXPECT_NE(f.notes[0].find("using the HF cache"), std::string::npos);
  auto c = resolve_model("bert-base-uncased", f.opts());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->origin, "catalog");
  EXPECT_NE(f.notes.back().find("using the bundled catalog"), std::string::npos);
  auto none = resolve_model("acme/other", f.opts());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::Network);
  EXPECT_NE(none.error().message.find("could not connect"), std::string::npos) << none.error().message;
  EXPECT_NE(none.error().message.find("--offline"), std::string::npos);
}

TEST(Resolve, ServerErrorsCountAsUnreachable) {
  Fixture f;
  FakeRepo r = bert_repo();
  r.fault = Fault::ServerErrorAlways;
  f.hub.add("bert-base-cased", r);
  ResolveOptions o = f.opts();
  auto s = resolve_model("bert-base-cased", o);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->origin, "catalog");
  EXPECT_NE(f.notes.at(0).find("HTTP 503"), std::string::npos) << f.notes.at(0);
}

TEST(Resolve, DefiniteAnswersAreNotFallenBackFrom) {
  Fixture f;
  FakeRepo r = bert_repo();
  r.files.erase("config.json");
  f.hub.add("bert-base-cased", r);  // the catalog has it, but the Hub says the file is gone: report that
  auto s = resolve_model("bert-base-cased", f.opts());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::NotFound);
  EXPECT_NE(s.error().message.find("has no `config.json`"), std::string::npos);
  auto missing = resolve_model("acme/missing", f.opts());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
}

TEST(Resolve, GatedWorksWithEachTokenSource) {
  Fixture f;
  FakeRepo r = bert_repo();
  r.gated_token = "hf_granted";
  f.hub.add("acme/gated", r);
  auto denied = resolve_model("acme/gated", f.opts());
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().kind, ErrorKind::Auth);
  EXPECT_TRUE(denied.error().message.starts_with("Repo for model `acme/gated` is gated."));

  ResolveOptions flag = f.opts();
  flag.token = "hf_granted";
  auto by_flag = resolve_model("acme/gated", flag);
  ASSERT_TRUE(by_flag) << by_flag.error().message;
  EXPECT_EQ(by_flag->origin, "hub");

  TempDir other_cache;  // a fresh cache each time, so every case really asks the Hub
  ResolveOptions o = f.opts();
  o.cache_dir = other_cache.str();
  {
    EnvGuard env;
    env.set("HF_TOKEN", "hf_granted");
    auto by_env = resolve_model("acme/gated", o);
    ASSERT_TRUE(by_env) << by_env.error().message;
    EXPECT_EQ(by_env->origin, "hub");
    env.set("HF_TOKEN", "hf_wrong");
    fs::remove_all(other_cache.path() / repo_folder_name("acme/gated"));
    auto wrong = resolve_model("acme/gated", o);
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message.find("The token from HF_TOKEN does not grant access"), std::string::npos);
  }
  {
    EnvGuard env;
    TempDir tok;
    std::ofstream(tok.path() / "token") << "hf_granted\n";
    env.set("HF_TOKEN_PATH", (tok.path() / "token").c_str());
    fs::remove_all(other_cache.path() / repo_folder_name("acme/gated"));
    auto by_file = resolve_model("acme/gated", o);
    ASSERT_TRUE(by_file) << by_file.error().message;
  }
  {
    EnvGuard env;
    TempDir hf_home;
    std::ofstream(hf_home.path() / "token") << "hf_granted";
    env.set("HF_HOME", hf_home.str().c_str());
    fs::remove_all(other_cache.path() / repo_folder_name("acme/gated"));
    auto by_home = resolve_model("acme/gated", o);
    ASSERT_TRUE(by_home) << by_home.error().message;
  }
  // The token is sent, but never written to the cache.
  for (const auto& e : fs::recursive_directory_iterator(f.home.path()))
    if (e.is_regular_file()) EXPECT_EQ(testing::slurp(e.path()).find("hf_granted"), std::string::npos) << e.path();
}

TEST(Resolve, RevisionsAndPinnedCommits) {
  Fixture f;
  FakeRepo r = bert_repo();
  const std::string pr = "2222222222222222222222222222222222222222";
  r.revisions["refs/pr/7"] = pr;
  r.revisions["v1.0"] = pr;
  f.hub.add("acme/bert", r);
  ResolveOptions o = f.opts();
  o.revision = "refs/pr/7";
  auto s = resolve_model("acme/bert", o);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->commit, pr);
  EXPECT_EQ(testing::slurp(f.repo_dir("acme/bert") / "refs" / "refs" / "pr" / "7"), pr);
  auto tag = resolve_model("https://huggingface.co/acme/bert/tree/v1.0", f.opts());
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->commit, pr);
  o.revision = "v9";
  auto bad = resolve_model("acme/bert", o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "Revision `v9` does not exist for model `acme/bert` on the Hub.");
  // A pinned revision never falls back to the catalog (it is `main` there).
  f.hub.stop();
  ResolveOptions pinned = f.opts();
  pinned.revision = "v2";
  EXPECT_FALSE(resolve_model("bert-base-cased", pinned));
}

TEST(Resolve, RemoteCodeIsNeverRunButExplained) {
  ModelSource src{"acme/custom", "hub", R"({"model_type": "acme_net", "auto_map": {"AutoModel": "modeling.AcmeNet"}})",
                  "config.json", "", "acme/custom", "main", ""};
  auto b = build_model(src, {});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().kind, ErrorKind::Unsupported);
  EXPECT_NE(b.error().message.find("defines its own architecture in code"), std::string::npos);
  EXPECT_NE(b.error().message.find("memfit inspect acme/custom"), std::string::npos);
  // A known model_type with auto_map is estimated natively.
  src.config_text = bert_config();
  src.config_text.insert(1, R"("auto_map": {"AutoModel": "modeling.Custom"},)");
  EXPECT_TRUE(build_model(src, {}));
  ModelSource nolib{"acme/x", "hub", R"({"hidden_size": 4})", "config.json", "", "acme/x", "main", ""};
  auto n = build_model(nolib, {});
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().message,
            "Model `acme/x` does not have any library metadata on the Hub, please manually pass in a `--library_name` "
            "to use (such as `transformers`)");
}

}  // namespace
}  // namespace memfit
