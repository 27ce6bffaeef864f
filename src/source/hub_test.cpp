// The Hub client against a stand-in Hub on 127.0.0.1: model ids, info, downloads, the Hub's error answers,
// retries, timeouts, truncated and wrong responses, redirects and the token's confinement to the Hub's host.
#include "source/hub.h"

#include <gtest/gtest.h>

#include <chrono>

#include "source/fake_hub_test.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing::Fault;
using testing::FakeHub;
using testing::FakeRepo;
using testing::EnvGuard;

const std::string kSha = "0123456789abcdef0123456789abcdef01234567";
const std::string kPrSha = "89abcdef0123456789abcdef0123456789abcdef";
const std::string kConfig = R"({"model_type": "bert", "hidden_size": 8})";

FakeRepo repo(Fault f = Fault::None) {
  FakeRepo r;
  r.sha = kSha;
  r.library_name = "transformers";
  r.files["config.json"] = kConfig;
  r.revisions["refs/pr/1"] = kPrSha;
  r.fault = f;
  return r;
}

HubOptions fast(const FakeHub& hub, std::string token = "") {
  HubOptions o;
  o.endpoint = hub.endpoint();
  o.token = std::move(token);
  o.token_source = "HF_TOKEN";
  o.connect_timeout_s = 2;
  o.timeout_s = 3;
  o.max_retries = 2;
  o.max_backoff_s = 0.05;
  return o;
}

RepoRef ref(std::string id, std::string rev = "main") { return {std::move(id), std::move(rev)}; }

TEST(HubIds, ParsesIdsUrlsAndRevisions) {
  auto r = parse_repo_ref("meta-llama/Llama-2-7b-hf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "meta-llama/Llama-2-7b-hf");
  EXPECT_EQ(r->revision, "main");
  EXPECT_EQ(parse_repo_ref("gpt2")->id, "gpt2");
  EXPECT_EQ(parse_repo_ref("bert-base-cased", "v1.0")->revision, "v1.0");
  EXPECT_EQ(parse_repo_ref("https://huggingface.co/google/gemma-2b")->id, "google/gemma-2b");
  EXPECT_EQ(parse_repo_ref("https://huggingface.co/google/gemma-2b/")->id, "google/gemma-2b");
  auto t = parse_repo_ref("https://huggingface.co/google/gemma-2b/tree/v1.1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->id, "google/gemma-2b");
  EXPECT_EQ(t->revision, "v1.1");
  auto pr = parse_repo_ref("https://hf.co/org/name/tree/refs%2Fpr%2F3");
  ASSERT_TRUE(pr);
  EXPECT_EQ(pr->revision, "refs/pr/3");
  auto legacy = parse_repo_ref("https://huggingface.co/gpt2/tree/main");
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->id, "gpt2");
  auto mirror = parse_repo_ref("http://127.0.0.1:9/org/name", "", "http://127.0.0.1:9");
  ASSERT_TRUE(mirror);
  EXPECT_EQ(mirror->id, "org/name");
  EXPECT_EQ(parse_repo_ref("org/name", "refs/pr/1")->revision, "refs/pr/1");

  EXPECT_FALSE(parse_repo_ref("https://example.com/org/name"));
  EXPECT_FALSE(parse_repo_ref("https://huggingface.co/datasets/org/name"));
  EXPECT_FALSE(parse_repo_ref("https://huggingface.co/org/name/tree/v1", "v2"));
  for (const char* bad : {"a/b/c", "a--b/c", "../x", "org/.name", "org/name.git", "", "org/na me", "/org"})
    EXPECT_FALSE(is_valid_repo_id(bad)) << bad;
  EXPECT_FALSE(parse_repo_ref("org/name", "../../etc"));
  EXPECT_EQ(url_quote("refs/pr/1"), "refs%2Fpr%2F1");
  EXPECT_EQ(url_quote("sub dir/config.json", "/"), "sub%20dir/config.json");
}

TEST(HubClient, ModelInfoAndDownload) {
  FakeHub hub;
  hub.add("acme/tiny", repo());
  HubClient c(fast(hub));
  auto info = c.model_info(ref("acme/tiny"));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->sha, kSha);
  EXPECT_EQ(info->library_name, "transformers");
  EXPECT_FALSE(info->gated);
  auto f = c.download(ref("acme/tiny"), "config.json");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->content, kConfig);
  EXPECT_EQ(f->commit, kSha);
  EXPECT_EQ(f->etag, testing::fake_etag(kConfig));
  EXPECT_EQ(c.requests(), 2);
  // refs/pr/N travels URL-encoded in both the API and the resolve paths.
  auto pr = c.download(ref("acme/tiny", "refs/pr/1"), "config.json");
  ASSERT_TRUE(pr) << pr.error().message;
  EXPECT_EQ(pr->commit, kPrSha);
  EXPECT_EQ(hub.paths().back(), "/acme/tiny/resolve/refs%2Fpr%2F1/config.json");
  auto prinfo = c.model_info(ref("acme/tiny", "refs/pr/1"));
  ASSERT_TRUE(prinfo);
  EXPECT_EQ(prinfo->sha, kPrSha);
  EXPECT_EQ(hub.paths().back(), "/api/models/acme/tiny/revision/refs%2Fpr%2F1");
}

TEST(HubClient, RangeRequest) {
  FakeHub hub;
  hub.add("acme/tiny", repo());
  HubClient c(fast(hub));
  auto r = c.download_range(ref("acme/tiny"), "config.json", 2, 10);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, kConfig.substr(2, 10));
}

TEST(HubClient, GatedNeedsTheRightToken) {
  FakeHub hub;
  FakeRepo g = repo();
  g.gated_token = "hf_good";
  hub.add("acme/gated", g);
  {
    HubClient c(fast(hub));
    auto info = c.model_info(ref("acme/gated"));
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().kind, ErrorKind::Auth);
    EXPECT_TRUE(info.error().message.starts_with(
        "Repo for model `acme/gated` is gated. You must be authenticated to access it."))
        << info.error().message;
    EXPECT_NE(info.error().message.find("--token"), std::string::npos);
  }
  {
    HubClient c(fast(hub, "hf_wrong"));
    auto f = c.download(ref("acme/gated"), "config.json");
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().kind, ErrorKind::Auth);
    EXPECT_NE(f.error().message.find("The token from HF_TOKEN does not grant access"), std::string::npos);
    EXPECT_EQ(f.error().message.find("hf_wrong"), std::string::npos);  // the token is never printed
  }
  HubClient c(fast(hub, "hf_good"));
  ASSERT_TRUE(c.model_info(ref("acme/gated")));
  auto f = c.download(ref("acme/gated"), "config.json");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->content, kConfig);
  EXPECT_EQ(hub.auth_seen().back(), "Bearer hf_good");
}

TEST(HubClient, NotFoundAnswers) {
  FakeHub hub;
  hub.add("acme/tiny", repo());
  HubClient c(fast(hub));
  auto missing = c.model_info(ref("acme/nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
  EXPECT_EQ(missing.error().message,
            "Repo for model `acme/nope` does not exist on the Hub. If you are trying to access a private repo, make "
            "sure you are authenticated and have access.");
  auto file = c.download(ref("acme/tiny"), "weights.json");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().kind, ErrorKind::NotFound);
  EXPECT_NE(file.error().message.find("has no `weights.json`"), std::string::npos);
  EXPECT_NE(file.error().message.find("memfit inspect acme/tiny"), std::string::npos);
  auto rev = c.model_info(ref("acme/tiny", "v9"));
  ASSERT_FALSE(rev);
  EXPECT_EQ(rev.error().message, "Revision `v9` does not exist for model `acme/tiny` on the Hub.");
}

TEST(HubClient, RetriesAfterRateLimitHonouringRetryAfter) {
  FakeHub hub;
  hub.add("acme/busy", repo(Fault::RateLimitOnce));
  HubOptions o = fast(hub);
  o.max_backoff_s = 5;  // Retry-After (1 s) is below the cap, so it is what we wait
  HubClient c(o);
  auto t0 = std::chrono::steady_clock::now();
  auto info = c.model_info(ref("acme/busy"));
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(c.requests(), 2);
  EXPECT_GE(waited, 0.9);  // it did wait the Retry-After second (a lower bound: never flaky; speed is bench/'s job)
}

TEST(HubClient, RetriesAServerError) {
  FakeHub hub;
  hub.add("acme/flaky", repo(Fault::ServerErrorOnce));
  HubClient c(fast(hub));
  auto f = c.download(ref("acme/flaky"), "config.json");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->content, kConfig);
  EXPECT_EQ(c.requests(), 2);
}

TEST(HubClient, GivesUpAfterBoundedRetries) {
  FakeHub hub;
  hub.add("acme/down", repo(Fault::ServerErrorAlways));
  HubClient c(fast(hub));
  auto f = c.download(ref("acme/down"), "config.json");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind, ErrorKind::Network);
  EXPECT_EQ(f.error().message, "the Hub answered HTTP 503 (after 3 attempts)");
  EXPECT_EQ(c.requests(), 3);
}

// Issue 12, defect 11: a token with CR/LF would inject headers. The client refuses to send it at all.
TEST(HubClient, RefusesATokenWithControlCharacters) {
  FakeHub hub;
  hub.add("acme/tiny", repo());
  HubOptions o = fast(hub);
  o.token = "hf_abc\r\nX-Injected: 1";
  o.token_source = "HF_TOKEN";
  HubClient c(o);
  auto f = c.download(ref("acme/tiny"), "config.json");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind, ErrorKind::Usage);
  EXPECT_EQ(f.error().message, "the Hub token from HF_TOKEN contains a line break (a pasted line break?); it was not sent");
  EXPECT_EQ(hub.requests(), 0);
}

// Issue 12, defect 6: timeouts are range-checked (libcurl reads 0 ms as "never").
TEST(HubClient, TimeoutSettingsAreRangeChecked) {
  EnvGuard env;
  HubOptions o;
  EXPECT_TRUE(apply_hub_settings(o, 0, 0));
  EXPECT_EQ(o.timeout_s, 10);
  EXPECT_EQ(o.connect_timeout_s, 5);
  EXPECT_TRUE(apply_hub_settings(o, 0.001, 86400));
  for (double bad : {0.0001, -1.0, 1e300, 86401.0}) {
    auto r = apply_hub_settings(o, bad, 0);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::Usage);
  }
  env.set("MEMFIT_CONNECT_TIMEOUT", "nan");
  auto r = apply_hub_settings(o, 0, 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "MEMFIT_CONNECT_TIMEOUT=`nan`: expected seconds from 0.001 to 86400");
}

TEST(HubClient, TimesOut) {
  FakeHub hub;
  FakeRepo r = repo(Fault::Slow);
  r.slow_ms = 800;
  hub.add("acme/slow", r);
  HubOptions o = fast(hub);
  o.timeout_s = 0.2;
  HubClient c(o);
  auto f = c.download(ref("acme/slow"), "config.json");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind, ErrorKind::Network);
  EXPECT_NE(f.error().message.find("timed out"), std::string::npos) << f.error().message;
}

TEST(HubClient, TruncatedBodyIsAnError) {
  FakeHub hub;
  hub.add("acme/cut", repo(Fault::CutShort));
  HubClient c(fast(hub));
  auto f = c.download(ref("acme/cut"), "config.json");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind, ErrorKind::Network);
  EXPECT_NE(f.error().message.find("cut short"), std::string::npos) << f.error().message;
  EXPECT_EQ(c.requests(), 3);  // dropped connections are retried, a bounded number of times
}

TEST(HubClient, HtmlInsteadOfTheFileIsDetected) {
  FakeHub hub;
  hub.add("acme/portal", repo(Fault::Html));
  HubClient c(fast(hub));
  auto f = c.download(ref("acme/portal"), "config.json");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind, ErrorKind::Network);
  EXPECT_NE(f.error().message.find("HTML"), std::string::npos) << f.error().message;
}

TEST(HubClient, OversizedResponseIsRefused) {
  FakeHub hub;
  hub.add("acme/tiny", repo());
  HubClient c(fast(hub));
  auto f = c.download(ref("acme/tiny"), "config.json", 8);
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message.find("larger than the 8 bytes allowed"), std::string::npos) << f.error().message;
}

TEST(HubClient, RedirectOnTheSameHostKeepsTheHubsHeaders) {
  FakeHub hub;
  hub.add("acme/lfs", repo(Fault::Redirect));
  HubClient c(fast(hub, "hf_secret"));
  auto f = c.download(ref("acme/lfs"), "config.json");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->content, kConfig);
  EXPECT_EQ(f->commit, kSha);
  EXPECT_EQ(f->etag, testing::fake_etag(kConfig));
  EXPECT_EQ(hub.paths().back(), "/_cdn/acme/lfs/config.json");
  EXPECT_EQ(hub.auth_seen().back(), "Bearer hf_secret");  // same origin: the token may go along
}

TEST(HubClient, RedirectToAnotherHostDropsTheToken) {
  FakeHub cdn;
  cdn.add("acme/lfs", repo());
  FakeHub hub;
  FakeRepo r = repo(Fault::Redirect);
  r.redirect_base = cdn.endpoint();
  hub.add("acme/lfs", r);
  HubClient c(fast(hub, "hf_secret"));
  auto f = c.download(ref("acme/lfs"), "config.json");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->content, kConfig);
  EXPECT_EQ(f->commit, kSha);
  EXPECT_EQ(f->etag, testing::fake_etag(kConfig));
  ASSERT_EQ(cdn.requests(), 1);
  EXPECT_EQ(cdn.auth_seen()[0], "");             // never sent to the other host
  EXPECT_EQ(hub.auth_seen()[0], "Bearer hf_secret");
}

TEST(HubClient, UnreachableHubSaysWhatFailed) {
  int port;
  {
    FakeHub gone;
    port = gone.port();
  }
  HubOptions o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(port);
  o.max_backoff_s = 0.01;
  HubClient c(o);
  auto info = c.model_info(ref("acme/tiny"));
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind, ErrorKind::Network);
  EXPECT_NE(info.error().message.find("could not connect"), std::string::npos) << info.error().message;
  EXPECT_EQ(c.requests(), 1);  // a refused connection is not retried
}

}  // namespace
}  // namespace memfit
