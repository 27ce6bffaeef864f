// Model types whose default config the real tool cannot build (AutoModel.from_config raises; the sweep's result.json
// says "error"): memfit refuses the same config, naming the key transformers trips over.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "core/file_scope.h"

namespace MEMFIT_TU {
using namespace memfit;

struct Refused {
  const char* model_type;
  const char* key;  // named in memfit's message
  const char* why;  // the real sweep's error
};

const Refused kRefused[] = {
    {"dbrx", "rope_theta", "'DbrxAttentionConfig' object has no attribute 'rope_theta'"},
    {"hunyuan_v1_dense", "head_dim", "unsupported operand type(s) for ** or pow(): 'NoneType' and 'float'"},
    {"hunyuan_v1_moe", "head_dim", "unsupported operand type(s) for ** or pow(): 'NoneType' and 'float'"},
    {"ministral", "head_dim", "unsupported operand type(s) for ** or pow(): 'NoneType' and 'float'"},
    {"dots1", "n_routed_experts", "empty() received an invalid combination of arguments - got (NoneType, int, int)"},
    {"lfm2_moe", "layer_types", "'NoneType' object is not subscriptable"},
    {"esm", "vocab_size", "empty() received an invalid combination of arguments - got (tuple, dtype=NoneType, ...)"},
};

TEST(DefaultConfigRefused, LikeTransformers) {
  for (const Refused& r : kRefused) {
    auto built = build_transformers(Json{{"model_type", r.model_type}});
    ASSERT_FALSE(built) << r.model_type << " builds, but transformers fails: " << r.why;
    EXPECT_EQ(built.error().kind, ErrorKind::BadInput) << r.model_type;
    EXPECT_NE(built.error().message.find(r.key), std::string::npos) << built.error().message;
  }
}

}  // namespace
