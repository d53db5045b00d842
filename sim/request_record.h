// What happened to one request, next to what its policy predicted. Rows of
// the `requests` and `stages` tables (docs/formats.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/plan.h"

namespace coinfer {

struct StageRecord {
  Stage stage;          // as planned, with the prediction
  double ready_s = -1;  // dependencies done
  double start_s = -1;  // compute: a core was free; transfer: handed to TCP
  double end_s = -1;    // compute finished / last byte delivered
  // Compute only: the device model's time came from measurements alone
  // (profile rows), not from its regression (extrapolated).
  bool measured = false;
  // Transfer only: the codec its tensor was encoded with ("": sent as planned).
  std::string codec{};
};

struct RoleTotals {
  double wait_ms = 0, compute_ms = 0;
};

struct RequestRecord {
  int id = 0;
  double arrival_s = 0;
  double decision_wall_us = 0;  // host wall time of Policy::Decide (not deterministic)
  // decision_wall_us scaled to the end device, which decides: times its
  // slowdown to this host (Site::host_slowdown).
  double decision_device_us = 0;
  int split = -1;
  int64_t bytes_sent = 0;
  double uplink_estimate_mbps = 0;   // what the policy was told
  double uplink_capacity_mbps = -1;  // true mean capacity over its uplink transfer (-1: none)
  double predicted_ms = 0;
  double actual_ms = -1;  // -1 while unfinished
  bool completed = false;
  // Sums over the request's stages, in ms: transfers, and per site role
  // (indexed by SiteRole) the time its stages waited for cores and computed.
  double transfer_ms = 0;
  RoleTotals totals[kSiteRoles];
  const RoleTotals& on(SiteRole role) const { return totals[static_cast<int>(role)]; }
  double end_energy_j = -1;  // sim/energy.h; -1 when the device's power is not known
  // With measured compression: the test sample the request carries, and
  // whether the model's answer for it, through the codec, is right (1) or
  // wrong (0); -1 when not measured.
  int sample = -1;
  int correct = -1;
  std::string codec;    // the codecs the crossing tensors were sent with, ';'-separated ("": none)
  std::string variant;  // the pruned model variant that ran ("": the trained model)
  int requirement_met = -1;  // Plan::requirement_met
  std::vector<StageRecord> stages;
};

}  // namespace coinfer
