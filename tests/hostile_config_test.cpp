// Every catalog config with its integer fields replaced by hostile values (0, negative, astronomically large):
// building must end with a model or a clear error, never a crash, a hang or an unbounded allocation.
#include <gtest/gtest.h>

#include "memfit.h"
#include "source/catalog.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {

using namespace memfit;

class HostileConfig : public ::testing::TestWithParam<std::string> {};

void try_build(const Json& cfg, const std::string& library, const std::string& what) {
  ModelSource src{"hostile", "local", cfg.dump(), "config.json", library};
  EstimateOptions opts;
  opts.library = library;
  for (Target t : {Target::Accelerate, Target::TaskModel}) {
    opts.target = t;
    auto b = build_model(src, opts);
    if (b) {
      Measurement m = measure(b->model);
      (void)m;
    } else {
      EXPECT_FALSE(b.error().message.empty()) << what;
      EXPECT_EQ(b.error().message.find('\n'), std::string::npos) << what << ": " << b.error().message;
    }
  }
}

TEST_P(HostileConfig, EveryIntegerFieldPerturbed) {
  const CatalogEntry* e = find_in_catalog(GetParam());
  ASSERT_NE(e, nullptr);
  Json base = Json::parse(e->config);
  const std::string lib(e->library);
  const int64_t values[] = {0, -3, int64_t{1} << 40};
  auto perturb = [&](Json& obj, const std::string& path, auto&& self) -> void {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (it->is_number_integer()) {
        Json saved = *it;
        for (int64_t v : values) {
          *it = v;
          try_build(base, lib, path + it.key() + "=" + std::to_string(v));
        }
        *it = saved;
      } else if (it->is_object() && path.empty() && it.key() != "pretrained_cfg") {
        self(*it, it.key() + ".", self);
      }
    }
  };
  perturb(base, "", perturb);
}

std::vector<std::string> ids() {
  std::vector<std::string> out;
  for (const auto& e : catalog()) out.emplace_back(e.id);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Catalog, HostileConfig, ::testing::ValuesIn(ids()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
