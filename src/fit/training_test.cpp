// Training terms: PEFT's LoRA counts, weights/gradients/optimizer per precision and optimizer, ZeRO partitioning,
// activations and logits, with exact values worked out by hand in the comments; plus the properties every term must
// have (double the batch, double the activations; checkpointing lowers them; more GPUs lower ZeRO-3 states).
#include "fit/training.h"

#include <gtest/gtest.h>

#include "estimate/quantize.h"
#include "fit/zero.h"
#include "test_util.h"
#include "tree/measure.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using testing_util::build_catalog;

struct Built {
  BuiltModel model;
  Json config;
};

Built task(const std::string& id) {
  const CatalogEntry* e = find_in_catalog(id);
  EXPECT_NE(e, nullptr) << id;
  auto b = build_catalog(id, Target::TaskModel);
  EXPECT_TRUE(b.has_value()) << id << ": " << (b ? "" : b.error().message);
  return {std::move(*b), Json::parse(e->config)};
}

TrainingTerms terms(const Built& m, const TrainingOptions& o) {
  auto t = training_terms(m.model, m.config, o);
  EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message);
  return t ? *t : TrainingTerms{};
}

// Llama-2-7b-hf: P = 6,738,415,616; largest layer (embed_tokens / lm_head) 32000 * 4096 = 131,072,000.
constexpr uint64_t P = 6'738'415'616, LL = 131'072'000;

const Built& llama2() {
  static const Built m = task("meta-llama/Llama-2-7b-hf");
  return m;
}

uint64_t buffers(const Built& m) { return measure(m.model.model).buffer_bits / 8; }
uint64_t states(const TrainingTerms& t) { return t.weights + t.gradients + t.optimizer; }

TEST(TrainingTerms, FullMixedPrecisionAdamW) {
  // bf16-mixed: weights 2P, gradients 2P, optimizer 12P (fp32 master 4 + exp_avg 4 + exp_avg_sq 4); b = 1,
  // s = 2048, sdpa: activations 32 * 348,389,376 (activations_test) and logits 2048 * 32000 * 14.
  auto t = terms(llama2(), {});
  EXPECT_EQ(t.parameters, P);
  EXPECT_EQ(t.trainable_parameters, P);
  EXPECT_EQ(t.largest_layer_params, LL);
  EXPECT_EQ(t.weights, 13'476'831'232u + buffers(llama2()));
  EXPECT_EQ(t.gradients, 13'476'831'232u);
  EXPECT_EQ(t.optimizer, 80'860'987'392u);
  EXPECT_EQ(t.activations, 11'148'460'032u);
  EXPECT_EQ(t.logits, 917'504'000u);
  EXPECT_EQ(t.cpu_bytes, 0u);
  EXPECT_TRUE(t.lora_modules.empty());
  EXPECT_EQ(t.gpu_bytes(), t.weights + t.gradients + t.optimizer + t.activations + t.logits);
  EXPECT_GE(t.assumptions.size(), 6u);
}

TEST(TrainingTerms, PrecisionsAndOptimizers) {
  TrainingOptions o;
  o.precision = "fp32";  // 4 + 4 + 8 (AdamW states), no master copy
  auto t = terms(llama2(), o);
  EXPECT_EQ(t.weights, 26'953'662'464u + buffers(llama2()));
  EXPECT_EQ(t.gradients, 26'953'662'464u);
  EXPECT_EQ(t.optimizer, 53'907'324'928u);
  o.precision = "bf16";  // pure bf16: states in bf16, 2 * 2 B
  EXPECT_EQ(terms(llama2(), o).optimizer, 26'953'662'464u);
  o.precision = "bf16-mixed";
  o.optimizer = "adamw-8bit";  // 2 * 1 B + 4 B master = 6P
  EXPECT_EQ(terms(llama2(), o).optimizer, 40'430'493'696u);
  o.optimizer = "paged-adamw-8bit";
  EXPECT_EQ(terms(llama2(), o).optimizer, 40'430'493'696u);
  o.optimizer = "sgd";  // momentum 0: only the 4 B master
  EXPECT_EQ(terms(llama2(), o).optimizer, 26'953'662'464u);
  o.optimizer = "lion";  // 4 B exp_avg + 4 B master
  EXPECT_EQ(terms(llama2(), o).optimizer, 53'907'324'928u);
  // Adafactor: rows + cols per matrix: embed/lm_head 32000 + 4096 each; per layer q, k, v, o 4 * 8192, gate/up/down
  // 3 * (11008 + 4096), two norms 2 * 4096 = 86,272; 32 layers + final norm 4096: 2,836,992 fp32 states = 11,347,968
  // B, plus the 4 B master 26,953,662,464 = 26,965,010,432.
  o.optimizer = "adafactor";
  EXPECT_EQ(terms(llama2(), o).optimizer, 26'965'010'432u);
}

TEST(TrainingTerms, LoraDefaults) {
  // PEFT's default for llama, q_proj + v_proj, r = 8: 4,194,304 trainable (fp32: 16,777,216 B weights and gradients,
  // AdamW 33,554,432 B); the bf16 base 2P stays frozen.
  TrainingOptions o;
  o.method = "lora";
  auto t = terms(llama2(), o);
  EXPECT_EQ(t.trainable_parameters, 4'194'304u);
  EXPECT_EQ(t.lora_modules.size(), 64u);
  EXPECT_EQ(t.weights, 13'476'831'232u + 16'777'216u + buffers(llama2()));
  EXPECT_EQ(t.gradients, 16'777'216u);
  EXPECT_EQ(t.optimizer, 33'554'432u);
}

TEST(TrainingTerms, Llama32_3bLoraCountAsPeft) {
  auto m = task("meta-llama/Llama-3.2-3B-Instruct");
  TrainingOptions o;
  o.method = "lora", o.lora_rank = 32, o.lora_targets = {"q_proj", "v_proj"};
  EXPECT_EQ(terms(m, o).trainable_parameters, 9'175'040u);
}

TEST(TrainingTerms, QloraIsNf4WithDoubleQuantPlusAdapters) {
  TrainingOptions o;
  o.method = "qlora";
  auto t = terms(llama2(), o);
  auto scheme = scheme_from_name("bnb-nf4-dq");
  ASSERT_TRUE(scheme.has_value());
  QuantizedSize q = quantized_size(llama2().model.model, *scheme, 16);
  EXPECT_EQ(t.weights, q.total_bytes + 16'777'216u);
  EXPECT_EQ(t.trainable_parameters, 4'194'304u);
  // NF4 of the 6,476,005,376 linear weights (0.5 B each) plus 2 * 32000 * 4096 * 2 B of embeddings: about 3.9 GB.
  EXPECT_EQ(q.quantized_params, 6'476'005'376u);
  EXPECT_LT(t.weights, 4'000'000'000u);
}

TEST(TrainingTerms, ZeroStagesEqualDeepSpeedsEstimators) {
  TrainingOptions o;
  o.gpus = 8;
  o.zero = 2;  // 2P + int(18P / 8)
  EXPECT_EQ(states(terms(llama2(), o)), deepspeed_zero2_estimate(P, 8, 1, false).gpu_bytes + buffers(llama2()));
  o.offload = "optimizer";  // 2P on the GPU, the rest in CPU RAM
  auto off = terms(llama2(), o);
  EXPECT_EQ(states(off), deepspeed_zero2_estimate(P, 8, 1, true).gpu_bytes + buffers(llama2()));
  EXPECT_EQ(off.cpu_bytes, 16 * P / 8);  // fp32 master, exp_avg, exp_avg_sq and gradient partitions
  o.zero = 3, o.offload = "";  // 4 * LL + int(18P / 8): 16-bit weights 2, fp32 gradients 4, master 4, AdamW 8
  auto z3 = terms(llama2(), o);
  EXPECT_EQ(states(z3), deepspeed_zero3_estimate(P, LL, 8, 1, false, false).gpu_bytes + buffers(llama2()));
  EXPECT_EQ(z3.weights, 1'946'747'904u + buffers(llama2()));  // 2P / 8 + 2 * LL
  EXPECT_EQ(z3.gradients, 3'631'351'808u);  // fp32 partition 4P / 8 + 2 * LL (16-bit ones are reduced away)
  EXPECT_EQ(z3.optimizer, 10'107'623'424u);                    // 12P / 8
  o.offload = "optimizer";  // 4 * LL + int(2P / 8)
  EXPECT_EQ(states(terms(llama2(), o)), deepspeed_zero3_estimate(P, LL, 8, 1, true, false).gpu_bytes +
                                            buffers(llama2()));
  o.offload = "params";  // 4 * LL
  auto z3p = terms(llama2(), o);
  EXPECT_EQ(states(z3p), deepspeed_zero3_estimate(P, LL, 8, 1, true, true).gpu_bytes + buffers(llama2()));
  EXPECT_EQ(z3p.cpu_bytes, 18 * P / 8);  // DeepSpeed's 18: those 16 plus the 16-bit weight partition
  o.offload = "", o.zero = 0, o.fsdp = true;  // FSDP full shard counts as ZeRO-3
  EXPECT_EQ(states(terms(llama2(), o)), states(z3));
}

TEST(TrainingTerms, TensorParallel) {
  TrainingOptions o;
  o.tp = 4;
  auto t = terms(llama2(), o);
  EXPECT_EQ(t.optimizer, 80'860'987'392u / 4);
  EXPECT_EQ(t.logits, 917'504'000u / 4);
  o.tp = 3;  // 32 heads
  auto bad = training_terms(llama2().model, llama2().config, o);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::Usage);
  EXPECT_EQ(bad.error().message, "--tp 3 does not divide the model's 32 attention heads");
}

TEST(TrainingProperties, MoveAsTheyMust) {
  for (const char* method : {"full", "lora", "qlora"}) {
    SCOPED_TRACE(method);
    TrainingOptions o;
    o.method = method;
    auto base = terms(llama2(), o);
    o.batch = 2;  // double the batch: double the activations and logits, model states unchanged
    auto twice = terms(llama2(), o);
    EXPECT_EQ(twice.activations, 2 * base.activations);
    EXPECT_EQ(twice.logits, 2 * base.logits);
    EXPECT_EQ(states(twice), states(base));
    o.batch = 1, o.grad_checkpointing = true;  // checkpointing lowers activations
    EXPECT_LT(terms(llama2(), o).activations, base.activations / 4);
    o.grad_checkpointing = false, o.attention = "eager";  // eager attention holds more than sdpa
    EXPECT_GT(terms(llama2(), o).activations, base.activations);
  }
  TrainingOptions o;
  o.zero = 3;
  uint64_t last = UINT64_MAX;
  for (int gpus : {1, 2, 4, 8, 16, 64}) {  // more GPUs: fewer ZeRO-3 model states per GPU
    o.gpus = gpus;
    uint64_t now = states(terms(llama2(), o));
    EXPECT_LT(now, last) << gpus;
    last = now;
  }
  for (int gpus : {1, 2, 3, 8, 64}) {  // ZeRO-2 never above ZeRO-1, ZeRO-1 never above ZeRO-0
    TrainingOptions z;
    z.gpus = gpus;
    uint64_t s0 = states(terms(llama2(), z));
    z.zero = 1;
    uint64_t s1 = states(terms(llama2(), z));
    z.zero = 2;
    uint64_t s2 = states(terms(llama2(), z));
    EXPECT_LE(s2, s1) << gpus;
    if (gpus > 1) EXPECT_LT(s1, s0) << gpus;
  }
}

TEST(TrainingTerms, NonTransformerSaysActivationsAreNotEstimated) {
  auto m = task("timm/resnet50.a1_in1k");
  auto t = terms(m, {});
  EXPECT_EQ(t.parameters, 25'557'032u);
  EXPECT_EQ(t.optimizer, 12 * 25'557'032u);
  EXPECT_EQ(t.activations, 0u);
  EXPECT_EQ(t.logits, 0u);
  EXPECT_NE(std::find(t.assumptions.begin(), t.assumptions.end(),
                      "The config gives no transformer dimensions (hidden size, layers): activations are not "
                      "estimated (0)."),
            t.assumptions.end());
}

TEST(TrainingErrors, OneClearLineEach) {
  auto err = [](TrainingOptions o) {
    auto t = training_terms(llama2().model, llama2().config, o);
    EXPECT_FALSE(t.has_value());
    return t ? std::string() : t.error().message;
  };
  TrainingOptions o;
  o.method = "dora";
  EXPECT_EQ(err(o), "unknown --train 'dora' (full, lora, qlora)");
  o = {}, o.batch = 0;
  EXPECT_EQ(err(o), "--batch 0 is out of range (1 to 1048576)");
  o = {}, o.seq_len = -5;
  EXPECT_EQ(err(o), "--seq-len -5 is out of range (1 to 16777216)");
  o = {}, o.zero = 4;
  EXPECT_EQ(err(o), "--zero 4 is not a ZeRO stage (0, 1, 2, 3)");
  o = {}, o.offload = "params", o.zero = 2;
  EXPECT_EQ(err(o), "--offload params needs --zero 3 (or --fsdp)");
  o = {}, o.offload = "optimizer";
  EXPECT_EQ(err(o), "--offload optimizer needs --zero 1, 2 or 3 (or --fsdp)");
  o = {}, o.fsdp = true, o.zero = 2;
  EXPECT_EQ(err(o), "--fsdp and --zero are alternatives: choose one");
  o = {}, o.optimizer = "adam9";
  EXPECT_EQ(err(o), "unknown --optimizer 'adam9' (adamw, adamw-8bit, paged-adamw-8bit, sgd, adafactor, lion)");
  o = {}, o.precision = "fp8";
  EXPECT_EQ(err(o), "unknown --precision 'fp8' (fp32, bf16-mixed, fp16-mixed, bf16)");
  o = {}, o.gpus = 0;
  EXPECT_EQ(err(o), "--gpus 0 is out of range (1 to 1048576)");
  o = {}, o.method = "lora", o.lora_targets = {"c_attn"};
  EXPECT_EQ(err(o), "LoRA target module(s) not found in the model: c_attn");
  o = {}, o.lora_targets = {"q_proj"};
  EXPECT_EQ(err(o), "--lora-targets applies to --train lora or qlora only");
  o = {}, o.method = "qlora", o.lora_rank = 0;
  EXPECT_EQ(err(o), "--lora-rank 0 is out of range (1 to 65536)");
}

}  // namespace
}  // namespace memfit
