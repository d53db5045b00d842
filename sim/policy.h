// Policy: a partition strategy. sim/ knows policies only through this
// interface; policies/ implements them and registers them by name.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "sim/observation.h"
#include "sim/plan.h"

namespace coinfer {

// What a policy's offline work was done for: the graph, the sites' devices
// and the measured compression.
// A policy keeps one and redoes Prepare when a decision's observation differs
// (a policy used outside the engine, which calls Prepare itself).
struct PreparedFor {
  const Graph* graph = nullptr;
  std::vector<const DeviceModel*> devices;  // per site
  const MeasuredCompression* compression = nullptr;

  static PreparedFor Of(const Observation& o) {
    PreparedFor p{o.graph, {}, o.compression};
    for (const Site& s : o.sites) p.devices.push_back(s.device);
    return p;
  }
  bool Matches(const Observation& o) const {
    if (o.graph != graph || o.compression != compression || o.sites.size() != devices.size())
      return false;
    for (size_t i = 0; i < devices.size(); ++i)
      if (o.sites[i].device != devices[i]) return false;
    return true;
  }
};

// What a policy knows of the devices' compute times: the profiled times the
// engine charges (measured rows first, then the regression), or only the
// device's per-layer regression (Neurosurgeon's, DADS's and CIC's papers
// predict with per-layer-type regressions).
enum class DeviceKnowledge { kOracle, kRegression };

class Policy {
 public:
  virtual ~Policy() = default;
  Policy() = default;
  Policy(const Policy&) = delete;
  Policy& operator=(const Policy&) = delete;

  virtual std::string name() const = 0;
  // What the policy's paper knows of the devices (policy.knowledge = paper).
  virtual DeviceKnowledge PaperKnowledge() const { return DeviceKnowledge::kOracle; }
  // Whether the policy needs measured compression (catalog accuracy) in its
  // observations; the command refuses such a policy without it.
  virtual bool NeedsMeasuredCompression() const { return false; }
  // Whether the policy weighs the end device's energy; the command refuses
  // such a policy when the end device has no power figures.
  virtual bool NeedsEndDevicePower() const { return false; }
  // Whether the policy offloads to the cloud; the command refuses such a
  // policy on a topology without one.
  virtual bool NeedsCloud() const { return true; }
  // Whether the policy computes on an edge server; the command refuses such
  // a policy on a topology without one.
  virtual bool NeedsEdge() const { return false; }
  // Whether the policy spreads work over a cluster's devices; the command
  // refuses such a policy on a topology without them.
  virtual bool NeedsCluster() const { return false; }
  // Codecs (canonical text) the policy plans with besides the scenario's:
  // the run measures them too, at every split point, and appends them to
  // MeasuredCompression::codecs.
  virtual std::vector<std::string> RequiredCodecs() const { return {}; }
  // Whether the policy's parameters fit the run's model (e.g. named split
  // points exist); the run refuses it otherwise, as bad input.
  virtual Status CheckModel(const Graph& graph) const {
    (void)graph;
    return Status::Ok();
  }
  // Offline work, once per run before the first request (tables, compressed
  // models), from what is known without the network: the graph and devices
  // (the observation's bandwidth and queues are not meaningful here).
  virtual void Prepare(const Observation& observation) { (void)observation; }
  // Decides one request. Called on the simulation thread only; must not
  // block. The returned plan's stages reference layers of observation.graph.
  virtual Plan Decide(const Observation& observation) = 0;
};

// The plan of a single cut at `split` (an index into graph.SplitPoints()):
// compute [0, k) on the end device, send the crossing tensor, compute [k, n)
// in the cloud and send the result back; empty stages are left out.
// Predicted times use the device models, each link's estimate
// (Observation::TransferMs) and the sites' queues (PredictQueueWaits).
Plan MakeSplitPlan(const Observation& observation, int split);
// The same plan's stages before FinishPlan, for a policy that adjusts them
// (a variant's graph, a codec's bytes).
Plan SplitPlanStages(const Observation& observation, int split);
// Finishes a plan a policy built: its codec stages (InsertCodecStages), the
// result's way back (EndWithResult), then its predicted waits and latency
// (PredictQueueWaits).
void FinishPlan(const Observation& observation, Plan* plan);

// Where a stage's output is once it is done: its site, or a transfer's receiver.
SiteId EndsAt(const Stage& stage);
// The result's way back (Stage::result): `bytes` from `from` to the end
// device after stage `after`, predicted at that link's estimate.
Stage ResultReturn(const Observation& observation, SiteId from, int after, int64_t bytes);
// Appends the result's way back when the plan's last stage ends away from
// the end device. The engine adds it to a plan that lacks it, unpredicted.
void EndWithResult(const Observation& observation, Plan* plan);
// Gives each compute stage the wait it is predicted to meet for a core of its
// site (Observation::WaitMs when its dependencies are predicted done) and
// sets the plan's predicted latency to its critical path, waits included.
void PredictQueueWaits(const Observation& observation, Plan* plan);

}  // namespace coinfer
