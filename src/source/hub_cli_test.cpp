// End to end: the built `memfit` binary against the stand-in Hub (HF_ENDPOINT) with a temporary HF_HOME. A Hub
// model gives the same bytes as its local config, a second run without the Hub uses the cache, HF_HUB_OFFLINE=1
// makes no request, and each Hub error is one line with its exit code.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "source/catalog.h"
#include "source/fake_hub_test.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

namespace fs = std::filesystem;
using testing::FakeHub;
using testing::FakeRepo;
using testing::TempDir;

struct CliRun {
  int rc = -1;
  std::string out, err;
};

// Runs memfit with a clean Hub environment plus `env` ("NAME=value ..."), capturing stdout and stderr.
CliRun memfit(const TempDir& tmp, const std::string& env, const std::string& args) {
  fs::path out = tmp.path() / "stdout", err = tmp.path() / "stderr";
  std::string cmd = "env -u HF_TOKEN -u HF_TOKEN_PATH -u HF_HUB_CACHE -u HUGGINGFACE_HUB_CACHE -u HF_HUB_OFFLINE "
                    "-u HF_ENDPOINT -u MEMFIT_TIMEOUT -u MEMFIT_CONNECT_TIMEOUT MEMFIT_RETRIES=1 " +
                    env + " " + MEMFIT_BINARY + " " + args + " >" + out.string() + " 2>" + err.string();
  int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::slurp(out), testing::slurp(err)};
}

FakeRepo repo_of(const std::string& catalog_id, const std::string& library, const std::string& sha) {
  FakeRepo r;
  r.sha = sha;
  r.library_name = library;
  r.files["config.json"] = std::string(find_in_catalog(catalog_id)->config);
  return r;
}

TEST(HubCli, SameBytesAsTheLocalConfigThenCacheThenOffline) {
  TempDir tmp, hf_home;
  FakeHub hub;
  hub.add("acme/bert-copy", repo_of("bert-base-cased", "transformers", std::string(40, 'a')));
  hub.add("acme/resnet-copy", repo_of("timm/resnet50.a1_in1k", "timm", std::string(40, 'b')));
  const std::string env = "HF_ENDPOINT=" + hub.endpoint() + " HF_HOME=" + hf_home.str();
  for (auto [id, catalog_id] : {std::pair{"acme/bert-copy", "bert-base-cased"},
                                std::pair{"acme/resnet-copy", "timm/resnet50.a1_in1k"}}) {
    fs::path local = tmp.path() / "local" / id;
    fs::create_directories(local);
    std::ofstream(local / "config.json") << find_in_catalog(catalog_id)->config;
    CliRun expected = memfit(tmp, env, "estimate-memory " + local.string() + " --format csv");
    ASSERT_EQ(expected.rc, 0) << expected.err;
    CliRun hubrun = memfit(tmp, env, std::string("estimate-memory ") + id + " --format csv");
    ASSERT_EQ(hubrun.rc, 0) << hubrun.err;
    EXPECT_EQ(hubrun.out, expected.out);
    EXPECT_NE(hubrun.err.find("Loading pretrained config for `" + std::string(id) + "`"), std::string::npos);
    EXPECT_EQ(hubrun.err.find("could not be reached"), std::string::npos);
    CliRun json = memfit(tmp, env, std::string("estimate-memory ") + id + " --format json");
    EXPECT_NE(json.out.find("\"source\": \"hub\""), std::string::npos) << json.out;
  }
  EXPECT_TRUE(fs::is_symlink(hf_home.path() / "hub" / "models--acme--bert-copy" / "snapshots" / std::string(40, 'a') /
                             "config.json"));
  int before = hub.requests();
  CliRun offline = memfit(tmp, env + " HF_HUB_OFFLINE=1", "estimate-memory acme/bert-copy --format json");
  ASSERT_EQ(offline.rc, 0) << offline.err;
  EXPECT_NE(offline.out.find("\"source\": \"cache\""), std::string::npos);
  CliRun flag = memfit(tmp, env, "estimate-memory acme/resnet-copy --offline --format csv");
  ASSERT_EQ(flag.rc, 0) << flag.err;
  EXPECT_EQ(hub.requests(), before);  // offline: no request at all

  hub.stop();  // the network is gone: the cache answers, and stderr says so in one line
  CliRun gone = memfit(tmp, env, "estimate-memory acme/bert-copy --format json");
  ASSERT_EQ(gone.rc, 0) << gone.err;
  EXPECT_NE(gone.out.find("\"source\": \"cache\""), std::string::npos);
  EXPECT_NE(gone.err.find("could not be reached"), std::string::npos) << gone.err;
  EXPECT_NE(gone.err.find("using the HF cache"), std::string::npos) << gone.err;
}

TEST(HubCli, ErrorsAreOneLineWithTheirExitCode) {
  TempDir tmp, hf_home;
  FakeHub hub;
  FakeRepo gated = repo_of("bert-base-cased", "transformers", std::string(40, 'c'));
  gated.gated_token = "hf_ok";
  hub.add("acme/gated", gated);
  FakeRepo empty = gated;
  empty.gated_token.clear();
  empty.files.clear();
  hub.add("acme/weights-only", empty);
  const std::string env = "HF_ENDPOINT=" + hub.endpoint() + " HF_HOME=" + hf_home.str();
  auto one_line = [](const CliRun& r, const std::string& start) {
    EXPECT_TRUE(r.err.starts_with("memfit: error: " + start)) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  };
  CliRun g = memfit(tmp, env, "estimate-memory acme/gated");
  EXPECT_EQ(g.rc, 7);
  one_line(g, "Repo for model `acme/gated` is gated. You must be authenticated to access it.");
  EXPECT_EQ(memfit(tmp, env, "estimate-memory acme/gated --token hf_ok --format csv").rc, 0);
  EXPECT_EQ(memfit(tmp, env + " HF_TOKEN=hf_ok", "estimate-memory acme/gated --format csv").rc, 0);
  CliRun wrong = memfit(tmp, env, "estimate-memory acme/gated --token hf_nope --revision " + std::string(40, 'c'));
  EXPECT_EQ(wrong.rc, 7);
  EXPECT_EQ(wrong.err.find("hf_nope"), std::string::npos);  // never printed
  CliRun missing = memfit(tmp, env, "estimate-memory acme/nothing");
  EXPECT_EQ(missing.rc, 3);
  one_line(missing, "Repo for model `acme/nothing` does not exist on the Hub.");
  CliRun nofile = memfit(tmp, env, "estimate-memory https://huggingface.co/acme/weights-only");
  EXPECT_EQ(nofile.rc, 3);
  one_line(nofile, "Model `acme/weights-only` has no `config.json`");
  hub.stop();
  CliRun down = memfit(tmp, env, "estimate-memory acme/nothing");
  EXPECT_EQ(down.rc, 6);
  one_line(down, "could not reach the Hub at " + hub.endpoint());
}

}  // namespace
}  // namespace memfit
