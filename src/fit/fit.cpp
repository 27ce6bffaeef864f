// memfit fit: loads the model (config or checkpoint), resolves the defaults, evaluates the engine's terms and
// writes the documented JSON with the verdict.
#include "fit/fit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "fit/engine.h"
#include "inspect/inspect.h"
#include "source/resolve.h"
#include "tree/measure.h"

namespace memfit {

using namespace fitdetail;
namespace fs = std::filesystem;

namespace fitdetail {

std::string gib(uint64_t bytes) { return fmt::format("{:.2f} GiB", double(bytes) / double(kGiB)); }

namespace {

std::string dtype_of_config(const Json& c) {
  for (const Json* j : {&language_config(c), &c})
    for (const char* k : {"torch_dtype", "dtype"})
      if (auto it = j->find(k); it != j->end() && it->is_string()) {
        std::string d = it->get<std::string>();
        if (d.starts_with("torch.")) d = d.substr(6);
        if (d == "float32" || d == "float16" || d == "bfloat16") return d;
      }
  return "";
}

void fill_dimensions(ModelInfo& m) {
  const Json& t = language_config(m.config);
  m.hidden = config_int(t, {"hidden_size", "n_embd", "d_model", "dim"}, 0);
  m.heads = config_int(t, {"num_attention_heads", "n_head", "num_heads", "n_heads"}, 0);
  m.n_layers = config_int(t, {"num_hidden_layers", "n_layer", "num_layers", "n_layers"}, 0);
  m.vocab = config_int(t, {"vocab_size", "padded_vocab_size", "n_vocab"}, 0);
  m.experts = config_int(t, {"num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"}, 0);
  m.experts_per_token = config_int(t, {"num_experts_per_tok", "num_experts_per_token", "moe_topk", "top_k"}, 0);
  int64_t moe_ffn = config_int(t, {"moe_intermediate_size", "expert_intermediate_size"}, 0);
  m.ffn = config_int(t, {"intermediate_size", "n_inner", "ffn_dim", "ffn_hidden_size", "d_ff"}, 4 * m.hidden);
  if (m.experts > 0 && m.experts_per_token > 0 && moe_ffn > 0) m.ffn = moe_ffn * m.experts_per_token;
  m.max_position = config_int(t, {"max_position_embeddings", "n_positions", "max_seq_len", "seq_length",
                                  "max_sequence_length", "n_ctx"},
                              config_int(m.config, {"max_position_embeddings", "n_positions"}, 0));
  m.tied_embeddings = t.value("tie_word_embeddings", m.config.value("tie_word_embeddings", false));
  m.config_dtype = dtype_of_config(m.config);
}

// A GGUF checkpoint: dimensions from its hyperparameters, bytes per block from its tensors.
Result<ModelInfo> load_gguf(const std::string& path) {
  auto r = inspect::inspect_path(path);
  if (!r) return std::unexpected(r.error());
  if (!r->gguf) return fail(ErrorKind::BadInput, fmt::format("{}: no GGUF metadata", path));
  ModelInfo m;
  m.model = path;
  m.source = "local";
  m.checkpoint_format = "gguf";
  m.checkpoint_bytes = r->total_bytes;
  m.parameters = r->parameters;
  m.architecture = r->gguf->architecture;
  m.model_type = r->gguf->architecture;
  m.gguf_file_type = r->gguf->file_type;
  const Json& hp = r->gguf->hyperparameters;
  auto kv = kv_layout_from_gguf(hp, r->gguf->architecture);
  if (!kv) return std::unexpected(kv.error());
  m.kv = std::move(*kv);
  auto first = [&](const char* k) { return gguf_hp_int(hp, k); };
  m.n_layers = first("block_count");
  m.hidden = first("embedding_length");
  m.heads = first("head_count");
  m.ffn = first("feed_forward_length");
  m.max_position = first("context_length");
  m.experts = first("expert_count");
  m.experts_per_token = first("expert_used_count");
  m.vocab = first("vocab_size");
  m.layer_bytes.assign(size_t(m.n_layers), 0);
  bool has_output = false;
  for (const auto& t : r->tensor_list) {
    if (t.name.starts_with("blk.")) {
      size_t dot = t.name.find('.', 4);
      int64_t i = std::atoll(t.name.substr(4, dot - 4).c_str());
      if (i >= 0 && i < m.n_layers) m.layer_bytes[size_t(i)] += t.bytes;
      if (t.name.find("_exps") != std::string::npos) m.expert_parameters += t.parameters;
    } else if (t.name == "token_embd.weight") {
      m.embed_bytes = t.bytes;
      if (m.vocab == 0 && t.shape.size() == 2) m.vocab = t.shape[1];
    } else if (t.name.starts_with("output")) {
      m.output_bytes += t.bytes;
      has_output = has_output || t.name == "output.weight";
    }
  }
  if (!has_output) {  // tied: llama.cpp loads token_embd a second time as the output layer
    m.output_bytes += m.embed_bytes;
    m.tied_embeddings = true;
  }
  return m;
}

bool has_ext(const fs::path& p, std::string_view ext) {
  std::string s = p.filename().string();
  return s.size() >= ext.size() && s.compare(s.size() - ext.size(), ext.size(), ext) == 0;
}

bool dir_has(const fs::path& d, std::string_view ext) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(d, ec))
    if (has_ext(e.path(), ext)) return true;
  return false;
}

}  // namespace

Result<ModelInfo> load_model(std::string_view model, const FitOptions& o) {
  std::error_code ec;
  fs::path p{std::string(model)};
  std::string config_at(model);
  std::optional<uint64_t> exact;
  bool is_dir = fs::is_directory(p, ec), is_file = fs::is_regular_file(p, ec);
  if ((is_file && has_ext(p, ".gguf")) || (is_dir && !fs::exists(p / "config.json", ec) && dir_has(p, ".gguf")))
    return load_gguf(p.string());
  if ((is_file && (has_ext(p, ".safetensors") || has_ext(p, ".index.json"))) || (is_dir && dir_has(p, ".safetensors"))) {
    auto r = inspect::inspect_path(p.string());
    if (!r) return std::unexpected(r.error());
    exact = r->total_bytes;
    config_at = (is_dir ? p : p.parent_path()).string();
    if (!fs::exists(fs::path(config_at) / "config.json", ec))
      return fail(ErrorKind::NotFound, fmt::format("{}: fit needs the checkpoint's config.json beside it", model));
  }
  EstimateOptions eo = o.estimate;
  eo.target = Target::TaskModel;
  auto src = resolve_model(config_at, eo.resolve);
  if (!src) return std::unexpected(src.error());
  auto built = build_model(*src, eo);
  if (!built) return std::unexpected(built.error());
  ModelInfo m;
  m.model = std::string(model);
  m.source = src->origin;
  m.architecture = built->cls;
  m.model_type = built->model_type;
  auto cfg = parse_json(src->config_text, src->config_name);
  if (!cfg) return std::unexpected(cfg.error());
  m.config = std::move(*cfg);
  m.parameters = measure(built->model).parameters;
  m.notes = built->notes;
  for_each_tensor(*built->model.root, [&](const TensorVisit& v) {
    if (!v.is_buffer && v.name.find(".experts.") != std::string::npos) m.expert_parameters += v.tensor.numel();
  });
  m.built = std::move(*built);
  fill_dimensions(m);
  if (m.model.size() > 0 && m.built->model.library == "transformers") {
    auto kv = kv_layout_from_config(m.config);
    if (kv) m.kv = std::move(*kv);
    else m.notes.push_back("no KV cache: " + kv.error().message);
  }
  if (exact) {
    m.checkpoint_format = "safetensors";
    m.checkpoint_bytes = *exact;
  }
  return m;
}

Result<uint64_t> weights_as_loaded(const ModelInfo& m, const std::string& dtype, const std::string& quantization) {
  if (m.checkpoint_format == "gguf") return m.checkpoint_bytes;
  int bits = dtype == "float32" ? 32 : 16;
  if (!quantization.empty() && m.built) {
    auto s = scheme_from_name(quantization);
    if (!s) {
      const Json* q = find_quantization_config(m.config);
      if (!q) return std::unexpected(s.error());
      s = scheme_from_config(*q);
      if (!s) return std::unexpected(s.error());
    }
    return quantized_size(m.built->model, *s, bits).total_bytes;
  }
  if (m.checkpoint_format == "safetensors") return m.checkpoint_bytes;
  if (!m.built) return fail(ErrorKind::Internal, "no model");
  Measurement me = measure(m.built->model);
  return me.parameters * uint64_t(bits / 8) + me.buffer_bits / 8;
}

std::optional<Error> check_tp(const ModelInfo& m, const std::string& engine, int tp) {
  if (tp <= 1) return std::nullopt;
  if (engine == "llama.cpp")
    return Error{ErrorKind::Usage, "--tp: llama.cpp splits layers across GPUs (use --gpus), not tensors"};
  int64_t heads = m.kv.attention_heads > 0 ? m.kv.attention_heads : m.heads;
  if (heads > 0 && heads % tp != 0)
    return Error{ErrorKind::Usage, fmt::format("--tp {}: does not divide the model's {} attention heads", tp, heads)};
  for (const auto& l : m.kv.layers)
    if ((l.kind == KvLayer::Kind::Full || l.kind == KvLayer::Kind::Sliding) && l.kv_heads > 0 &&
        l.kv_heads % tp != 0 && tp % l.kv_heads != 0)
      return Error{ErrorKind::Usage,
                   fmt::format("--tp {}: neither divides nor is a multiple of the {} KV heads", tp, l.kv_heads)};
  return std::nullopt;
}

Result<Setting> make_setting(const ModelInfo& m, const FitOptions& o, std::vector<std::string>& as) {
  Setting s;
  s.o = o;
  if (!o.gpu.empty() && o.gpu_memory > 0) return fail(ErrorKind::Usage, "give --gpu or --gpu-memory, not both");
  if (!o.gpu.empty()) {
    auto g = parse_gpu(o.gpu);
    if (!g) return std::unexpected(g.error());
    s.gpu = *g;
  } else if (o.gpu_memory > 0) {
    auto g = custom_gpu(o.gpu_memory, 1);
    if (!g) return std::unexpected(g.error());
    s.gpu = *g;
    as.push_back("custom GPU: all of --gpu-memory usable, bf16 supported, bandwidth unknown");
  } else {
    return fail(ErrorKind::Usage, "memfit fit needs --gpu NAME (see memfit gpus) or --gpu-memory SIZE");
  }
  s.gpus = o.gpus > 0 ? o.gpus : std::max(1, s.gpu.count);
  bool training = o.train.has_value();
  std::string engine = training ? "hf" : o.engine;
  s.o.engine = engine;
  if (m.checkpoint_format == "gguf" && (engine != "llama.cpp" || training))
    return fail(ErrorKind::Unsupported, "a GGUF checkpoint runs under --engine llama.cpp (inference only)");
  if (m.checkpoint_format == "gguf" && (!o.dtype.empty() || !o.quantization.empty()))
    return fail(ErrorKind::Usage, "--dtype / --quantization do not apply to a GGUF checkpoint (its tensors say)");
  if (o.tp > 1 && engine == "hf" && !training)
    return fail(ErrorKind::Usage, "--tp applies to --engine vllm and to --train (transformers inference splits layers "
                                  "over --gpus)");
  s.tp = o.tp > 0 ? o.tp : (engine == "vllm" ? s.gpus : 1);
  if (o.tp == 0 && engine == "vllm" && s.gpus > 1) as.push_back(fmt::format("tensor parallel over all {} GPUs", s.gpus));
  if (s.tp > s.gpus) return fail(ErrorKind::Usage, fmt::format("--tp {} is more than the {} GPUs", s.tp, s.gpus));
  if (auto e = check_tp(m, engine, s.tp)) return std::unexpected(*e);
  if (training) {
    s.context = o.context > 0 ? o.context : o.train->seq_len;
  } else if (o.context > 0) {
    s.context = o.context;
  } else {
    s.context = m.max_position > 0 ? std::min<int64_t>(m.max_position, 8192) : 8192;
    as.push_back(fmt::format("context {} tokens (min(model maximum {}, 8192))", s.context, m.max_position));
  }
  s.batch = o.batch;
  if (s.batch == 1 && !training) as.push_back("batch 1 (one sequence at a time)");
  // Weights' dtype.
  if (!o.dtype.empty()) {
    s.dtype = o.dtype;
  } else {
    s.dtype = m.config_dtype.empty() ? "bfloat16" : m.config_dtype;
    if (s.dtype == "float32" && engine == "vllm") s.dtype = "bfloat16";  // vLLM's "auto" halves fp32 checkpoints
    if (s.dtype == "bfloat16" && !s.gpu.gpu.bf16) s.dtype = "float16";
    if (m.checkpoint_format != "gguf")
      as.push_back(fmt::format("weights in {} ({})", s.dtype,
                               m.config_dtype.empty() ? "no torch_dtype in the config" : "the config's torch_dtype"));
  }
  s.dtype_bytes = s.dtype == "float32" ? 4 : 2;
  // Quantization: the what-if, else the config's own.
  if (!o.quantization.empty()) {
    s.quantization = o.quantization;
  } else if (const Json* q = find_quantization_config(m.config)) {
    if (auto sc = scheme_from_config(*q)) {
      s.quantization = sc->name;
      as.push_back("weights quantized as the config's quantization_config says (" + sc->name + ")");
    }
  }
  if (m.checkpoint_format == "gguf") {
    s.quantization = "gguf " + m.gguf_file_type;
  } else if (engine == "llama.cpp" && s.quantization.empty()) {
    as.push_back("llama.cpp from a config: a 16-bit GGUF (add --quantization gguf-q4_k_m etc. for another type)");
  }
  // KV cache type.
  std::string kvname = o.kv_dtype;
  if (engine == "llama.cpp" && kvname.empty()) kvname = o.cache_type_k.empty() ? "f16" : o.cache_type_k;
  if (kvname.empty()) {
    kvname = s.dtype == "float32" ? "fp32" : s.dtype == "float16" ? "fp16" : "bf16";
    if (!training) as.push_back("KV cache in the weights' dtype (" + kvname + ")");
  }
  auto kt = kv_type(kvname);
  if (!kt) return std::unexpected(kt.error());
  if (engine != "llama.cpp" && kt->den != 1)
    return fail(ErrorKind::Usage, fmt::format("--kv-dtype {}: block-quantized KV caches are llama.cpp's", kvname));
  if (engine == "llama.cpp" && kt->num == 1 && kt->den == 1)
    return fail(ErrorKind::Usage, "llama.cpp cache types are f32, f16, bf16, q8_0, q5_1, q5_0, q4_1, q4_0, iq4_nl");
  s.kv = *kt;
  auto w = weights_as_loaded(m, s.dtype, s.quantization);
  if (!w) return std::unexpected(w.error());
  s.weights_total = *w;
  if (m.checkpoint_format == "safetensors" && s.quantization.empty() && !o.dtype.empty())
    as.push_back("weights: the checkpoint's exact bytes (--dtype ignored for a checkpoint)");
  return s;
}

Result<Terms> evaluate(const ModelInfo& m, const Setting& s) {
  if (s.o.train) return training_eval(m, s);
  if (s.o.engine == "vllm") return vllm_terms(m, s);
  if (s.o.engine == "llama.cpp") return llamacpp_terms(m, s);
  return hf_terms(m, s);
}

}  // namespace fitdetail

namespace {

// Decode tokens/s bound: each step reads the weights in use once (MoE: the active experts) plus every sequence's KV.
double decode_bound(const ModelInfo& m, const Setting& s, const Terms& t) {
  if (s.gpu.gpu.bandwidth_gbs <= 0 || s.o.train) return 0;
  if (t.engine.is_object() && t.engine.contains("fully_offloaded") && !t.engine["fully_offloaded"].get<bool>())
    return 0;  // partly on the CPU: the GPU's bandwidth bounds nothing
  double w = double(t.weights);
  if (m.experts > 0 && m.experts_per_token > 0 && m.parameters > 0 && m.expert_parameters > 0) {
    double expert_share = double(m.expert_parameters) / double(m.parameters);
    w *= 1.0 - expert_share * (1.0 - double(m.experts_per_token) / double(m.experts));
  }
  double bytes = w + double(t.kv_cache);
  return bytes > 0 ? double(s.batch) * s.gpu.gpu.bandwidth_gbs * 1e9 / bytes : 0;
}

std::string verdict_sentence(const Json& j) {
  auto g = [](const Json& v) { return gib(v.get<uint64_t>()); };
  std::string where = fmt::format("{} x {}", j["gpu"]["count"].get<int>(), j["gpu"]["name"].get<std::string>());
  const Json& b = j["budget_bytes_per_gpu"];
  if (j.contains("vllm") && !j["vllm"]["starts"].get<bool>())
    return fmt::format("vLLM does not start on {}: {}", where, j["vllm"]["error"].get<std::string>());
  if (j.contains("llamacpp") && !j["llamacpp"]["fully_offloaded"].get<bool>() && j["llamacpp"]["n_gpu_layers"] > 0 &&
      j["headroom_bytes"].get<int64_t>() >= 0)
    return fmt::format("Runs partly on the CPU: llama.cpp would offload {} of {} layers (-ngl {}), {} per GPU of {} "
                       "usable on {}; the whole model on the GPU needs {}.",
                       j["llamacpp"]["n_gpu_layers"].get<int>(), j["llamacpp"]["n_layers_total"].get<int>(),
                       j["llamacpp"]["n_gpu_layers"].get<int>(), g(j["total_bytes_per_gpu"]), g(b), where,
                       j["gpus_needed"].get<int>() > 0 ? fmt::format("{} GPUs", j["gpus_needed"].get<int>())
                                                       : std::string("more than 64 GPUs"));
  if (j["fits"].get<bool>())
    return fmt::format("Fits: {} per GPU of {} usable on {}, {} to spare.", g(j["total_bytes_per_gpu"]), g(b), where,
                       gib(uint64_t(j["headroom_bytes"].get<int64_t>())));
  std::string s = fmt::format("Does not fit: {} per GPU against {} usable on {}", g(j["total_bytes_per_gpu"]), g(b),
                              where);
  if (j.contains("llamacpp") && j["llamacpp"].value("n_gpu_layers", 0) > 0)
    s += fmt::format("; llama.cpp would offload {} of {} layers", j["llamacpp"]["n_gpu_layers"].get<int>(),
                     j["llamacpp"]["n_layers_total"].get<int>());
  int64_t mc = j["max_context"].get<int64_t>();
  if (mc > 0) s += fmt::format("; it fits up to {} tokens of context", mc);
  int n = j["gpus_needed"].get<int>();
  if (n > 0) s += fmt::format("; {} GPUs would hold it", n);
  return s + ".";
}

}  // namespace

Result<FitResult> fit(std::string_view model, const FitOptions& o) {
  auto m = load_model(model, o);
  if (!m) return std::unexpected(m.error());
  std::vector<std::string> as;
  auto s = make_setting(*m, o, as);
  if (!s) return std::unexpected(s.error());
  auto t = evaluate(*m, *s);
  if (!t) return std::unexpected(t.error());
  for (auto& a : t->assumptions) as.push_back(a);
  Json j;
  j["model"] = m->model;
  j["architecture"] = m->architecture;
  j["engine"] = s->o.train ? "hf" : s->o.engine;
  j["mode"] = s->o.train ? "training" : "inference";
  j["parameters"] = m->parameters;
  j["trainable_parameters"] = t->trainable;
  j["context"] = s->context;
  j["batch"] = s->batch;
  j["dtype"] = m->checkpoint_format == "gguf" ? "gguf " + m->gguf_file_type : s->dtype;
  j["quantization"] = s->quantization;
  j["kv_cache_dtype"] = s->kv.name;
  j["tp"] = s->tp;
  KvEngine ke = s->o.engine == "vllm" ? KvEngine::Vllm : s->o.engine == "llama.cpp" ? KvEngine::LlamaCpp : KvEngine::Hf;
  j["kv_bytes_per_token"] = kv_bytes_per_token(m->kv, s->kv, s->tp, ke);
  j["assumptions"] = as;
  j["notes"] = m->notes;
  for (const auto& n : m->kv.notes) j["notes"].push_back(n);
  j["breakdown"] = {{"weights", t->weights},         {"kv_cache", t->kv_cache},   {"activations", t->activations},
                    {"gradients", t->gradients},     {"optimizer", t->optimizer}, {"overhead", t->overhead}};
  j["total_bytes_per_gpu"] = t->total();
  j["gpu"] = {{"name", s->gpu.gpu.name},
              {"count", s->gpus},
              {"memory_bytes", s->gpu.gpu.memory_bytes},
              {"usable_bytes", s->gpu.gpu.usable_bytes}};
  j["budget_bytes_per_gpu"] = t->budget;
  j["fits"] = t->fits();
  j["headroom_bytes"] = int64_t(t->budget) - int64_t(t->total());
  j["gpus_needed"] = t->fits() ? s->gpus : gpus_needed(*m, *s);
  j["max_context"] = max_context(*m, *s);
  j["max_batch"] = max_batch(*m, *s);
  j["suggestions"] = suggestions(*m, *s, *t);
  if (s->o.train) j["training"] = t->engine;
  else if (s->o.engine == "vllm") j["vllm"] = t->engine;
  else if (s->o.engine == "llama.cpp") j["llamacpp"] = t->engine;
  j["curve"] = curve(*m, *s);
  double bound = decode_bound(*m, *s, *t);
  j["decode_tokens_per_s_upper_bound"] = bound > 0 ? Json(std::round(bound * 10) / 10) : Json(nullptr);
  j["verdict"] = verdict_sentence(j);
  return FitResult{std::move(j)};
}

}  // namespace memfit
