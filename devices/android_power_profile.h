// A phone's power states from its Android power profile. Every Android device
// ships the manufacturer's measured currents per component and state in
// power_profile.xml (source.android.com/docs/core/power/values; values in mA);
// BatteryStats charges each app from them. coinfer turns them into the idle,
// compute and transmit power of DevicePower:
//   idle     = CPU awake in its idle loop + cellular radio on (camped, paging)
//   compute  = idle + CPU active + the compute cluster's own cost
//              + its busy cores at their top speed (summed, as BatteryStats does)
//   transmit = CPU awake in its idle loop + cellular radio active
// all times the battery's voltage. The profile has no throughput term, so
// transmit_w_per_mbps is 0.
#pragma once

#include <string>

#include "base/status.h"
#include "devices/device_model.h"

namespace coinfer {

struct AndroidPowerOptions {
  double battery_volts = 0;  // the profile gives currents: the battery's nominal voltage
  int compute_cluster = -1;  // -1: the cluster that draws most at its top speed (the big cores)
  int compute_cores = 0;     // 0: every core of that cluster
};

// Reads `path` and fills *power; *derivation says which currents made each
// state, for the device file's provenance. Bad input (an unreadable file, a
// value that is not a number, a missing or repeated item the states need, an
// option the profile cannot meet) returns InvalidInput naming file:line and the
// item, and leaves the outputs untouched.
Status ReadAndroidPowerProfile(const std::string& path, const AndroidPowerOptions& options,
                               DevicePower* power, std::string* derivation);

}  // namespace coinfer
