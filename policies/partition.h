// Partitions of a layer DAG between the end device and the cloud, shared by
// the min-cut policies (DADS, CIC): the s-t minimum cut for a given price of
// a byte, a partition's cost as a line in that price, and its plan.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/policy.h"

namespace coinfer {

// Per-layer times of a graph on the two sites, tabulated once.
struct LayerTimes {
  std::vector<double> end_ms, cloud_ms;
  // Each side's per-task overhead (DeviceModel::task_overhead_ms): paid once by
  // a side that runs anything (in a Partition's device_ms and cloud_ms).
  double end_task_ms = 0, cloud_task_ms = 0;
  static LayerTimes Of(const Observation& observation);
};

// A partition and its cost: compute_ms + ms_per_byte · bytes.
struct Partition {
  std::vector<bool> on_device;         // per layer
  double compute_ms = 0;               // device layers on the device, the rest in the cloud
  double device_ms = 0, cloud_ms = 0;  // its two parts
  int64_t bytes = 0;                   // tensors crossing from the device side, each once
  bool offloads = false;               // the cloud computes part: the result comes back
  double CostMs(double ms_per_byte) const { return compute_ms + ms_per_byte * bytes; }
  // With what offloading costs whatever the bytes (OffloadFixedMs) when it offloads.
  double TotalMs(double ms_per_byte, double fixed_ms) const {
    return CostMs(ms_per_byte) + (offloads ? fixed_ms : 0);
  }
};

// Milliseconds per byte at `mbps`.
inline double MsPerByte(double mbps) { return 8.0 / (mbps * 1e3); }

// The partition of least TotalMs for a byte price and what offloading costs
// whatever the bytes (DADS's construction; see policies/dads.h): the device
// side is closed under predecessors.
Partition MinCutPartition(const Graph& graph, const LayerTimes& times, double ms_per_byte,
                          double fixed_ms);

// The pipeline's bottleneck when requests follow one another: the longest
// of its stages' occupancy per request — device time over the end device's
// cores, the uplink's bytes at the price, cloud time over the cloud's cores.
double BottleneckMs(const Partition& partition, double ms_per_byte, int end_cores, int cloud_cores);

// DADS's heavy-load partition (DNN Surgery Heavy): the least bottleneck
// (BottleneckMs; ties: the least CostMs) among every prefix of the layer
// order (the one-sided partitions among them) and the minimum cuts of
// weighted stage times. The first weights are equal: the light-load cut,
// whose sum of the three is at most three times the best bottleneck (DSH's
// ratio of 3); each further round multiplies the weight of the stage that was
// the bottleneck by 1.5. Exactly, the problem is NP-hard (the paper); the
// weighted cuts find only partitions on the convex hull of the three stage
// times, the prefixes cover chains whatever the hull.
Partition HeavyLoadPartition(const Graph& graph, const LayerTimes& times, double ms_per_byte,
                             int end_cores, int cloud_cores, int rounds = 24);

// The partition's compute and bytes.
Partition MakePartition(const Graph& graph, const LayerTimes& times, std::vector<bool> on_device);

// What every partition that offloads pays whatever its bytes: the uplink's
// fixed part (half a round trip and the connection's backlog with the
// delivery estimator, sim/transfer_time.h; slow start, which grows with the
// bytes, is left to the plan's prediction) and the result's way back.
double OffloadFixedMs(const Observation& observation);

// Whether a partition computes anything on the end device.
bool ComputesOnDevice(const Partition& partition);

// The end device's forecast wait (Observation::WaitMs) is paid by every
// partition that computes there and by no other: `best`, the least TotalMs
// of all partitions, or cloud-only (`cloud_only`), whichever finishes first
// once the wait is counted. Exact, as the wait is the same for every
// partition with a device layer.
const Partition& WithEndDeviceWait(const Partition& best, const Partition& cloud_only,
                                   double ms_per_byte, double fixed_ms, double end_wait_ms);

// The plan: device layers on the observation's end device, then one message
// with the crossing tensors, then the cloud layers, predicted at the
// partition's device and cloud times, the uplink's estimate and the sites'
// queues; `split` set when the device side is a split point's prefix.
Plan MakePartitionPlan(const Observation& observation, const Partition& partition);

}  // namespace coinfer
