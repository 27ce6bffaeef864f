#include "source/catalog.h"

#include "core/edit_distance.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace memfit {

namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The Hub renamed the legacy un-namespaced repos; both names reach the same config.
const std::pair<std::string_view, std::string_view> kAliases[] = {
    {"google-bert/bert-base-cased", "bert-base-cased"},   {"google-bert/bert-base-uncased", "bert-base-uncased"},
    {"openai-community/gpt2-xl", "gpt2-xl"},              {"google-t5/t5-base", "t5-base"},
    {"distilbert/distilroberta-base", "distilroberta-base"}, {"gpt2", "openai-community/gpt2"},
    {"t5-small", "google-t5/t5-small"},                   {"bert-large-uncased", "google-bert/bert-large-uncased"},
    {"roberta-base", "FacebookAI/roberta-base"},          {"xlm-roberta-large", "FacebookAI/xlm-roberta-large"},
    {"distilbert-base-uncased", "distilbert/distilbert-base-uncased"},
};

}  // namespace

const CatalogEntry* find_in_catalog(std::string_view id) {
  for (const auto& e : catalog())
    if (iequals(e.id, id)) return &e;
  for (const auto& [alias, target] : kAliases)
    if (iequals(alias, id)) return find_in_catalog(target);
  if (!id.starts_with("timm/")) {
    std::string t = "timm/" + std::string(id);
    for (const auto& e : catalog())
      if (iequals(e.id, t)) return &e;
  }
  return nullptr;
}

std::vector<std::string> closest_ids(std::string_view id, size_t n) {
  id = id.substr(0, 128);  // ids are at most 96 characters: a longer argument would only cost time
  std::vector<std::pair<size_t, std::string_view>> scored;
  for (const auto& e : catalog()) {
    size_t d = edit_distance(id, e.id);
    // A name without its org should find the org/name entry.
    if (auto slash = e.id.find('/'); slash != std::string_view::npos)
      d = std::min(d, edit_distance(id, e.id.substr(slash + 1)) + 1);
    scored.emplace_back(d, e.id);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < n; ++i) out.emplace_back(scored[i].second);
  return out;
}

}  // namespace memfit
