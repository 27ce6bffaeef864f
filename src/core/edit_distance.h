// Edit distance for "did you mean" suggestions (catalog ids, GPU names, model types).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace memfit {

// Edits (insert, delete, substitute, swap two neighbours) from a to b, letters compared case-insensitively: "4900" is
// one swap from "4090", "Bert" none from "bert". O(|a|·|b|) time, O(|b|) memory: callers cap their input's length.
size_t edit_distance(std::string_view a, std::string_view b);

// Up to n of `candidates` closest to `word` (ties in the candidates' order).
std::vector<std::string> closest_words(std::string_view word, const std::vector<std::string>& candidates, size_t n = 3);

}  // namespace memfit
