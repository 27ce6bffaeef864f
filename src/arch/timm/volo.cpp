// timm VOLO (timm/models/volo.py) from its registered arguments: a conv-stem PatchEmbed, pos_embed over the pooled
// grid, `network` (Outlooker stages with OutlookAttention v / attn / proj, Downsample convs, Transformer stages),
// the class-attention `post_network` (ClassBlock: kv / q / proj), aux_head, norm, head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr block(std::string cls, ModulePtr attn, const timm::Args& a, int64_t dim, int64_t hidden) {
  auto b = make(std::move(cls));
  b->add("norm1", timm::norm(a, a.layer("norm_layer"), dim));
  b->add("attn", attn);
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", timm::norm(a, a.layer("norm_layer"), dim));
  b->add("mlp", timm::mlp(dim, hidden, dim));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

ModulePtr outlook_attn(int64_t dim, int64_t heads, int64_t k, bool bias) {
  auto m = make("OutlookAttention");
  m->add("v", linear(dim, dim, bias));
  m->add("attn", linear(dim, k * k * k * k * heads));
  m->add("attn_drop", leaf("Dropout"));
  m->add("proj", linear(dim, dim));
  m->add("proj_drop", leaf("Dropout"));
  m->add("unfold", leaf("Unfold"));
  m->add("pool", leaf("AvgPool2d"));
  return m;
}

ModulePtr class_attn(int64_t dim, bool bias) {
  auto m = make("ClassAttention");
  m->add("kv", linear(dim, dim * 2, bias));
  m->add("q", linear(dim, dim, bias));
  m->add("attn_drop", leaf("Dropout"));
  m->add("proj", linear(dim, dim));
  m->add("proj_drop", leaf("Dropout"));
  return m;
}

ModulePtr stem(int64_t in, int64_t hidden, int64_t dim, int64_t patch) {
  auto conv = make("Sequential");
  for (int i = 0; i < 3; ++i) {
    conv->add(std::to_string(3 * i), conv2d(i == 0 ? in : hidden, hidden, i == 0 ? 7 : 3, false));
    conv->add(std::to_string(3 * i + 1), batch_norm(hidden));
    conv->add(std::to_string(3 * i + 2), leaf("ReLU"));
  }
  auto p = make("PatchEmbed");
  p->add("conv", conv);
  p->add("proj", conv2d(hidden, dim, patch / 2));
  return p;
}

Model build(const timm::Args& a) {
  auto layers = a.ints("layers"), dims = a.ints("embed_dims"), heads = a.ints("num_heads");
  size_t n = layers.size();
  if (n == 0 || dims.size() != n || heads.size() != n) a.unsupported("layers / embed_dims / num_heads lengths differ");
  std::vector<double> ratio(n, 0.0);
  for (size_t i = 0; i < n; ++i) ratio[i] = a.raw("mlp_ratio").is_array() ? a.raw("mlp_ratio").at(i).get<double>() : a.f("mlp_ratio");
  const Json &down = a.raw("downsamples"), &outlook = a.raw("outlook_attention");
  if (!down.is_array() || !outlook.is_array() || down.size() < n || outlook.size() < n) a.unsupported("downsamples / outlook_attention");
  bool bias = a.b("qkv_bias");
  int64_t patch = a.i("patch_size"), pool = timm::checked(a.i("pooling_scale"), 1, 64, "pooling_scale");
  if (patch != 4 && patch != 8 && patch != 16) a.unsupported("patch_size " + std::to_string(patch));
  auto img = a.ints("img_size");
  if (img.size() == 1) img.push_back(img[0]);
  if (img.size() != 2) a.unsupported("img_size");
  auto hid = [&](size_t i) { return static_cast<int64_t>(static_cast<double>(dims[i]) * ratio[i]); };
  int64_t last = timm::checked(dims.back(), 1, 1 << 16, "embed_dims"), classes = a.i("num_classes");

  auto root = make("VOLO");
  root->add("patch_embed", stem(a.i("in_chans"), timm::checked(a.i("stem_hidden_dim"), 1, 1 << 16, "stem_hidden_dim"), dims[0], patch));
  root->param("pos_embed", {1, img[0] / patch / pool, img[1] / patch / pool, last});
  root->add("pos_drop", leaf("Dropout"));
  auto net = make("ModuleList");
  int64_t idx = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t d = timm::checked(dims[i], 1, 1 << 16, "embed_dims");
    timm::checked(heads[i], 1, d, "num_heads");
    bool ol = outlook[i].get<bool>();
    net->add(std::to_string(idx++), timm::seq(timm::checked(layers[i], 0, 1024, "layers"), [&](int64_t) {
               return ol ? block("Outlooker", outlook_attn(d, heads[i], 3, bias), a, d, hid(i))
                         : block("Transformer", timm::qkv_attention("Attention", d, bias), a, d, hid(i));
             }));
    if (down[i].get<bool>()) {
      if (i + 1 >= n) a.unsupported("downsample after the last stage");
      auto ds = make("Downsample");
      ds->add("proj", conv2d(d, dims[i + 1], 2));
      net->add(std::to_string(idx++), ds);
    }
  }
  root->add("network", net);
  const Json& post = a.raw("post_layers");
  if (post.is_array()) {
    root->add("post_network", timm::seq(static_cast<int64_t>(post.size()), [&](int64_t) {
                return block("ClassBlock", class_attn(last, bias), a, last, hid(n - 1));
              }, "ModuleList"));
    root->param("cls_token", {1, 1, last});
  }
  if (a.b("use_aux_head")) root->add("aux_head", timm::fc_or_identity(last, classes));
  root->add("norm", timm::norm(a, a.layer("norm_layer"), last));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(last, classes));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"VOLO"}, build);

}  // namespace
}  // namespace memfit
