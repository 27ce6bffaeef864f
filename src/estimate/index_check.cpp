#include "estimate/index_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
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

// The numel of the first buffer named `name` anywhere in the tree.
std::optional<uint64_t> buffer_numel(const Module& m, std::string_view name) {
  for (const auto& [n, t] : m.buffers)
    if (n == name) return t.numel();
  for (const auto& [_, c] : m.children)
    if (auto x = buffer_numel(*c, name)) return x;
  return std::nullopt;
}

// Checkpoint namings that hold the same tensors under other names: prefix rules from the checkpoint's names to the
// model's, tried when the checkpoint has a name starting with `marker`.
struct RenameSet {
  const char* what;
  std::string marker;
  std::vector<std::pair<std::string, std::string>> rules;
  bool drops_vision_tower = false;  // the format stores no vision tower at all
  bool relayout = false;  // not one name for one name: the tensors under `from` hold those under `to`, fused or split
};
const std::vector<RenameSet>& rename_sets() {
  static const std::vector<RenameSet> k{
      {"another naming era: the SigLIP tower's `vision_model.` level, which transformers' loader renames",
       "vision_tower.vision_model.",
       {{"vision_tower.vision_model.", "vision_tower."}}},
      {"the original LLaVA repo format: flat Llama keys and `model.mm_projector`",
       "model.mm_projector.",
       {{"model.mm_projector.0.", "multi_modal_projector.linear_1."},
        {"model.mm_projector.2.", "multi_modal_projector.linear_2."},
        {"model.", "language_model.model."},
        {"lm_head.", "language_model.lm_head."}},
       true},
      {"the remote-code QWen layout (fused `c_attn`, `w1`/`w2`), estimated as Qwen2 (split q/k/v, gate/up)",
       "transformer.h.",
       {{"transformer.", "model."}},
       false,
       true},
  };
  return k;
}

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

  // Diagnose. Every name on one side only must be claimed by a cause, and each cause says exactly how many bytes it
  // adds to (or takes from) the checkpoint: the residue after all of them must be zero.
  std::map<std::string, const CheckpointTensor*> model_by_name;
  for (const auto& t : tensors) model_by_name[t.name] = &t;
  auto bits_of = [&](const CheckpointTensor& t) -> uint64_t {
    uint64_t n = Tensor{t.shape, t.dtype}.numel();
    return is_float(t.dtype) ? n * static_cast<uint64_t>(r.stored_bits) : Tensor{t.shape, t.dtype}.bits();
  };
  std::set<std::string> index_left(r.only_in_index.begin(), r.only_in_index.end());
  std::set<std::string> model_left(r.only_in_model.begin(), r.only_in_model.end());
  // What the names both sides share hold, at the stored width.
  int64_t accounted = 0;
  for (const auto& t : tensors)
    if (index_names.count(t.name)) accounted += static_cast<int64_t>(bits_of(t));

  // 1. The same tensors under another naming: a layout transformers' loader renames, or a known older repo format.
  bool original_llava = false;
  for (const auto& set : rename_sets()) {
    if (std::none_of(index_left.begin(), index_left.end(), [&](const std::string& n) { return n.starts_with(set.marker); }))
      continue;
    if (set.relayout) {
      // The same weights in another layout: claimed by prefix on both sides; the residue check below still demands
      // that they hold exactly the model's bytes.
      const auto& [from, to] = set.rules.front();
      size_t in_index = std::erase_if(index_left, [&](const std::string& n) { return n.starts_with(from); });
      size_t in_model = 0;
      for (auto it = model_left.begin(); it != model_left.end();)
        if (it->starts_with(to)) accounted += static_cast<int64_t>(bits_of(*model_by_name.at(*it))), ++in_model,
                                 it = model_left.erase(it);
        else ++it;
      r.causes.push_back(fmt::format("{} checkpoint tensors under `{}` hold the model's {} tensors under `{}` ({})",
                                     in_index, from, in_model, to, set.what));
      continue;
    }
    size_t renamed = 0;
    std::string example;
    for (const auto& [from, to] : set.rules)
      for (auto it = index_left.begin(); it != index_left.end();) {
        std::string m = it->starts_with(from) ? to + it->substr(from.size()) : std::string();
        if (!m.empty() && model_left.count(m)) {
          if (example.empty()) example = fmt::format("`{}` is `{}`", *it, m);
          accounted += static_cast<int64_t>(bits_of(*model_by_name.at(m)));
          model_left.erase(m);
          it = index_left.erase(it);
          ++renamed;
        } else {
          ++it;
        }
      }
    if (renamed == 0) continue;
    r.causes.push_back(fmt::format("{} tensors are named differently ({}; e.g. {})", renamed, set.what, example));
    original_llava = original_llava || set.drops_vision_tower;
  }

  // 2. Tensors the checkpoint holds beyond the model, each kind with its exact size.
  auto take = [&](auto pred) {
    std::vector<std::string> out;
    for (auto it = index_left.begin(); it != index_left.end();)
      if (pred(*it)) out.push_back(*it), it = index_left.erase(it);
      else ++it;
    return out;
  };
  int64_t inv_freq_numel = 0;  // per layer, from the model's own (non-persistent) rotary buffer
  size_t inv_freq = 0;
  if (auto numel = buffer_numel(*model.root, "inv_freq"))
    inv_freq = take([](const std::string& n) { return n.ends_with("rotary_emb.inv_freq"); }).size(),
    inv_freq_numel = static_cast<int64_t>(*numel);
  auto masks = take([](const std::string& n) { return n.ends_with("attention.bias") || n.ends_with("attn.bias"); });
  auto masked_bias =
      take([](const std::string& n) { return n.ends_with("attention.masked_bias") || n.ends_with("attn.masked_bias"); });
  if (!masks.empty() || !masked_bias.empty()) {
    // Old GPT-NeoX / GPT-2 style causal masks: bool [1, 1, P, P], which the old transformers' dtype_byte_size counted at
    // 1/8 byte an element; masked_bias a scalar at the checkpoint's width.
    int64_t p = 0;
    for (const char* k : {"max_position_embeddings", "n_positions", "n_ctx"})
      if (auto it = config.find(k); p == 0 && it != config.end() && it->is_number_integer()) p = it->get<int64_t>();
    accounted += static_cast<int64_t>(masks.size()) * p * p + static_cast<int64_t>(masked_bias.size()) * r.stored_bits;
    r.causes.push_back(fmt::format("the checkpoint holds {} legacy attention-mask buffers (`attention.bias` as bool "
                                   "[1, 1, {}, {}] and `masked_bias`) that current transformers no longer registers",
                                   masks.size() + masked_bias.size(), p, p));
  }
  // MXFP4: W_blocks (uint8, numel/2 bytes) and W_scales (uint8, one per 32 weights) replace the dense W.
  size_t mxfp4 = 0;
  for (auto it = model_left.begin(); it != model_left.end();) {
    if (index_left.count(*it + "_blocks") && index_left.count(*it + "_scales")) {
      uint64_t n = Tensor{model_by_name.at(*it)->shape, DType::F32}.numel();
      accounted += static_cast<int64_t>(n * 4 + n / 32 * 8);
      index_left.erase(*it + "_blocks");
      index_left.erase(*it + "_scales");
      it = model_left.erase(it);
      ++mxfp4;
    } else {
      ++it;
    }
  }
  if (mxfp4)
    r.causes.push_back(fmt::format("the checkpoint is quantized: {} dense weights are stored as MXFP4 `_blocks` + "
                                   "`_scales` (use `memfit inspect` for its exact size)",
                                   mxfp4));
  if (index_left.count("lm_head.weight")) {
    // Stored although the config ties it: a copy of the input embeddings.
    for (const char* e : {"embed_tokens.weight", "word_embeddings.weight", "wte.weight", "embed_in.weight"}) {
      auto it = std::find_if(tensors.begin(), tensors.end(), [&](const auto& t) { return t.name.ends_with(e); });
      if (it == tensors.end()) continue;
      accounted += static_cast<int64_t>(bits_of(*it));
      index_left.erase("lm_head.weight");
      r.causes.push_back("the checkpoint stores `lm_head.weight` although the config ties it to the input embeddings");
      break;
    }
  }
  // 3. Tensors the model has and the checkpoint does not: the original LLaVA repos load the CLIP tower from its own repo.
  if (original_llava) {
    uint64_t n = 0, bits = 0;
    for (auto it = model_left.begin(); it != model_left.end();)
      if (it->starts_with("vision_tower.")) bits += bits_of(*model_by_name.at(*it)), ++n, it = model_left.erase(it);
      else ++it;
    if (n)
      r.causes.push_back(fmt::format("the checkpoint does not hold the vision tower ({} tensors, {} B): the original "
                                     "LLaVA format loads CLIP from its own repository",
                                     n, bits / 8));
  }

  // 4. The residue. The per-layer inv_freq buffers were saved at fp32 by some writers and at the checkpoint's width
  // by others: the one width that leaves no residue is the one they have.
  const int64_t total_bits = static_cast<int64_t>(r.index_total) * 8;
  int inv_bits = 32;
  if (inv_freq) {
    for (int w : {32, r.stored_bits})
      if (total_bits - accounted - static_cast<int64_t>(inv_freq) * inv_freq_numel * w == 0) {
        inv_bits = w;
        break;
      }
    accounted += static_cast<int64_t>(inv_freq) * inv_freq_numel * inv_bits;
    r.causes.push_back(fmt::format("the checkpoint holds {} per-layer rotary `inv_freq` buffers ([{}] at {} bits), "
                                   "which transformers 5 keeps as one non-persistent buffer and does not save",
                                   inv_freq, inv_freq_numel, inv_bits));
  }
  r.unclaimed.assign(index_left.begin(), index_left.end());
  r.unclaimed.insert(r.unclaimed.end(), model_left.begin(), model_left.end());
  r.residue_bits = total_bits - accounted;
  if (!r.unclaimed.empty() || r.residue_bits != 0)
    r.causes.push_back(fmt::format("not explained: {} names only in the checkpoint and {} only in the model are "
                                   "claimed by no cause (e.g. `{}`), and {} bits of total_size are accounted for by "
                                   "nothing",
                                   index_left.size(), model_left.size(),
                                   r.unclaimed.empty() ? "" : r.unclaimed.front(), r.residue_bits));
  return r;
}

}  // namespace memfit
