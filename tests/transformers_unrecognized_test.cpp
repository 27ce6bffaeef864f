// The default-config sweep's other half: model types whose real run failed with "Unrecognized configuration class"
// (transformers' AutoModel has no class for them: text or vision parts of larger models, models with task classes
// only). accelerate cannot estimate them, and memfit refuses them the same way, from transformers' own AutoModel
// mapping (data/transformers_auto_model.json, tools/gen_auto_model.py). The list is copied from the shared fixtures
// (tests/data/sweep/transformers_unrecognized.txt); the ok cases all have an AutoModel class.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "arch/registry.h"
#include "format/auto_model.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {

namespace fs = std::filesystem;
using namespace memfit;

std::vector<std::string> read_list(const fs::path& p) {
  std::vector<std::string> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

TEST(TransformersUnrecognized, RefusedAsTransformersRefusesThem) {
  const auto types = read_list(fs::path(MEMFIT_TEST_DATA) / "sweep" / "transformers_unrecognized.txt");
  ASSERT_EQ(types.size(), 163u);
  // evolla is a key of MODEL_MAPPING_NAMES, yet fails too: AutoModel finds EvollaConfig's model type through the
  // type registered last for it, "EvollaModel", which the mapping lacks (tools/gen_auto_model.py follows that rule).
  int refused = 0;
  for (const auto& t : types) {
    auto b = build_transformers(Json{{"model_type", t}});
    EXPECT_EQ(auto_model_class(t), "") << t;
    ASSERT_FALSE(b) << t << " was answered";
    EXPECT_EQ(b.error().kind, ErrorKind::Unsupported) << t;
    EXPECT_EQ(b.error().message,
              "model_type `" + t + "` has no AutoModel class in transformers (AutoModel.from_config raises "
              "\"Unrecognized configuration class\"), so accelerate cannot estimate it either (a part of a larger "
              "model, or a model with task classes only); --task-model builds the class its `architectures` names")
        << t;
    ++refused;
  }
  EXPECT_EQ(refused, 163);
}

TEST(TransformersUnrecognized, EveryBuildableSweepTypeHasAnAutoModelClass) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(fs::path(MEMFIT_TEST_DATA) / "sweep" / "transformers_defaults")) {
    EXPECT_NE(auto_model_class(e.path().filename().string()), "") << e.path().filename();
    ++n;
  }
  EXPECT_EQ(n, 394);
}

}  // namespace MEMFIT_TU
