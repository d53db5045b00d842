// TensorFrame: how a tensor (or a request's result) travels between the
// processes of an emulation. Every field is checked on receipt, so a
// malformed, truncated or oversized frame is an error with a reason, never a
// crash or a tensor of the wrong shape. Layout (docs/formats.md, little-endian):
//
//   "CIFR" | version u16 (1) | kind u8 | rank u8 | request id u64 |
//   split u32 | codec length u16 | codec spec | rank × dim i64 |
//   payload length u64 | payload | CRC-32 of every byte before it, u32
//
// No socket here: FrameReader takes bytes as they arrive, in any pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "emulate/byte_queue.h"

namespace coinfer {

// A probe carries filler bytes that measure the path (sim/engine.h, ProbeConfig).
enum class FrameKind : uint8_t { kTensor = 1, kResult = 2, kProbe = 3 };

struct TensorFrame {
  FrameKind kind = FrameKind::kTensor;
  uint64_t request_id = 0;
  uint32_t split = 0;          // the split point the tensor crossed (dnn/graph.h)
  std::string codec;           // codec pipeline spec (compress/codec_spec.h)
  std::vector<int64_t> shape;  // of the tensor before encoding
  std::string payload;         // the codec's output
};

struct FrameLimits {
  static constexpr size_t kMaxRank = 8;
  static constexpr size_t kMaxCodecBytes = 1024;
  uint64_t max_payload_bytes = uint64_t{256} << 20;
};

// The frame's bytes, checksum included, in *out; an error (and nothing
// written) for a frame no reader would accept: a rank above kMaxRank, a
// codec spec longer than kMaxCodecBytes or not printable ASCII, a negative
// dimension.
Status EncodeFrame(const TensorFrame& frame, std::string* out);

// Reassembles frames from a byte stream. Each header field is checked as soon
// as its bytes are in, so an oversized or malformed frame is refused before
// its payload is waited for (or allocated).
class FrameReader {
 public:
  explicit FrameReader(FrameLimits limits = {}) : limits_(limits) {}

  void Append(std::string_view bytes) { buffer_.Append(bytes.data(), bytes.size()); }
  // True and *out set when a whole, valid frame is in; false when more bytes
  // are needed or the stream is invalid (then *error says why, and stays
  // set: the stream cannot be resynchronised).
  bool Next(TensorFrame* out, Status* error);
  // At the end of the stream: an error when a frame was cut short.
  Status Finish() const;

 private:
  FrameLimits limits_;
  ByteQueue buffer_;  // frames are taken from the front without moving the rest
  Status failed_;
};

}  // namespace coinfer
