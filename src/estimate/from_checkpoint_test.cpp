// A model type memfit has no builder for, answered exactly from its checkpoint's safetensors headers: from a local
// folder and through the stand-in Hub (HTTP Range), head tensors removed for AutoModel, source "checkpoint".
#include "estimate/from_checkpoint.h"

#include <gtest/gtest.h>

#include <fstream>

#include "format/safetensors.h"
#include "memfit.h"
#include "source/fake_hub_test.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

namespace fs = std::filesystem;

// A small unknown decoder (the config also has the generic decoder's keys, which must not be used): embeddings
// 1000 x 64, 11 layers of 4 projections 64 x 64 and a norm, a final norm, and an untied lm_head, all bfloat16.
const char* kConfig = R"({"model_type": "mystery_lm", "vocab_size": 1000, "hidden_size": 64,
                          "num_hidden_layers": 11, "num_attention_heads": 4})";

std::vector<safetensors::WriteTensor> tensors() {
  std::vector<safetensors::WriteTensor> ts{{"model.embed_tokens.weight", "BF16", {1000, 64}},
                                           {"model.norm.weight", "BF16", {64}},
                                           {"lm_head.weight", "BF16", {1000, 64}}};
  for (int i = 0; i < 11; ++i) {
    std::string l = "model.layers." + std::to_string(i);
    for (const char* p : {"q_proj", "k_proj", "v_proj", "o_proj"}) ts.push_back({l + ".self_attn." + p + ".weight", "BF16", {64, 64}});
    ts.push_back({l + ".input_layernorm.weight", "BF16", {64}});
  }
  return ts;
}

constexpr uint64_t kLayer = 4 * 64 * 64 + 64;             // 16,448 parameters per layer
constexpr uint64_t kBase = 1000 * 64 + 11 * kLayer + 64;  // 245,992 without lm_head

void check_base(const Estimate& e) {
  EXPECT_EQ(e.source, "checkpoint");
  EXPECT_FALSE(e.approximate);
  EXPECT_EQ(e.m.parameters, kBase);
  EXPECT_EQ(e.m.total_bits, 32 * kBase);  // accelerate's model is float32
  EXPECT_EQ(e.m.largest_bits, 32 * 1000 * 64);  // the embedding module is bigger than one layer
  EXPECT_EQ(e.m.largest_names, std::vector<std::string>{"embed_tokens"});
  ASSERT_EQ(e.rows.size(), 4u);
  EXPECT_EQ(e.rows[0].total.value, 4.0 * kBase);
  bool removed = false;
  for (const auto& n : e.notes) removed |= n.starts_with("removed 1 head tensor(s) AutoModel does not build (lm_head.weight)");
  EXPECT_TRUE(removed);
}

TEST(CheckpointEstimate, LocalFolder) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "config.json") << kConfig;
  ASSERT_TRUE(safetensors::write_file((dir.path() / "model.safetensors").string(), tensors()));
  auto e = estimate_memory(dir.str());
  ASSERT_TRUE(e) << e.error().message;
  check_base(*e);
  // The task model keeps every tensor.
  EstimateOptions task;
  task.target = Target::TaskModel;
  auto t = estimate_memory(dir.str(), task);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->m.parameters, kBase + 1000 * 64);
  // Without the headers the generic decoder answers, approximately.
  fs::remove(dir.path() / "model.safetensors");
  auto g = estimate_memory(dir.str());
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_TRUE(g->approximate);
  EXPECT_NE(g->source, "checkpoint");
}

TEST(CheckpointEstimate, LayersGroupedByIndexInModuleOrder) {
  inspect::Report r;
  r.format = "safetensors";
  for (int i : {10, 2, 0})  // as a header lists them: sorted as text
    r.tensor_list.push_back({"model.layers." + std::to_string(i) + ".w.weight", "F32", {8, 8}, 64, 256, 64});
  r.tensor_list.push_back({"model.embed.weight", "F32", {4, 8}, 32, 128, 32});
  r.tensor_list.push_back({"model.pos_ids", "I64", {4}, 4, 32, 0});
  auto cm = measure_checkpoint(r, Target::Accelerate);
  EXPECT_EQ(cm.m.parameters, 3 * 64u + 32u);
  EXPECT_EQ(cm.m.buffer_bits, 32u * 8);  // integer tensors are buffers in their own dtype
  EXPECT_EQ(cm.m.largest_bits, 64u * 32);
  EXPECT_EQ(cm.m.largest_names, (std::vector<std::string>{"layers.0", "layers.2", "layers.10"}));
}

TEST(CheckpointEstimate, ThroughTheHubWithRanges) {
  testing::EnvGuard env;
  testing::TempDir home, scratch;
  env.set("HF_HOME", home.str().c_str());
  auto path = scratch.path() / "model.safetensors";
  ASSERT_TRUE(safetensors::write_file(path.string(), tensors()));
  testing::FakeHub hub;
  testing::FakeRepo repo;
  repo.sha = "2222222222222222222222222222222222222222";
  repo.library_name = "transformers";
  repo.files["config.json"] = kConfig;
  repo.files["model.safetensors"] = testing::slurp(path);
  hub.add("acme/mystery", repo);
  EstimateOptions o;
  o.resolve.use_hub = true;
  o.resolve.endpoint = hub.endpoint();
  o.resolve.timeout_s = 3;
  o.resolve.max_retries = 1;
  auto e = estimate_memory("acme/mystery", o);
  ASSERT_TRUE(e) << e.error().message;
  check_base(*e);
  bool hub_note = false;
  for (const auto& n : e->notes) hub_note |= n.find("Hub checkpoint's safetensors headers") != std::string::npos;
  EXPECT_TRUE(hub_note);
}

}  // namespace
}  // namespace memfit
