// memfit publish: the discussion's text, and `memfit publish` against the stand-in Hub (posts once with the token,
// then links the existing discussion; no token, offline: one error line and its exit code).
#include "publish/publish.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "source/catalog.h"
#include "source/fake_hub_test.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing::TempDir;

TEST(Publish, DescriptionAndReproduceCommand) {
  EstimateOptions o;
  o.dtypes = {"float32", "int4"};
  auto e = estimate_memory("bert-base-cased", o);
  ASSERT_TRUE(e.has_value());
  std::string d = publish_description(*e, o);
  EXPECT_TRUE(d.starts_with("# Model Memory Requirements\n\nYou will need about **413.18 MB** of memory to load "
                            "`bert-base-cased` in float32 (its largest layer, `embeddings`, is 86.47 MB), and about "
                            "**1.61 GB** to train it with Adam"))
      << d;
  EXPECT_NE(d.find("| int4    | 10.81 MB      | 51.65 MB   | 206.59 MB           |"), std::string::npos) << d;
  EXPECT_NE(d.find("- library: `transformers`; architecture built: `BertModel`; parameters: 108310272"),
            std::string::npos);
  EXPECT_NE(d.find("```\nmemfit estimate-memory bert-base-cased --dtypes float32 int4\n```"), std::string::npos) << d;
  e->model = "it's";
  o.library = "timm";
  o.dtypes = accelerate_dtypes();
  EXPECT_EQ(reproduce_command(*e, o), "memfit estimate-memory 'it'\\''s' --library_name timm");
}

struct CliRun {
  int rc = -1;
  std::string out, err;
};

CliRun publish_cli(const TempDir& tmp, const std::string& endpoint, const std::string& args) {
  std::string cmd = "env -u HF_TOKEN -u HF_TOKEN_PATH -u HF_HUB_OFFLINE MEMFIT_RETRIES=0 HF_HOME=" + tmp.str() +
                    " HF_ENDPOINT=" + endpoint + " " + MEMFIT_BINARY + " publish " + args + " >" + tmp.str() +
                    "/out 2>" + tmp.str() + "/err";
  int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::slurp(tmp.path() / "out"),
          testing::slurp(tmp.path() / "err")};
}

TEST(Publish, CliPostsOnceThenLinks) {
  TempDir tmp;
  testing::FakeHub hub;
  testing::FakeRepo r;
  r.sha = std::string(40, 'f');
  r.files["config.json"] = std::string(find_in_catalog("gpt2")->config);
  r.write_token = "hf_cli_writer";
  hub.add("gpt2", r);

  CliRun none = publish_cli(tmp, hub.endpoint(), "gpt2");
  EXPECT_EQ(none.rc, 7);
  EXPECT_EQ(none.err, "memfit: error: posting a discussion on `gpt2` needs a Hub token with write access (none was "
                      "given)\n");
  CliRun first = publish_cli(tmp, hub.endpoint(), "gpt2 --token hf_cli_writer --dtypes float16");
  ASSERT_EQ(first.rc, 0) << first.err;
  EXPECT_EQ(first.out, hub.endpoint() + "/gpt2/discussions/1\n");
  EXPECT_EQ(first.err, "memfit: discussion posted\n");
  CliRun again = publish_cli(tmp, hub.endpoint(), "gpt2 --token hf_cli_writer");
  ASSERT_EQ(again.rc, 0) << again.err;
  EXPECT_EQ(again.out, first.out);
  EXPECT_EQ(again.err, "memfit: a discussion with this title already exists; nothing posted\n");
  auto posted = hub.repo("gpt2").discussions;
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_NE(posted[0]["description"].get<std::string>().find("memfit estimate-memory gpt2 --dtypes float16"),
            std::string::npos);

  CliRun offline = publish_cli(tmp, hub.endpoint(), "gpt2 --offline --token x");
  EXPECT_EQ(offline.rc, 2);
  EXPECT_EQ(offline.err, "memfit: error: publish posts to the Hub; it cannot run offline\n");
  CliRun dry = publish_cli(tmp, hub.endpoint(), "gpt2 --dry-run");
  EXPECT_EQ(dry.rc, 0);
  EXPECT_TRUE(dry.out.starts_with("[AUTOMATED] Model Memory Requirements\n\n# Model Memory Requirements\n")) << dry.out;
  EXPECT_EQ(hub.repo("gpt2").discussions.size(), 1u);
}

}  // namespace
}  // namespace memfit
