// The emulation's wire format: frames survive any split of the stream, and a
// malformed one is refused with the field that is wrong.
#include "emulate/tensor_frame.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace coinfer {
namespace {

TensorFrame SampleFrame() {
  TensorFrame frame;
  frame.kind = FrameKind::kTensor;
  frame.request_id = 0x0102030405060708ULL;
  frame.split = 5;
  frame.codec = "quant:bits=8|zstd";
  frame.shape = {1, 64, 28, 28};
  frame.payload = std::string("\x00\x01\xfe\xff payload", 12);
  return frame;
}

std::string Encoded(const TensorFrame& frame) {
  std::string bytes;
  const Status status = EncodeFrame(frame, &bytes);
  EXPECT_TRUE(status.ok()) << status.message();
  return bytes;
}

// CRC-32 (IEEE, reflected), bit by bit: a second implementation.
uint32_t BitwiseCrc32(const std::string& bytes) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string LittleEndian(uint64_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return out;
}

TEST(TensorFrameTest, CrcOfTheStandardCheckString) {
  EXPECT_EQ(BitwiseCrc32("123456789"), 0xcbf43926u);
}

TEST(TensorFrameTest, BytesAreTheDocumentedLayout) {
  TensorFrame frame;
  frame.kind = FrameKind::kResult;
  frame.request_id = 7;
  frame.split = 0x01020304;
  frame.codec = "raw";
  frame.shape = {2, 3};
  frame.payload = "abc";
  std::string expected = "CIFR" + LittleEndian(1, 2) + LittleEndian(2, 1) + LittleEndian(2, 1) +
                         LittleEndian(7, 8) + LittleEndian(0x01020304, 4) + LittleEndian(3, 2) +
                         "raw" + LittleEndian(2, 8) + LittleEndian(3, 8) + LittleEndian(3, 8) +
                         "abc";
  expected += LittleEndian(BitwiseCrc32(expected), 4);
  EXPECT_EQ(Encoded(frame), expected);
}

TEST(TensorFrameTest, FramesSurviveByteByByteDelivery) {
  const TensorFrame first = SampleFrame();
  TensorFrame second = SampleFrame();
  second.request_id = 9;
  second.shape = {};
  second.payload.clear();
  const std::string stream = Encoded(first) + Encoded(second);
  FrameReader reader;
  std::vector<TensorFrame> frames;
  for (char byte : stream) {
    reader.Append(std::string_view(&byte, 1));
    TensorFrame frame;
    Status error;
    while (reader.Next(&frame, &error)) frames.push_back(frame);
    ASSERT_TRUE(error.ok()) << error.message();
  }
  EXPECT_TRUE(reader.Finish().ok());
  ASSERT_EQ(frames.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const TensorFrame& want = i == 0 ? first : second;
    EXPECT_EQ(frames[i].kind, want.kind);
    EXPECT_EQ(frames[i].request_id, want.request_id);
    EXPECT_EQ(frames[i].split, want.split);
    EXPECT_EQ(frames[i].codec, want.codec);
    EXPECT_EQ(frames[i].shape, want.shape);
    EXPECT_EQ(frames[i].payload, want.payload);
  }
}

// The error a reader reports once it has `bytes` (empty when it waits).
std::string ErrorFor(const std::string& bytes, FrameLimits limits = {}) {
  FrameReader reader(limits);
  reader.Append(bytes);
  TensorFrame frame;
  Status error;
  EXPECT_FALSE(reader.Next(&frame, &error));
  return error.message();
}

TEST(TensorFrameTest, ATruncatedFrameWaitsThenFailsAtTheEndOfTheStream) {
  const std::string bytes = Encoded(SampleFrame());
  FrameReader reader;
  reader.Append(std::string_view(bytes).substr(0, bytes.size() - 1));
  TensorFrame frame;
  Status error;
  EXPECT_FALSE(reader.Next(&frame, &error));
  EXPECT_TRUE(error.ok());
  EXPECT_NE(reader.Finish().message().find("stream ended inside a frame"), std::string::npos);
}

TEST(TensorFrameTest, AnOversizedPayloadIsRefusedBeforeItArrives) {
  TensorFrame frame = SampleFrame();
  frame.payload.assign(1001, 'x');
  const std::string bytes = Encoded(frame);
  const size_t header = bytes.size() - frame.payload.size() - 4;
  FrameLimits limits;
  limits.max_payload_bytes = 1000;
  EXPECT_NE(ErrorFor(bytes.substr(0, header), limits).find("payload length: 1001 bytes"),
            std::string::npos);
  limits.max_payload_bytes = 1001;
  EXPECT_EQ(ErrorFor(bytes.substr(0, header), limits), "");
}

TEST(TensorFrameTest, AnyFlippedBitFailsTheChecksum) {
  const std::string bytes = Encoded(SampleFrame());
  const size_t payload_at = bytes.size() - 4 - SampleFrame().payload.size();
  // The request id, the split, a payload byte and the checksum itself:
  // fields no other check covers.
  for (size_t at : {size_t{8}, size_t{17}, payload_at + 3, bytes.size() - 1}) {
    std::string corrupt = bytes;
    corrupt[at] = static_cast<char>(corrupt[at] ^ 0x10);
    EXPECT_NE(ErrorFor(corrupt).find("checksum"), std::string::npos) << "byte " << at;
  }
}

TEST(TensorFrameTest, EachHeaderFieldIsChecked) {
  const std::string good = Encoded(SampleFrame());
  auto with = [&](size_t at, const std::string& replacement) {
    std::string bytes = good;
    bytes.replace(at, replacement.size(), replacement);
    return ErrorFor(bytes);
  };
  EXPECT_NE(with(0, "HTTP").find("magic"), std::string::npos);
  EXPECT_NE(with(4, LittleEndian(2, 2)).find("version: 2"), std::string::npos);
  EXPECT_NE(with(6, LittleEndian(4, 1)).find("kind: unknown kind 4"), std::string::npos);
  EXPECT_NE(with(6, LittleEndian(0, 1)).find("kind: unknown kind 0"), std::string::npos);
  EXPECT_NE(with(7, LittleEndian(9, 1)).find("rank: 9 dimensions"), std::string::npos);
  EXPECT_NE(with(20, LittleEndian(2000, 2)).find("codec: 2000 bytes"), std::string::npos);
  EXPECT_NE(with(22, std::string(1, '\n')).find("codec: not printable"), std::string::npos);
  const size_t dims_at = 22 + SampleFrame().codec.size();
  EXPECT_NE(with(dims_at + 8, LittleEndian(static_cast<uint64_t>(-64), 8))
                .find("shape: dimension 1 is negative"),
            std::string::npos);
  // The bad magic is seen in the first four bytes, without waiting for more.
  EXPECT_NE(ErrorFor("GET ").find("magic"), std::string::npos);
}

TEST(TensorFrameTest, TheCodecAndShapeAreCheckedBeforeThePayloadLengthArrives) {
  const std::string good = Encoded(SampleFrame());
  const size_t dims_at = 22 + SampleFrame().codec.size();
  std::string bad_codec = good.substr(0, 24);  // two characters of the codec
  bad_codec[23] = '\x7f';
  EXPECT_NE(ErrorFor(bad_codec).find("codec: not printable"), std::string::npos);
  std::string bad_dimension = good.substr(0, dims_at + 8);  // the first dimension only
  bad_dimension.replace(dims_at, 8, LittleEndian(static_cast<uint64_t>(-1), 8));
  EXPECT_NE(ErrorFor(bad_dimension).find("shape: dimension 0 is negative"), std::string::npos);
}

TEST(TensorFrameTest, AFrameNoReaderWouldAcceptIsNotEncoded) {
  std::string bytes = "untouched";
  TensorFrame frame = SampleFrame();
  frame.shape.assign(FrameLimits::kMaxRank + 1, 1);
  EXPECT_NE(EncodeFrame(frame, &bytes).message().find("rank: 9 dimensions"), std::string::npos);
  frame = SampleFrame();
  frame.codec.assign(FrameLimits::kMaxCodecBytes + 1, 'a');
  EXPECT_NE(EncodeFrame(frame, &bytes).message().find("codec"), std::string::npos);
  frame.codec = "tab\there";
  EXPECT_NE(EncodeFrame(frame, &bytes).message().find("codec"), std::string::npos);
  frame = SampleFrame();
  frame.shape[2] = -28;
  EXPECT_NE(EncodeFrame(frame, &bytes).message().find("shape"), std::string::npos);
  EXPECT_EQ(bytes, "untouched");
}

TEST(TensorFrameTest, AHugePayloadLengthIsWaitedForWithoutOverflow) {
  // With no practical limit, a length near 2^64 must read as "more bytes to
  // come", not wrap around and pass.
  std::string bytes = Encoded(SampleFrame());
  const size_t length_at = bytes.size() - 4 - SampleFrame().payload.size() - 8;
  bytes.replace(length_at, 8, LittleEndian(~uint64_t{0} - 2, 8));
  FrameLimits limits;
  limits.max_payload_bytes = ~uint64_t{0};
  EXPECT_EQ(ErrorFor(bytes, limits), "");
}

TEST(TensorFrameTest, AnInvalidStreamStaysInvalid) {
  FrameReader reader;
  reader.Append("GET / HTTP/1.1\r\n");
  TensorFrame frame;
  Status error;
  EXPECT_FALSE(reader.Next(&frame, &error));
  reader.Append(Encoded(SampleFrame()));
  EXPECT_FALSE(reader.Next(&frame, &error));
  EXPECT_FALSE(error.ok());
  EXPECT_FALSE(reader.Finish().ok());
}

}  // namespace
}  // namespace coinfer
