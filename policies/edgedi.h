// EdgeDI's workload partition (an IoT cluster: a leader and N devices on a
// switched LAN) as a policy on the cluster topology:
//   edgedi                          adaptive strips, the tail where predicted fastest
//   edgedi@partition=proportional   strips in proportion to capacity, not refined
//   edgedi@partition=equal          equal strips (capacity ignored)
//   edgedi@tail=leader|cloud|auto   where the layers after the last segment run
// Per request, for each segment (dnn/strips.h StripSegments: the
// convolutions up to and including a pooling), the leader sends each device
// the input rows of its strip with their halo, the devices compute their
// strips concurrently (a compute stage per strip, dnn/strip_forward.h is
// the same computation run for real) and send their output rows back; the
// next segment starts once every strip is gathered.
//
// Choices where the paper is open (docs/policies.md):
//   - The leader distributes and gathers but computes no strip (EdgeLD's
//     master and followers); layers outside segments (flatten, fully
//     connected, residual adds) run on the leader.
//   - A device's capacity is 1 / its device model's time for the whole
//     segment, task overhead excluded (Pi 3B+ : Pi 4B = 1 : 1.5 with the
//     EdgeLD-constant devices, EdgeDI's reference weights).
//   - Strips are bands of the segment's output rows; each reads the input
//     rows its windows need (the halo follows from the layers, not one row
//     per 3x3 convolution assumed).
//   - A device's predicted finish, as in the paper: its strip's compute (the
//     device model on the strip's MACs and bytes, task overhead included) +
//     the upload of its input rows + the download of its output rows, each
//     at that link's estimate (the LAN's nominal rate until a transfer on it
//     completes). The leader's port is shared by all uploads in the
//     simulation but not in this model, as in the paper.
//   - Segments are partitioned independently, for every request, from the
//     current estimates; the plan's prediction is its critical path.
//   - Tail: with an upstream cloud, `auto` sends the tensor crossing the
//     first split point after the last segment (a ResNet's last add runs on
//     the leader first) to the cloud when its upload, the cloud's compute
//     and the result's way back are predicted below the leader's compute;
//     `cloud` always does. With compression on, that tensor goes with the
//     scenario's codec; strips always go raw (fp32, lossless).
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "dnn/strips.h"
#include "policies/policy_type.h"

namespace coinfer {

class EdgediPolicy : public Policy {
 public:
  enum class Partition { kAdaptive, kProportional, kEqual };
  enum class Tail { kAuto, kLeader, kCloud };
  struct Options {
    Partition partition = Partition::kAdaptive;
    Tail tail = Tail::kAuto;
  };

  EdgediPolicy(Options options, std::string name) : options_(options), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  bool NeedsCloud() const override { return options_.tail == Tail::kCloud; }
  bool NeedsCluster() const override { return true; }
  Status CheckModel(const Graph& graph) const override;
  void Prepare(const Observation& observation) override;
  Plan Decide(const Observation& observation) override;

  // The rows of segment `s`'s output each cluster device gets for the
  // observation's estimates (devices in site order).
  std::vector<int64_t> SegmentRows(const Observation& observation, size_t s);
  const std::vector<Segment>& segments() const { return segments_; }

 private:
  double StripComputeMs(const Observation& obs, size_t segment, int device, RowRange rows);
  double StripFinishMs(const Observation& obs, size_t segment, int device, RowRange rows);

  Options options_;
  std::string name_;
  PreparedFor prepared_;
  std::vector<Segment> segments_;
  std::vector<SiteId> devices_;                // the cluster's devices, in site order
  std::vector<std::vector<double>> capacity_;  // per segment, per device
  std::vector<SplitPoint> split_points_;       // the graph's
  int tail_cut_ = -1;  // the split point the tail may leave from (index); -1: none
  // Strip compute times already priced: (segment, device, first row, end row).
  std::map<std::tuple<size_t, int, int64_t, int64_t>, double> compute_ms_;
};

PolicyType EdgediType();

}  // namespace coinfer
