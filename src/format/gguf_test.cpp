// GGUF reader and writer: every ggml type's bytes, every metadata value type (arrays of arrays too), alignment,
// v2 and v3, architecture hyper-parameters, split files, and each hostile file giving one clear error.
#include "format/gguf.h"

#include <gtest/gtest.h>

#include "scratch_dir.h"
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "inspect/inspect.h"
#include "core/file_scope.h"

namespace memfit::gguf {
namespace MEMFIT_TU {

namespace fs = std::filesystem;

fs::path tmpdir() {
  auto d = memfit::testing_util::scratch_dir("gguf");
  fs::create_directories(d);
  return d;
}

// Bytes per block and block size of every ggml type (ANCHORS 5.1, from ggml-common.h).
struct Expect {
  uint32_t id;
  const char* name;
  uint32_t block, bytes;
};
const Expect kTypes[] = {
    {0, "F32", 1, 4},         {1, "F16", 1, 2},         {2, "Q4_0", 32, 18},      {3, "Q4_1", 32, 20},
    {6, "Q5_0", 32, 22},      {7, "Q5_1", 32, 24},      {8, "Q8_0", 32, 34},      {9, "Q8_1", 32, 36},
    {10, "Q2_K", 256, 84},    {11, "Q3_K", 256, 110},   {12, "Q4_K", 256, 144},   {13, "Q5_K", 256, 176},
    {14, "Q6_K", 256, 210},   {15, "Q8_K", 256, 292},   {16, "IQ2_XXS", 256, 66}, {17, "IQ2_XS", 256, 74},
    {18, "IQ3_XXS", 256, 98}, {19, "IQ1_S", 256, 50},   {20, "IQ4_NL", 32, 18},   {21, "IQ3_S", 256, 110},
    {22, "IQ2_S", 256, 82},   {23, "IQ4_XS", 256, 136}, {24, "I8", 1, 1},         {25, "I16", 1, 2},
    {26, "I32", 1, 4},        {27, "I64", 1, 8},        {28, "F64", 1, 8},        {29, "IQ1_M", 256, 56},
    {30, "BF16", 1, 2},       {34, "TQ1_0", 256, 54},   {35, "TQ2_0", 256, 66},   {39, "MXFP4", 32, 17},
    {40, "NVFP4", 64, 36},    {41, "Q1_0", 128, 18},    {42, "Q2_0", 64, 18},
};

TEST(Gguf, EveryGgmlTypeHasItsExactBytes) {
  ASSERT_EQ(ggml_types().size(), std::size(kTypes));
  std::vector<WriteTensor> ts;
  for (const auto& e : kTypes) ts.push_back({std::string("t.") + e.name, {e.block * 4, 3, 2}, e.id});
  auto p = (tmpdir() / "types.gguf").string();
  ASSERT_TRUE(write_file(p, {{"general.architecture", Value::of_string("llama")}}, ts));
  auto f = read_file(p);
  ASSERT_TRUE(f) << f.error().message;
  ASSERT_EQ(f->tensors.size(), std::size(kTypes));
  for (size_t k = 0; k < std::size(kTypes); ++k) {
    const auto& t = f->tensors[k];
    EXPECT_EQ(t.type_name, kTypes[k].name);
    EXPECT_EQ(t.elements, kTypes[k].block * 4ull * 6);
    EXPECT_EQ(t.bytes, 4ull * 6 * kTypes[k].bytes) << kTypes[k].name;
    EXPECT_EQ(t.offset % 32, 0u);
  }
  // Removed types are rejected by id.
  for (uint32_t removed : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u, 43u}) EXPECT_EQ(find_ggml_type(removed), nullptr);
  // Bits per weight as ANCHORS lists them.
  EXPECT_DOUBLE_EQ(8.0 * find_ggml_type(12)->bytes / find_ggml_type(12)->block, 4.5);     // Q4_K
  EXPECT_DOUBLE_EQ(8.0 * find_ggml_type(14)->bytes / find_ggml_type(14)->block, 6.5625);  // Q6_K
  EXPECT_DOUBLE_EQ(8.0 * find_ggml_type(39)->bytes / find_ggml_type(39)->block, 4.25);    // MXFP4
}

TEST(Gguf, EveryValueTypeRoundTrips) {
  auto num = [](ValueType t, uint64_t u, int64_t i, double f) {
    Value v;
    v.type = t;
    v.u = u;
    v.i = i;
    v.f = f;
    return v;
  };
  Value u8arr;
  u8arr.type = ValueType::Array;
  u8arr.elem = ValueType::U8;
  u8arr.count = 3;
  u8arr.raw = std::string("\x01\x02\x03", 3);
  std::vector<std::pair<std::string, Value>> md{
      {"general.architecture", Value::of_string("llama")},
      {"general.name", Value::of_string("Tiny")},
      {"general.file_type", Value::of_u32(15)},
      {"v.u8", num(ValueType::U8, 200, 0, 0)},
      {"v.i8", num(ValueType::I8, 0, -100, 0)},
      {"v.u16", num(ValueType::U16, 60000, 0, 0)},
      {"v.i16", num(ValueType::I16, 0, -30000, 0)},
      {"v.u32", num(ValueType::U32, 4000000000u, 0, 0)},
      {"v.i32", num(ValueType::I32, 0, -2000000000, 0)},
      {"v.f32", num(ValueType::F32, 0, 0, 0.5)},
      {"v.bool", Value::of_bool(true)},
      {"v.u64", num(ValueType::U64, 1ull << 40, 0, 0)},
      {"v.i64", num(ValueType::I64, 0, -(1ll << 40), 0)},
      {"v.f64", num(ValueType::F64, 0, 0, 0.25)},
      {"v.u8arr", u8arr},
      {"v.strs", Value::of_string_array({"a", "bc", ""})},
      {"v.nested", Value::of_array_array({Value::of_i32_array({1, 2}), Value::of_i32_array({3})})},
      {"llama.block_count", Value::of_u32(4)},
      {"llama.context_length", Value::of_u32(4096)},
      {"llama.embedding_length", Value::of_u32(256)},
      {"llama.attention.head_count", Value::of_u32(8)},
      {"llama.attention.head_count_kv", Value::of_i32_array({8, 2, 2, 0})},
      {"llama.feed_forward_length", Value::of_u32(1024)},
      {"tokenizer.ggml.tokens", Value::of_string_array({"<s>", "</s>", "a"})},
  };
  for (uint32_t version : {2u, 3u}) {
    auto p = (tmpdir() / ("values" + std::to_string(version) + ".gguf")).string();
    ASSERT_TRUE(write_file(p, md, {{"token_embd.weight", {256, 3}, 12}}, version));
    auto f = read_file(p);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->version, version);
    ASSERT_EQ(f->metadata.size(), md.size());
    EXPECT_EQ(f->find("v.u8")->u, 200u);
    EXPECT_EQ(f->find("v.i8")->i, -100);
    EXPECT_EQ(f->find("v.u16")->u, 60000u);
    EXPECT_EQ(f->find("v.i16")->i, -30000);
    EXPECT_EQ(f->find("v.u32")->u, 4000000000u);
    EXPECT_EQ(f->find("v.i32")->i, -2000000000);
    EXPECT_EQ(f->find("v.f32")->f, 0.5);
    EXPECT_TRUE(f->find("v.bool")->b);
    EXPECT_EQ(f->find("v.u64")->u, 1ull << 40);
    EXPECT_EQ(f->find("v.i64")->i, -(1ll << 40));
    EXPECT_EQ(f->find("v.f64")->f, 0.25);
    EXPECT_EQ(f->find("v.u8arr")->as_ints(), (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(f->find("v.strs")->strings, (std::vector<std::string>{"a", "bc", ""}));
    const Value* nested = f->find("v.nested");
    ASSERT_EQ(nested->items.size(), 2u);
    EXPECT_EQ(nested->items[0].as_ints(), (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(nested->items[1].as_ints(), (std::vector<int64_t>{3}));
    auto a = arch_info(*f);
    EXPECT_EQ(a.architecture, "llama");
    EXPECT_EQ(a.name, "Tiny");
    EXPECT_EQ(file_type_name(*a.file_type), "Q4_K_M");
    EXPECT_EQ(a.block_count, 4);
    EXPECT_EQ(a.context_length, 4096);
    EXPECT_EQ(a.head_count, (std::vector<int64_t>{8}));
    EXPECT_EQ(a.head_count_kv, (std::vector<int64_t>{8, 2, 2, 0}));
    EXPECT_EQ(ArchInfo::at_layer(a.head_count_kv, 3), 0);
    EXPECT_EQ(ArchInfo::at_layer(a.head_count, 3), 8);
    EXPECT_EQ(a.vocab_size, 3);
  }
  EXPECT_EQ(file_type_name(38), "MXFP4_MOE");
  EXPECT_EQ(file_type_name(7), "Q8_0");
  EXPECT_EQ(file_type_name(1024 + 15), "Q4_K_M (guessed)");
}

TEST(Gguf, AlignmentFromMetadata) {
  auto p = (tmpdir() / "align.gguf").string();
  ASSERT_TRUE(write_file(p, {{"general.alignment", Value::of_u32(64)}},
                         {{"a", {32}, 0}, {"b", {32}, 0}}, 3, 64));
  auto f = read_file(p);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->alignment, 64u);
  EXPECT_EQ(f->data_offset % 64, 0u);
  EXPECT_EQ(f->tensors[1].offset, 128u);  // 32 x F32 = 128 bytes, a multiple of 64
}

TEST(Gguf, SplitFilesAreInspectedTogether) {
  auto dir = tmpdir() / "split";
  fs::create_directories(dir);
  for (int k = 1; k <= 3; ++k) {
    auto p = (dir / ("m-0000" + std::to_string(k) + "-of-00003.gguf")).string();
    std::vector<std::pair<std::string, Value>> md{{"split.no", Value::of_u32(k - 1)}, {"split.count", Value::of_u32(3)}};
    if (k == 1) {
      md.push_back({"general.architecture", Value::of_string("llama")});
      md.push_back({"general.file_type", Value::of_u32(7)});
    }
    ASSERT_TRUE(write_file(p, md, {{"blk." + std::to_string(k) + ".w", {4096, 4096}, 8}}));
  }
  EXPECT_EQ(split_index("m-00002-of-00003.gguf"), (std::pair{2, 3}));
  EXPECT_FALSE(split_index("m.gguf"));
  auto r = inspect::inspect_path((dir / "m-00002-of-00003.gguf").string());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->files.size(), 3u);
  EXPECT_EQ(r->tensors, 3u);
  EXPECT_EQ(r->parameters, 3ull * 4096 * 4096);
  EXPECT_EQ(r->total_bytes, 3ull * 4096 * 4096 / 32 * 34);
  ASSERT_TRUE(r->gguf);
  EXPECT_EQ(r->gguf->file_type, "Q8_0");
  fs::remove(dir / "m-00003-of-00003.gguf");
  auto missing = inspect::inspect_path((dir / "m-00001-of-00003.gguf").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
}

// Raw little-endian builders for hostile files.
struct Bytes {
  std::string s;
  Bytes& u32(uint32_t x) { s.append(reinterpret_cast<const char*>(&x), 4); return *this; }
  Bytes& u64(uint64_t x) { s.append(reinterpret_cast<const char*>(&x), 8); return *this; }
  Bytes& str(std::string_view x) { u64(x.size()); s.append(x); return *this; }
  Bytes& raw(std::string_view x) { s.append(x); return *this; }
};
Bytes head(uint64_t tensors, uint64_t kv, uint32_t version = 3) {
  Bytes b;
  b.raw("GGUF").u32(version).u64(tensors).u64(kv);
  return b;
}

std::string error_of(const std::string& name, const std::string& content, uint64_t pad = 0) {
  auto p = (tmpdir() / name).string();
  std::ofstream(p, std::ios::binary) << content;
  if (pad) fs::resize_file(p, content.size() + pad);
  auto f = read_file(p);
  EXPECT_FALSE(f.has_value()) << name;
  if (f) return "";
  EXPECT_EQ(f.error().kind, ErrorKind::BadInput) << name;
  EXPECT_EQ(f.error().message.find('\n'), std::string::npos);
  return f.error().message;
}

TEST(Gguf, HostileFiles) {
  auto has = [](const std::string& msg, const char* what) {
    EXPECT_NE(msg.find(what), std::string::npos) << msg << " (expected: " << what << ")";
  };
  has(error_of("magic.gguf", "GGML....."), "no GGUF magic");
  has(error_of("empty.gguf", ""), "no GGUF magic");
  has(error_of("v1.gguf", head(0, 0, 1).s), "version 1");
  has(error_of("v9.gguf", head(0, 0, 9).s), "unsupported GGUF version 9");
  has(error_of("trunc_head.gguf", "GGUF\x03\x00\x00\x00\x01"), "truncated");
  has(error_of("tensors.gguf", head(~0ull, 0).s), "absurd tensor count");
  has(error_of("kv.gguf", head(0, 1ull << 40).s), "absurd metadata count");
  // Within the caps but more than the file holds: the file is cut short, not absurd (issue 12, defect 13).
  has(error_of("kv_small.gguf", head(0, 1000).s, 100), "truncated: 1000 metadata entries need at least 13000 bytes");
  has(error_of("keylen.gguf", head(0, 1).u64(1ull << 50).s, 64), "string length");
  has(error_of("strlen.gguf", head(0, 1).str("k").u32(8).u64(1ull << 40).s, 64), "string length");
  has(error_of("strpast.gguf", head(0, 1).str("k").u32(8).u64(1000).s, 64), "runs past the end");
  has(error_of("vtype.gguf", head(0, 1).str("k").u32(13).s, 64), "unknown value type 13");
  has(error_of("arrcount.gguf", head(0, 1).str("k").u32(9).u32(6).u64(1ull << 60).s, 64), "array count");
  has(error_of("arrfit.gguf", head(0, 1).str("k").u32(9).u32(6).u64(1000).s, 64), "cannot fit");
  has(error_of("arrtype.gguf", head(0, 1).str("k").u32(9).u32(77).u64(1).s, 64), "unknown array element type");
  {
    Bytes b = head(0, 1).str("k").u32(9);
    for (int d = 0; d < 20; ++d) b.u32(9).u64(1);
    has(error_of("nest.gguf", b.s, 64), "nest deeper");
  }
  has(error_of("bool.gguf", head(0, 1).str("k").u32(7).raw("\x05").s, 64), "neither 0 nor 1");
  has(error_of("dupkey.gguf", head(0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(1).s, 64), "duplicate");
  has(error_of("align.gguf", head(0, 1).str("general.alignment").u32(4).u32(48).s, 64), "power of two");
  has(error_of("align_t.gguf", head(0, 1).str("general.alignment").u32(10).u64(64).s, 64), "not a UINT32");
  auto tensor = [](std::string_view name, std::vector<uint64_t> dims, uint32_t type, uint64_t off) {
    Bytes b;
    b.str(name).u32(static_cast<uint32_t>(dims.size()));
    for (auto d : dims) b.u64(d);
    b.u32(type).u64(off);
    return b.s;
  };
  has(error_of("ndims.gguf", head(1, 0).raw(tensor("t", {1, 1, 1, 1, 1}, 0, 0)).s, 256), "dimensions");
  has(error_of("negdim.gguf", head(1, 0).raw(tensor("t", {~0ull}, 0, 0)).s, 256), "negative or absurd");
  has(error_of("ovf.gguf", head(1, 0).raw(tensor("t", {1ull << 32, 1ull << 32, 1ull << 32}, 0, 0)).s, 256),
      "overflows 64 bits");
  has(error_of("gtype.gguf", head(1, 0).raw(tensor("t", {32}, 4, 0)).s, 256), "unknown or removed ggml type 4");
  has(error_of("block.gguf", head(1, 0).raw(tensor("t", {33}, 2, 0)).s, 256), "not a multiple of the Q4_0 block");
  has(error_of("offalign.gguf", head(1, 0).raw(tensor("t", {8}, 0, 3)).s, 256), "not a multiple of the alignment");
  has(error_of("past.gguf", head(1, 0).raw(tensor("t", {1024}, 0, 0)).s, 64), "runs past the end");
  has(error_of("overlap.gguf", head(2, 0).raw(tensor("a", {16}, 0, 0)).raw(tensor("b", {16}, 0, 32)).s, 512),
      "overlaps");
  has(error_of("duptensor.gguf", head(2, 0).raw(tensor("a", {8}, 0, 0)).raw(tensor("a", {8}, 0, 32)).s, 512),
      "duplicate tensor");
  has(error_of("trunc_ti.gguf", head(1, 0).str("a_long_tensor_name_xxxxxx").u32(2).s), "truncated");
}

// Defect 13: a real file cut short said "absurd tensor count 14"; it says the file is truncated.
TEST(Gguf, CutShortFileIsTruncatedNotAbsurd) {
  auto p = (tmpdir() / "cut.gguf").string();
  std::vector<WriteTensor> ts;
  for (int k = 0; k < 14; ++k) ts.push_back({"blk." + std::to_string(k) + ".w", {32, 32}, 0});
  ASSERT_TRUE(write_file(p, {{"general.architecture", Value::of_string("llama")}}, ts));
  fs::resize_file(p, 100);
  auto f = read_file(p);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind, ErrorKind::BadInput);
  EXPECT_EQ(f.error().message.find("absurd"), std::string::npos) << f.error().message;
  EXPECT_NE(f.error().message.find("truncated: 14 tensor infos need at least 336 bytes"), std::string::npos)
      << f.error().message;
}

}  // namespace
}  // namespace memfit::gguf
