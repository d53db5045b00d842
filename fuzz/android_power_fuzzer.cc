// Android power profiles (XML): an input error, or finite, non-negative power.
#include <cmath>

#include "devices/android_power_profile.h"
#include "fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  const std::string path = WriteFuzzFile("power_profile.xml", data, size);
  AndroidPowerOptions options;
  options.battery_volts = 3.85;
  DevicePower power;
  std::string derivation;
  if (!ReadAndroidPowerProfile(path, options, &power, &derivation).ok()) return 0;
  for (double w : {power.idle_w, power.compute_w, power.transmit_w, power.transmit_w_per_mbps})
    FuzzCheck(std::isfinite(w) && w >= 0);
  return 0;
}
