// Bit packing of b-bit codes (b in 1..16), least significant bit first: n
// codes take exactly ceil(n * b / 8) bytes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace coinfer {

inline size_t PackedBytes(size_t n, int bits) { return (n * bits + 7) / 8; }

// Writes PackedBytes(n, bits) bytes to out; codes must be < 2^bits.
void PackBits(const uint16_t* codes, size_t n, int bits, uint8_t* out);
// Reads n codes of `bits` bits from PackedBytes(n, bits) bytes.
void UnpackBits(const uint8_t* in, size_t n, int bits, uint16_t* codes);

}  // namespace coinfer
