#include "policies/neurosurgeon.h"

namespace coinfer {

void NeurosurgeonPolicy::Prepare(const Observation& obs) {
  prepared_ = PreparedFor::Of(obs);
  const Graph& g = *obs.graph;
  compute_ms_.clear();
  bytes_.clear();
  for (const SplitPoint& p : g.SplitPoints()) {
    // Segments, not sums of layers: a device may have measured a segment whole.
    compute_ms_.push_back(obs.end_device->TaskLatencyMs(g, 0, p.index) +
                          obs.cloud->TaskLatencyMs(g, p.index, g.size()));
    bytes_.push_back(p.bytes);
  }
}

int NeurosurgeonPolicy::BestSplit(const Observation& obs) {
  if (!prepared_.Matches(obs)) Prepare(obs);
  const double ms_per_byte = 8.0 / (obs.uplink_estimate_mbps * 1e3);
  int best = 0;
  double best_ms = 0;
  for (size_t k = 0; k < compute_ms_.size(); ++k) {
    const double ms = compute_ms_[k] + bytes_[k] * ms_per_byte;
    if (k == 0 || ms < best_ms) {
      best = static_cast<int>(k);
      best_ms = ms;
    }
  }
  return best;
}

Plan NeurosurgeonPolicy::Decide(const Observation& obs) {
  return MakeSplitPlan(obs, BestSplit(obs));
}

}  // namespace coinfer
