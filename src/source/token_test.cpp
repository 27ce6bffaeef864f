// Token lookup order: --token, HF_TOKEN, HF_TOKEN_PATH, $HF_HOME/token, ~/.cache/huggingface/token.
#include "source/token.h"

#include <gtest/gtest.h>

#include <fstream>

#include "source/fake_hub_test.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing::EnvGuard;
using testing::TempDir;

void write(const std::filesystem::path& p, const std::string& s) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << s;
}

TEST(Token, LookupOrder) {
  EnvGuard env;
  TempDir home;
  env.set("HOME", home.str().c_str());
  EXPECT_TRUE(find_token().value.empty());
  write(home.path() / ".cache/huggingface/token", "hf_default\n");
  EXPECT_EQ(find_token().value, "hf_default");
  TempDir hf;
  env.set("HF_HOME", hf.str().c_str());
  EXPECT_TRUE(find_token().value.empty());  // $HF_HOME replaces ~/.cache/huggingface
  write(hf.path() / "token", "  hf_home_token  \n");
  EXPECT_EQ(find_token().value, "hf_home_token");
  EXPECT_EQ(find_token().source, (hf.path() / "token").string());
  write(hf.path() / "elsewhere", "hf_path_token");
  env.set("HF_TOKEN_PATH", (hf.path() / "elsewhere").c_str());
  EXPECT_EQ(find_token().value, "hf_path_token");
  env.set("HF_TOKEN", "");
  EXPECT_EQ(find_token().value, "hf_path_token");  // empty counts as unset
  env.set("HF_TOKEN", "hf_env");
  EXPECT_EQ(find_token().value, "hf_env");
  EXPECT_EQ(find_token().source, "HF_TOKEN");
  EXPECT_EQ(find_token("hf_flag").value, "hf_flag");
  EXPECT_EQ(find_token("hf_flag").source, "--token");
}

}  // namespace
}  // namespace memfit
