// Quantized layouts as the libraries store them (ANCHORS 5.2-5.6): bitsandbytes Linear8bitLt (int8 + fp32 SCB per
// row) and Linear4bit (packed uint8, fp32 absmax per 64, or uint8 absmax + fp32 per 256 with double quant),
// AutoGPTQ/GPTQModel (qweight/qzeros int32, fp16 scales per group, int32 g_idx), AutoAWQ GEMM, FP8 with
// per-tensor/per-channel/block scales, MXFP4 (E2M1 + E8M0 per 32), NVFP4, compressed-tensors pack-quantized, and
// llama-quantize's type choice per tensor for GGUF presets (llama-quant.cpp: use_more_bits, output.weight Q6_K).
#include "estimate/quantize.h"

#include <algorithm>
#include <regex>

#include <fmt/format.h>

namespace memfit {

namespace {
using Json = nlohmann::json;
using Kind = QuantScheme::Kind;

uint64_t cdiv(uint64_t a, uint64_t b) { return b == 0 ? 0 : (a + b - 1) / b; }

// ggml block sizes/bytes for the presets (ANCHORS 5.1).
struct G {
  const char* name;
  uint64_t block, bytes;
};
constexpr G kQ8_0{"Q8_0", 32, 34}, kQ4_0{"Q4_0", 32, 18}, kQ5_0{"Q5_0", 32, 22}, kQ5_1{"Q5_1", 32, 24}, kQ4_K{"Q4_K", 256, 144},
    kQ5_K{"Q5_K", 256, 176}, kQ6_K{"Q6_K", 256, 210}, kF16{"F16", 1, 2};

// llama-quantize's fallback when a row is not a multiple of 256 (k-quants need whole super-blocks): Q4_K -> Q5_0,
// Q5_K -> Q5_1, Q6_K -> Q8_0; F16 when even that does not divide the row.
G fallback(G t, uint64_t row) {
  if (row % t.block == 0) return t;
  std::string_view n = t.name;
  G f = n == "Q4_K" ? kQ5_0 : n == "Q5_K" ? kQ5_1 : kQ8_0;
  return row % f.block == 0 ? f : kF16;
}

bool use_more_bits(int64_t layer, int64_t n) {
  return layer < n / 8 || layer >= 7 * n / 8 || (layer - n / 8) % 3 == 2;
}

std::regex skip_regex(std::string pattern) {
  if (pattern.starts_with("model.")) pattern = pattern.substr(6);
  std::string re = "(^|.*\\.)";
  for (char c : pattern) {
    if (c == '*') re += "[^.]*";
    else if (std::string_view(".+?()[]{}|^$\\").find(c) != std::string_view::npos) re += std::string("\\") + c;
    else re += c;
  }
  return std::regex(re + "(\\..*)?$");
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

struct Walker {
  const QuantScheme& s;
  int unq_bits;
  QuantizedSize out;
  std::vector<std::regex> skip;
  int64_t n_layers = 0;
  std::string output_source;  // embedding tied to lm_head (GGUF: it plays output.weight)
  bool has_output = false;

  static int64_t layer_of(const std::string& name) {
    static const std::regex re(R"((^|\.)(layers|layer|h|blocks|block)\.(\d+)\.)");
    std::smatch m;
    if (std::regex_search(name, m, re)) return std::stoll(m[3].str());
    return -1;
  }

  bool skipped(const std::string& module) const {
    const std::string last = module.substr(module.rfind('.') == std::string::npos ? 0 : module.rfind('.') + 1);
    if (last == "lm_head" || last == "router" || last == "gate" || last == "score" || last == "classifier")
      return true;
    for (const auto& r : skip)
      if (std::regex_match(module, r)) return true;
    return false;
  }

  // Bytes of one [out, in] matrix (times `copies` experts) under the scheme; adds to weight/overhead.
  void matrix(uint64_t out_f, uint64_t in_f, uint64_t copies, const std::string& name) {
    uint64_t n = out_f * in_f;
    uint64_t w = 0, o = 0;
    const uint64_t b = static_cast<uint64_t>(s.bits);
    const uint64_t g = s.group > 0 ? static_cast<uint64_t>(s.group) : in_f;
    const uint64_t groups = cdiv(in_f, g);
    switch (s.kind) {
      case Kind::Bnb8: w = n; o = 4 * out_f; break;
      case Kind::Bnb4: {
        w = cdiv(n, 2);
        uint64_t blocks = cdiv(n, 64);
        o = s.double_quant ? blocks + 4 * cdiv(blocks, 256) + 256 * 4 + 4 : 4 * blocks;
        o += 16 * 4;  // the 16-entry NF4/FP4 code table
        break;
      }
      case Kind::Gptq:
        w = cdiv(in_f * b, 32) * out_f * 4;
        o = groups * cdiv(out_f * b, 32) * 4 + groups * out_f * 2 + in_f * 4;
        break;
      case Kind::Awq:
        w = in_f * cdiv(out_f * b, 32) * 4;
        o = groups * cdiv(out_f * b, 32) * 4 + groups * out_f * 2;
        break;
      case Kind::CompressedInt:
        w = out_f * cdiv(in_f * b, 32) * 4;
        o = out_f * groups * 2 + 16 + (s.asymmetric ? groups * cdiv(out_f * b, 32) * 4 : 0);
        break;
      case Kind::Fp8:
        w = n;
        if (s.block_rows > 0 && s.block_cols > 0)
          o = cdiv(out_f, static_cast<uint64_t>(s.block_rows)) * cdiv(in_f, static_cast<uint64_t>(s.block_cols)) * 4;
        else if (s.block_rows > 0) o = out_f * 4;
        else o = 4;
        break;
      case Kind::Mxfp4: w = out_f * cdiv(in_f, 32) * 16; o = out_f * cdiv(in_f, 32); break;
      case Kind::Nvfp4: w = out_f * cdiv(in_f, 16) * 8; o = out_f * cdiv(in_f, 16) + 8; break;
      case Kind::Gguf: {
        G t = gguf_type(name, in_f);
        w = out_f * cdiv(in_f, t.block) * t.bytes;
        break;
      }
    }
    out.weight_bytes += w * copies;
    out.overhead_bytes += o * copies;
    out.quantized_params += n * copies;
    out.quantized_tensors += 1;
  }

  G gguf_type(const std::string& name, uint64_t row) const {
    const std::string& f = s.gguf_ftype;
    bool output = name == "lm_head.weight" || name.ends_with(".lm_head.weight") || name == output_source;
    G base = f == "Q8_0" ? kQ8_0 : f == "Q6_K" ? kQ6_K : f == "Q5_K_M" ? kQ5_K : f == "Q4_0" ? kQ4_0 : kQ4_K;
    if (output) return fallback(f == "Q8_0" ? kQ8_0 : kQ6_K, row);
    if (f == "Q4_K_M" || f == "Q5_K_M") {
      bool v = name.ends_with("v_proj.weight") || name.ends_with(".value.weight");
      bool down = name.find("down_proj") != std::string::npos || name.ends_with("w2.weight") ||
                  name.ends_with("fc2.weight") || name.ends_with("dense_4h_to_h.weight");
      int64_t l = layer_of(name);
      if ((v || down) && l >= 0 && use_more_bits(l, n_layers)) return fallback(kQ6_K, row);
    }
    return fallback(base, row);
  }

  void unquantized(const Tensor& t, bool buffer) {
    uint64_t bits = t.bits();
    if (buffer) {
      out.buffer_bytes += cdiv(bits, 8);
      return;
    }
    bool floating = t.dtype == DType::F32 || t.dtype == DType::F16 || t.dtype == DType::BF16 || t.dtype == DType::F64;
    int eb = s.kind == Kind::Gguf ? (t.shape.size() >= 2 ? 16 : 32) : unq_bits;
    out.unquantized_bytes += floating ? cdiv(t.numel() * static_cast<uint64_t>(eb), 8) : cdiv(bits, 8);
    out.unquantized_params += t.numel();
  }

  void scan(const Module& m, const std::string& prefix) {
    for (const auto& [name, t] : m.params) {
      std::string full = prefix + name;
      int64_t l = layer_of(full);
      if (l + 1 > n_layers) n_layers = l + 1;
      if (name == "weight" && (prefix == "lm_head." || prefix.ends_with(".lm_head."))) {
        has_output = true;
        if (!t.tied_to.empty()) output_source = t.tied_to;
      }
    }
    for (const auto& [name, c] : m.children) scan(*c, prefix + name + ".");
  }

  void walk(const Module& m, const std::string& prefix) {
    const std::string module = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1);
    const bool linear = m.cls == "Linear" || m.cls == "Conv1D";
    const bool experts = lower(m.cls).find("experts") != std::string::npos;
    for (const auto& [name, t] : m.params) {
      if (!t.tied_to.empty()) continue;
      const std::string full = prefix + name;
      bool gguf = s.kind == Kind::Gguf;
      bool is_matrix = linear && name == "weight" && t.shape.size() == 2;
      bool is_expert = experts && t.shape.size() == 3;
      bool quantize = false;
      if (gguf) {
        // llama-quantize: every 2-D+ weight (embeddings too), 1-D tensors stay F32.
        quantize = t.shape.size() >= 2 && (name == "weight" || is_expert) && lower(m.cls).find("norm") == std::string::npos;
      } else if (s.experts_only) {
        quantize = is_expert && !skipped(module);
      } else if (s.kind == Kind::Bnb8 || s.kind == Kind::Bnb4) {
        quantize = is_matrix && !skipped(module);
      } else {
        quantize = (is_matrix || is_expert) && !skipped(module);
      }
      if (!quantize) {
        unquantized(t, false);
        continue;
      }
      uint64_t out_f, in_f, copies = 1;
      if (t.shape.size() == 3) {
        copies = static_cast<uint64_t>(t.shape[0]);
        out_f = static_cast<uint64_t>(t.shape[1]);
        in_f = static_cast<uint64_t>(t.shape[2]);
      } else if (m.cls == "Conv1D") {
        in_f = static_cast<uint64_t>(t.shape[0]);
        out_f = static_cast<uint64_t>(t.shape[1]);
      } else {
        uint64_t rows = 1;
        for (size_t k = 0; k + 1 < t.shape.size(); ++k) rows *= static_cast<uint64_t>(t.shape[k]);
        out_f = rows;
        in_f = static_cast<uint64_t>(t.shape.back());
      }
      matrix(out_f, in_f, copies, full);
    }
    for (const auto& [name, t] : m.buffers) unquantized(t, true);
    for (const auto& [name, c] : m.children) walk(*c, prefix + name + ".");
  }
};

Result<QuantScheme> gguf_scheme(std::string ftype) {
  static const std::vector<std::string> known{"Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0"};
  if (std::find(known.begin(), known.end(), ftype) == known.end())
    return fail(ErrorKind::Usage, fmt::format("--quantization: GGUF preset `{}` is not one of q8_0, q6_k, q5_k_m, "
                                              "q4_k_m, q4_0", lower(ftype)));
  QuantScheme s;
  s.kind = Kind::Gguf;
  s.gguf_ftype = ftype;
  s.name = "gguf-" + lower(ftype);
  s.bits = ftype == "Q8_0" ? 8 : ftype == "Q6_K" ? 6 : ftype == "Q5_K_M" ? 5 : 4;
  return s;
}

}  // namespace

const std::vector<std::string>& quantization_names() {
  static const std::vector<std::string> k{"bnb-int8", "bnb-nf4",  "bnb-nf4-dq", "bnb-fp4",   "gptq-4bit-g128",
                                          "gptq-8bit-g128", "awq-4bit-g128", "fp8", "fp8-channel", "fp8-tensor",
                                          "mxfp4", "nvfp4", "w4a16-g128", "gguf-q8_0", "gguf-q6_k", "gguf-q5_k_m",
                                          "gguf-q4_k_m", "gguf-q4_0"};
  return k;
}

Result<QuantScheme> scheme_from_name(std::string_view n) {
  QuantScheme s;
  s.name = std::string(n);
  if (n == "bnb-int8") { s.kind = Kind::Bnb8; s.bits = 8; return s; }
  if (n == "bnb-nf4" || n == "bnb-fp4") { s.kind = Kind::Bnb4; return s; }
  if (n == "bnb-nf4-dq") { s.kind = Kind::Bnb4; s.double_quant = true; return s; }
  if (n == "fp8") { s.kind = Kind::Fp8; s.bits = 8; s.block_rows = s.block_cols = 128; s.name = "fp8-block128"; return s; }
  if (n == "fp8-channel") { s.kind = Kind::Fp8; s.bits = 8; s.block_rows = 1; return s; }
  if (n == "fp8-tensor") { s.kind = Kind::Fp8; s.bits = 8; return s; }
  if (n == "mxfp4") { s.kind = Kind::Mxfp4; return s; }
  if (n == "nvfp4") { s.kind = Kind::Nvfp4; return s; }
  if (n == "w4a16-g128") { s.kind = Kind::CompressedInt; return s; }
  if (n.starts_with("gguf-")) {
    std::string f(n.substr(5));
    std::transform(f.begin(), f.end(), f.begin(), [](unsigned char c) { return std::toupper(c); });
    return gguf_scheme(f);
  }
  // gptq-<b>bit-g<g> / awq-<b>bit-g<g>
  static const std::regex re(R"((gptq|awq)-(2|3|4|8)bit-g(-1|32|64|128|256))");
  std::cmatch m;
  if (std::regex_match(n.begin(), n.end(), m, re)) {
    s.kind = m[1] == "gptq" ? Kind::Gptq : Kind::Awq;
    s.bits = std::stoi(m[2].str());
    s.group = std::stoll(m[3].str());
    return s;
  }
  std::string all;
  for (const auto& x : quantization_names()) all += (all.empty() ? "" : ", ") + x;
  return fail(ErrorKind::Usage, fmt::format("--quantization: `{}` is not one of {}", n, all));
}

const Json* find_quantization_config(const Json& config) {
  if (!config.is_object()) return nullptr;
  for (const char* k : {"quantization_config", "compression_config"})
    if (auto it = config.find(k); it != config.end() && it->is_object()) return &*it;
  for (const char* sub : {"text_config", "language_config", "llm_config"})
    if (auto it = config.find(sub); it != config.end() && it->is_object())
      if (auto q = it->find("quantization_config"); q != it->end() && q->is_object()) return &*q;
  return nullptr;
}

Result<QuantScheme> scheme_from_config(const Json& q) {
  auto str = [&](const char* k) { return q.contains(k) && q[k].is_string() ? lower(q[k].get<std::string>()) : ""; };
  auto integer = [&](const char* k, int64_t def) {
    return q.contains(k) && q[k].is_number_integer() ? q[k].get<int64_t>() : def;
  };
  auto boolean = [&](const char* k) { return q.contains(k) && q[k].is_boolean() && q[k].get<bool>(); };
  std::string method = str("quant_method");
  QuantScheme s;
  auto skip_list = [&](const char* k) {
    if (q.contains(k) && q[k].is_array())
      for (const auto& x : q[k])
        if (x.is_string()) s.skip.push_back(x.get<std::string>());
  };
  skip_list("modules_to_not_convert");
  skip_list("llm_int8_skip_modules");
  skip_list("ignore");
  if (method == "bitsandbytes" || (method.empty() && (boolean("load_in_8bit") || boolean("load_in_4bit")))) {
    if (boolean("load_in_8bit")) {
      s.kind = Kind::Bnb8;
      s.bits = 8;
      s.name = "bnb-int8";
    } else {
      s.kind = Kind::Bnb4;
      s.double_quant = boolean("bnb_4bit_use_double_quant");
      std::string t = str("bnb_4bit_quant_type");
      s.name = std::string("bnb-") + (t == "nf4" ? "nf4" : "fp4") + (s.double_quant ? "-dq" : "");
    }
    return s;
  }
  if (method == "gptq" || method == "awq") {
    s.kind = method == "gptq" ? Kind::Gptq : Kind::Awq;
    s.bits = static_cast<int>(integer("bits", integer("w_bit", 4)));
    s.group = integer("group_size", integer("q_group_size", 128));
    if (s.bits < 2 || s.bits > 8) return fail(ErrorKind::BadInput, fmt::format("quantization_config: bits {}", s.bits));
    s.name = fmt::format("{}-{}bit-g{}", method, s.bits, s.group);
    return s;
  }
  if (method == "fp8" || method == "fbgemm_fp8") {
    s.kind = Kind::Fp8;
    s.bits = 8;
    if (q.contains("weight_block_size") && q["weight_block_size"].is_array() && q["weight_block_size"].size() == 2 &&
        q["weight_block_size"][0].is_number_integer() && q["weight_block_size"][1].is_number_integer()) {
      s.block_rows = std::max<int64_t>(1, q["weight_block_size"][0].get<int64_t>());
      s.block_cols = std::max<int64_t>(1, q["weight_block_size"][1].get<int64_t>());
      s.name = fmt::format("fp8-block{}x{}", s.block_rows, s.block_cols);
    } else {
      s.block_rows = method == "fbgemm_fp8" ? 1 : 0;
      s.name = method == "fbgemm_fp8" ? "fp8-channel" : "fp8-tensor";
    }
    return s;
  }
  if (method == "mxfp4") {
    s.kind = Kind::Mxfp4;
    s.experts_only = true;
    s.name = "mxfp4";
    return s;
  }
  if (method == "modelopt" && (str("quant_algo") == "nvfp4" || str("quant_algo").empty())) {
    s.kind = Kind::Nvfp4;
    s.name = "nvfp4";
    return s;
  }
  if (method == "compressed-tensors") {
    if (q.contains("config_groups") && q["config_groups"].is_object())
      for (const auto& grp : q["config_groups"]) {
        if (!grp.is_object() || !grp.contains("weights") || !grp["weights"].is_object()) continue;
        const Json& w = grp["weights"];
        s.bits = w.contains("num_bits") && w["num_bits"].is_number_integer() ? w["num_bits"].get<int>() : 4;
        std::string type = w.contains("type") && w["type"].is_string() ? w["type"].get<std::string>() : "int";
        std::string strategy = w.contains("strategy") && w["strategy"].is_string() ? w["strategy"].get<std::string>()
                                                                                    : "group";
        s.group = w.contains("group_size") && w["group_size"].is_number_integer() ? w["group_size"].get<int64_t>() : -1;
        s.asymmetric = w.contains("symmetric") && w["symmetric"].is_boolean() && !w["symmetric"].get<bool>();
        if (type == "float" && s.bits == 8) {
          s.kind = Kind::Fp8;
          if (strategy == "block" && w.contains("block_structure") && w["block_structure"].is_array() &&
              w["block_structure"].size() == 2 && w["block_structure"][0].is_number_integer() &&
              w["block_structure"][1].is_number_integer()) {
            s.block_rows = std::max<int64_t>(1, w["block_structure"][0].get<int64_t>());
            s.block_cols = std::max<int64_t>(1, w["block_structure"][1].get<int64_t>());
          } else if (strategy == "channel") {
            s.block_rows = 1;
          }
          s.name = "compressed-tensors-fp8-" + strategy;
        } else if (type == "float" && s.bits == 4) {
          s.kind = Kind::Nvfp4;
          s.name = "compressed-tensors-nvfp4";
        } else {
          if (s.bits < 2 || s.bits > 8) return fail(ErrorKind::BadInput, "quantization_config: num_bits");
          s.kind = Kind::CompressedInt;
          if (strategy != "group") s.group = -1;
          s.name = fmt::format("compressed-tensors-w{}a16{}", s.bits, s.group > 0 ? fmt::format("-g{}", s.group) : "");
        }
        return s;
      }
    return fail(ErrorKind::Unsupported, "quantization_config: compressed-tensors without weight config_groups");
  }
  return fail(ErrorKind::Unsupported,
              fmt::format("quantization_config: quant_method `{}` is not modelled", method.empty() ? "?" : method));
}

QuantizedSize quantized_size(const Model& m, const QuantScheme& s, int unquantized_bits) {
  Walker w{s, unquantized_bits, {}, {}, 0, {}, false};
  for (const auto& p : s.skip) {
    try {
      w.skip.push_back(skip_regex(p));
    } catch (const std::regex_error&) {
    }
  }
  w.scan(*m.root, "");
  w.walk(*m.root, "");
  w.out.scheme = s.name;
  w.out.total_bytes = w.out.weight_bytes + w.out.overhead_bytes + w.out.unquantized_bytes + w.out.buffer_bytes;
  if (w.out.quantized_params)
    w.out.bits_per_quantized_weight =
        8.0 * static_cast<double>(w.out.weight_bytes + w.out.overhead_bytes) / static_cast<double>(w.out.quantized_params);
  return w.out;
}

}  // namespace memfit
