// memfit inspect on generated checkpoints: packed GPTQ / AWQ / compressed-tensors / MXFP4 / bnb / NVFP4 / FP8
// layouts count the parameters they hold, MoE experts are checked against the config, components are found, and the
// CLI exits cleanly with one line on hostile input.
#include "inspect/inspect.h"

#include <gtest/gtest.h>

#include "scratch_dir.h"
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "format/gguf.h"
#include "format/safetensors.h"
#include "core/file_scope.h"

namespace memfit::inspect {
namespace MEMFIT_TU {

namespace fs = std::filesystem;
using safetensors::WriteTensor;

fs::path fresh_dir(const std::string& name) {
  auto d = memfit::testing_util::scratch_dir("inspect") / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write_json(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

Report must_inspect(const fs::path& p) {
  auto r = inspect_path(p.string());
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : Report{};
}

TEST(Inspect, GptqPackedInt32HoldsEightWeights) {
  // One 4096 x 4096 Linear, GPTQ 4-bit g128 (AutoGPTQ layout), embeddings in fp16.
  auto d = fresh_dir("gptq");
  write_json(d / "config.json", R"({"quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 128}})");
  ASSERT_TRUE(safetensors::write_file((d / "model.safetensors").string(),
                                      {{"model.embed_tokens.weight", "F16", {32000, 4096}},
                                       {"model.layers.0.mlp.down_proj.qweight", "I32", {512, 4096}},
                                       {"model.layers.0.mlp.down_proj.qzeros", "I32", {32, 512}},
                                       {"model.layers.0.mlp.down_proj.scales", "F16", {32, 4096}},
                                       {"model.layers.0.mlp.down_proj.g_idx", "I32", {4096}}}));
  auto r = must_inspect(d);
  EXPECT_EQ(r.parameters, 32000ull * 4096 + 4096ull * 4096);
  EXPECT_EQ(r.quantization.method, "gptq");
  EXPECT_EQ(r.quantization.bits, 4);
  EXPECT_EQ(r.quantization.packed_tensors, 1u);
  EXPECT_EQ(r.quantization.overhead_tensors, 3u);
  EXPECT_EQ(r.quantization.overhead_bytes, 32ull * 512 * 4 + 32ull * 4096 * 2 + 4096 * 4);
  EXPECT_EQ(r.total_bytes, 32000ull * 4096 * 2 + 512ull * 4096 * 4 + r.quantization.overhead_bytes);
  EXPECT_EQ(r.dtypes.at("I32").tensors, 3u);
  EXPECT_EQ(r.dtypes.at("I32").elements, 512ull * 4096 + 32 * 512 + 4096);
  // Bits per weight of the quantized Linear: 4 + (16 + 4) / 128 + 32 / 4096 ~ 4.164 (ANCHORS 5.4).
  double bpw = 8.0 * (512.0 * 4096 * 4 + r.quantization.overhead_bytes) / (4096.0 * 4096);
  EXPECT_NEAR(bpw, 4.164, 0.001);
}

TEST(Inspect, AwqAndGptq8Bit) {
  auto d = fresh_dir("awq");
  write_json(d / "config.json", R"({"quantization_config": {"quant_method": "awq", "bits": 4, "group_size": 128}})");
  ASSERT_TRUE(safetensors::write_file((d / "model.safetensors").string(),
                                      {{"l.qweight", "I32", {4096, 1376}},
                                       {"l.qzeros", "I32", {32, 1376}},
                                       {"l.scales", "F16", {32, 11008}}}));
  auto r = must_inspect(d);
  EXPECT_EQ(r.quantization.method, "awq");
  EXPECT_EQ(r.parameters, 4096ull * 11008);

  auto d8 = fresh_dir("gptq8");
  write_json(d8 / "config.json", R"({"quantization_config": {"quant_method": "gptq", "bits": 8}})");
  ASSERT_TRUE(safetensors::write_file((d8 / "model.safetensors").string(), {{"l.qweight", "I32", {1024, 4096}}}));
  EXPECT_EQ(must_inspect(d8).parameters, 4096ull * 4096);  // 4 eight-bit weights per int32
}

TEST(Inspect, CompressedTensorsPacked) {
  auto d = fresh_dir("ct");
  write_json(d / "config.json", R"({"quantization_config": {"quant_method": "compressed-tensors",
      "config_groups": {"group_0": {"weights": {"num_bits": 4, "group_size": 128}}}}})");
  ASSERT_TRUE(safetensors::write_file((d / "model.safetensors").string(),
                                      {{"l.weight_packed", "I32", {4096, 512}},
                                       {"l.weight_scale", "BF16", {4096, 32}},
                                       {"l.weight_shape", "I64", {2}},
                                       {"norm.weight", "BF16", {4096}}}));
  auto r = must_inspect(d);
  EXPECT_EQ(r.quantization.method, "compressed-tensors");
  EXPECT_EQ(r.parameters, 4096ull * 4096 + 4096);
  EXPECT_EQ(r.quantization.overhead_bytes, 4096ull * 32 * 2 + 16);
}

TEST(Inspect, Mxfp4ExpertsAndMoe) {
  // gpt-oss-20b layer: 32 experts, gate_up [E, 5760, 2880] and down [E, 2880, 2880] as _blocks/_scales.
  auto d = fresh_dir("mxfp4");
  write_json(d / "config.json", R"({"num_local_experts": 32, "experts_per_token": 4, "num_experts_per_tok": 4,
      "quantization_config": {"quant_method": "mxfp4"}})");
  ASSERT_TRUE(safetensors::write_file(
      (d / "model.safetensors").string(),
      {{"model.layers.0.mlp.experts.gate_up_proj_blocks", "U8", {32, 5760, 90, 16}},
       {"model.layers.0.mlp.experts.gate_up_proj_scales", "U8", {32, 5760, 90}},
       {"model.layers.0.mlp.experts.gate_up_proj_bias", "BF16", {32, 5760}},
       {"model.layers.0.mlp.experts.down_proj_blocks", "U8", {32, 2880, 90, 16}},
       {"model.layers.0.mlp.experts.down_proj_scales", "U8", {32, 2880, 90}},
       {"model.layers.0.mlp.experts.down_proj_bias", "BF16", {32, 2880}},
       {"model.layers.0.mlp.router.weight", "BF16", {32, 2880}},
       {"model.layers.0.mlp.router.bias", "BF16", {32}}}));
  auto r = must_inspect(d);
  const uint64_t expert_params = 32ull * (5760 * 2880 + 5760 + 2880 * 2880 + 2880);
  EXPECT_EQ(r.quantization.method, "mxfp4");
  EXPECT_EQ(r.quantization.packed_tensors, 2u);
  EXPECT_EQ(r.parameters, expert_params + 32 * 2880 + 32);
  EXPECT_EQ(r.quantization.overhead_bytes, 32ull * (5760 + 2880) * 90);
  ASSERT_TRUE(r.moe);
  EXPECT_EQ(r.moe->experts, 32u);
  EXPECT_EQ(r.moe->config_experts, 32);
  EXPECT_TRUE(r.moe->consistent);
  EXPECT_EQ(r.moe->routed.parameters, expert_params);
  EXPECT_EQ(r.moe->other.parameters, 32u * 2880 + 32);
  // MXFP4 = 4.25 bits per weight: blocks + scales over the expert matrices.
  double bits = 8.0 * (r.dtypes.at("U8").bytes) / (32.0 * (5760 * 2880 + 2880 * 2880));
  EXPECT_DOUBLE_EQ(bits, 4.25);
}

TEST(Inspect, BitsAndBytesNvfp4AndFp8) {
  auto d = fresh_dir("bnb");
  write_json(d / "config.json", R"({"quantization_config": {"quant_method": "bitsandbytes", "load_in_4bit": true}})");
  ASSERT_TRUE(safetensors::write_file((d / "model.safetensors").string(),
                                      {{"l.weight", "U8", {8388608, 1}},
                                       {"l.weight.absmax", "F32", {262144}},
                                       {"l.weight.quant_map", "F32", {16}},
                                       {"l.weight.quant_state.bitsandbytes__nf4", "U8", {100}}}));
  auto r = must_inspect(d);
  EXPECT_EQ(r.quantization.method, "bitsandbytes-nf4");
  EXPECT_EQ(r.parameters, 4096ull * 4096);
  EXPECT_EQ(r.quantization.overhead_tensors, 3u);

  auto n = fresh_dir("nvfp4");
  ASSERT_TRUE(safetensors::write_file((n / "model.safetensors").string(),
                                      {{"l.weight", "U8", {4096, 2048}},
                                       {"l.weight_scale", "F8_E4M3", {4096, 256}},
                                       {"l.weight_scale_2", "F32", {}},
                                       {"l.input_scale", "F32", {}}}));
  auto rn = must_inspect(n);
  EXPECT_EQ(rn.quantization.method, "nvfp4");
  EXPECT_EQ(rn.parameters, 4096ull * 4096);
  EXPECT_EQ(rn.quantization.overhead_bytes, 4096ull * 256 + 8);

  auto f = fresh_dir("fp8");
  ASSERT_TRUE(safetensors::write_file((f / "model.safetensors").string(),
                                      {{"l.weight", "F8_E4M3", {7168, 2048}},
                                       {"l.weight_scale_inv", "F32", {56, 16}}}));
  auto rf = must_inspect(f);
  EXPECT_EQ(rf.quantization.method, "fp8");
  EXPECT_EQ(rf.parameters, 7168ull * 2048);
  EXPECT_EQ(rf.quantization.overhead_bytes, 56u * 16 * 4);
}

TEST(Inspect, NumberedExpertsCheckedAgainstConfig) {
  auto d = fresh_dir("mixtral");
  std::vector<WriteTensor> ts{{"model.embed_tokens.weight", "BF16", {100, 8}}};
  for (int e = 0; e < 8; ++e)
    for (const char* w : {"w1", "w2", "w3"})
      ts.push_back({"model.layers.0.block_sparse_moe.experts." + std::to_string(e) + "." + w + ".weight", "BF16",
                    {16, 8}});
  ts.push_back({"model.layers.0.mlp.shared_expert.up_proj.weight", "BF16", {16, 8}});
  ASSERT_TRUE(safetensors::write_file((d / "model.safetensors").string(), ts));
  write_json(d / "config.json", R"({"num_local_experts": 8, "num_experts_per_tok": 2})");
  auto r = must_inspect(d);
  ASSERT_TRUE(r.moe);
  EXPECT_EQ(r.moe->experts, 8u);
  EXPECT_TRUE(r.moe->consistent);
  EXPECT_EQ(r.moe->experts_per_token, 2);
  EXPECT_EQ(r.moe->routed.tensors, 24u);
  EXPECT_EQ(r.moe->routed.parameters, 24u * 128);
  EXPECT_EQ(r.moe->shared.parameters, 128u);
  EXPECT_EQ(r.moe->other.parameters, 800u);
  write_json(d / "config.json", R"({"num_local_experts": 16})");
  auto bad = must_inspect(d);
  EXPECT_FALSE(bad.moe->consistent);
  ASSERT_EQ(bad.notes.size(), 1u);
  EXPECT_NE(bad.notes[0].find("8 experts but the config says 16"), std::string::npos);
}

TEST(Inspect, ShardedIndexAndMismatch) {
  auto d = fresh_dir("sharded");
  ASSERT_TRUE(safetensors::write_file((d / "model-00001-of-00002.safetensors").string(), {{"a", "BF16", {10, 10}}}));
  ASSERT_TRUE(safetensors::write_file((d / "model-00002-of-00002.safetensors").string(), {{"b", "F32", {5}}}));
  write_json(d / "model.safetensors.index.json", R"({"metadata": {"total_size": 220}, "weight_map": {
      "a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})");
  auto r = must_inspect(d);
  EXPECT_EQ(r.files.size(), 2u);
  EXPECT_EQ(r.total_bytes, 220u);
  EXPECT_EQ(r.index_total_size, 220u);
  EXPECT_TRUE(r.notes.empty());
  auto j = to_json(r);
  for (const char* k : {"files", "tensors", "parameters", "total_bytes", "dtypes", "quantization", "components", "moe"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["dtypes"]["BF16"]["bytes"], 200);
  EXPECT_EQ(j["index"]["matches"], true);

  write_json(d / "model.safetensors.index.json", R"({"metadata": {"total_size": 300}, "weight_map": {
      "a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})");
  EXPECT_NE(must_inspect(d).notes.at(0).find("+80 bytes"), std::string::npos);
  write_json(d / "model.safetensors.index.json", R"({"weight_map": {"a": "model-00002-of-00002.safetensors"}})");
  auto wrong = inspect_path(d.string());
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("does not hold it"), std::string::npos);
  write_json(d / "model.safetensors.index.json", R"({"weight_map": {"a": "../../etc/passwd"}})");
  ASSERT_FALSE(inspect_path(d.string()));
  write_json(d / "model.safetensors.index.json", R"({"weight_map": {"a": "model-00009-of-00009.safetensors"}})");
  auto gone = inspect_path(d.string());
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::NotFound);
}

TEST(Inspect, DiffusersAndSentenceTransformersComponents) {
  auto d = fresh_dir("diffusers");
  write_json(d / "model_index.json", R"({"_class_name": "StableDiffusionPipeline",
      "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"],
      "scheduler": ["diffusers", "PNDMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"]})");
  for (const char* c : {"unet", "vae", "text_encoder", "scheduler"}) fs::create_directories(d / c);
  ASSERT_TRUE(safetensors::write_file((d / "unet" / "diffusion_pytorch_model.safetensors").string(),
                                      {{"conv_in.weight", "F32", {320, 4, 3, 3}}}));
  ASSERT_TRUE(safetensors::write_file((d / "vae" / "diffusion_pytorch_model.safetensors").string(),
                                      {{"decoder.conv_out.weight", "F32", {3, 128, 3, 3}}}));
  ASSERT_TRUE(safetensors::write_file((d / "text_encoder" / "model.safetensors").string(),
                                      {{"text_model.embeddings.token_embedding.weight", "F16", {49408, 768}}}));
  auto r = must_inspect(d);
  ASSERT_EQ(r.components.size(), 3u);
  EXPECT_EQ(r.parameters, 320u * 36 + 3 * 128 * 9 + 49408ull * 768);
  std::map<std::string, uint64_t> by;
  for (const auto& c : r.components) by[c.name] = c.parameters;
  EXPECT_EQ(by["unet"], 320u * 36);
  EXPECT_EQ(by["text_encoder"], 49408ull * 768);

  auto s = fresh_dir("st");
  write_json(s / "modules.json", R"([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
      {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
      {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}])");
  fs::create_directories(s / "1_Pooling");
  fs::create_directories(s / "2_Dense");
  ASSERT_TRUE(safetensors::write_file((s / "model.safetensors").string(), {{"embeddings.word_embeddings.weight", "F32",
                                                                             {119547, 768}}}));
  ASSERT_TRUE(safetensors::write_file((s / "2_Dense" / "model.safetensors").string(),
                                      {{"linear.weight", "F32", {512, 768}}, {"linear.bias", "F32", {512}}}));
  auto rs = must_inspect(s);
  ASSERT_EQ(rs.components.size(), 2u);
  EXPECT_EQ(rs.components[0].name, "transformer");
  EXPECT_EQ(rs.components[1].name, "2_Dense");
  EXPECT_EQ(rs.components[1].parameters, 512u * 768 + 512);
}

TEST(Inspect, GgufFileReport) {
  auto d = fresh_dir("gguf");
  using gguf::Value;
  auto p = (d / "tiny-Q4_K_M.gguf").string();
  ASSERT_TRUE(gguf::write_file(p,
                               {{"general.architecture", Value::of_string("qwen3moe")},
                                {"general.file_type", Value::of_u32(15)},
                                {"qwen3moe.block_count", Value::of_u32(1)},
                                {"qwen3moe.expert_count", Value::of_u32(8)},
                                {"qwen3moe.expert_used_count", Value::of_u32(2)},
                                {"qwen3moe.attention.head_count_kv", Value::of_i32_array({4})}},
                               {{"token_embd.weight", {256, 1000}, 12},
                                {"blk.0.ffn_gate_exps.weight", {256, 512, 8}, 12},
                                {"blk.0.ffn_down_exps.weight", {512, 256, 8}, 14},
                                {"output.weight", {256, 1000}, 14}}));
  auto r = must_inspect(d);
  EXPECT_EQ(r.format, "gguf");
  EXPECT_EQ(r.quantization.method, "gguf Q4_K_M");
  EXPECT_EQ(r.parameters, 256000ull * 2 + 2 * 256 * 512 * 8);
  EXPECT_EQ(r.dtypes.at("Q4_K").bytes, (256000ull + 256 * 512 * 8) / 256 * 144);
  EXPECT_EQ(r.dtypes.at("Q6_K").bytes, (256000ull + 256 * 512 * 8) / 256 * 210);
  ASSERT_TRUE(r.moe);
  EXPECT_EQ(r.moe->experts, 8u);
  EXPECT_TRUE(r.moe->consistent);
  EXPECT_EQ(r.gguf->hyperparameters["head_count_kv"], 4);
  // A folder with two GGUF models asks for one file.
  ASSERT_TRUE(gguf::write_file((d / "tiny-Q8_0.gguf").string(), {}, {}));
  auto two = inspect_path(d.string());
  ASSERT_FALSE(two);
  EXPECT_NE(two.error().message.find("pass one file"), std::string::npos);
}

#ifdef MEMFIT_BINARY
// The CLI prints one line and exits non-zero on hostile files; JSON output parses.
TEST(InspectCli, HostileFileOneLineNonZeroExit) {
  auto d = fresh_dir("cli");
  auto bad = d / "bad.safetensors";
  {
    std::ofstream out(bad, std::ios::binary);
    uint64_t n = 1ull << 62;
    out.write(reinterpret_cast<const char*>(&n), 8);
    out << "{}";
  }
  std::string cmd = std::string(MEMFIT_BINARY) + " inspect " + bad.string() + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  int status = ::pclose(pipe);
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_NE(out.find("exceeds the limit"), std::string::npos) << out;

  ASSERT_TRUE(safetensors::write_file((d / "ok.safetensors").string(), {{"w", "BF16", {3, 4}}}));
  cmd = std::string(MEMFIT_BINARY) + " inspect " + (d / "ok.safetensors").string() + " --format json";
  pipe = ::popen(cmd.c_str(), "r");
  out.clear();
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  EXPECT_EQ(WEXITSTATUS(::pclose(pipe)), 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["total_bytes"], 24);
  EXPECT_EQ(j["parameters"], 12);
}
#endif

}  // namespace
}  // namespace memfit::inspect
