// Inputs shared by the benchmarks: a shipped trace and two device models
// (a slow end device and a fast cloud, in the range of devices/data/).
#pragma once

#include <memory>
#include <string>

#include "devices/device_model.h"
#include "traces/delivery_trace.h"

namespace coinfer {

// The shipped Verizon LTE uplink trace, or null if it cannot be read.
inline std::shared_ptr<const DeliveryTrace> VerizonUplink() {
  auto trace = std::make_shared<DeliveryTrace>();
  const std::string path = std::string(COINFER_SOURCE_DIR) + "/traces/data/Verizon-LTE-short.up";
  if (!ReadMahimahiTrace(path, trace.get()).ok()) return nullptr;
  return trace;
}

inline DeviceModel BenchEndDevice() {
  return DeviceModel::FromCoefficients("end", 1, {0, 0.05, 0.3, 0});
}
inline DeviceModel BenchCloud() {
  return DeviceModel::FromCoefficients("cloud", 8, {0, 0.001, 0.02, 0});
}

}  // namespace coinfer
