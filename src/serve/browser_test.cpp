// The page in a real browser: Debian's chromium driven by playwright-core (tests/browser/page_test.cjs) against a
// server on 127.0.0.1 backed by the stand-in Hub. playwright-core is installed with npm into the build folder on
// first use (never needed to run memfit). A missing node, npm or chromium is a failure, not a skip: run
// scripts/bootstrap.sh. Screenshots land in <build>/screenshots/.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "serve/serve_test_util.h"
#include "core/file_scope.h"

namespace memfit::serve {
namespace MEMFIT_TU {

namespace fs = std::filesystem;

int shell(const std::string& cmd) {
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ServeBrowser, PageWorksInChromium) {
  memfit::testing::EnvGuard env;
  const fs::path build = fs::path(MEMFIT_BINARY).parent_path();
  const fs::path source = fs::path(MEMFIT_TEST_DATA).parent_path() / "browser";
  const fs::path deps = build / "browser";
  const fs::path pw = deps / "node_modules" / "playwright-core";
  ASSERT_EQ(shell("command -v node >/dev/null && command -v npm >/dev/null"), 0)
      << "node and npm are needed (scripts/bootstrap.sh installs them)";
  const char* chromium_env = std::getenv("MEMFIT_CHROMIUM");
  std::string chromium = chromium_env ? chromium_env : "/usr/bin/chromium";
  ASSERT_TRUE(fs::exists(chromium)) << chromium << " is missing (scripts/bootstrap.sh installs Debian's chromium)";
  if (!fs::exists(pw / "package.json")) {
    fs::create_directories(deps);
    fs::copy_file(source / "package.json", deps / "package.json", fs::copy_options::overwrite_existing);
    ASSERT_EQ(shell("cd '" + deps.string() + "' && npm install --no-audit --no-fund --loglevel=error >npm.log 2>&1"), 0)
        << "npm install of playwright-core failed; see " << (deps / "npm.log");
  }

  memfit::testing::FakeHub hub;
  memfit::testing::FakeRepo repo = testing::catalog_repo("bert-base-cased", 'e');
  repo.write_token = "hf_browser_writer";
  hub.add("bert-base-cased", repo);
  memfit::testing::TempDir cache;
  std::optional<testing::Running> server(std::in_place, testing::hub_options(hub, cache));

  const fs::path out = build / "screenshots";
  fs::create_directories(out);
  const fs::path log = out / "browser_test.log";
  std::string cmd = "MEMFIT_URL=" + server->url() + " HUB_URL=" + hub.endpoint() +
                    " PLAYWRIGHT='" + pw.string() + "' CHROMIUM='" + chromium + "' FIT_SAMPLE='" MEMFIT_TEST_DATA
                    "/serve/fit_sample.json' OUT_DIR='" + out.string() +
                    "' WRITE_TOKEN=hf_browser_writer timeout 100 node '" + (source / "page_test.cjs").string() +
                    "' >'" + log.string() + "' 2>&1";
  int rc = shell(cmd);
  server.reset();
  std::string text = memfit::testing::slurp(log);
  EXPECT_EQ(rc, 0) << text;
  EXPECT_EQ(text.find("FAIL"), std::string::npos) << text;
  EXPECT_NE(text.find("ok   the table shows 413.18 MB"), std::string::npos) << text;
  EXPECT_NE(text.find("ok   publishing shows the discussion link"), std::string::npos) << text;
  for (const char* png : {"page_desktop.png", "page_desktop_fit_sample.png", "page_phone.png"})
    EXPECT_GT(fs::exists(out / png) ? fs::file_size(out / png) : 0, 10000u) << png;
  // The page posted once, with the user's token.
  auto d = hub.repo("bert-base-cased").discussions;
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]["title"], "[AUTOMATED] Model Memory Requirements");
  bool saw = false;
  for (const auto& a : hub.auth_seen()) saw = saw || a == "Bearer hf_browser_writer";
  EXPECT_TRUE(saw);
}

}  // namespace
}  // namespace memfit::serve
