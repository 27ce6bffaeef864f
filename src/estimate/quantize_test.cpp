// Quantization-aware sizes: each method's layout on a small hand-built model (arithmetic in the comments), the
// config parser for every quantization_config kind, and llama.cpp's published Llama-3-8B GGUF sizes.
#include "estimate/quantize.h"

#include <gtest/gtest.h>

#include "arch/blocks.h"
#include "memfit.h"
#include "source/catalog.h"
#include "core/file_scope.h"

namespace memfit {
namespace MEMFIT_TU {

using namespace blocks;

// embed [1000, 256]; 2 layers of {q_proj, v_proj [256, 256]; down_proj [256 <- 512] with bias; norm [256]};
// MoE layer experts [4, 512, 256] + router [4, 256]; lm_head [1000, 256].
Model tiny(bool tied_head = false) {
  auto root = make("TinyForCausalLM");
  auto model = root->add("model", make("TinyModel"));
  model->add("embed_tokens", embedding(1000, 256));
  auto layer = make("TinyLayer");
  auto attn = layer->add("self_attn", make("TinyAttention"));
  attn->add("q_proj", linear(256, 256, false));
  attn->add("v_proj", linear(256, 256, false));
  auto mlp = layer->add("mlp", make("TinyMLP"));
  mlp->add("down_proj", linear(512, 256, true));
  mlp->add("experts", make("TinyExperts"))->param("gate_up_proj", {4, 512, 256});
  mlp->add("router", linear(256, 4, false));
  layer->add("input_layernorm", rms_norm("TinyRMSNorm", 256));
  model->add("layers", repeat(layer, 2));
  auto head = make("Linear");
  if (tied_head) head->tie("weight", {1000, 256}, "model.embed_tokens.weight");
  else head->param("weight", {1000, 256});
  root->add("lm_head", head);
  return Model{root, {}, "transformers", {}};
}

// Per layer: q, v 65,536 each; down 131,072 (+ bias 256); experts 4 x 131,072; router 1,024; norm 256.
constexpr uint64_t kLinear = 2 * (65536 + 65536 + 131072);  // bnb / GPTQ quantize these (experts are not nn.Linear)
constexpr uint64_t kExperts = 2 * 4 * 131072;

TEST(Quantize, BitsAndBytes4BitLayout) {
  auto s = scheme_from_name("bnb-nf4");
  ASSERT_TRUE(s);
  auto q = quantized_size(tiny(), *s);
  EXPECT_EQ(q.quantized_params, kLinear);
  EXPECT_EQ(q.quantized_tensors, 6u);
  EXPECT_EQ(q.weight_bytes, kLinear / 2);
  // absmax fp32 per 64 weights + 64-byte code table per tensor: 2 x (2 x 1024 + 2048) x 4 + 6 x 64.
  EXPECT_EQ(q.overhead_bytes, 2 * (2 * 1024 + 2048) * 4 + 6 * 64);
  // Unquantized at 16-bit: embed 256,000 + lm_head 256,000 + 2 x (bias 256 + experts 524,288 + router 1,024 + norm 256).
  EXPECT_EQ(q.unquantized_params, 512000 + 2 * (256 + 524288 + 1024 + 256));
  EXPECT_EQ(q.unquantized_bytes, 2 * q.unquantized_params);
  EXPECT_NEAR(q.bits_per_quantized_weight, 4.5 + 6 * 64 * 8.0 / kLinear, 1e-9);

  auto dq = quantized_size(tiny(), *scheme_from_name("bnb-nf4-dq"));
  // uint8 absmax per 64 + fp32 per 256 absmax + 1 KiB nested code + 4-byte offset + 64-byte code, per tensor:
  // q/v: 1024 + 16 + 1024 + 4 + 64; down: 2048 + 32 + 1024 + 4 + 64.
  EXPECT_EQ(dq.overhead_bytes, 2 * (2 * (1024 + 16 + 1028 + 64) + (2048 + 32 + 1028 + 64)));

  auto i8 = quantized_size(tiny(), *scheme_from_name("bnb-int8"));
  EXPECT_EQ(i8.weight_bytes, kLinear);
  EXPECT_EQ(i8.overhead_bytes, 2 * (256 + 256 + 256) * 4);  // fp32 SCB per output row
}

TEST(Quantize, GptqAwqAndSkippedModules) {
  auto g = quantized_size(tiny(), *scheme_from_name("gptq-4bit-g128"));
  // GPTQ also quantizes the fused experts: 6 Linear + 2 expert tensors.
  EXPECT_EQ(g.quantized_params, kLinear + kExperts);
  EXPECT_EQ(g.weight_bytes, (kLinear + kExperts) / 2);
  // q/v [256 <- 256]: qzeros 2 x 32 x 4 + scales 2 x 256 x 2 + g_idx 256 x 4 = 256 + 1024 + 1024;
  // down [256 <- 512]: 4 x 32 x 4 + 4 x 256 x 2 + 512 x 4 = 512 + 2048 + 2048;
  // experts 4 x [512 <- 256]: 4 x (2 x 64 x 4 + 2 x 512 x 2 + 256 x 4) = 4 x 3584.
  EXPECT_EQ(g.overhead_bytes, 2 * (2 * 2304 + 4608 + 4 * 3584));
  auto a = quantized_size(tiny(), *scheme_from_name("awq-4bit-g128"));
  EXPECT_EQ(a.overhead_bytes, 2 * (2 * 1280 + 2560 + 4 * 2560));  // no g_idx

  Json cfg = Json::parse(R"({"quant_method": "gptq", "bits": 4, "group_size": 128,
                             "modules_to_not_convert": ["model.layers.*.self_attn"]})");
  auto s = scheme_from_config(cfg);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "gptq-4bit-g128");
  auto skipped = quantized_size(tiny(), *s);
  EXPECT_EQ(skipped.quantized_params, 2 * 131072 + kExperts);
}

TEST(Quantize, Fp8Mxfp4AndNvfp4) {
  auto f = quantized_size(tiny(), *scheme_from_name("fp8"));
  EXPECT_EQ(f.weight_bytes, kLinear + kExperts);
  // 128 x 128 fp32 scale blocks: q/v 2 x 2, down 2 x 4, experts 4 x (4 x 2).
  EXPECT_EQ(f.overhead_bytes, 2 * (4 + 4 + 8 + 4 * 8) * 4);

  Json cfg = Json::parse(R"({"quant_method": "mxfp4", "modules_to_not_convert":
      ["model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"]})");
  auto s = scheme_from_config(cfg);
  ASSERT_TRUE(s);
  auto m = quantized_size(tiny(), *s);
  EXPECT_EQ(m.quantized_params, kExperts);  // experts only, as transformers' Mxfp4 quantizer
  EXPECT_EQ(m.weight_bytes, kExperts / 2);
  EXPECT_EQ(m.overhead_bytes, kExperts / 32);
  EXPECT_DOUBLE_EQ(m.bits_per_quantized_weight, 4.25);

  auto n = quantized_size(tiny(), *scheme_from_name("nvfp4"));
  EXPECT_EQ(n.weight_bytes, (kLinear + kExperts) / 2);
  // fp8 scale per 16 weights + 8 bytes (two fp32 scalars) per matrix: 6 Linear + 2 x 4 experts.
  EXPECT_EQ(n.overhead_bytes, (kLinear + kExperts) / 16 + 14 * 8);
}

TEST(Quantize, ConfigKinds) {
  auto parse = [](const char* text) { return scheme_from_config(Json::parse(text)); };
  EXPECT_EQ(parse(R"({"quant_method": "bitsandbytes", "load_in_8bit": true})")->name, "bnb-int8");
  EXPECT_EQ(parse(R"({"quant_method": "bitsandbytes", "load_in_4bit": true, "bnb_4bit_quant_type": "nf4",
                      "bnb_4bit_use_double_quant": true})")->name, "bnb-nf4-dq");
  EXPECT_EQ(parse(R"({"load_in_4bit": true})")->name, "bnb-fp4");
  EXPECT_EQ(parse(R"({"quant_method": "awq", "bits": 4, "group_size": 64})")->name, "awq-4bit-g64");
  auto fp8 = parse(R"({"quant_method": "fp8", "weight_block_size": [128, 128]})");
  EXPECT_EQ(fp8->name, "fp8-block128x128");
  EXPECT_EQ(fp8->block_rows, 128);
  auto ct = parse(R"({"quant_method": "compressed-tensors", "config_groups": {"group_0": {"weights":
      {"num_bits": 4, "type": "int", "strategy": "group", "group_size": 128, "symmetric": true}}}})");
  EXPECT_EQ(ct->name, "compressed-tensors-w4a16-g128");
  auto ct8 = parse(R"({"quant_method": "compressed-tensors", "config_groups": {"g": {"weights":
      {"num_bits": 8, "type": "float", "strategy": "channel"}}}})");
  EXPECT_EQ(ct8->kind, QuantScheme::Kind::Fp8);
  EXPECT_EQ(ct8->block_rows, 1);
  EXPECT_EQ(parse(R"({"quant_method": "hqq"})").error().kind, ErrorKind::Unsupported);
  EXPECT_EQ(scheme_from_name("int3").error().kind, ErrorKind::Usage);
  EXPECT_EQ(scheme_from_name("gguf-q3_k_s").error().kind, ErrorKind::Usage);
  Json nested = Json::parse(R"({"text_config": {"quantization_config": {"quant_method": "fp8"}}})");
  ASSERT_NE(find_quantization_config(nested), nullptr);
}

TEST(Quantize, GgufPresetsMatchLlamaCppForLlama3_8B) {
  // llama-quantize's table for Llama-3-8B: Q4_K_M 4.58 GiB, Q8_0 7.96 GiB (tensor data; the file adds ~10 MB of
  // tokenizer metadata).
  const CatalogEntry* e = find_in_catalog("meta-llama/Meta-Llama-3-8B");
  ASSERT_NE(e, nullptr);
  ModelSource src{std::string(e->id), "catalog", std::string(e->config), std::string(e->id), "transformers"};
  EstimateOptions opts;
  opts.target = Target::TaskModel;
  auto built = build_model(src, opts);
  ASSERT_TRUE(built) << built.error().message;
  constexpr double GiB = 1024.0 * 1024 * 1024;
  auto q4 = quantized_size(built->model, *scheme_from_name("gguf-q4_k_m"));
  EXPECT_NEAR(q4.total_bytes / GiB, 4.58, 0.01);
  auto q8 = quantized_size(built->model, *scheme_from_name("gguf-q8_0"));
  EXPECT_NEAR(q8.total_bytes / GiB, 7.96, 0.02);
  EXPECT_DOUBLE_EQ(q8.bits_per_quantized_weight, 8.5);
  // bitsandbytes NF4 with double quantization: 4.127 bits per quantized weight (QLoRA paper), ANCHORS 5.3.
  auto dq = quantized_size(built->model, *scheme_from_name("bnb-nf4-dq"));
  EXPECT_NEAR(dq.bits_per_quantized_weight, 4.127, 0.001);
}

TEST(Quantize, GptOssMxfp4AsLoadedEqualsItsCheckpoint) {
  // openai/gpt-oss-20b's config says mxfp4 (experts only; attention, router, embeddings, lm_head in bf16): the size as
  // loaded is its index's metadata.total_size, 13,761,264,768 B, plus the one non-persistent rotary buffer.
  const CatalogEntry* e = find_in_catalog("openai/gpt-oss-20b");
  ASSERT_NE(e, nullptr);
  ModelSource src{std::string(e->id), "catalog", std::string(e->config), std::string(e->id), "transformers"};
  EstimateOptions opts;
  opts.target = Target::TaskModel;
  auto built = build_model(src, opts);
  ASSERT_TRUE(built && !built->approximate) << "gpt-oss must be built by its family builder";
  Json cfg = Json::parse(e->config);
  auto s = scheme_from_config(*find_quantization_config(cfg));
  ASSERT_TRUE(s);
  auto q = quantized_size(built->model, *s);
  EXPECT_EQ(q.total_bytes - q.buffer_bytes, 13761264768u);
  EXPECT_EQ(q.quantized_tensors, 48u);
  EXPECT_DOUBLE_EQ(q.bits_per_quantized_weight, 4.25);
}

TEST(Quantize, EstimateMemoryWhatIfSection) {
  EstimateOptions opts;
  opts.quantization = "gptq-4bit-g128";
  auto est = estimate_memory("meta-llama/Llama-2-7b-hf", opts);
  ASSERT_TRUE(est) << est.error().message;
  ASSERT_TRUE(est->quantized);
  EXPECT_EQ(est->quantized_origin, "what-if");
  EXPECT_EQ(est->rows.size(), 4u);  // accelerate's rows unchanged
  opts.quantization = "int2";
  EXPECT_FALSE(estimate_memory("meta-llama/Llama-2-7b-hf", opts));
}

}  // namespace
}  // namespace memfit
