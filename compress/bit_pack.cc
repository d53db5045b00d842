#include "compress/bit_pack.h"

#include <cstring>

namespace coinfer {

void PackBits(const uint16_t* codes, size_t n, int bits, uint8_t* out) {
  if (bits == 8) {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(codes[i]);
    return;
  }
  if (bits == 16) {
    for (size_t i = 0; i < n; ++i) {
      out[2 * i] = static_cast<uint8_t>(codes[i]);
      out[2 * i + 1] = static_cast<uint8_t>(codes[i] >> 8);
    }
    return;
  }
  uint64_t buffer = 0;
  int filled = 0;
  for (size_t i = 0; i < n; ++i) {
    buffer |= static_cast<uint64_t>(codes[i]) << filled;
    filled += bits;
    while (filled >= 8) {
      *out++ = static_cast<uint8_t>(buffer);
      buffer >>= 8;
      filled -= 8;
    }
  }
  if (filled > 0) *out = static_cast<uint8_t>(buffer);
}

void UnpackBits(const uint8_t* in, size_t n, int bits, uint16_t* codes) {
  if (bits == 8) {
    for (size_t i = 0; i < n; ++i) codes[i] = in[i];
    return;
  }
  if (bits == 16) {
    for (size_t i = 0; i < n; ++i) codes[i] = static_cast<uint16_t>(in[2 * i] | in[2 * i + 1] << 8);
    return;
  }
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  uint64_t buffer = 0;
  int filled = 0;
  for (size_t i = 0; i < n; ++i) {
    while (filled < bits) {
      buffer |= static_cast<uint64_t>(*in++) << filled;
      filled += 8;
    }
    codes[i] = static_cast<uint16_t>(buffer & mask);
    buffer >>= bits;
    filled -= bits;
  }
}

}  // namespace coinfer
