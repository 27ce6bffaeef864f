#include "fit/training.h"

#include <algorithm>
#include <functional>
#include <limits>

#include <fmt/format.h>

#include "estimate/quantize.h"
#include "fit/activations.h"
#include "fit/lora.h"
#include "tree/measure.h"

namespace memfit {

namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

uint64_t add(uint64_t a, uint64_t b) { return a > kMax - b ? kMax : a + b; }
uint64_t mul(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kMax : r;
}
uint64_t ceil_div(uint64_t a, uint64_t n) { return n <= 1 ? a : a / n + (a % n != 0); }

// Bytes per element for each role under a precision.
struct Precision {
  uint64_t weight = 2, grad = 2, state = 4, master = 4;
  int act = 2;
  bool mixed = true;
};

Result<Precision> precision_of(const std::string& p) {
  if (p == "fp32") return Precision{4, 4, 4, 0, 4, false};
  if (p == "bf16-mixed" || p == "fp16-mixed") return Precision{2, 2, 4, 4, 2, true};
  if (p == "bf16") return Precision{2, 2, 2, 0, 2, false};
  return fail(ErrorKind::Usage, "unknown --precision '" + p + "' (fp32, bf16-mixed, fp16-mixed, bf16)");
}

// Adafactor's factored second moment: a tensor of >= 2 dims keeps a row and a column vector (shape[:-1] and
// shape[:-2] + shape[-1:]); smaller tensors keep a full one.
uint64_t adafactor_elements(const std::vector<int64_t>& shape) {
  uint64_t n = 1;
  for (int64_t d : shape) n = mul(n, static_cast<uint64_t>(std::max<int64_t>(d, 0)));
  if (shape.size() < 2) return n;
  uint64_t rows = 1, cols = static_cast<uint64_t>(shape.back());
  for (size_t i = 0; i + 1 < shape.size(); ++i) rows = mul(rows, static_cast<uint64_t>(shape[i]));
  for (size_t i = 0; i + 2 < shape.size(); ++i) cols = mul(cols, static_cast<uint64_t>(shape[i]));
  return add(rows, cols);
}

// Optimizer state bytes for `n` trainable elements (adafactor: `factored` elements instead), states of `state` bytes.
Result<uint64_t> optimizer_state_bytes(const std::string& opt, uint64_t n, uint64_t factored, uint64_t state) {
  if (opt == "adamw") return mul(n, 2 * state);
  if (opt == "adamw-8bit" || opt == "paged-adamw-8bit") return mul(n, 2);
  if (opt == "sgd") return uint64_t{0};
  if (opt == "lion") return mul(n, state);
  if (opt == "adafactor") return mul(factored, state);
  return fail(ErrorKind::Usage,
              "unknown --optimizer '" + opt + "' (adamw, adamw-8bit, paged-adamw-8bit, sgd, adafactor, lion)");
}

uint64_t largest_own_params(const Module& m) {
  uint64_t own = 0;
  for (const auto& [n, t] : m.params) own = add(own, t.numel());
  for (const auto& [n, c] : m.children)
    if (c) own = std::max(own, largest_own_params(*c));
  return own;
}

std::string gib(uint64_t b) { return fmt::format("{:.2f} GiB", static_cast<double>(b) / (1ull << 30)); }

Result<void> validate(const TrainingOptions& o, const LayerShape& shape) {
  auto bad = [](std::string m) { return fail(ErrorKind::Usage, std::move(m)); };
  if (o.method != "full" && o.method != "lora" && o.method != "qlora")
    return bad("unknown --train '" + o.method + "' (full, lora, qlora)");
  if (o.batch < 1 || o.batch > (1 << 20)) return bad(fmt::format("--batch {} is out of range (1 to 1048576)", o.batch));
  if (o.seq_len < 1 || o.seq_len > (1 << 24))
    return bad(fmt::format("--seq-len {} is out of range (1 to 16777216)", o.seq_len));
  if (o.attention != "eager" && o.attention != "sdpa" && o.attention != "flash")
    return bad("unknown --attention '" + o.attention + "' (eager, sdpa, flash)");
  if (o.zero < 0 || o.zero > 3) return bad(fmt::format("--zero {} is not a ZeRO stage (0, 1, 2, 3)", o.zero));
  if (o.gpus < 1 || o.gpus > (1 << 20)) return bad(fmt::format("--gpus {} is out of range (1 to 1048576)", o.gpus));
  if (o.tp < 1 || o.tp > 4096) return bad(fmt::format("--tp {} is out of range (1 to 4096)", o.tp));
  if (o.tp > 1 && shape.heads % o.tp != 0)
    return bad(fmt::format("--tp {} does not divide the model's {} attention heads", o.tp, shape.heads));
  if (o.fsdp && o.zero > 0) return bad("--fsdp and --zero are alternatives: choose one");
  if (!o.offload.empty() && o.offload != "optimizer" && o.offload != "params")
    return bad("unknown --offload '" + o.offload + "' (optimizer, params)");
  if (o.offload == "optimizer" && o.zero < 1 && !o.fsdp)
    return bad("--offload optimizer needs --zero 1, 2 or 3 (or --fsdp)");
  if (o.offload == "params" && o.zero != 3 && !o.fsdp) return bad("--offload params needs --zero 3 (or --fsdp)");
  if (o.method == "full" && !o.lora_targets.empty()) return bad("--lora-targets applies to --train lora or qlora only");
  if (o.method != "full" && (o.lora_rank < 1 || o.lora_rank > 65536))
    return bad(fmt::format("--lora-rank {} is out of range (1 to 65536)", o.lora_rank));
  return {};
}

// One replica's model states before partitioning (bytes), and the trainable count.
struct States {
  uint64_t weights = 0;    // frozen base + trainable weights
  uint64_t grads = 0;      // gradients in the trainable parameters' dtype
  uint64_t grad32 = 0;     // ZeRO's fp32 gradient partition under mixed precision (partitioned from stage 1)
  uint64_t optimizer = 0;  // optimizer states + fp32 master weights
};

using Say = std::function<void(std::string)>;

Result<States> full_states(const Model& model, const TrainingOptions& o, const Precision& p, TrainingTerms& t,
                           const Say& say) {
  States st;
  t.trainable_parameters = t.parameters;
  st.weights = mul(t.parameters, p.weight);
  st.grads = mul(t.parameters, p.grad);
  uint64_t factored = 0;
  if (o.optimizer == "adafactor")
    for_each_tensor(*model.root, [&](const TensorVisit& v) {
      if (!v.is_buffer) factored = add(factored, adafactor_elements(v.tensor.shape));
    });
  auto states = optimizer_state_bytes(o.optimizer, t.parameters, factored, p.state);
  if (!states) return std::unexpected(states.error());
  st.optimizer = add(*states, mul(t.parameters, p.master));
  if (p.mixed && (o.zero > 0 || o.fsdp)) st.grad32 = mul(t.parameters, 4);
  say(fmt::format("Full fine-tuning ({}): weights {} B, gradients {} B per parameter{}.", o.precision, p.weight,
                  p.grad, p.master ? ", plus a 4 B fp32 master copy in the optimizer term" : ""));
  if (st.grad32)
    say("Under ZeRO/FSDP with mixed precision the optimizer's fp32 gradient partition (4 B per parameter / GPUs) "
        "is counted in the gradients term, as DeepSpeed's estimators count it.");
  return st;
}

Result<States> lora_states(const BuiltModel& task, const TrainingOptions& o, int64_t vocab, TrainingTerms& t,
                           const Say& say) {
  auto placed = place_lora(task.model, task.model_type, o.lora_targets, o.lora_rank, vocab);
  if (!placed) return std::unexpected(placed.error());
  States st;
  t.trainable_parameters = placed->params;
  for (const auto& m : placed->modules) t.lora_modules.push_back(m.name);
  const uint64_t base_bytes = o.precision == "fp32" ? 4 : 2;
  if (o.method == "lora") {
    st.weights = mul(t.parameters, base_bytes);
    say(fmt::format("LoRA: the frozen base stays in {} ({} B per parameter); it has no gradients or optimizer "
                    "states.", o.precision == "fp32" ? "fp32" : (o.precision == "fp16-mixed" ? "fp16" : "bf16"),
                    base_bytes));
  } else {
    auto scheme = scheme_from_name("bnb-nf4-dq");
    if (!scheme) return std::unexpected(scheme.error());
    QuantizedSize q = quantized_size(task.model, *scheme, static_cast<int>(base_bytes * 8));
    st.weights = q.total_bytes - std::min(q.total_bytes, q.buffer_bytes);
    say(fmt::format("QLoRA: the frozen base is bitsandbytes NF4 with double quantization ({:.3f} bits per quantized "
                    "weight, {} of them); embeddings, the LM head, norms and biases stay {}-bit.",
                    q.bits_per_quantized_weight, q.quantized_params, base_bytes * 8));
  }
  say(fmt::format("LoRA rank {} on {} modules ({}): r * (in + out) parameters each, {} trainable, as PEFT's "
                  "print_trainable_parameters counts them.", o.lora_rank, placed->modules.size(),
                  placed->targets_used, t.trainable_parameters));
  say("Adapters are fp32 (PEFT's autocast_adapter_dtype default): 4 B weights, 4 B gradients, fp32 optimizer "
      "states, no master copy.");
  st.weights = add(st.weights, mul(t.trainable_parameters, 4));
  st.grads = mul(t.trainable_parameters, 4);
  uint64_t factored = 0;
  if (o.optimizer == "adafactor")  // lora_A [r, in] and lora_B [out, r]: factored (r + in) + (out + r)
    for (const auto& m : placed->modules)
      factored = add(factored, static_cast<uint64_t>(2 * o.lora_rank + m.in + m.out));
  auto states = optimizer_state_bytes(o.optimizer, t.trainable_parameters, factored, 4);
  if (!states) return std::unexpected(states.error());
  st.optimizer = *states;
  return st;
}

void optimizer_notes(const std::string& opt, const Say& say) {
  if (opt == "adamw") say("AdamW keeps two states (exp_avg, exp_avg_sq) per trainable parameter.");
  if (opt == "adamw-8bit" || opt == "paged-adamw-8bit")
    say("8-bit AdamW (bitsandbytes) keeps two 1-byte states per trainable parameter (block absmax ignored).");
  if (opt == "paged-adamw-8bit")
    say("Paged AdamW keeps its states in CUDA unified memory: under memory pressure they page out to CPU RAM, so "
        "the optimizer term is the most it holds on the GPU, not a hard requirement.");
  if (opt == "sgd") say("SGD as torch.optim.SGD's default (momentum 0): no optimizer state.");
  if (opt == "lion") say("Lion keeps one state (exp_avg) per trainable parameter.");
  if (opt == "adafactor")
    say("Adafactor as transformers' default (beta1 None): no momentum; the second moment is factored into a row "
        "and a column vector per matrix, exact from the tensor shapes.");
}

// Splits the replica's states over tensor-parallel ranks and data-parallel GPUs (ZeRO stages; FSDP full shard =
// ZeRO-3), moves offloaded parts to cpu_bytes, and sets the weights / gradients / optimizer terms.
void partition(States st, const TrainingOptions& o, const Precision& p, uint64_t buffers, TrainingTerms& t,
               const Say& say) {
  const uint64_t N = static_cast<uint64_t>(o.gpus), T = static_cast<uint64_t>(o.tp);
  const int stage = o.fsdp ? 3 : o.zero;
  if (T > 1) {
    st.weights = ceil_div(st.weights, T), st.grads = ceil_div(st.grads, T);
    st.optimizer = ceil_div(st.optimizer, T), st.grad32 = ceil_div(st.grad32, T);
    say(fmt::format("Tensor parallel {}: weights, gradients and optimizer states split evenly over the ranks "
                    "(replicated norms ignored); activations per Korthikanti's tensor-parallel terms.", o.tp));
  }
  if (stage >= 1) st.optimizer = ceil_div(st.optimizer, N), st.grad32 = ceil_div(st.grad32, N);
  if (stage >= 2) st.grads = ceil_div(st.grads, N);
  uint64_t gathered_w = 0, gathered_g = 0;
  if (stage >= 3) {
    // ZeRO-3 reduces 16-bit gradients bucket by bucket straight into the fp32 partition: only that one stays.
    if (st.grad32) st.grads = 0;
    st.weights = ceil_div(st.weights, N);
    // The working copy of the largest layer, gathered for compute (DeepSpeed's 4 * largest_layer_params).
    bool full = o.method == "full";
    gathered_w = mul(t.largest_layer_params, full ? p.weight : (o.precision == "fp32" ? 4 : 2));
    gathered_g = full ? mul(t.largest_layer_params, p.grad) : 0;
  }
  if (stage > 0)
    say(fmt::format("{} over {} data-parallel GPU(s): {} partitioned{}.",
                    o.fsdp ? std::string("FSDP FULL_SHARD") : fmt::format("ZeRO stage {}", o.zero), o.gpus,
                    stage == 1 ? "optimizer states" : stage == 2 ? "optimizer states and gradients"
                                                                : "optimizer states, gradients and weights",
                    stage == 3 ? fmt::format(", plus the largest layer ({} parameters) gathered for compute",
                                             t.largest_layer_params) : ""));
  else if (o.gpus > 1)
    say(fmt::format("Plain data parallel over {} GPUs: every GPU holds all model states.", o.gpus));
  if (!o.offload.empty()) {
    // ZeRO-Offload: the optimizer step runs on the CPU over fp32 gradient partitions (16-bit ones are not kept).
    t.cpu_bytes = add(st.optimizer, st.grad32 ? st.grad32 : st.grads);
    st.optimizer = 0, st.grads = 0, st.grad32 = 0;
    say("Optimizer offload (ZeRO-Offload): optimizer states, master weights and fp32 gradient partitions live in "
        "CPU RAM (cpu_bytes, per GPU process); the GPU keeps the 16-bit weights.");
  }
  if (o.offload == "params") {
    t.cpu_bytes = add(t.cpu_bytes, st.weights);
    st.weights = 0;
    say("Parameter offload: the weight partitions live in CPU RAM; the GPU holds the gathered largest layer.");
  }
  // Buffers (rotary tables, ...) are replicated on every GPU.
  t.weights = add(add(st.weights, gathered_w), buffers);
  t.gradients = add(add(st.grads, st.grad32), gathered_g);
  t.optimizer = st.optimizer;
}

void activation_terms(const LayerShape& shape, const TrainingOptions& o, const Precision& p, TrainingTerms& t,
                      const Say& say) {
  ActivationOptions ao;
  ao.batch = o.batch, ao.seq_len = o.seq_len, ao.attention = o.attention, ao.checkpointing = o.grad_checkpointing,
  ao.tp = o.tp, ao.act_bytes = p.act;
  t.activations = activation_bytes(shape, ao);
  t.logits = logits_bytes(shape, ao);
  if (shape.hidden == 0 || shape.layers == 0)
    say("The config gives no transformer dimensions (hidden size, layers): activations are not estimated (0).");
  else
    say(fmt::format("Activations (Korthikanti et al. 2022) for micro-batch {} x {} tokens over {} layers, {}-byte "
                    "activations: {} per layer{}.", o.batch, o.seq_len, shape.layers, p.act,
                    gib(layer_activation_bytes(shape, ao)),
                    o.grad_checkpointing ? "; gradient checkpointing keeps each layer's input and recomputes one "
                                           "layer" : ""));
  say(o.attention == "eager"
          ? "Eager attention saves the a*s^2 attention probabilities per layer."
          : "Fused attention (" + o.attention + ") saves no a*s^2 scores, only fp32 log-sum-exp statistics.");
  say(shape.hidden_dropout || shape.attention_dropout
          ? std::string("The config has dropout: 1-byte masks counted (") +
                (shape.hidden_dropout ? "residual" : "") +
                (shape.hidden_dropout && shape.attention_dropout ? " and " : "") +
                (shape.attention_dropout ? "attention probabilities" : "") + ")."
          : "The config has no dropout (its dropout probabilities are 0 or absent): no dropout masks.");
  if (shape.experts_per_token > 0)
    say(fmt::format("MoE: activations of the {} active experts per token (plus shared experts){}.",
                    shape.experts_per_token,
                    shape.dense_layers ? fmt::format("; the first {} layers are dense", shape.dense_layers) : ""));
  if (o.method != "full")
    say("Frozen layers' activations are counted as in full training (an upper bound: PyTorch need not save the "
        "inputs of frozen Linear layers).");
  if (shape.rms_norm_fp32 && p.act == 2)
    say("RMSNorm layers upcast their input to fp32 and save it (4 B per element, as transformers implements them).");
  say(t.logits ? fmt::format("Logits over the {}-token vocabulary at the loss's backward: the fp32 log-softmax "
                             "output, its incoming gradient and the fp32 logits' gradient (4 B each), plus the {} "
                             "logits the LM head returned.", shape.vocab, p.act == 2 ? "16-bit" : "fp32")
               : "No LM head: no vocabulary-sized logits term.");
}

}  // namespace

uint64_t TrainingTerms::gpu_bytes() const {
  return add(add(add(add(weights, gradients), optimizer), activations), logits);
}

Result<TrainingTerms> training_terms(const BuiltModel& task, const Json& config, const TrainingOptions& o) {
  if (!task.model.root) return fail(ErrorKind::Internal, "no model tree to estimate training for");
  LayerShape shape = layer_shape(config, task.model, task.cls);
  if (auto v = validate(o, shape); !v) return std::unexpected(v.error());
  auto prec = precision_of(o.precision);
  if (!prec) return std::unexpected(prec.error());

  TrainingTerms t;
  Say say = [&](std::string s) { t.assumptions.push_back(std::move(s)); };
  Measurement meas = measure(task.model);
  t.parameters = meas.parameters;
  t.largest_layer_params = largest_own_params(*task.model.root);
  auto states = o.method == "full" ? full_states(task.model, o, *prec, t, say) : lora_states(task, o, shape.vocab, t, say);
  if (!states) return std::unexpected(states.error());
  optimizer_notes(o.optimizer, say);
  partition(*states, o, *prec, meas.buffer_bits / 8, t, say);
  activation_terms(shape, o, *prec, t, say);
  say("All terms are summed as if held at once: an upper bound of the step's peak.");
  for (uint64_t v : {t.weights, t.gradients, t.optimizer, t.activations, t.logits, t.cpu_bytes})
    if (v == kMax)
      return fail(ErrorKind::BadInput,
                  "the training estimate overflows 64 bits (batch, sequence length or model dimensions too large)");
  return t;
}

}  // namespace memfit
