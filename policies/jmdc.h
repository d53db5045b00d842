// JMDC (joint model and data compression, edge device -> cloud) as a policy:
// per request it chooses a split point and a data codec (region masking and
// b-bit quantization, from the scenario's compression.codec and .menu) under
// a requirement:
//   jmdc@accuracy=A  minimise predicted latency s.t. measured accuracy >= A
//   jmdc@latency=T   maximise measured accuracy s.t. predicted latency <= T ms
// Bytes per (split, codec) are the catalog's measurements on the test split,
// accuracy its measurements on the validation split (requests are then
// scored on test images the choice never saw); latency = device time [0, k) + the predicted
// transfer of the mean bytes over the uplink (sim/transfer_time.h) + cloud time [k, n) + the
// result's way back (Observation::ResultReturnMs). Device-only
// is a configuration with the plain model's accuracy, no bytes and nothing coming back.
//
// Choices where the paper is open: configurations are pruned offline to their
// Pareto set — (compute, bytes) among those meeting the floor for the
// accuracy mode, (compute, bytes, accuracy) for the latency mode — and a
// decision scans that set at the current estimate, which is exact (a pruned
// configuration is strictly slower, or no more accurate and no faster: a
// transfer's predicted time never falls as its bytes grow). When
// nothing meets the requirement the plan is the most accurate configuration
// (accuracy mode) or the fastest (latency mode), flagged requirement_met = 0.
// Ties: lower latency, then higher accuracy, then earlier split and codec.
// Model compression: each pruned variant in the scenario (compression.prune:
// device-side channels kept by attention, fine-tuned; `coinfer prune`) adds
// configurations at its own split, with its smaller device time and its own
// measured bytes and accuracy per codec.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "policies/policy_type.h"

namespace coinfer {

struct JmdcRequirement {
  enum class Kind { kAccuracy, kLatency };
  Kind kind = Kind::kAccuracy;
  double value = 0;  // accuracy fraction in [0, 1], or latency in ms (> 0)
};

// "accuracy:0.9" or "latency:50".
class JmdcPolicy : public Policy {
 public:
  struct Config {
    int split = 0;     // index into graph.SplitPoints()
    int codec = 0;     // index into MeasuredCompression::codecs
    int variant = -1;  // index into MeasuredCompression::variants; -1: the model
    double compute_ms = 0;
    double bytes = 0;  // mean measured bytes sent
    double accuracy = 0;
    bool offloads = true;  // the cloud computes part: the result comes back
  };
  struct Choice {
    int config = -1;  // index into configs()
    double latency_ms = 0;
    bool requirement_met = false;
  };

  JmdcPolicy(JmdcRequirement requirement, std::string name)
      : requirement_(requirement), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  bool NeedsMeasuredCompression() const override { return true; }
  void Prepare(const Observation& observation) override;
  Plan Decide(const Observation& observation) override;

  const std::vector<Config>& configs() const { return configs_; }
  // The decision at an uplink's estimate and a predicted time of the result's
  // way back (paid by configurations that offload), from the Pareto set (what
  // Decide uses) and by exhaustive search over every configuration (the
  // reference).
  Choice Choose(const LinkEstimate& uplink, double result_ms) const;
  Choice ChooseExhaustive(const LinkEstimate& uplink, double result_ms) const;

 private:
  double LatencyMs(const Config& c, const LinkEstimate& uplink, double result_ms) const;
  std::vector<int> AllConfigs() const;
  // Configurations meeting the accuracy floor, and those of the best accuracy.
  void SplitByAccuracy(std::vector<int>* feasible, std::vector<int>* most_accurate) const;
  // Scans `candidates` (indices into configs_) for the requirement's best.
  Choice Best(const std::vector<int>& candidates, const LinkEstimate& uplink, double result_ms,
              bool fallback) const;

  JmdcRequirement requirement_;
  std::string name_;
  PreparedFor prepared_;
  std::vector<Config> configs_;
  std::vector<int> pareto_;    // candidates meeting the requirement's offline part
  std::vector<int> fallback_;  // candidates when nothing meets it
};

PolicyType JmdcType();

}  // namespace coinfer
