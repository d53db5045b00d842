// Device files (without profiles: a 'profile' line names a file that does
// not exist here): an input error, or a model whose predictions are finite.
#include <cmath>

#include "devices/device_model.h"
#include "fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  const std::string path = WriteFuzzFile("x.device", data, size);
  DeviceModel model;
  if (!DeviceModel::Load(path, &model).ok()) return 0;
  Layer conv;
  conv.kind = LayerKind::kConv;
  conv.macs = 4'000'000'000;
  conv.input_bytes = conv.output_bytes = 50'000'000;
  conv.param_bytes = 10'000'000;
  const double ms = model.PredictLayerMs(conv);
  FuzzCheck(std::isfinite(ms) && ms >= 0 && ms < 1e13);
  return 0;
}
