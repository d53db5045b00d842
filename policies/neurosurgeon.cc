#include "policies/neurosurgeon.h"

namespace coinfer {

void NeurosurgeonPolicy::Tabulate(const Observation& obs) {
  graph_ = obs.graph;
  end_ = obs.end_device;
  cloud_ = obs.cloud;
  const Graph& g = *graph_;
  // Prefix sums of per-layer times on each side.
  std::vector<double> end_prefix(g.size() + 1, 0), cloud_prefix(g.size() + 1, 0);
  for (int i = 0; i < g.size(); ++i) {
    end_prefix[i + 1] = end_prefix[i] + end_->LayerLatencyMs(g.layers[i]);
    cloud_prefix[i + 1] = cloud_prefix[i] + cloud_->LayerLatencyMs(g.layers[i]);
  }
  compute_ms_.clear();
  bytes_.clear();
  for (const SplitPoint& p : g.SplitPoints()) {
    compute_ms_.push_back(end_prefix[p.index] + cloud_prefix[g.size()] - cloud_prefix[p.index]);
    bytes_.push_back(p.bytes);
  }
}

int NeurosurgeonPolicy::BestSplit(const Observation& obs) {
  if (obs.graph != graph_ || obs.end_device != end_ || obs.cloud != cloud_) Tabulate(obs);
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
