// Training memory per GPU for a full, LoRA or QLoRA fine-tuning run: frozen and trainable weights, gradients,
// optimizer states (with master weights), activations (Korthikanti et al. 2022), the fp32 logits and their gradient,
// partitioned by DeepSpeed ZeRO / FSDP as DeepSpeed's own estimators do. Used by fit (fit/fit.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "arch/registry.h"
#include "core/error.h"
#include "format/config.h"

namespace memfit {

struct TrainingOptions {
  std::string method = "full";           // full | lora | qlora
  std::string optimizer = "adamw";       // adamw | adamw-8bit | paged-adamw-8bit | sgd | adafactor | lion
  std::string precision = "bf16-mixed";  // fp32 | bf16-mixed | fp16-mixed | bf16
  int64_t batch = 1;                     // micro-batch per GPU
  int64_t seq_len = 2048;
  bool grad_checkpointing = false;
  std::string attention = "sdpa";        // eager | sdpa | flash
  int64_t lora_rank = 8;
  int64_t lora_alpha = 16;
  std::vector<std::string> lora_targets;  // empty: PEFT's default target modules for the model_type; {"all-linear"}
  int zero = 0;                           // DeepSpeed ZeRO stage 0..3
  std::string offload;                    // "" | optimizer | params (ZeRO offload to CPU)
  bool fsdp = false;                      // FSDP FULL_SHARD (counts like ZeRO-3)
  int gpus = 1;                           // data-parallel world size (ZeRO / FSDP partition over these)
  int tp = 1;                             // tensor parallel degree
};

struct TrainingTerms {
  uint64_t parameters = 0;            // all parameters of the task model
  uint64_t largest_layer_params = 0;  // most parameters one module owns directly (DeepSpeed's largest layer)
  uint64_t trainable_parameters = 0;  // as PEFT's print_trainable_parameters counts them (full: all)
  // Bytes per GPU.
  uint64_t weights = 0;      // model weights held on the GPU (frozen base + trainable copies)
  uint64_t gradients = 0;
  uint64_t optimizer = 0;    // optimizer states, plus fp32 master weights under mixed precision
  uint64_t activations = 0;  // saved activations of all layers for one micro-batch
  uint64_t logits = 0;       // vocabulary-sized buffers at the loss's backward (fp32 log-probabilities, their
                             // gradient, the logits' gradient, the returned logits): b * s * V * 14 B in 16-bit
  uint64_t cpu_bytes = 0;    // what ZeRO offload keeps in CPU memory (not counted in the GPU terms)
  std::vector<std::string> lora_modules;  // module names the adapters attach to (LoRA/QLoRA)
  std::vector<std::string> assumptions;   // one sentence each

  // The sum of the GPU terms (weights + gradients + optimizer + activations + logits): all held at once, an upper
  // bound of the step's peak (CUDA context and library workspaces are fit's overhead term, not counted here).
  uint64_t gpu_bytes() const;
};

// Terms for the task model `task` built from `config` (the root config.json object). BadInput / Usage errors for
// options that do not apply (LoRA targets that match no module, a ZeRO stage out of range, ...).
Result<TrainingTerms> training_terms(const BuiltModel& task, const Json& config, const TrainingOptions& o);

}  // namespace memfit
