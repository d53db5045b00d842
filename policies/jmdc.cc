#include "policies/jmdc.h"

#include <algorithm>
#include <stdexcept>

#include "base/parse.h"
#include "sim/codec_stages.h"

namespace coinfer {
namespace {

// Whether a is at least as good as b on compute and bytes (and accuracy when
// asked) and strictly better on one of them.
bool Dominates(const JmdcPolicy::Config& a, const JmdcPolicy::Config& b, bool with_accuracy) {
  const bool no_worse = a.compute_ms <= b.compute_ms && a.bytes <= b.bytes &&
                        (!with_accuracy || a.accuracy >= b.accuracy);
  const bool better = a.compute_ms < b.compute_ms || a.bytes < b.bytes ||
                      (with_accuracy && a.accuracy > b.accuracy);
  return no_worse && better;
}

std::vector<int> ParetoSet(const std::vector<JmdcPolicy::Config>& configs,
                           const std::vector<int>& candidates, bool with_accuracy) {
  std::vector<int> kept;
  for (int i : candidates) {
    bool dominated = false;
    for (int j : candidates)
      dominated = dominated || Dominates(configs[j], configs[i], with_accuracy);
    if (!dominated) kept.push_back(i);
  }
  return kept;
}

}  // namespace

void JmdcPolicy::Prepare(const Observation& obs) {
  prepared_ = PreparedFor::Of(obs);
  configs_.clear();
  pareto_.clear();
  fallback_.clear();
  const MeasuredCompression* m = obs.compression;
  if (!m || !m->measured()) return;
  // Device time of layers [0, k) plus cloud time of the rest, on graph g.
  auto compute_ms_at = [&obs](const Graph& g, int k) {
    return obs.ComputeMs(obs.end, obs.end_device().TaskLatencyMs(g, 0, k)) +
           obs.ComputeMs(obs.cloud, obs.cloud_device().TaskLatencyMs(g, k, g.size()));
  };
  // Encoding on the device and decoding in the cloud are compute too.
  auto codec_ms = [&obs](const CatalogEntry& e) { return CodecMs(obs, e, obs.end, obs.cloud); };
  const Graph& g = *obs.graph;
  const std::vector<SplitPoint> points = g.SplitPoints();
  for (size_t k = 0; k < points.size(); ++k) {
    const double compute_ms = compute_ms_at(g, points[k].index);
    if (points[k].index == g.size()) {  // device-only: the plain model, nothing sent
      configs_.push_back(
          {static_cast<int>(k), 0, -1, compute_ms, 0, m->PlainValidationAccuracy(), false});
      continue;
    }
    for (int c = 0; c < m->MenuSize(); ++c) {
      const CatalogEntry* e = m->Find(c, points[k].index);
      configs_.push_back({static_cast<int>(k), c, -1, compute_ms + codec_ms(*e), e->MeanBytes(),
                          e->ValidationAccuracy()});
    }
  }
  for (size_t v = 0; v < m->variants.size(); ++v) {
    const ModelVariant& variant = m->variants[v];
    const std::vector<SplitPoint> vpoints = variant.graph.SplitPoints();
    for (size_t k = 0; k < vpoints.size(); ++k) {
      if (vpoints[k].index != variant.split_index) continue;
      const double compute_ms = compute_ms_at(variant.graph, vpoints[k].index);
      for (size_t c = 0; c < variant.by_codec.size(); ++c) {
        const CatalogEntry& e = variant.by_codec[c];
        configs_.push_back({static_cast<int>(k), static_cast<int>(c), static_cast<int>(v),
                            compute_ms + codec_ms(e), e.MeanBytes(), e.ValidationAccuracy()});
      }
    }
  }
  if (requirement_.kind == JmdcRequirement::Kind::kAccuracy) {
    std::vector<int> feasible, most_accurate;
    SplitByAccuracy(&feasible, &most_accurate);
    pareto_ = ParetoSet(configs_, feasible, false);
    fallback_ = ParetoSet(configs_, most_accurate, false);
  } else {
    pareto_ = ParetoSet(configs_, AllConfigs(), true);
    fallback_ = pareto_;  // the fastest configuration is never pruned from it
  }
}

double JmdcPolicy::LatencyMs(const Config& c, const LinkEstimate& uplink, double result_ms) const {
  return c.compute_ms + (c.offloads ? PredictTransferMs(uplink, c.bytes) + result_ms : 0);
}

JmdcPolicy::Choice JmdcPolicy::Best(const std::vector<int>& candidates, const LinkEstimate& uplink,
                                    double result_ms, bool fallback) const {
  const bool within_budget = requirement_.kind == JmdcRequirement::Kind::kLatency && !fallback;
  Choice best;
  for (int i : candidates) {
    const double ms = LatencyMs(configs_[i], uplink, result_ms);
    if (within_budget && ms > requirement_.value) continue;
    bool better = best.config < 0;
    if (!better) {
      const Config& b = configs_[best.config];
      const double acc = configs_[i].accuracy;
      better = within_budget ? acc > b.accuracy || (acc == b.accuracy && ms < best.latency_ms)
                             : ms < best.latency_ms || (ms == best.latency_ms && acc > b.accuracy);
    }
    if (better) best = {i, ms, !fallback};
  }
  return best;  // candidates are in index order, so ties keep the earliest
}

JmdcPolicy::Choice JmdcPolicy::Choose(const LinkEstimate& uplink, double result_ms) const {
  Choice c = pareto_.empty() ? Choice() : Best(pareto_, uplink, result_ms, false);
  return c.config >= 0 ? c : Best(fallback_, uplink, result_ms, true);
}

std::vector<int> JmdcPolicy::AllConfigs() const {
  std::vector<int> all(configs_.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  return all;
}

void JmdcPolicy::SplitByAccuracy(std::vector<int>* feasible,
                                 std::vector<int>* most_accurate) const {
  double best_accuracy = 0;
  for (const Config& c : configs_) best_accuracy = std::max(best_accuracy, c.accuracy);
  for (int i : AllConfigs()) {
    if (configs_[i].accuracy >= requirement_.value) feasible->push_back(i);
    if (configs_[i].accuracy == best_accuracy) most_accurate->push_back(i);
  }
}

JmdcPolicy::Choice JmdcPolicy::ChooseExhaustive(const LinkEstimate& uplink,
                                                double result_ms) const {
  if (requirement_.kind == JmdcRequirement::Kind::kLatency) {
    const Choice c = Best(AllConfigs(), uplink, result_ms, false);
    return c.config >= 0 ? c : Best(AllConfigs(), uplink, result_ms, true);
  }
  std::vector<int> feasible, most_accurate;
  SplitByAccuracy(&feasible, &most_accurate);
  return feasible.empty() ? Best(most_accurate, uplink, result_ms, true)
                          : Best(feasible, uplink, result_ms, false);
}

Plan JmdcPolicy::Decide(const Observation& obs) {
  if (!prepared_.Matches(obs)) Prepare(obs);
  if (configs_.empty())
    throw std::logic_error(name_ + ": needs measured compression (compression.codec or .menu)");
  const Choice choice = Choose(obs.Link(obs.end, obs.cloud), obs.ResultReturnMs(obs.cloud));
  const Config& c = configs_[choice.config];
  Plan plan;
  if (c.variant < 0) {
    plan = SplitPlanStages(obs, c.split);
  } else {  // the variant's layers, timed on its graph
    const Graph* variant = &obs.compression->variants[c.variant].graph;
    Observation on_variant = obs;
    on_variant.graph = variant;
    plan = SplitPlanStages(on_variant, c.split);
    for (Stage& s : plan.stages)
      if (s.kind == Stage::Kind::kCompute) s.graph = variant;
    plan.variant = c.variant;
  }
  plan.codec = c.codec;
  plan.requirement_met = choice.requirement_met ? 1 : 0;
  // The transfer carries the chosen codec's mean bytes, not codec 0's.
  for (Stage& s : plan.stages) {
    if (s.kind == Stage::Kind::kTransfer) {
      s.bytes = static_cast<int64_t>(c.bytes + 0.5);
      s.predicted_ms = obs.TransferMs(obs.end, obs.cloud, c.bytes);
    }
  }
  FinishPlan(obs, &plan);
  return plan;
}

PolicyType JmdcType() {
  return {"jmdc",
          "split x codec x pruned variant per request from the compression catalog, under a "
          "requirement (exactly one of accuracy, latency); needs measured compression",
          {{"accuracy", "a fraction in [0, 1]", "",
            "the fastest configuration measured at least this top-1"},
           {"latency", "ms, > 0", "", "the most accurate configuration predicted within this"}},
          [](const PolicyArgs& args, std::unique_ptr<Policy>* out) {
            if (args.Has("accuracy") == args.Has("latency"))
              return args.Error("needs exactly one of accuracy=A or latency=T");
            JmdcRequirement r;
            if (args.Has("accuracy")) {
              r.kind = JmdcRequirement::Kind::kAccuracy;
              COINFER_RETURN_IF_ERROR(args.Number("accuracy", 0, 1, "in [0, 1]", &r.value));
            } else {
              r.kind = JmdcRequirement::Kind::kLatency;
              COINFER_RETURN_IF_ERROR(args.Number("latency", 1e-9, 1e300, "> 0 (ms)", &r.value));
            }
            *out = std::make_unique<JmdcPolicy>(r, args.spec());
            return Status::Ok();
          }};
}

}  // namespace coinfer
