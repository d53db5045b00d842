// CNNPC (end device → edge → cloud, two cuts, communication-driven channel
// pruning) as a policy, on the three-tier topology:
//   cnnpc@accuracy=A0        minimise predicted latency s.t. accuracy ≥ A0
//   cnnpc@latency=T0         maximise accuracy s.t. predicted latency ≤ T0 ms
//   cnnpc@latency=auto:x     T0 = minT + x·(maxT − minT) at the current links
// The search is policies/cnnpc_search.h; its latency model takes the
// segments from the three sites' device models and T_C from each link's
// estimate (end → edge, edge → cloud), so as the estimates move each request
// is planned again from the offline table.
//
// Choices where the paper is open (docs/policies.md):
//   - Cuts (`cuts`): CNNPC cuts at block boundaries; by default coinfer takes
//     of each run of consecutive split points whose tensors are equally big
//     the last (the end of a block, after its activation and pooling), e.g.
//     small_resnet 10:19:28:30; or the split indices given, colon-separated.
//   - Rates: the grid 0, s, 2s, ... below 1 (`rate_step`, default 1/8; the
//     reference uses m/C per channel count C, too many probes to measure).
//   - Tensors go as 8-bit (CNNPC's T_C is 1 byte per element): codec quant:8
//     at rate 0, prune:R,quant:8 otherwise; their bytes in the model are the
//     measured quant:8 mean × (1 − R) (CNNPC's), the transfers send each
//     sample's measured bytes.
//   - Accuracy is measured with every codec a plan sends: one tensor, the
//     catalog's entry; two, a two-cut probe (MeasuredCompression::pairs),
//     captured on the run's test samples and as many validation samples.
//     The search compares plans by their validation accuracy; requests are
//     scored on test samples.
//   - A model without trained weights (the ImageNet-shape zoo) has sizes but
//     no accuracy: the plans send unpruned 8-bit tensors (rate 0 only), the
//     two cuts chosen for latency, and requirement_met is NULL.
//   - The fixed overheads (`overhead_ms`, default 0.53 + 1.13 as in the
//     reference code) are added to every prediction; the engine simulates
//     the real costs, so they only shift predictions (and a fixed T0).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policies/cnnpc_search.h"
#include "policies/policy_type.h"

namespace coinfer {

class CnnpcPolicy : public Policy {
 public:
  struct Options {
    CnnpcSearch::Requirement requirement;
    double rate_step = 0.125;
    std::vector<int> cuts;  // split indices; empty: block boundaries
    double overhead_ms = 1.66;
  };

  CnnpcPolicy(Options options, std::string name);
  std::string name() const override { return name_; }
  bool NeedsEdge() const override { return true; }
  std::vector<std::string> RequiredCodecs() const override;
  Status CheckModel(const Graph& graph) const override;
  void Prepare(const Observation& observation) override;
  Plan Decide(const Observation& observation) override;

  const CnnpcSearch& search() const { return *search_; }
  // The codec a tensor pruned at `rate` goes with (canonical text).
  static std::string RateCodec(double rate);
  // CNNPC's default cuts for `graph` (split indices).
  static std::vector<int> BlockBoundaries(const Graph& graph);

 private:
  std::vector<double> Rates() const;

  Options options_;
  std::string name_;
  PreparedFor prepared_;
  std::unique_ptr<CnnpcSearch> search_;
  std::vector<int> rate_codec_;  // per rate: index into MeasuredCompression::codecs
  std::vector<int> split_of_;    // per boundary < B: index into graph.SplitPoints()
  SiteId edge_ = kNoSite;
};

PolicyType CnnpcType();

}  // namespace coinfer
