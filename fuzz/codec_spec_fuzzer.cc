// Codec specs: an input error, or a spec whose canonical text (a catalog
// key) reads back as exactly the same spec and text.
#include "compress/codec_spec.h"
#include "fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  const std::string text(reinterpret_cast<const char*>(data), size);
  CodecSpec spec, back;
  if (!ParseCodecSpec(text, &spec).ok()) return 0;
  const std::string canonical = CodecSpecText(spec);
  FuzzCheck(ParseCodecSpec(canonical, &back).ok());
  FuzzCheck(CodecSpecText(back) == canonical);
  FuzzCheck(back.channel_fraction == spec.channel_fraction &&
            back.region_fraction == spec.region_fraction && back.prune_rate == spec.prune_rate &&
            back.bits == spec.bits && back.zstd_level == spec.zstd_level);
  return 0;
}
