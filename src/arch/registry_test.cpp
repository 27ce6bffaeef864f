// The registrations are constant data gathered by the linker (core/static_table.h): every family, timm class and
// remote-code alias is in its table, and no name is registered twice (a lookup takes the first, so a second would
// be silently shadowed).
#include "arch/registry.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "arch/timm/defs.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

template <class Table, class Names>
std::set<std::string> unique_names(const Table& table, Names names) {
  std::set<std::string> seen;
  for (const auto* entry : table)
    for (std::string_view n : names(*entry)) {
      EXPECT_FALSE(n.empty());
      EXPECT_TRUE(seen.emplace(n).second) << "registered twice: " << n;
    }
  return seen;
}

TEST(Registry, EveryNameIsRegisteredOnceAsConstantData) {
  auto types = unique_names(memfit_families_table(), [](const TransformersFamily& f) { return f.model_types; });
  EXPECT_EQ(types.size(), supported_model_types().size());
  EXPECT_EQ(types.size(), 509u);  // 486 + 9 withheld types (branch wLLM) + 14 (branch wVis), session 16
  EXPECT_TRUE(types.contains("bert") && types.contains("llama") && types.contains("t5gemma2"));
  for (const TransformersFamily* f : memfit_families_table()) {
    EXPECT_NE(f->build, nullptr);
    EXPECT_FALSE(f->prefix.empty()) << f->model_types.names[0];
  }
  auto classes = unique_names(timm::memfit_timm_classes_table(), [](const timm::TimmClass& c) { return c.classes; });
  EXPECT_EQ(classes.size(), 77u);
  EXPECT_TRUE(classes.contains("ResNet") && classes.contains("VisionTransformer"));
  auto prefixes = unique_names(memfit_timm_families_table(), [](const TimmFamily& f) { return f.arch_prefixes; });
  EXPECT_EQ(prefixes, (std::set<std::string>{"beit", "inception_v3", "vgg"}));
  auto aliases = unique_names(memfit_remote_code_aliases_table(),
                              [](const RemoteCodeAlias& a) { return NameList{{a.model_type}}; });
  EXPECT_EQ(aliases, (std::set<std::string>{"RefinedWeb", "RefinedWebModel", "internlm", "qwen", "stablelm_epoch"}));
}

}  // namespace MEMFIT_TU
}  // namespace memfit
