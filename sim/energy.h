// Energy the end device spends on one request: its compute stages at compute
// power, its uplink transfers at the radio's power for the transfer's
// throughput (transmit_w + transmit_w_per_mbps·Mbit/s), and idle power for the
// rest of the request's latency (waiting for queues, the network and the
// cloud). Stages are taken as they ran (StageRecord times). Each request is
// charged as if it had the device to itself: when requests overlap (a transfer
// queued behind another's, idle waiting while another computes), each pays
// for the shared time, so a run's requests may add up to more than the device
// drew.
#pragma once

#include "devices/device_model.h"
#include "sim/request_record.h"

namespace coinfer {

// Joules; negative when the device's power is not known or the request did
// not finish.
double EndDeviceEnergyJ(const RequestRecord& request, const DevicePower& power);

}  // namespace coinfer
