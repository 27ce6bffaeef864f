// Bamba's Mamba-2 mixer settings (the mamba_* config keys), shared with Granite 4 (GraniteMoeHybrid), whose
// config spells them the same way.
#pragma once
#include <string>

#include "arch/transformers/decoder.h"
#include "arch/transformers/ssm.h"
#include "format/config.h"

namespace memfit {

// The mixer of a Bamba-style layer: inter = mamba_expand x hidden, mamba_n_heads / n_groups / d_state / d_conv,
// conv and projection biases, the decoder's activation and a gated RMS norm of class `norm_cls`.
ssm::Mamba2Shape bamba_mixer_shape(const Config& c, const DecoderSpec& s, std::string norm_cls);

}  // namespace memfit
