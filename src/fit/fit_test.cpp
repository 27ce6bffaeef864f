// memfit fit through the library: definitional values, engine accounting identities, the verdict's bisections and
// the option parser's errors.
#include "fit/fit.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "format/gguf.h"
#include "scratch_dir.h"

namespace memfit {
namespace {

FitOptions opts(std::vector<std::pair<std::string, std::string>> p) {
  auto o = fit_options_from_params(p);
  EXPECT_TRUE(o.has_value()) << (o ? "" : o.error().message);
  return o ? *o : FitOptions{};
}

Json run(const char* model, std::vector<std::pair<std::string, std::string>> p) {
  auto r = fit(model, opts(std::move(p)));
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? r->json : Json();
}

TEST(Fit, TaskModelParametersAndDocumentedKeys) {
  Json j = run("meta-llama/Llama-2-7b-hf", {{"gpu-memory", "24GiB"}});
  EXPECT_EQ(j["parameters"].get<uint64_t>(), 6738415616u);
  for (const char* k : {"model", "architecture", "engine", "parameters", "trainable_parameters", "assumptions",
                        "breakdown", "total_bytes_per_gpu", "gpu", "fits", "headroom_bytes", "gpus_needed",
                        "max_context", "max_batch", "suggestions", "curve", "verdict",
                        "decode_tokens_per_s_upper_bound"})
    EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"weights", "kv_cache", "activations", "gradients", "optimizer", "overhead"})
    EXPECT_TRUE(j["breakdown"].contains(k)) << k;
  EXPECT_EQ(j["architecture"], "LlamaForCausalLM");
  EXPECT_EQ(j["context"], 4096);  // min(max_position_embeddings 4096, 8192)
  EXPECT_EQ(j["kv_bytes_per_token"], 524288);
  EXPECT_EQ(j["breakdown"]["kv_cache"], 524288ull * 4096);
  EXPECT_GE(j["breakdown"]["weights"].get<uint64_t>(), 6738415616ull * 2);  // fp16 config, plus the rotary buffers
  EXPECT_LT(j["breakdown"]["weights"].get<uint64_t>(), 6738415616ull * 2 + (1u << 20));
  uint64_t sum = 0;
  for (auto& [k, v] : j["breakdown"].items()) sum += v.get<uint64_t>();
  EXPECT_EQ(j["total_bytes_per_gpu"].get<uint64_t>(), sum);
  EXPECT_EQ(j["headroom_bytes"].get<int64_t>(), int64_t(24ull << 30) - int64_t(sum));
}

TEST(Fit, DoubleBatchDoublesKvAndMaxContextIsTheEdge) {
  auto at = [](std::string ctx, std::string batch) {
    return run("meta-llama/Llama-2-7b-hf", {{"gpu-memory", "15GiB"}, {"context", ctx}, {"batch", batch}});
  };
  Json a = at("2048", "1"), b = at("2048", "2");
  EXPECT_EQ(b["breakdown"]["kv_cache"].get<uint64_t>(), 2 * a["breakdown"]["kv_cache"].get<uint64_t>());
  int64_t mc = a["max_context"].get<int64_t>();
  ASSERT_GT(mc, 2048);
  ASSERT_LT(mc, 4096);  // below the model's maximum: the memory is the limit
  EXPECT_TRUE(at(std::to_string(mc), "1")["fits"].get<bool>());
  Json past = at(std::to_string(mc + 1), "1");
  EXPECT_FALSE(past["fits"].get<bool>());
  EXPECT_LT(past["headroom_bytes"].get<int64_t>(), 0);
  EXPECT_TRUE(past["suggestions"].size() > 0);
  for (const auto& s : past["suggestions"]) EXPECT_TRUE(s["fits"].get<bool>());
  EXPECT_EQ(past["suggestions"][0]["change"], "--kv-dtype fp8");
  int64_t mb = a["max_batch"].get<int64_t>();
  EXPECT_TRUE(at("2048", std::to_string(mb))["fits"].get<bool>());
  EXPECT_FALSE(at("2048", std::to_string(mb + 1))["fits"].get<bool>());
}

TEST(Fit, VllmAccountingIdentities) {
  Json j = run("meta-llama/Meta-Llama-3-8B", {{"gpu-memory", "79.18GiB"}, {"engine", "vllm"}, {"context", "16000"}});
  const Json& v = j["vllm"];
  int64_t avail = v["available_kv_bytes"].get<int64_t>();
  EXPECT_EQ(avail, v["requested_bytes"].get<int64_t>() - v["weights_bytes"].get<int64_t>() -
                       v["activation_peak_bytes"].get<int64_t>() - v["non_torch_bytes"].get<int64_t>());
  // 32 layers x one 16-token page of 2 x 16 x 8 x 128 x 2 bytes.
  EXPECT_EQ(v["num_blocks"].get<uint64_t>(), uint64_t(avail) / (32u * 65536));
  EXPECT_EQ(v["kv_tokens"].get<uint64_t>(), v["num_blocks"].get<uint64_t>() * 16);
  EXPECT_EQ(v["max_num_seqs"], 1024);  // a 70 GiB+ GPU
  EXPECT_TRUE(v["starts"].get<bool>());
  EXPECT_EQ(j["breakdown"]["kv_cache"], 1000u * 32 * 65536);  // cdiv(16000, 16) pages per layer
  std::string tokens = std::to_string(v["kv_tokens"].get<uint64_t>()), with_commas;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0 && (tokens.size() - i) % 3 == 0) with_commas += ',';
    with_commas += tokens[i];
  }
  EXPECT_EQ(v["log"][1], "GPU KV cache size: " + with_commas + " tokens");
}

TEST(Fit, VllmRefusesToStartAndNamesTheLengthThatWould) {
  Json j = run("meta-llama/Llama-3.1-70B", {{"gpu-memory", "80GiB"}, {"gpus", "2"}, {"engine", "vllm"},
                                           {"context", "131072"}, {"dtype", "bfloat16"}});
  const Json& v = j["vllm"];
  EXPECT_EQ(v["tensor_parallel_size"], 2);
  EXPECT_FALSE(v["starts"].get<bool>());
  EXPECT_FALSE(j["fits"].get<bool>());
  int64_t L = v["max_model_len_that_starts"].get<int64_t>();
  ASSERT_GT(L, 0);
  // 80 layers x 16 tokens x 4 KV heads per rank x (128 + 128) dims x 2 bytes per block.
  uint64_t per_block = 80ull * 16 * 4 * 256 * 2;
  EXPECT_LE(uint64_t((L + 15) / 16) * per_block, uint64_t(v["available_kv_bytes"].get<int64_t>()));
  EXPECT_GT(uint64_t((L + 16) / 16) * per_block, uint64_t(v["available_kv_bytes"].get<int64_t>()));
  Json ok = run("meta-llama/Llama-3.1-70B", {{"gpu-memory", "80GiB"}, {"gpus", "2"}, {"engine", "vllm"},
                                            {"context", std::to_string(L)}, {"dtype", "bfloat16"}});
  EXPECT_TRUE(ok["vllm"]["starts"].get<bool>());
}

TEST(Fit, LlamaCppOffloadsOutputFirstAndChoosesNgl) {
  Json j = run("meta-llama/Llama-2-70b-hf", {{"gpu-memory", "24GiB"}, {"engine", "llama.cpp"},
                                            {"quantization", "gguf-q4_k_m"}, {"context", "4096"}});
  const Json& l = j["llamacpp"];
  EXPECT_EQ(l["n_layers_total"], 81);
  int ngl = l["n_gpu_layers"].get<int>();
  EXPECT_GT(ngl, 0);
  EXPECT_LT(ngl, 81);
  EXPECT_TRUE(l["output_on_gpu"].get<bool>());
  EXPECT_FALSE(j["fits"].get<bool>());
  EXPECT_LE(j["total_bytes_per_gpu"].get<uint64_t>() + (1ull << 30), 24ull << 30);  // --fit's 1 GiB margin
  Json more = run("meta-llama/Llama-2-70b-hf", {{"gpu-memory", "24GiB"}, {"engine", "llama.cpp"},
                                               {"quantization", "gguf-q4_k_m"}, {"context", "4096"},
                                               {"n-gpu-layers", std::to_string(ngl + 1)}});
  EXPECT_GT(more["total_bytes_per_gpu"].get<uint64_t>() + (1ull << 30), 24ull << 30);
  Json one = run("meta-llama/Llama-2-70b-hf", {{"gpu-memory", "24GiB"}, {"engine", "llama.cpp"},
                                              {"quantization", "gguf-q4_k_m"}, {"context", "4096"},
                                              {"n-gpu-layers", "1"}});
  EXPECT_TRUE(one["llamacpp"]["output_on_gpu"].get<bool>());
  EXPECT_EQ(one["breakdown"]["kv_cache"], 0);  // only the output layer is on the GPU
}

TEST(FitOptions, BadInputIsAUsageErrorNamingTheOption) {
  auto bad = [](std::vector<std::pair<std::string, std::string>> p, const char* needle) {
    auto o = fit_options_from_params(p);
    ASSERT_FALSE(o.has_value());
    EXPECT_EQ(o.error().kind, ErrorKind::Usage);
    EXPECT_NE(o.error().message.find(needle), std::string::npos) << o.error().message;
  };
  bad({{"context", "-5"}}, "--context");
  bad({{"context", "99999999999"}}, "--context");
  bad({{"batch", "0"}}, "--batch");
  bad({{"gpus", "abc"}}, "--gpus");
  bad({{"n-gpu-layers", "10"}, {"engine", "vllm"}}, "--n-gpu-layers applies to --engine llama.cpp");
  bad({{"max-num-seqs", "10"}}, "--max-num-seqs applies to --engine vllm");
  bad({{"zero", "2"}}, "--zero applies to --train");
  bad({{"engine", "tgi"}}, "--engine");
  bad({{"gpu-memory-utilization", "1.5"}, {"engine", "vllm"}}, "--gpu-memory-utilization");
  bad({{"frobnicate", "1"}}, "unknown option --frobnicate");
  bad({{"kv-dtype", "q3"}}, "--kv-dtype");
  EXPECT_EQ(opts({{"max_model_len", "32k"}}).context, 32768);
  EXPECT_EQ(opts({{"engine", "llamacpp"}}).engine, "llama.cpp");
}

TEST(Fit, TensorParallelMustDivideTheHeads) {
  auto r = fit("meta-llama/Meta-Llama-3-8B", opts({{"gpu-memory", "24GiB"}, {"gpus", "3"}, {"engine", "vllm"}}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::Usage);
  EXPECT_NE(r.error().message.find("--tp 3"), std::string::npos);
}

}  // namespace
}  // namespace memfit

namespace memfit {
namespace {

TEST(Fit, GgufCheckpointUnderLlamaCpp) {
  auto dir = testing_util::scratch_dir("fit_gguf");
  std::filesystem::create_directories(dir);
  std::string p = (dir / "tiny-Q8_0.gguf").string();
  using gguf::Value;
  ASSERT_TRUE(gguf::write_file(p,
                               {{"general.architecture", Value::of_string("llama")},
                                {"general.file_type", Value::of_u32(7)},
                                {"llama.block_count", Value::of_u32(2)},
                                {"llama.context_length", Value::of_u32(4096)},
                                {"llama.embedding_length", Value::of_u32(256)},
                                {"llama.feed_forward_length", Value::of_u32(512)},
                                {"llama.attention.head_count", Value::of_u32(4)},
                                {"llama.attention.head_count_kv", Value::of_u32(2)}},
                               {{"token_embd.weight", {256, 1000}, 8},
                                {"blk.0.attn_q.weight", {256, 256}, 8},
                                {"blk.1.attn_q.weight", {256, 256}, 8},
                                {"output.weight", {256, 1000}, 8}}));
  Json j = run(p.c_str(), {{"gpu-memory", "2GiB"}, {"engine", "llama.cpp"}, {"context", "1024"}});
  const Json& l = j["llamacpp"];
  uint64_t q8 = 34;  // bytes per 32 values
  EXPECT_EQ(l["n_gpu_layers"], 3);
  EXPECT_EQ(l["gpu_weights_bytes"], (2 * 256 * 256 + 256 * 1000) / 32 * q8);
  EXPECT_EQ(l["cpu_weights_bytes"], 256 * 1000 / 32 * q8);  // token_embd stays on the CPU
  EXPECT_EQ(l["kv_bytes"], 2u * 2 * 64 * 2 * 1024 * 2);    // layers x heads x head_dim x (K, V) x cells x f16
  EXPECT_EQ(j["dtype"], "gguf Q8_0");
  auto hf = fit(p, opts({{"gpu-memory", "1GiB"}}));
  ASSERT_FALSE(hf.has_value());
  EXPECT_EQ(hf.error().kind, ErrorKind::Unsupported);
}

}  // namespace
}  // namespace memfit
