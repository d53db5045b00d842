// Energy the end device spends on its requests. The device draws idle power
// while any request is in flight, plus, on top of idle, compute power while a
// stage computes on it and transmit power while its radio sends (transmit_w +
// transmit_w_per_mbps·Mbit/s, the rate term paid per bit sent). Each request
// is charged its own stages' extra power, and an equal share of the idle draw
// and of the radio among the requests in flight and the transfers on air at
// each moment: a request alone pays compute power while it computes, transmit
// power while it sends and idle power for the rest of its latency, and
// overlapping requests add up to what the device drew. Stages are taken as
// they ran (StageRecord times); requests that did not finish take no share.
// Transfers the device makes for no request (probes, sim/engine.h) share the
// radio as well and are charged on their own.
#pragma once

#include <cstdint>
#include <vector>

#include "devices/device_model.h"
#include "sim/request_record.h"

namespace coinfer {

// A transfer the end device makes for no request; end_s < 0: never delivered.
struct DeviceTransfer {
  double start_s = 0, end_s = -1;
  uint64_t bytes = 0;
};

// Sets end_energy_j (joules) of every completed request, from the stages on
// site `end` with that site's `power`; -1 for the others, and for all when the
// device's power is not known. Returns the energy of the delivered `own`
// transfers (radio and bits; the idle draw is the device's anyway): 0 when
// there are none, -1 when the power is not known.
double AssignEndDeviceEnergy(const DevicePower& power, SiteId end,
                             const std::vector<DeviceTransfer>& own,
                             std::vector<RequestRecord>* requests);

}  // namespace coinfer
