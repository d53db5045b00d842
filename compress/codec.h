// Codec: encodes one sample's intermediate tensor into the bytes a device
// sends, and decodes them back into a dense tensor for the receiver to resume
// the forward pass. The stages are those of a CodecSpec:
//   - channel selection keeps a fixed set of channels chosen offline from
//     calibration scores (TopChannels); the receiver fills zeros, or, for
//     prune:R, rebuilds each removed channel as a fixed affine combination
//     of the kept ones (fitted offline by least squares: learn/cut_pruning.h);
//   - region masking keeps, per sample, the positions with the largest mean
//     |activation| over the kept channels (a spatial attention map), and sends
//     a bitmap of them;
//   - values are sent as fp32, fp16 or b-bit asymmetric min/max quantization
//     (scale = (max - min) / (2^b - 1)), per tensor or per channel, bit-packed;
//   - zstd, when asked, compresses the whole message.
// Wire layout before zstd: ndim (u8), dims (i32 each), channel bitmap,
// position bitmap, per-group min and scale (f32 each), then the values.
// Plain C++: no LibTorch in this header. Not thread-safe (scratch buffers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "compress/codec_spec.h"

namespace coinfer {

// The version of what the codecs send and how captures measure them. Bump it
// whenever a change gives other bytes or other decoded values for the same
// codec text: the catalog then measures every entry again.
constexpr int kCodecVersion = 1;

// One sample's tensor without the batch dimension: C x H x W, or C features.
struct Activation {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

// How many of n items a fraction keeps: ceil(fraction * n), at least 1.
int64_t KeptCount(int64_t n, double fraction);

// The KeptCount(C, fraction) channels of highest score, ascending; ties keep
// the lower index.
std::vector<int> TopChannels(const std::vector<double>& scores, double fraction);

// The encoded size of a tensor of `shape` when it depends on the shape alone
// (channel selection, fp32, fp16, quantization): true and *bytes set. False
// for region masking and lossless coding, whose sizes depend on the data.
bool ShapeDeterminedBytes(const CodecSpec& spec, const std::vector<int64_t>& shape, int64_t* bytes);

// How the receiver of prune:R rebuilds the removed channels: for each
// removed channel in ascending order, one weight per kept channel (ascending)
// then a constant, so channel c = Σ_k w_ck · kept_k + b_c at every position.
using ChannelReconstruction = std::vector<float>;

class Codec {
 public:
  // `kept_channels` (ascending) is used when the spec selects channels;
  // `reconstruction` when it prunes (empty: the removed channels are zeros).
  Codec(const CodecSpec& spec, std::vector<int> kept_channels,
        ChannelReconstruction reconstruction = {});
  ~Codec();
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;

  const CodecSpec& spec() const { return spec_; }

  // Replaces *out with the encoded bytes of `values` (row-major, `shape`).
  Status Encode(const float* values, const std::vector<int64_t>& shape, std::string* out);
  Status Decode(const std::string& bytes, Activation* out);

 private:
  struct Zstd;
  Status EncodeRaw(const float* values, const std::vector<int64_t>& shape, std::string* out);
  Status DecodeRaw(const uint8_t* data, size_t size, Activation* out);

  Status Reconstruct(const std::vector<int>& kept, int64_t channels, int64_t positions,
                     Activation* out) const;

  CodecSpec spec_;
  std::vector<int> kept_channels_;
  ChannelReconstruction reconstruction_;
  std::unique_ptr<Zstd> zstd_;
  // Scratch reused across calls.
  std::string raw_;
  std::vector<float> gathered_;
  std::vector<uint16_t> codes_;
  std::vector<int> positions_;
  std::vector<float> attention_;
};

}  // namespace coinfer
