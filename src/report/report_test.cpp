// accelerate's table and number formatting, character for character.
#include <gtest/gtest.h>

#include "report/pyfmt.h"
#include "report/report.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

TEST(ConvertBytes, MatchesPythonRoundAndRepr) {
  EXPECT_EQ(convert_bytes(433249280, true), "413.18 MB");
  EXPECT_EQ(convert_bytes(9437184, true), "9.0 MB");
  EXPECT_EQ(convert_bytes(102441032, true), "97.7 MB");
  EXPECT_EQ(convert_bytes(1732997120, true), "1.61 GB");
  EXPECT_EQ(convert_bytes(512, true), "512 bytes");
  EXPECT_EQ(convert_bytes(512.0, false), "512.0 bytes");
  EXPECT_EQ(convert_bytes(1023.5, false), "1023.5 bytes");
  EXPECT_EQ(convert_bytes(1024, true), "1.0 KB");
  // Exactly representable ties round half to even, as Python's round does: 1.125 -> 1.12, 1.375 -> 1.38.
  EXPECT_EQ(convert_bytes(1.125 * 1024, true), "1.12 KB");
  EXPECT_EQ(convert_bytes(1.375 * 1024, true), "1.38 KB");
  EXPECT_EQ(convert_bytes(1.5 * 1024.0 * 1024 * 1024 * 1024 * 1024, true), "1.5 PB");
}

TEST(PyCenter, MatchesStrCenter) {
  EXPECT_EQ(py_center("86.47 MB", 13), "   86.47 MB  ");
  EXPECT_EQ(py_center("int8", 7), "  int8 ");
  EXPECT_EQ(py_center("ab", 5), "  ab ");
  EXPECT_EQ(py_center("abc", 6), " abc  ");
  EXPECT_EQ(py_center("toolong", 3), "toolong");
}

const std::vector<std::string> kHeaders{"dtype", "Largest Layer", "Total Size", "Training using Adam"};
const std::vector<std::vector<std::string>> kBertRows{
    {"float32", "86.47 MB", "413.18 MB", "1.61 GB"},
    {"float16", "43.23 MB", "206.59 MB", "826.36 MB"},
    {"int8", "21.62 MB", "103.29 MB", "N/A"},
    {"int4", "10.81 MB", "51.65 MB", "N/A"},
};

// The fixture's `table` for bert-base-cased (accelerate's output, int8/int4 training as it prints them).
TEST(AsciiTable, BertBaseCasedExactly) {
  const std::string want =
      "┌────────────────────────────────────────────────────┐\n"
      "│     Memory Usage for loading `bert-base-cased`     │\n"
      "├───────┬─────────────┬──────────┬───────────────────┤\n"
      "│ dtype │Largest Layer│Total Size│Training using Adam│\n"
      "├───────┼─────────────┼──────────┼───────────────────┤\n"
      "│float32│   86.47 MB  │413.18 MB │      1.61 GB      │\n"
      "│float16│   43.23 MB  │206.59 MB │     826.36 MB     │\n"
      "│  int8 │   21.62 MB  │103.29 MB │        N/A        │\n"
      "│  int4 │   10.81 MB  │ 51.65 MB │        N/A        │\n"
      "└───────┴─────────────┴──────────┴───────────────────┘";
  EXPECT_EQ(ascii_table(kHeaders, kBertRows, "Memory Usage for loading `bert-base-cased`"), want);
}

// A title longer than the columns: accelerate widens the last column by |len(title) - len(separator)| twice
// (expected text produced by accelerate's create_ascii_table itself).
TEST(AsciiTable, LongTitleWidensLastColumnLikeAccelerate) {
  const std::string want =
      "┌────────────────────────────────────────────────────────────────┐\n"
      "│  Memory Usage for loading `meta-llama/Llama-3.1-70B-Instruct`  │\n"
      "├───────┬─────────────┬──────────┬───────────────────────────────┤\n"
      "│ dtype │Largest Layer│Total Size│      Training using Adam      │\n"
      "├───────┼─────────────┼──────────┼───────────────────────────────┤\n"
      "│float32│   86.47 MB  │413.18 MB │            1.61 GB            │\n"
      "│float16│   43.23 MB  │206.59 MB │           826.36 MB           │\n"
      "│  int8 │   21.62 MB  │103.29 MB │              N/A              │\n"
      "│  int4 │   10.81 MB  │ 51.65 MB │              N/A              │\n"
      "└───────┴─────────────┴──────────┴───────────────────────────────┘";
  EXPECT_EQ(ascii_table(kHeaders, kBertRows, "Memory Usage for loading `meta-llama/Llama-3.1-70B-Instruct`"), want);
}

// Title exactly as wide as the separator: accelerate's title line would stick out by 2; memfit's is closed.
TEST(AsciiTable, TitleAsWideAsSeparatorIsDrawnClosed) {
  std::string title = "Memory Usage for loading `google-bert/bert-base-cased`";
  ASSERT_EQ(py_len(title), 54u);
  std::string t = ascii_table(kHeaders, kBertRows, title);
  size_t start = 0, width = 0;
  while (start < t.size()) {
    size_t nl = t.find('\n', start);
    std::string line = t.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (width == 0) width = py_len(line);
    EXPECT_EQ(py_len(line), width) << line;
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  EXPECT_NE(t.find("│" + title + "│"), std::string::npos);
}

TEST(Markdown, SeedLayout) {
  Estimate e;
  e.model = "bert-base-cased";
  e.rows = {{"float32", {90669056, true}, {433249280, true}, {1732997120, true}}};
  EXPECT_EQ(render_markdown(e),
            "Memory Usage for loading `bert-base-cased`:\n\n"
            "| dtype   | Largest Layer | Total Size | Training using Adam |\n"
            "|---------|---------------|------------|---------------------|\n"
            "| float32 | 86.47 MB      | 413.18 MB  | 1.61 GB             |\n");
}

TEST(Csv, BytesExact) {
  Estimate e;
  e.rows = {{"int4", {11333632, false}, {54156160, false}, {216624640, false}},
            {"int8", {0.5, false}, {1.125, false}, {4.5, false}}};
  EXPECT_EQ(render_csv(e),
            "dtype,largest_layer_bytes,total_size_bytes,training_bytes\n"
            "int4,11333632,54156160,216624640\n"
            "int8,0.5,1.125,4.5\n");
}

}  // namespace
}  // namespace memfit
