#include "emulate/tensor_frame.h"

#include <boost/crc.hpp>

#include <algorithm>

namespace coinfer {
namespace {

constexpr char kMagic[4] = {'C', 'I', 'F', 'R'};
constexpr uint16_t kVersion = 1;
// magic, version, kind, rank, request id, split, codec length
constexpr size_t kFixedHeaderBytes = 4 + 2 + 1 + 1 + 8 + 4 + 2;

template <typename T>
void PutLittleEndian(T value, std::string* out) {
  for (size_t i = 0; i < sizeof(T); ++i) {
    out->push_back(static_cast<char>((static_cast<uint64_t>(value) >> (8 * i)) & 0xff));
  }
}

template <typename T>
T GetLittleEndian(std::string_view bytes, size_t at) {
  uint64_t value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    value |= uint64_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
  }
  return static_cast<T>(value);
}

uint32_t Crc32(const char* data, size_t size) {
  boost::crc_32_type crc;
  crc.process_bytes(data, size);
  return crc.checksum();
}

Status Invalid(const std::string& field, const std::string& reason) {
  return Status::InvalidInput("tensor frame", field, reason);
}

bool Printable(char c) { return c >= 0x20 && c <= 0x7e; }

}  // namespace

Status EncodeFrame(const TensorFrame& frame, std::string* out) {
  // What a reader would refuse is not sent.
  if (frame.shape.size() > FrameLimits::kMaxRank) {
    return Invalid("rank", std::to_string(frame.shape.size()) + " dimensions (at most " +
                               std::to_string(FrameLimits::kMaxRank) + ")");
  }
  if (frame.codec.size() > FrameLimits::kMaxCodecBytes ||
      !std::all_of(frame.codec.begin(), frame.codec.end(), Printable)) {
    return Invalid("codec", "at most " + std::to_string(FrameLimits::kMaxCodecBytes) +
                                " printable ASCII characters");
  }
  if (std::any_of(frame.shape.begin(), frame.shape.end(), [](int64_t d) { return d < 0; })) {
    return Invalid("shape", "a dimension is negative");
  }
  std::string& bytes = *out;
  bytes.assign(kMagic, sizeof(kMagic));
  PutLittleEndian<uint16_t>(kVersion, &bytes);
  PutLittleEndian<uint8_t>(static_cast<uint8_t>(frame.kind), &bytes);
  PutLittleEndian<uint8_t>(static_cast<uint8_t>(frame.shape.size()), &bytes);
  PutLittleEndian<uint64_t>(frame.request_id, &bytes);
  PutLittleEndian<uint32_t>(frame.split, &bytes);
  PutLittleEndian<uint16_t>(static_cast<uint16_t>(frame.codec.size()), &bytes);
  bytes += frame.codec;
  for (int64_t dim : frame.shape) PutLittleEndian<int64_t>(dim, &bytes);
  PutLittleEndian<uint64_t>(frame.payload.size(), &bytes);
  bytes += frame.payload;
  PutLittleEndian<uint32_t>(Crc32(bytes.data(), bytes.size()), &bytes);
  return Status::Ok();
}

bool FrameReader::Next(TensorFrame* out, Status* error) {
  *error = failed_;
  if (!failed_.ok()) return false;
  const std::string_view b(buffer_.data(), buffer_.size());
  auto fail = [&](const std::string& field, const std::string& reason) {
    failed_ = Invalid(field, reason);
    *error = failed_;
    return false;
  };
  // Each field is checked as soon as its bytes are in.
  if (b.size() >= sizeof(kMagic) && b.compare(0, sizeof(kMagic), kMagic, sizeof(kMagic)) != 0) {
    return fail("magic", "not a coinfer tensor frame");
  }
  if (b.size() >= 6 && GetLittleEndian<uint16_t>(b, 4) != kVersion) {
    return fail("version", std::to_string(GetLittleEndian<uint16_t>(b, 4)) + " (this build reads " +
                               std::to_string(kVersion) + ")");
  }
  if (b.size() >= 8) {
    const auto kind = static_cast<uint8_t>(b[6]);
    if (kind < static_cast<uint8_t>(FrameKind::kTensor) ||
        kind > static_cast<uint8_t>(FrameKind::kProbe)) {
      return fail("kind", "unknown kind " + std::to_string(kind));
    }
    if (static_cast<uint8_t>(b[7]) > FrameLimits::kMaxRank) {
      return fail("rank", std::to_string(static_cast<uint8_t>(b[7])) + " dimensions (at most " +
                              std::to_string(FrameLimits::kMaxRank) + ")");
    }
  }
  if (b.size() < kFixedHeaderBytes) return false;
  const size_t rank = static_cast<uint8_t>(b[7]);
  const size_t codec_bytes = GetLittleEndian<uint16_t>(b, 20);
  if (codec_bytes > FrameLimits::kMaxCodecBytes) {
    return fail("codec", std::to_string(codec_bytes) + " bytes (at most " +
                             std::to_string(FrameLimits::kMaxCodecBytes) + ")");
  }
  const size_t dims_at = kFixedHeaderBytes + codec_bytes;
  if (!std::all_of(b.begin() + kFixedHeaderBytes, b.begin() + std::min(b.size(), dims_at),
                   Printable)) {
    return fail("codec", "not printable ASCII");
  }
  std::vector<int64_t> shape(rank);
  for (size_t d = 0; d < rank; ++d) {
    if (b.size() < dims_at + 8 * (d + 1)) return false;
    shape[d] = GetLittleEndian<int64_t>(b, dims_at + 8 * d);
    if (shape[d] < 0) return fail("shape", "dimension " + std::to_string(d) + " is negative");
  }
  const size_t length_at = dims_at + 8 * rank;
  if (b.size() < length_at + 8) return false;
  const uint64_t payload_bytes = GetLittleEndian<uint64_t>(b, length_at);
  if (payload_bytes > limits_.max_payload_bytes) {
    return fail("payload length", std::to_string(payload_bytes) + " bytes (at most " +
                                      std::to_string(limits_.max_payload_bytes) + ")");
  }
  // Compared by subtraction: payload_at + payload_bytes may not fit in size_t.
  const size_t payload_at = length_at + 8;
  const size_t after_payload = b.size() - payload_at;
  if (after_payload < payload_bytes || after_payload - payload_bytes < 4) return false;
  const size_t crc_at = payload_at + payload_bytes;
  if (GetLittleEndian<uint32_t>(b, crc_at) != Crc32(b.data(), crc_at)) {
    return fail("checksum", "CRC-32 does not match the frame's bytes");
  }
  out->kind = static_cast<FrameKind>(b[6]);
  out->request_id = GetLittleEndian<uint64_t>(b, 8);
  out->split = GetLittleEndian<uint32_t>(b, 16);
  out->codec.assign(b.substr(kFixedHeaderBytes, codec_bytes));
  out->shape = std::move(shape);
  out->payload.assign(b.substr(payload_at, payload_bytes));
  buffer_.Drop(crc_at + 4);
  return true;
}

Status FrameReader::Finish() const {
  if (!failed_.ok()) return failed_;
  if (!buffer_.empty()) {
    return Invalid("length", "stream ended inside a frame (" + std::to_string(buffer_.size()) +
                                 " bytes of it received)");
  }
  return Status::Ok();
}

}  // namespace coinfer
