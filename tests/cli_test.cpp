// The memfit binary end to end: exact output for bert-base-cased, and one clear stderr line plus a non-zero exit
// for each kind of bad input.
#include <gtest/gtest.h>

#include "arch/registry.h"
#include "cli_run.h"
#include "scratch_dir.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

namespace {

namespace fs = std::filesystem;

using memfit::testing_util::CliRun;
CliRun run(const std::string& args) { return memfit::testing_util::run_cli(args); }

fs::path write_config(const std::string& name, const std::string& text) {
  fs::path dir = memfit::testing_util::scratch_dir("cli") / name;
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << text;
  return dir;
}

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(Cli, BertBaseCasedTableExactly) {
  CliRun r = run("estimate-memory bert-base-cased");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "Loading pretrained config for `bert-base-cased` from `transformers`...\n");
  EXPECT_EQ(r.out,
            "┌────────────────────────────────────────────────────┐\n"
            "│     Memory Usage for loading `bert-base-cased`     │\n"
            "├───────┬─────────────┬──────────┬───────────────────┤\n"
            "│ dtype │Largest Layer│Total Size│Training using Adam│\n"
            "├───────┼─────────────┼──────────┼───────────────────┤\n"
            "│float32│   86.47 MB  │413.18 MB │      1.61 GB      │\n"
            "│float16│   43.23 MB  │206.59 MB │     826.36 MB     │\n"
            "│  int8 │   21.62 MB  │103.29 MB │     413.18 MB     │\n"
            "│  int4 │   10.81 MB  │ 51.65 MB │     206.59 MB     │\n"
            "└───────┴─────────────┴──────────┴───────────────────┘\n");
}

TEST(Cli, TimmResnetFromCatalogWithDtypes) {
  CliRun r = run("estimate-memory timm/resnet50.a1_in1k --library_name timm --dtypes float32 int4 --format csv");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out,
            "dtype,largest_layer_bytes,total_size_bytes,training_bytes\n"
            "float32,9437184,102441032,409764128\n"
            "int4,1179648,12805129,51220516\n");
}

TEST(Cli, JsonHasSourceArchitectureAndExactBytes) {
  CliRun r = run("estimate-memory bert-base-cased --format json --dtypes float32");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("\"source\": \"catalog\""), std::string::npos);
  EXPECT_NE(r.out.find("\"architecture\": \"BertModel\""), std::string::npos);
  EXPECT_NE(r.out.find("\"parameters\": 108310272"), std::string::npos);
  EXPECT_NE(r.out.find("\"total_size_bytes\": 433249280"), std::string::npos);
}

TEST(Cli, LocalFolderAndConfigPathGiveTheSameBytes) {
  std::ifstream in(std::string(MEMFIT_TEST_DATA) + "/../../data/catalog/_/bert-base-cased/config.json");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  fs::path dir = write_config("bert", text);
  CliRun a = run("estimate-memory " + dir.string() + " --format csv");
  CliRun b = run("estimate-memory " + (dir / "config.json").string() + " --format csv");
  CliRun c = run("estimate-memory bert-base-cased --format csv");
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.out, c.out);
  EXPECT_EQ(b.out, c.out);
}

TEST(Cli, VersionAloneAndWithACommandsFlags) {
  CliRun v = run("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out, "memfit 0.1.0\n");  // the fast path, before any command is set up
  CliRun w = run("--version --help");
  EXPECT_EQ(w.code, 0);
  EXPECT_EQ(w.out, "memfit 0.1.0\n");  // CLI11's own handling of the same flag
}

// `list --model-types` prints every transformers model type the registry holds; an unknown type is answered with the
// closest ones and that count, not the whole list.
TEST(Cli, ModelTypesAreListedAndAnUnknownOneGetsTheClosest) {
  const std::vector<std::string> types = memfit::supported_model_types();
  CliRun r = run("list --model-types");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(lines(r.out), static_cast<int>(types.size()));
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "afmoe");
  EXPECT_NE(r.out.find("\nllama\n"), std::string::npos);
  fs::path dir = write_config("lama", R"({"model_type": "lama"})");
  CliRun e = run("estimate-memory " + dir.string());
  EXPECT_EQ(e.code, 5);
  EXPECT_EQ(e.err, "memfit: error: model_type `lama` is not supported yet (closest: llama, bamba, flava; `memfit list "
                   "--model-types` lists the " + std::to_string(types.size()) + " it builds). An approximate estimate "
                   "needs the standard decoder keys; the config lacks: vocab_size, hidden_size, num_hidden_layers, "
                   "num_attention_heads\n");
}

struct BadCase {
  const char* name;
  std::string args;     // may contain {dir}
  std::string config;   // written to {dir}/config.json when non-empty
  int code;
  std::string message;  // expected substring of the one stderr line
};

class CliBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(CliBadInput, OneClearLineAndNonZeroExit) {
  const BadCase& c = GetParam();
  std::string args = c.args;
  if (!c.config.empty()) {
    fs::path dir = write_config(c.name, c.config);
    if (auto p = args.find("{dir}"); p != std::string::npos) args.replace(p, 5, dir.string());
  }
  CliRun r = run(args);
  EXPECT_EQ(r.code, c.code) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

INSTANTIATE_TEST_SUITE_P(
    All, CliBadInput,
    ::testing::Values(
        BadCase{"malformed", "estimate-memory {dir}", "{\n  \"model_type\": \"bert\",\n  \"hidden_size\": ,\n}", 4,
                "config.json:3:18: malformed JSON"},
        BadCase{"notobject", "estimate-memory {dir}", "[1, 2, 3]", 4, "not a JSON object"},
        BadCase{"empty", "estimate-memory {dir}", " ", 4, "malformed JSON"},
        // An omitted key takes LlamaConfig's default, as in transformers; a null one fails there too.
        BadCase{"missingkey", "estimate-memory {dir}", "{\"model_type\": \"llama\", \"vocab_size\": null}", 4,
                "config key `vocab_size` is missing or invalid (model_type `llama`)"},
        BadCase{"wrongtype", "estimate-memory {dir}", "{\"model_type\": \"bert\", \"hidden_size\": \"big\"}", 4,
                "config key `hidden_size` is missing or invalid (model_type `bert`)"},
        BadCase{"unknowntype", "estimate-memory {dir}", "{\"model_type\": \"frobnicator\"}", 5,
                "model_type `frobnicator` is not supported yet (closest: "},
        BadCase{"hugelayers", "estimate-memory {dir}",
                "{\"model_type\": \"llama\", \"vocab_size\": 10, \"hidden_size\": 64, \"num_hidden_layers\": 1000000000000,"
                " \"num_attention_heads\": 4, \"intermediate_size\": 128}",
                4, "not plausible"},
        BadCase{"negativedim", "estimate-memory {dir}",
                "{\"model_type\": \"llama\", \"vocab_size\": -10, \"hidden_size\": 64, \"num_hidden_layers\": 2,"
                " \"num_attention_heads\": 4, \"intermediate_size\": 128}",
                4, "negative dimension"},
        BadCase{"zeroheads", "estimate-memory {dir}",
                "{\"model_type\": \"llama\", \"vocab_size\": 10, \"hidden_size\": 64, \"num_hidden_layers\": 2,"
                " \"num_attention_heads\": 0, \"intermediate_size\": 128}",
                4, "num_attention_heads"},
        BadCase{"baddtype", "estimate-memory bert-base-cased --dtypes float64", "", 2,
                "--dtypes: `float64` is not one of float32, float16, int8, int4"},
        BadCase{"badformat", "estimate-memory bert-base-cased --format yaml", "", 2,
                "--format: `yaml` is not one of table, markdown, json, csv"},
        BadCase{"badlibrary", "estimate-memory bert-base-cased --library_name keras", "", 2,
                "--library_name: `keras` is not one of transformers, timm"},
        BadCase{"unknownflag", "estimate-memory bert-base-cased --frobnicate", "", 2, "frobnicate"},
        BadCase{"unknowncommand", "estimate-memroy bert-base-cased", "", 2,
                "unknown command `estimate-memroy` (commands: estimate-memory, list, inspect, gpus, fit, search, serve, "
                "publish)"},
        BadCase{"unknownid", "estimate-memory bert-base-cassed", "", 3,
                "closest catalog ids: bert-base-cased"}),
    [](const ::testing::TestParamInfo<BadCase>& i) { return std::string(i.param.name); });

}  // namespace

namespace {
// Only the command named first is registered (src/cli/main.cpp): each command's own help still comes out whole, and
// the top-level help lists every command.
TEST(CliCommands, EachCommandRegistersItselfAlone) {
  for (std::string name : {"estimate-memory", "list", "inspect", "gpus", "fit", "search", "serve", "publish"}) {
    auto r = memfit::testing_util::run_cli(name + " --help");
    EXPECT_EQ(r.code, 0) << name;
    EXPECT_NE(r.out.find("Usage: memfit " + name), std::string::npos) << name << ":\n" << r.out;
  }
  auto top = memfit::testing_util::run_cli("--help");
  EXPECT_EQ(top.code, 0);
  for (std::string name : {"estimate-memory", "list", "inspect", "gpus", "fit", "search", "serve", "publish"})
    EXPECT_NE(top.out.find("  " + name), std::string::npos) << name;
}
}  // namespace
