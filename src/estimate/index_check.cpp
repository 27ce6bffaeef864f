#include "estimate/index_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "tree/measure.h"

namespace memfit {

namespace {

bool is_float(DType d) {
  return d == DType::F64 || d == DType::F32 || d == DType::F16 || d == DType::BF16 || d == DType::F8_E4M3 ||
         d == DType::F8_E5M2;
}

int config_bits(const Json& config) {
  for (const char* k : {"torch_dtype", "dtype"}) {
    auto it = config.find(k);
    if (it != config.end() && it->is_string())
      if (auto d = parse_dtype(it->get<std::string>())) return dtype_bits(*d);
  }
  return 0;
}

bool ends_with(const std::string& s, std::string_view suffix) { return s.ends_with(suffix); }

}  // namespace

IndexComparison compare_with_index(const Model& model, const Json& index, const Json& config) {
  IndexComparison r;
  const Json& meta = index.value("metadata", Json::object());
  if (meta.contains("total_size") && meta["total_size"].is_number())
    r.index_total = static_cast<uint64_t>(meta["total_size"].get<double>());
  std::set<std::string> index_names;
  if (index.contains("weight_map") && index["weight_map"].is_object())
    for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it) index_names.insert(it.key());

  std::vector<CheckpointTensor> tensors = checkpoint_tensors(model);
  // The checkpoint's own prefix: a base-model checkpoint has no `model.`/`transformer.` prefix, or the reverse.
  std::set<std::string> model_names;
  for (const auto& t : tensors) model_names.insert(t.name);
  auto overlap = [&](const std::set<std::string>& a) {
    size_t n = 0;
    for (const auto& x : a) n += index_names.count(x);
    return n;
  };
  size_t best = overlap(model_names);
  std::string strip;
  for (const auto& [child, _] : model.root->children) {
    std::set<std::string> stripped;
    std::string p = child + ".";
    for (const auto& n : model_names) stripped.insert(n.starts_with(p) ? n.substr(p.size()) : n);
    if (size_t o = overlap(stripped); o > best) best = o, strip = p;
  }
  if (!strip.empty()) {
    r.prefix_note = fmt::format("checkpoint names carry no `{}` prefix", strip);
    std::set<std::string> stripped;
    for (auto& t : tensors) {
      if (t.name.starts_with(strip)) t.name = t.name.substr(strip.size());
      stripped.insert(t.name);
    }
    model_names = std::move(stripped);
  }

  std::set_difference(index_names.begin(), index_names.end(), model_names.begin(), model_names.end(),
                      std::back_inserter(r.only_in_index));
  std::set_difference(model_names.begin(), model_names.end(), index_names.begin(), index_names.end(),
                      std::back_inserter(r.only_in_model));
  r.names_equal = r.only_in_index.empty() && r.only_in_model.empty();

  uint64_t float_numel = 0, other_bits = 0;
  for (const auto& t : tensors) {
    if (is_float(t.dtype)) float_numel += Tensor{t.shape, t.dtype}.numel();
    else other_bits += Tensor{t.shape, t.dtype}.bits();
  }
  r.stored_bits = config_bits(config);
  if (r.stored_bits == 0 && float_numel > 0) {
    // No dtype in the config: infer the width from total_size (16 or 32 bits).
    r.stored_bits = r.index_total * 8 >= float_numel * 32 ? 32 : 16;
  }
  r.model_total = (float_numel * static_cast<uint64_t>(r.stored_bits) + other_bits) / 8;
  r.bytes_equal = r.model_total == r.index_total;
  if (r.names_equal && r.bytes_equal) return r;

  // Diagnose, from the names the checkpoint holds and the model does not, and the reverse.
  size_t inv_freq = 0, legacy_masks = 0, quant = 0, lm_head = 0;
  for (const auto& n : r.only_in_index) {
    if (ends_with(n, "rotary_emb.inv_freq")) ++inv_freq;
    else if (ends_with(n, "attention.bias") || ends_with(n, "attention.masked_bias") || ends_with(n, "attn.bias") ||
             ends_with(n, "attn.masked_bias")) ++legacy_masks;
    else if (ends_with(n, "_blocks") || ends_with(n, "_scales") || ends_with(n, ".qweight") ||
             ends_with(n, ".qzeros") || ends_with(n, ".scales") || ends_with(n, ".g_idx") ||
             ends_with(n, ".weight_scale") || ends_with(n, ".weight_scale_inv") || ends_with(n, ".weight_packed"))
      ++quant;
    else if (n == "lm_head.weight") ++lm_head;
  }
  if (inv_freq)
    r.causes.push_back(fmt::format("the checkpoint holds {} per-layer rotary `inv_freq` buffers, which transformers 5 "
                                   "keeps as one non-persistent buffer and does not save",
                                   inv_freq));
  if (legacy_masks)
    r.causes.push_back(fmt::format("the checkpoint holds {} legacy attention-mask buffers (`attention.bias`, "
                                   "`masked_bias`) that current transformers no longer registers",
                                   legacy_masks));
  if (quant)
    r.causes.push_back(fmt::format("the checkpoint is quantized: {} packed weight / scale tensors replace the model's "
                                   "dense weights (use `memfit inspect` for its exact size)",
                                   quant));
  if (lm_head)
    r.causes.push_back("the checkpoint stores `lm_head.weight` although the config ties it to the input embeddings");
  size_t explained = inv_freq + legacy_masks + quant + lm_head;
  if (explained < r.only_in_index.size() && !r.only_in_model.empty()) {
    // Same tensor count under other names: another naming era (a loader-side rename), or another layout entirely.
    if (r.only_in_index.size() - explained == r.only_in_model.size())
      r.causes.push_back(fmt::format("{} tensors are named differently (another naming era, e.g. `{}` vs `{}`); "
                                     "transformers' loader renames them",
                                     r.only_in_model.size(), r.only_in_index[0], r.only_in_model[0]));
    else
      r.causes.push_back(fmt::format("the checkpoint's layout differs from the class the config names ({} names only "
                                     "in the checkpoint, {} only in the model, e.g. `{}`): another repo format",
                                     r.only_in_index.size() - explained, r.only_in_model.size(),
                                     r.only_in_index.empty() ? "" : r.only_in_index[0]));
  }
  return r;
}

}  // namespace memfit
