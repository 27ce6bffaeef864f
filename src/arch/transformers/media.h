// Pieces the vision and audio families share (SAM, DINOv2, ConvNeXt, ResNet, Swin, Whisper, Wav2Vec2...):
// checked reads of sizes from a config, the conv layers blocks.h lacks, and the BART-style k/v/q/out attention.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arch/blocks.h"
#include "format/config.h"
#include "tree/module.h"

namespace memfit::media {

constexpr int64_t kMaxDim = int64_t{1} << 24;  // largest width/size accepted from a config
constexpr int64_t kMaxCount = 4096;            // largest layer/stage/block count accepted from a config

// Throws ConfigError naming `what` unless `ok`.
void require(const Config& c, bool ok, std::string_view what);
// A size from the config (default `def`), required to lie in [1, kMaxDim].
int64_t dim(const Config& c, std::string_view key, int64_t def);
// A count from the config (default `def`), required to lie in [0, kMaxCount].
int64_t count(const Config& c, std::string_view key, int64_t def);
// An int list from the config (default `def` when absent), each entry in [lo, kMaxDim], at most kMaxCount long.
std::vector<int64_t> dims(const Config& c, std::string_view key, std::vector<int64_t> def, int64_t lo = 1);
// An image_size / patch_size style key: an int or an [h, w] list (default `def` for both).
std::pair<int64_t, int64_t> pair(const Config& c, std::string_view key, int64_t def);
// Throws ConfigError unless `a` divides by `b` (b > 0).
void divisible(const Config& c, int64_t a, int64_t b, std::string_view what);

// nn.Conv1d: weight [out, in/groups, k], bias [out].
ModulePtr conv1d(int64_t in, int64_t out, int64_t k, bool bias = true, int64_t groups = 1);
// nn.ConvTranspose2d: weight [in, out/groups, k, k], bias [out].
ModulePtr conv_transpose2d(int64_t in, int64_t out, int64_t k, bool bias = true, int64_t groups = 1);
// nn.utils.parametrizations.weight_norm(nn.Conv1d(...), dim=2): ParametrizedConv1d with its bias and
// parametrizations.weight.original0 (g, [1, 1, k]) / original1 (v, the conv weight), the _WeightNorm as child "0".
ModulePtr weight_norm_conv1d(int64_t in, int64_t out, int64_t k, int64_t groups);
// BART-style attention: k_proj, v_proj, q_proj, out_proj over `embed` (k_proj's bias separately, Whisper drops it).
ModulePtr kvq_attention(std::string cls, int64_t embed, bool bias = true, bool k_bias = true);
// A Linear head, or nn.Identity when `out` <= 0 (num_labels = 0).
ModulePtr linear_or_identity(int64_t in, int64_t out);

}  // namespace memfit::media
