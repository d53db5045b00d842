#include "policies/cic.h"

#include <algorithm>

namespace coinfer {
namespace {

// Relative tolerance for "the same line" and "no cheaper cut".
constexpr double kTolerance = 1e-9;

bool SameLine(const Partition& a, const Partition& b) {
  return a.bytes == b.bytes &&
         std::abs(a.compute_ms - b.compute_ms) <= kTolerance * std::max(1.0, a.compute_ms);
}

}  // namespace

void CicPolicy::Envelope(double lo, const Partition& at_lo, double hi, const Partition& at_hi) {
  if (SameLine(at_lo, at_hi) || at_lo.bytes == at_hi.bytes) return;
  // Where the two lines cross (at_lo sends more bytes and computes less).
  const double cross = (at_hi.compute_ms - at_lo.compute_ms) / double(at_lo.bytes - at_hi.bytes);
  const Partition at_cross = MinCutPartition(*prepared_.graph, times_, cross, 0);
  const double line = at_lo.CostMs(cross);
  if (at_cross.CostMs(cross) >= line - kTolerance * std::max(1.0, line)) {
    pieces_.push_back({cross, at_hi, {}});  // a breakpoint: at_hi takes over from here
    return;
  }
  Envelope(lo, at_lo, cross, at_cross);
  Envelope(cross, at_cross, hi, at_hi);
}

void CicPolicy::Prepare(const Observation& obs) {
  prepared_ = PreparedFor::Of(obs);
  end_cores_ = obs.end_device().cores();
  cloud_cores_ = obs.cloud_device().cores();
  times_ = LayerTimes::Of(obs);
  pieces_.clear();
  const double lo = MsPerByte(1e6), hi = MsPerByte(1e-4);
  const Partition at_lo = MinCutPartition(*prepared_.graph, times_, lo, 0);
  const Partition at_hi = MinCutPartition(*prepared_.graph, times_, hi, 0);
  pieces_.push_back({0, at_lo, {}});
  Envelope(lo, at_lo, hi, at_hi);
  std::sort(pieces_.begin() + 1, pieces_.end(),
            [](const Piece& a, const Piece& b) { return a.from_ms_per_byte < b.from_ms_per_byte; });
  breakpoints_.clear();
  for (size_t i = 1; i < pieces_.size(); ++i) breakpoints_.push_back(pieces_[i].from_ms_per_byte);
  for (Piece& p : pieces_) p.plan = MakePartitionPlan(obs, p.partition);
  device_only_.partition =
      MakePartition(*prepared_.graph, times_, std::vector<bool>(prepared_.graph->size(), true));
  device_only_.plan = MakePartitionPlan(obs, device_only_.partition);
  cloud_only_.partition =
      MakePartition(*prepared_.graph, times_, std::vector<bool>(prepared_.graph->size(), false));
  cloud_only_.plan = MakePartitionPlan(obs, cloud_only_.partition);
  candidates_.clear();
  if (!load_aware_) return;
  candidates_ = pieces_;
  const Graph& g = *prepared_.graph;
  for (const SplitPoint& point : g.SplitPoints()) {
    std::vector<bool> on_device(g.size(), false);
    std::fill(on_device.begin(), on_device.begin() + point.index, true);
    Partition partition = MakePartition(g, times_, std::move(on_device));
    Plan plan = MakePartitionPlan(obs, partition);
    candidates_.push_back({0, std::move(partition), std::move(plan)});
  }
}

const CicPolicy::Piece& CicPolicy::PieceFor(double price, bool busy, double fixed_ms) const {
  if (!load_aware_ || !busy)
    return pieces_[std::upper_bound(breakpoints_.begin(), breakpoints_.end(), price) -
                   breakpoints_.begin()];
  const Piece* best = &candidates_[0];
  for (const Piece& c : candidates_) {
    const double b = BottleneckMs(c.partition, price, end_cores_, cloud_cores_);
    const double best_b = BottleneckMs(best->partition, price, end_cores_, cloud_cores_);
    if (b < best_b || (b == best_b && c.partition.TotalMs(price, fixed_ms) <
                                          best->partition.TotalMs(price, fixed_ms)))
      best = &c;
  }
  return *best;
}

Plan CicPolicy::Decide(const Observation& obs) {
  if (!prepared_.Matches(obs)) Prepare(obs);
  const double price = MsPerByte(obs.uplink_estimate_mbps);
  const bool busy = obs.queue[obs.end] > 0;
  const double fixed_ms = OffloadFixedMs(obs);
  const Piece* piece = &PieceFor(price, busy, fixed_ms);
  // The envelope's piece is the cheapest partition; the fixed part
  // (OffloadFixedMs) adds the same to every one that offloads, so only
  // running everything on the device can beat it then.
  if (!(load_aware_ && busy)) {
    if (device_only_.partition.TotalMs(price, fixed_ms) < piece->partition.TotalMs(price, fixed_ms))
      piece = &device_only_;
    if (&WithEndDeviceWait(piece->partition, cloud_only_.partition, price, fixed_ms,
                           obs.WaitMs(obs.end)) == &cloud_only_.partition)
      piece = &cloud_only_;
  }
  // The piece's plan, with its transfers priced at the links' estimates.
  Plan plan = piece->plan;
  for (Stage& s : plan.stages)
    if (s.kind == Stage::Kind::kTransfer) s.predicted_ms = obs.TransferMs(s.site, s.to, s.bytes);
  PredictQueueWaits(obs, &plan);
  return plan;
}

PolicyType CicType() {
  return {"cic",
          "DADS's minimum cut from an offline splitting model, decided in O(log pieces)",
          {{"mode", "latency|throughput", "latency",
            "throughput: when the end device is busy, the cut whose slowest pipeline stage is "
            "shortest"}},
          [](const PolicyArgs& args, std::unique_ptr<Policy>* out) {
            std::string mode;
            COINFER_RETURN_IF_ERROR(args.Choice("mode", {"latency", "throughput"}, &mode));
            *out = std::make_unique<CicPolicy>(mode == "throughput");
            return Status::Ok();
          }};
}

}  // namespace coinfer
