#include "compress/codec_spec.h"

#include <charconv>
#include <cmath>

#include "base/parse.h"

namespace coinfer {
namespace {

Status TokenError(size_t position, const std::string& token, const std::string& reason) {
  return Status::InvalidInput(
      "", "codec", "at " + std::to_string(position + 1) + ": '" + token + "': " + reason);
}

// A fraction in (0, 1].
bool ParseFraction(const std::string& text, double* value) {
  return ParseNumber(text, value) && *value > 0 && *value <= 1;
}

bool ParseInt(const std::string& text, int lo, int hi, int* value) {
  double v = 0;
  // The range first: converting a double beyond int's range is undefined.
  if (!ParseNumber(text, &v) || v < lo || v > hi || v != std::floor(v)) return false;
  *value = static_cast<int>(v);
  return true;
}

// Applies one "name[:arg[:arg]]" token to *spec; `seen` rejects repeats.
Status ApplyToken(const std::string& token, size_t position, CodecSpec* spec, std::string* seen) {
  const std::vector<std::string> parts = SplitFields(token, ':');
  const std::string& name = parts[0];
  const std::string stage = name == "fp16" || name == "fp32" || name == "quant" ? "values"
                            : name == "prune"                                   ? "channels"
                                                                                : name;
  if (seen->find("|" + stage + "|") != std::string::npos)
    return TokenError(position, token,
                      stage == "channels" ? "one channel selection only (channels or prune)"
                                          : "stage given twice");
  *seen += "|" + stage + "|";
  auto args_must_be = [&](size_t n) { return parts.size() == n + 1; };

  if (name == "channels" || name == "regions") {
    double f = 0;
    if (!args_must_be(1) || !ParseFraction(parts[1], &f))
      return TokenError(position, token, "expected " + name + ":F with F in (0, 1]");
    (name == "channels" ? spec->channel_fraction : spec->region_fraction) = f;
    (name == "channels" ? spec->channels : spec->regions) = true;
  } else if (name == "prune") {
    double r = 0;
    if (!args_must_be(1) || !ParseNumber(parts[1], &r) || !(r >= 0 && r < 1))
      return TokenError(position, token, "expected prune:R with R in [0, 1)");
    spec->channels = spec->prune = true;
    spec->prune_rate = r;
    spec->channel_fraction = 1 - r;
  } else if (name == "fp16" || name == "fp32") {
    if (!args_must_be(0)) return TokenError(position, token, "takes no argument");
    spec->coding = name == "fp16" ? ValueCoding::kFloat16 : ValueCoding::kFloat32;
    spec->bits = name == "fp16" ? 16 : 32;
  } else if (name == "quant") {
    int bits = 0;
    if (parts.size() < 2 || parts.size() > 3 || !ParseInt(parts[1], 1, 16, &bits) ||
        (bits > 8 && bits != 16))
      return TokenError(position, token, "expected quant:B[:channel], B in 1..8 or 16");
    if (parts.size() == 3 && parts[2] != "channel" && parts[2] != "tensor")
      return TokenError(position, token, "scale is per 'tensor' or per 'channel'");
    spec->coding = ValueCoding::kQuantized;
    spec->bits = bits;
    spec->per_channel = parts.size() == 3 && parts[2] == "channel";
  } else if (name == "zstd") {
    if (!args_must_be(1) || !ParseInt(parts[1], 1, 22, &spec->zstd_level))
      return TokenError(position, token, "expected zstd:L with L in 1..22");
  } else {
    return TokenError(position, token,
                      "unknown stage (channels, prune, regions, fp32, fp16, quant, zstd, none)");
  }
  return Status::Ok();
}

}  // namespace

Status ParseCodecSpec(const std::string& text, CodecSpec* out) {
  CodecSpec spec;
  if (text.empty() || text == "none") {
    *out = spec;
    return Status::Ok();
  }
  std::string seen;
  size_t position = 0;
  for (const std::string& token : SplitFields(text, ',')) {
    if (token.empty()) return TokenError(position, token, "empty stage");
    COINFER_RETURN_IF_ERROR(ApplyToken(token, position, &spec, &seen));
    // The receiver rebuilds pruned channels at every position: a region
    // mask would leave it nothing to rebuild them from.
    if (spec.prune && spec.regions)
      return TokenError(position, token, "prune and regions do not combine");
    position += token.size() + 1;
  }
  *out = spec;
  return Status::Ok();
}

std::string CodecSpecText(const CodecSpec& spec) {
  std::vector<std::string> stages;
  // The shortest text that reads back as exactly v: catalog keys are exact.
  auto number = [](double v) {
    char text[32];
    return std::string(text, std::to_chars(text, text + sizeof(text), v).ptr);
  };
  if (spec.prune)
    stages.push_back("prune:" + number(spec.prune_rate));
  else if (spec.channels)
    stages.push_back("channels:" + number(spec.channel_fraction));
  if (spec.regions) stages.push_back("regions:" + number(spec.region_fraction));
  if (spec.coding == ValueCoding::kFloat16) stages.push_back("fp16");
  if (spec.coding == ValueCoding::kQuantized)
    stages.push_back("quant:" + std::to_string(spec.bits) + (spec.per_channel ? ":channel" : ""));
  if (spec.zstd_level > 0) stages.push_back("zstd:" + std::to_string(spec.zstd_level));
  return stages.empty() ? "none" : Join(stages, ",");
}

}  // namespace coinfer
