#include "policies/neurosurgeon.h"

#include "sim/codec_stages.h"

namespace coinfer {

void NeurosurgeonPolicy::Prepare(const Observation& obs) {
  prepared_ = PreparedFor::Of(obs);
  const Graph& g = *obs.graph;
  end_ms_.clear();
  cloud_ms_.clear();
  bytes_.clear();
  offloads_.clear();
  for (const SplitPoint& p : g.SplitPoints()) {
    // Segments, not sums of layers: a device may have measured a segment whole.
    end_ms_.push_back(obs.ComputeMs(obs.end, obs.end_device().TaskLatencyMs(g, 0, p.index)));
    cloud_ms_.push_back(
        obs.ComputeMs(obs.cloud, obs.cloud_device().TaskLatencyMs(g, p.index, g.size())));
    bytes_.push_back(p.bytes);
    offloads_.push_back(p.index < g.size());
    // With compression, the tensor is encoded on the device and decoded in
    // the cloud (the scenario's codec, which MakeSplitPlan's plans send).
    const CatalogEntry* e =
        offloads_.back() && obs.compression ? obs.compression->Find(0, p.index) : nullptr;
    if (e) {
      end_ms_.back() +=
          obs.ComputeMs(obs.end, CodecWorkMs(*e, Stage::Work::kEncode, obs.sites.at(obs.end)));
      cloud_ms_.back() +=
          obs.ComputeMs(obs.cloud, CodecWorkMs(*e, Stage::Work::kDecode, obs.sites.at(obs.cloud)));
    }
  }
}

double NeurosurgeonPolicy::Cost(const Observation& obs, size_t k, double result_ms) const {
  const double transfer_ms = offloads_[k] ? obs.TransferMs(obs.end, obs.cloud, bytes_[k]) : 0;
  const double back_ms = offloads_[k] ? result_ms : 0;
  if (objective_ == Objective::kLatency) {
    // The waits for the sites' cores: the end device's when it computes, the
    // cloud's as it will be when the tensor arrives.
    const double end_wait = end_ms_[k] > 0 ? obs.WaitMs(obs.end) : 0;
    const double cloud_wait =
        offloads_[k] ? obs.WaitMs(obs.cloud, end_wait + end_ms_[k] + transfer_ms) : 0;
    return (end_ms_[k] + cloud_ms_[k]) + transfer_ms + back_ms + (end_wait + cloud_wait);
  }
  const DevicePower& p = obs.end_device().power();
  const double transmit_w = p.transmit_w + p.transmit_w_per_mbps * obs.uplink_estimate_mbps;
  return p.compute_w * end_ms_[k] + transmit_w * transfer_ms + p.idle_w * (cloud_ms_[k] + back_ms);
}

int NeurosurgeonPolicy::BestSplit(const Observation& obs) {
  if (!prepared_.Matches(obs)) Prepare(obs);
  const double result_ms = obs.ResultReturnMs(obs.cloud);
  int best = 0;
  double best_cost = 0;
  for (size_t k = 0; k < bytes_.size(); ++k) {
    const double cost = Cost(obs, k, result_ms);
    if (k == 0 || cost < best_cost) {
      best = static_cast<int>(k);
      best_cost = cost;
    }
  }
  return best;
}

Plan NeurosurgeonPolicy::Decide(const Observation& obs) {
  return MakeSplitPlan(obs, BestSplit(obs));
}

PolicyType NeurosurgeonType() {
  return {"neurosurgeon",
          "the single split that minimises the predicted latency (or the end device's energy) "
          "at the uplink estimate",
          {{"objective", "latency|energy", "latency",
            "what the split minimises; energy needs the end device's power figures"}},
          [](const PolicyArgs& args, std::unique_ptr<Policy>* out) {
            std::string objective;
            COINFER_RETURN_IF_ERROR(args.Choice("objective", {"latency", "energy"}, &objective));
            *out = std::make_unique<NeurosurgeonPolicy>(
                objective == "energy" ? NeurosurgeonPolicy::Objective::kEnergy
                                      : NeurosurgeonPolicy::Objective::kLatency);
            return Status::Ok();
          }};
}

}  // namespace coinfer
