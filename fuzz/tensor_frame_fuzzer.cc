// Tensor frames: any bytes, delivered in two pieces, give an error or frames
// whose encodings are exactly the bytes they were read from. The first input
// byte can ask for a valid checksum at the end, so the fuzzer also explores
// frames past the CRC check.
#include <boost/crc.hpp>

#include <algorithm>

#include "emulate/tensor_frame.h"
#include "fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  if (size < 2) return 0;
  const bool fix_checksum = data[0] & 1;
  std::string bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (fix_checksum && bytes.size() >= 4) {
    boost::crc_32_type crc;
    crc.process_bytes(bytes.data(), bytes.size() - 4);
    for (int i = 0; i < 4; ++i)
      bytes[bytes.size() - 4 + i] = static_cast<char>(crc.checksum() >> (8 * i));
  }
  FrameLimits limits;
  limits.max_payload_bytes = 1 << 16;
  FrameReader reader(limits);
  const size_t split = std::min<size_t>(data[1], bytes.size());
  std::string frames;
  Status error;
  for (std::string_view piece :
       {std::string_view(bytes).substr(0, split), std::string_view(bytes).substr(split)}) {
    reader.Append(piece);
    TensorFrame frame;
    while (reader.Next(&frame, &error)) {
      FuzzCheck(frame.payload.size() <= limits.max_payload_bytes);
      std::string encoded;
      FuzzCheck(EncodeFrame(frame, &encoded).ok());
      frames += encoded;
    }
  }
  FuzzCheck(bytes.compare(0, frames.size(), frames) == 0);
  if (!error.ok()) FuzzCheck(!reader.Finish().ok());
  if (error.ok() && frames.size() == bytes.size()) FuzzCheck(reader.Finish().ok());
  return 0;
}
