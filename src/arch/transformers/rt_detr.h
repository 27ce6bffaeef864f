// RT-DETR pieces other families embed (rt_detr.cpp): the model around a backbone, and its MLP heads.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "format/config.h"
#include "tree/module.h"

namespace memfit::rt_detr {

// <P>MLPPredictionHead: `layers` Linears in -> hidden ... -> out under `layers`.
ModulePtr prediction_head(const std::string& p, int64_t in, int64_t hidden, int64_t out, int64_t layers);
// <P>MultiscaleDeformableAttention (Deformable DETR's): the kernel wrapper `attn` when `kernel`, sampling_offsets
// (heads x levels x points x 2), attention_weights, value_proj and output_proj over `d`.
ModulePtr deformable_attention(const std::string& p, int64_t d, int64_t heads, int64_t levels, int64_t points,
                               bool kernel = true);
// <P>Model around `backbone` (placed as backbone.model; its BatchNorms frozen when freeze_backbone_batch_norms):
// input projections for the backbone levels of `channels` widths, the hybrid encoder, query-selection heads, decoder
// input projections and the decoder (`v2`: RT-DETRv2's deformable attention).
ModulePtr model(const Config& c, const std::string& p, bool v2, ModulePtr backbone, const std::vector<int64_t>& channels);

}  // namespace memfit::rt_detr
