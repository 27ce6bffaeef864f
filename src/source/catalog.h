// The bundled catalog: popular models' config.json files compiled into the binary, so memfit works offline.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace memfit {

struct CatalogEntry {
  std::string_view id;       // Hub id, e.g. "bert-base-cased", "meta-llama/Llama-2-7b-hf", "timm/resnet50.a1_in1k"
  std::string_view library;  // "transformers" or "timm"
  std::string_view config;   // config.json text
};

std::span<const CatalogEntry> catalog();
// Exact id (case-insensitive), a known alias (e.g. "google-bert/bert-base-uncased"), or a timm name without "timm/".
const CatalogEntry* find_in_catalog(std::string_view id);
// Up to n catalog ids closest to `id` (edit distance), for "did you mean" messages.
std::vector<std::string> closest_ids(std::string_view id, size_t n = 3);

}  // namespace memfit
