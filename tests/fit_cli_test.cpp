// `memfit fit` and `memfit search` end to end: JSON keys, the verdict, and one clear line plus a distinct exit code
// for each kind of bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_run.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

namespace {

namespace fs = std::filesystem;

using CliResult = memfit::testing_util::CliRun;
CliResult memfit(const std::string& args) { return memfit::testing_util::run_cli(args); }

void one_line_error(const CliResult& r, int code, const std::string& needle) {
  EXPECT_EQ(r.code, code) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("memfit: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

TEST(FitCli, JsonHasTheDocumentedKeysAndExactKv) {
  CliResult r = memfit("fit meta-llama/Llama-2-7b-hf --gpu-memory 24GiB --context 4096 --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["parameters"], 6738415616ull);
  EXPECT_EQ(j["breakdown"]["kv_cache"], 524288ull * 4096);
  EXPECT_EQ(j["engine"], "hf");
  EXPECT_EQ(j["gpu"]["memory_bytes"], 24ull << 30);
  EXPECT_TRUE(j["fits"].get<bool>());
  EXPECT_EQ(j["verdict"].get<std::string>().rfind("Fits: ", 0), 0u);
  EXPECT_GE(j["curve"].size(), 3u);
}

TEST(FitCli, TableAndMarkdownAndCsv) {
  CliResult t = memfit("fit meta-llama/Llama-2-7b-hf --gpu-memory 24GiB --context 4096");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("│ kv_cache      │       2.00 GiB │"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("Fits: "), std::string::npos);
  CliResult m = memfit("fit meta-llama/Llama-2-7b-hf --gpu-memory 24GiB --context 4096 --format markdown");
  EXPECT_NE(m.out.find("| kv_cache | 2.00 GiB |"), std::string::npos) << m.out;
  CliResult c = memfit("fit meta-llama/Llama-2-7b-hf --gpu-memory 24GiB --context 4096 --format csv");
  EXPECT_NE(c.out.find("kv_cache,2147483648\n"), std::string::npos) << c.out;
}

TEST(FitCli, VllmThatDoesNotStartSaysWhy) {
  CliResult r = memfit("fit meta-llama/Llama-3.1-70B --gpu-memory 80GiB --engine vllm --max-model-len 32000 --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["vllm"]["starts"].get<bool>());
  EXPECT_EQ(j["verdict"].get<std::string>().rfind("vLLM does not start", 0), 0u) << j["verdict"];
  EXPECT_EQ(j["vllm"]["max_model_len_that_starts"], 0);  // 141 GB of weights: no KV memory at all
  EXPECT_GE(j["gpus_needed"].get<int>(), 2);
}

TEST(FitCli, BadInputOneLineDistinctExitCodes) {
  one_line_error(memfit("fit meta-llama/Llama-2-7b-hf --gpu-memory 24GiB --context -5"), 2, "--context");
  one_line_error(memfit("fit meta-llama/Llama-2-7b-hf --gpu-memory 24GiB --batch 100000000"), 2, "--batch");
  one_line_error(memfit("fit meta-llama/Llama-2-7b-hf --gpu-memory 24GiB --gpus 0"), 2, "--gpus");
  one_line_error(memfit("fit meta-llama/Meta-Llama-3-8B --gpu-memory 24GiB --engine vllm --tp 3 --gpus 3"), 2,
                 "--tp 3");
  one_line_error(memfit("fit meta-llama/Llama-2-7b-hf --gpu-memory 24GiB --n-gpu-layers 10"), 2,
                 "--n-gpu-layers applies to --engine llama.cpp");
  one_line_error(memfit("fit meta-llama/Llama-2-7b-hf --gpu-memory 24GiB --engine llama.cpp --max-num-seqs 4"), 2,
                 "--max-num-seqs applies to --engine vllm");
  one_line_error(memfit("fit meta-llama/Llama-2-7b-hf --context 4096"), 2, "--gpu");
  one_line_error(memfit("fit meta-llama/Llama-2-7b-hf --gpu-memory 24GiB --engine llama.cpp --cache-type-v q4_0 "
                        "--no-flash-attn"),
                 2, "flash attention");
  one_line_error(memfit("fit no-such-org/no-such-model --gpu-memory 24GiB"), 3, "no-such-org/no-such-model");
  one_line_error(memfit("fit meta-llama/Llama-2-7b-hf --gpu NoSuchGPU-9000"), 3, "");
}

TEST(FitCli, SearchListsWhatFitsSmallestFirst) {
  CliResult r = memfit("search --gpu-memory 8GiB --context 2048 --no-cache --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_GT(j["results"].size(), 5u);
  EXPECT_GT(j["checked"].get<size_t>(), 50u);
  uint64_t last = 0;
  for (const auto& x : j["results"]) {
    EXPECT_GE(x["total_bytes_per_gpu"].get<uint64_t>(), last);
    EXPECT_LE(x["total_bytes_per_gpu"].get<uint64_t>(), 8ull << 30);
    last = x["total_bytes_per_gpu"].get<uint64_t>();
  }
  one_line_error(memfit("search --context 2048"), 2, "--gpu");
}

}  // namespace

namespace {

// Absurd dimensions in a config: an error line or a verdict, never a crash, a hang or a wrapped-around "fits".
TEST(FitCli, HostileDimensionsNeverCrash) {
  fs::path dir = fs::temp_directory_path() / ("memfit_fit_hostile_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const char* v : {"1099511627776", "-3", "0", "4294967297"}) {
    std::ofstream(dir / "config.json") << R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
      "hidden_size": 4096, "intermediate_size": 11008, "num_attention_heads": 32, "num_hidden_layers": 2,
      "vocab_size": )" << v << R"(, "max_position_embeddings": )" << v << "}";
    for (const char* engine : {"hf", "vllm", "llama.cpp"}) {
      CliResult r = memfit("fit " + dir.string() + " --gpu-memory 24GiB --format json --engine " + engine);
      EXPECT_TRUE(r.code == 0 || r.code == 4 || r.code == 5) << v << " " << engine << ": " << r.err;
      if (r.code != 0) {
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
      } else if (std::string(v) == "1099511627776") {
        auto j = nlohmann::json::parse(r.out);
        EXPECT_FALSE(j["fits"].get<bool>()) << engine;  // a 2^40-token vocabulary fits nowhere
      }
    }
  }
  fs::remove_all(dir);
}

}  // namespace
