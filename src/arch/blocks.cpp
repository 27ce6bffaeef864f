#include "arch/blocks.h"

namespace memfit::blocks {

ModulePtr linear(int64_t in, int64_t out, bool bias) {
  auto m = make("Linear");
  m->param("weight", {out, in});
  if (bias) m->param("bias", {out});
  return m;
}

ModulePtr conv1d_gpt2(int64_t out, int64_t in) {
  auto m = make("Conv1D");
  m->param("weight", {in, out}).param("bias", {out});
  return m;
}

ModulePtr embedding(int64_t num, int64_t dim, std::string cls) {
  auto m = make(std::move(cls));
  m->param("weight", {num, dim});
  return m;
}

ModulePtr layer_norm(int64_t dim, bool bias, std::string cls) {
  auto m = make(std::move(cls));
  m->param("weight", {dim});
  if (bias) m->param("bias", {dim});
  return m;
}

ModulePtr rms_norm(std::string cls, int64_t dim) {
  auto m = make(std::move(cls));
  m->param("weight", {dim});
  return m;
}

ModulePtr leaf(std::string cls) { return make(std::move(cls)); }

ModulePtr conv2d(int64_t in, int64_t out, int64_t kh, int64_t kw, bool bias, int64_t groups) {
  auto m = make("Conv2d");
  m->param("weight", {out, in / groups, kh, kw});
  if (bias) m->param("bias", {out});
  return m;
}

ModulePtr batch_norm(int64_t n, std::string cls) {
  auto m = make(std::move(cls));
  m->param("weight", {n}).param("bias", {n});
  m->buffer("running_mean", {n}, DType::F32).buffer("running_var", {n}, DType::F32);
  m->buffer("num_batches_tracked", {}, DType::I64);
  return m;
}

ModulePtr rotary(std::string cls, int64_t rotary_dim) {
  auto m = make(std::move(cls));
  m->buffer("inv_freq", {rotary_dim / 2}, DType::F32, false);
  m->buffer("original_inv_freq", {rotary_dim / 2}, DType::F32, false);
  return m;
}

ModulePtr qkvo_attention(std::string cls, const AttnShape& s) {
  auto m = make(std::move(cls));
  m->add("q_proj", linear(s.hidden, s.heads * s.head_dim, s.qkv_bias));
  m->add("k_proj", linear(s.hidden, s.kv_heads * s.head_dim, s.qkv_bias));
  m->add("v_proj", linear(s.hidden, s.kv_heads * s.head_dim, s.qkv_bias));
  m->add("o_proj", linear(s.heads * s.head_dim, s.hidden, s.o_bias));
  return m;
}

ModulePtr gated_mlp(std::string cls, int64_t hidden, int64_t intermediate, bool bias, std::string act_cls) {
  auto m = make(std::move(cls));
  m->add("gate_proj", linear(hidden, intermediate, bias));
  m->add("up_proj", linear(hidden, intermediate, bias));
  m->add("down_proj", linear(intermediate, hidden, bias));
  m->add("act_fn", leaf(std::move(act_cls)));
  return m;
}

ModulePtr gate_up_mlp(std::string cls, int64_t hidden, int64_t intermediate, std::string act_cls) {
  auto m = make(std::move(cls));
  m->add("gate_up_proj", linear(hidden, 2 * intermediate, false));
  m->add("down_proj", linear(intermediate, hidden, false));
  m->add("activation_fn", leaf(std::move(act_cls)));
  return m;
}

std::string act_class(const std::string& act) {
  if (act == "silu" || act == "swish") return "SiLUActivation";
  if (act == "gelu") return "GELUActivation";
  if (act == "relu") return "ReLU";
  if (act == "gelu_new") return "NewGELUActivation";
  if (act == "gelu_pytorch_tanh") return "GELUTanh";
  if (act == "quick_gelu") return "QuickGELUActivation";
  if (act == "tanh") return "Tanh";
  if (act == "relu2") return "ReLUSquaredActivation";
  return "Activation";
}

}  // namespace memfit::blocks
