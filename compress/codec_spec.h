// CodecSpec: a compression pipeline for an intermediate tensor, written as in
// a scenario: "channels:0.5,regions:0.6,quant:6,zstd:3". Stages run in a fixed
// order whatever order they are written in: channel selection, region
// masking, value coding (fp32, fp16 or b-bit quantization), lossless coding.
// Channel selection is either "channels:F" (keep the fraction F of highest
// activity, the receiver fills zeros) or "prune:R" (CNNPC's channel pruning:
// remove the fraction R chosen by LASSO, the receiver rebuilds them by least
// squares from the kept ones; learn/cut_pruning.h).
#pragma once

#include <string>

#include "base/status.h"

namespace coinfer {

enum class ValueCoding { kFloat32, kFloat16, kQuantized };

struct CodecSpec {
  double channel_fraction = 1.0;  // < 1: keep the top channels (channels:F)
  double region_fraction = 1.0;   // < 1: keep the top positions (regions:F)
  bool channels = false;          // whether the stage is in the pipeline
  // prune:R: channels selected by LASSO (channel_fraction = 1 - R) and
  // rebuilt by the receiver; R is kept as written for the canonical text.
  bool prune = false;
  double prune_rate = 0;
  bool regions = false;
  ValueCoding coding = ValueCoding::kFloat32;
  int bits = 32;             // 1..8 or 16 when quantized (quant:B)
  bool per_channel = false;  // quant:B:channel: one min/scale per channel
  int zstd_level = 0;        // 0: no lossless stage (zstd:L, L in 1..22)
};

// Parses a pipeline; "" and "none" are the identity (fp32, nothing else). On a
// bad token the error names its 1-based character position, e.g.
// "codec: at 11: 'quant:9': bits must be 1..8 or 16".
Status ParseCodecSpec(const std::string& text, CodecSpec* out);

// The canonical text of a spec (stages in pipeline order, "none" for the
// identity); the compression catalog keys on it.
std::string CodecSpecText(const CodecSpec& spec);

}  // namespace coinfer
