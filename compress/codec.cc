#include "compress/codec.h"

#include <c10/util/Half.h>
#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "compress/bit_pack.h"

namespace coinfer {
namespace {

constexpr int kMaxDims = 8;

template <class T>
void Append(std::string* out, const T& value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}

// Reads sequentially from a byte buffer; every read checks the bounds.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  template <class T>
  bool Read(T* value) {
    if (size_ - pos_ < sizeof(T)) return false;
    std::memcpy(value, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  const uint8_t* Take(size_t n) {
    if (size_ - pos_ < n) return nullptr;
    pos_ += n;
    return data_ + pos_ - n;
  }
  bool AtEnd() const { return pos_ == size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

void AppendBitmap(const std::vector<int>& set, int64_t n, std::string* out) {
  std::string bitmap((n + 7) / 8, '\0');
  for (int i : set) bitmap[i / 8] = static_cast<char>(bitmap[i / 8] | (1 << (i % 8)));
  out->append(bitmap);
}

bool ReadBitmap(ByteReader* in, int64_t n, std::vector<int>* set) {
  const uint8_t* bitmap = in->Take((n + 7) / 8);
  if (!bitmap) return false;
  set->clear();
  for (int i = 0; i < n; ++i)
    if (bitmap[i / 8] >> (i % 8) & 1) set->push_back(i);
  return true;
}

std::vector<int> Iota(int64_t n) {
  std::vector<int> all(n);
  std::iota(all.begin(), all.end(), 0);
  return all;
}

// Rounds (x - lo) / scale to the nearest level; a loop the compiler vectorizes.
template <class Code>
void Quantize(const float* x, int64_t n, float lo, float inverse, float levels, Code* codes) {
  for (int64_t i = 0; i < n; ++i)
    codes[i] = static_cast<Code>(std::min((x[i] - lo) * inverse + 0.5f, levels));
}

Status Corrupt(const std::string& what) { return Status::InvalidInput("", "encoded tensor", what); }

}  // namespace

struct Codec::Zstd {
  ZSTD_CCtx* compress = ZSTD_createCCtx();
  ZSTD_DCtx* decompress = ZSTD_createDCtx();
  ~Zstd() {
    ZSTD_freeCCtx(compress);
    ZSTD_freeDCtx(decompress);
  }
};

int64_t KeptCount(int64_t n, double fraction) {
  // The epsilon keeps 0.3 * 10 at 3, not 4, despite rounding.
  return std::clamp<int64_t>(static_cast<int64_t>(std::ceil(fraction * n - 1e-9)), 1, n);
}

std::vector<int> TopChannels(const std::vector<double>& scores, double fraction) {
  const int n = static_cast<int>(scores.size());
  const int keep = static_cast<int>(KeptCount(n, fraction));
  std::vector<int> order = Iota(n);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
  order.resize(keep);
  std::sort(order.begin(), order.end());
  return order;
}

bool ShapeDeterminedBytes(const CodecSpec& spec, const std::vector<int64_t>& shape,
                          int64_t* bytes) {
  if (spec.regions || spec.zstd_level > 0 || shape.empty()) return false;
  const int64_t channels = shape[0];
  const int64_t positions =
      std::accumulate(shape.begin() + 1, shape.end(), int64_t{1}, std::multiplies<>());
  const int64_t kept = spec.channels ? KeptCount(channels, spec.channel_fraction) : channels;
  int64_t total = 1 + 4 * static_cast<int64_t>(shape.size());
  if (spec.channels) total += (channels + 7) / 8;
  const int64_t n = kept * positions;
  switch (spec.coding) {
    case ValueCoding::kFloat32:
      total += 4 * n;
      break;
    case ValueCoding::kFloat16:
      total += 2 * n;
      break;
    case ValueCoding::kQuantized:
      total +=
          (spec.per_channel ? kept : 1) * 2 * 4 + static_cast<int64_t>(PackedBytes(n, spec.bits));
      break;
  }
  *bytes = total;
  return true;
}

Codec::Codec(const CodecSpec& spec, std::vector<int> kept_channels,
             ChannelReconstruction reconstruction)
    : spec_(spec),
      kept_channels_(std::move(kept_channels)),
      reconstruction_(std::move(reconstruction)),
      zstd_(std::make_unique<Zstd>()) {}

Codec::~Codec() = default;

Status Codec::Encode(const float* values, const std::vector<int64_t>& shape, std::string* out) {
  if (spec_.zstd_level == 0) return EncodeRaw(values, shape, out);
  COINFER_RETURN_IF_ERROR(EncodeRaw(values, shape, &raw_));
  out->resize(ZSTD_compressBound(raw_.size()));
  const size_t n = ZSTD_compressCCtx(zstd_->compress, out->data(), out->size(), raw_.data(),
                                     raw_.size(), spec_.zstd_level);
  if (ZSTD_isError(n)) return Status::IoError(std::string("zstd: ") + ZSTD_getErrorName(n));
  out->resize(n);
  return Status::Ok();
}

Status Codec::EncodeRaw(const float* values, const std::vector<int64_t>& shape, std::string* out) {
  if (shape.empty() || shape.size() > kMaxDims)
    return Status::InvalidInput("", "tensor shape", "expected 1 to 8 dimensions");
  const int64_t channels = shape[0];
  const int64_t positions =
      std::accumulate(shape.begin() + 1, shape.end(), int64_t{1}, std::multiplies<>());
  out->clear();
  Append(out, static_cast<uint8_t>(shape.size()));
  for (int64_t d : shape) Append(out, static_cast<int32_t>(d));

  const std::vector<int> all_channels = spec_.channels ? std::vector<int>() : Iota(channels);
  const std::vector<int>& kept = spec_.channels ? kept_channels_ : all_channels;
  if (spec_.channels) {
    if (kept.empty() || kept.back() >= channels)
      return Status::InvalidInput(
          "", "channels",
          "kept channels do not fit a tensor of " + std::to_string(channels) + " channels");
    AppendBitmap(kept, channels, out);
  }

  // Positions: all, or the top fraction by mean |x| over the kept channels.
  positions_.resize(positions);
  std::iota(positions_.begin(), positions_.end(), 0);
  if (spec_.regions) {
    attention_.assign(positions, 0.0f);
    for (int c : kept) {
      const float* row = values + c * positions;
      for (int64_t p = 0; p < positions; ++p) attention_[p] += std::fabs(row[p]);
    }
    const int64_t keep = KeptCount(positions, spec_.region_fraction);
    std::nth_element(
        positions_.begin(), positions_.begin() + keep, positions_.end(), [&](int a, int b) {
          return attention_[a] != attention_[b] ? attention_[a] > attention_[b] : a < b;
        });
    positions_.resize(keep);
    std::sort(positions_.begin(), positions_.end());
    AppendBitmap(positions_, positions, out);
  }

  // The kept values, channel-major; no copy when everything is kept.
  const int64_t kept_positions = static_cast<int64_t>(positions_.size());
  const int64_t n = static_cast<int64_t>(kept.size()) * kept_positions;
  const float* x = values;
  if (spec_.channels || spec_.regions) {
    gathered_.resize(n);
    float* dst = gathered_.data();
    for (int c : kept) {
      const float* row = values + c * positions;
      if (spec_.regions) {
        for (int p : positions_) *dst++ = row[p];
      } else {
        std::memcpy(dst, row, positions * sizeof(float));
        dst += positions;
      }
    }
    x = gathered_.data();
  }

  switch (spec_.coding) {
    case ValueCoding::kFloat32:
      out->append(reinterpret_cast<const char*>(x), n * sizeof(float));
      break;
    case ValueCoding::kFloat16: {
      const size_t at = out->size();
      out->resize(at + n * sizeof(c10::Half));
      // The header leaves the values at any byte offset: copied, not stored
      // through a c10::Half pointer (a misaligned store is undefined).
      for (int64_t i = 0; i < n; ++i) {
        const c10::Half half(x[i]);
        std::memcpy(out->data() + at + i * sizeof(c10::Half), &half, sizeof(half));
      }
      break;
    }
    case ValueCoding::kQuantized: {
      const int64_t groups = spec_.per_channel ? static_cast<int64_t>(kept.size()) : 1;
      const int64_t group_size = groups == 0 ? 0 : n / groups;
      const float levels = static_cast<float>((1 << spec_.bits) - 1);
      // Scales come first, then the packed codes: reserve both now.
      const size_t at = out->size() + groups * 2 * sizeof(float);
      out->resize(at + PackedBytes(n, spec_.bits));
      auto* packed8 = reinterpret_cast<uint8_t*>(out->data() + at);
      size_t scales_at = at - groups * 2 * sizeof(float);
      if (spec_.bits != 8) codes_.resize(n);
      for (int64_t g = 0; g < groups; ++g) {
        const float* v = x + g * group_size;
        float lo = group_size ? v[0] : 0.0f, hi = lo;
        for (int64_t i = 0; i < group_size; ++i) {
          lo = std::min(lo, v[i]);
          hi = std::max(hi, v[i]);
        }
        const float scale = (hi - lo) / levels;
        std::memcpy(out->data() + scales_at, &lo, sizeof(float));
        std::memcpy(out->data() + scales_at + sizeof(float), &scale, sizeof(float));
        scales_at += 2 * sizeof(float);
        const float inverse = scale > 0 ? 1.0f / scale : 0.0f;
        if (spec_.bits == 8) {  // the common case: codes are the packed bytes
          Quantize(v, group_size, lo, inverse, levels, packed8 + g * group_size);
        } else {
          Quantize(v, group_size, lo, inverse, levels, codes_.data() + g * group_size);
        }
      }
      if (spec_.bits != 8)
        PackBits(codes_.data(), n, spec_.bits, reinterpret_cast<uint8_t*>(out->data() + at));
      break;
    }
  }
  return Status::Ok();
}

Status Codec::Decode(const std::string& bytes, Activation* out) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (spec_.zstd_level == 0) return DecodeRaw(data, bytes.size(), out);
  const unsigned long long size = ZSTD_getFrameContentSize(data, bytes.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
    return Corrupt("not a zstd frame");
  raw_.resize(size);
  const size_t n =
      ZSTD_decompressDCtx(zstd_->decompress, raw_.data(), raw_.size(), data, bytes.size());
  if (ZSTD_isError(n)) return Corrupt(std::string("zstd: ") + ZSTD_getErrorName(n));
  return DecodeRaw(reinterpret_cast<const uint8_t*>(raw_.data()), n, out);
}

Status Codec::DecodeRaw(const uint8_t* data, size_t size, Activation* out) {
  ByteReader in(data, size);
  uint8_t ndim = 0;
  if (!in.Read(&ndim) || ndim == 0 || ndim > kMaxDims) return Corrupt("bad header");
  out->shape.assign(ndim, 0);
  for (auto& d : out->shape) {
    int32_t v = 0;
    if (!in.Read(&v) || v <= 0) return Corrupt("bad shape");
    d = v;
  }
  const int64_t channels = out->shape[0];
  const int64_t positions =
      std::accumulate(out->shape.begin() + 1, out->shape.end(), int64_t{1}, std::multiplies<>());
  std::vector<int> kept = Iota(channels);
  if (spec_.channels && !ReadBitmap(&in, channels, &kept)) return Corrupt("truncated channels");
  positions_ = Iota(positions);
  if (spec_.regions && !ReadBitmap(&in, positions, &positions_))
    return Corrupt("truncated positions");
  const int64_t kept_positions = static_cast<int64_t>(positions_.size());
  const int64_t n = static_cast<int64_t>(kept.size()) * kept_positions;

  gathered_.resize(n);
  switch (spec_.coding) {
    case ValueCoding::kFloat32: {
      const uint8_t* v = in.Take(n * sizeof(float));
      if (!v) return Corrupt("truncated values");
      std::memcpy(gathered_.data(), v, n * sizeof(float));
      break;
    }
    case ValueCoding::kFloat16: {
      const uint8_t* v = in.Take(n * sizeof(c10::Half));
      if (!v) return Corrupt("truncated values");
      for (int64_t i = 0; i < n; ++i) {
        c10::Half h;
        std::memcpy(&h, v + i * sizeof(h), sizeof(h));
        gathered_[i] = static_cast<float>(h);
      }
      break;
    }
    case ValueCoding::kQuantized: {
      const int64_t groups = spec_.per_channel ? static_cast<int64_t>(kept.size()) : 1;
      std::vector<float> lo(groups), scale(groups);
      for (int64_t g = 0; g < groups; ++g)
        if (!in.Read(&lo[g]) || !in.Read(&scale[g])) return Corrupt("truncated scales");
      const uint8_t* packed = in.Take(PackedBytes(n, spec_.bits));
      if (!packed) return Corrupt("truncated values");
      codes_.resize(n);
      UnpackBits(packed, n, spec_.bits, codes_.data());
      const int64_t group_size = groups == 0 ? 0 : n / groups;
      for (int64_t g = 0; g < groups; ++g)
        for (int64_t i = g * group_size; i < (g + 1) * group_size; ++i)
          gathered_[i] = lo[g] + codes_[i] * scale[g];
      break;
    }
  }
  if (!in.AtEnd()) return Corrupt("trailing bytes");

  out->values.assign(channels * positions, 0.0f);
  const float* src = gathered_.data();
  for (int c : kept) {
    float* row = out->values.data() + c * positions;
    for (int p : positions_) row[p] = *src++;
  }
  return spec_.prune && !reconstruction_.empty() ? Reconstruct(kept, channels, positions, out)
                                                 : Status::Ok();
}

Status Codec::Reconstruct(const std::vector<int>& kept, int64_t channels, int64_t positions,
                          Activation* out) const {
  const int64_t k = static_cast<int64_t>(kept.size());
  if (static_cast<int64_t>(reconstruction_.size()) != (channels - k) * (k + 1))
    return Corrupt("the kept channels do not match the reconstruction");
  const float* w = reconstruction_.data();
  size_t next_kept = 0;
  for (int64_t c = 0; c < channels; ++c) {
    if (next_kept < kept.size() && kept[next_kept] == c) {
      ++next_kept;
      continue;
    }
    float* row = out->values.data() + c * positions;
    std::fill(row, row + positions, w[k]);
    for (int64_t j = 0; j < k; ++j) {
      const float* source = out->values.data() + kept[j] * positions;
      const float weight = w[j];
      for (int64_t p = 0; p < positions; ++p) row[p] += weight * source[p];
    }
    w += k + 1;
  }
  return Status::Ok();
}

}  // namespace coinfer
