#include "core/edit_distance.h"

#include <gtest/gtest.h>

#include <string>

#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("4900", "4090"), 1u);  // one swap of neighbours
  EXPECT_EQ(edit_distance("Bert", "bert"), 0u);  // letters compared case-insensitively
  EXPECT_EQ(edit_distance("", "llama"), 5u);
  EXPECT_EQ(edit_distance("lama", ""), 4u);
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);     // optimal string alignment: a swapped pair is not edited again
}

TEST(EditDistance, ClosestWordsInOrderWithTiesInTheCandidatesOrder) {
  const std::vector<std::string> words{"llama", "mllama", "bamba", "flava", "gemma"};
  EXPECT_EQ(closest_words("lama", words), (std::vector<std::string>{"llama", "mllama", "bamba"}));
  EXPECT_EQ(closest_words("gema", words, 1), (std::vector<std::string>{"gemma"}));
  EXPECT_EQ(closest_words("x", {}, 3), std::vector<std::string>{});
}

}  // namespace MEMFIT_TU
}  // namespace memfit
