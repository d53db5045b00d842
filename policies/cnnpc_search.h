// CNNPC's search (end → edge → cloud, two cuts, communication-driven channel
// pruning), independent of the simulator: the tiers' segment times and the
// cut tensors' sizes in, the table of plans out, and per request the plan for
// the two links' current rates.
//
// Plans. A model is cut at block boundaries 0..B (boundary k: the tensor
// entering segment k; B: after the last). A point (i, j, r1, r2), i ≤ j:
// segments [0, i) on the end device, [i, j) on the edge, [j, B) in the cloud;
// the end device sends boundary i's tensor with the fraction r1 of its
// channels pruned, the edge sends boundary j's with r2 pruned.
//   - i = j < B skips the edge: the tensor is relayed and crosses both links
//     (pruned once, r2 = r1);
//   - i = 0 sends the input (never pruned); j = B keeps the rest on the edge;
//     i = j = B is the end device alone.
// Latency (CNNPC's model, the reference code's get_T): the segments on each
// tier + T_C1(i)·(1 − r1) + T_C2(j)·(1 − r2) + fixed overheads, where T_C is
// the tensor's bytes over that link's rate; coinfer adds the result's way
// back to the end device (from the edge when j = B, from the cloud
// otherwise), which the reference does not count. Every plan of the
// reference is one of these points with the same latency, except the cloud
// alone: the reference charges only the edge → cloud link for the input,
// coinfer charges both links it crosses.
//
// Modes.
//   - Accuracy (A0): minimise latency s.t. accuracy ≥ A0. For each (i, j) the
//     highest rates meeting A0 are found by bisection over the rate grid
//     (accuracy assumed non-increasing in each rate): with two free rates,
//     for each r1 the highest r2 (never above the previous r1's), keeping
//     the Pareto-maximal pairs. Latency falls as rates rise, so the best plan
//     at any link rates is among them: the table is exact. Nothing feasible:
//     the plans without pruning, flagged as missing the requirement.
//   - Latency (T0): maximise accuracy s.t. latency ≤ T0 (or T0 = minT +
//     x·(maxT − minT) at the current link rates, the paper's setting, minT
//     over every plan at the highest rates, maxT over the plans without
//     pruning). Which rates meet T0 depends on the links, so every grid point
//     is measured. Nothing within T0: the fastest plan, flagged.
// Ties: lower latency, then higher accuracy, then the earlier point.
// Accuracy is a callback (a measured probe: prune, run the images, count);
// each distinct set of tensors sent (boundary and rate) is probed once here,
// so a point is measured with every codec it sends, not only its pruning.
// A probe that breaks the monotonicity is counted, and bisection only ever
// returns points measured to meet A0.
#pragma once

#include <functional>
#include <map>
#include <utility>
#include <vector>

namespace coinfer {

struct CnnpcTiers {
  // Segment k is layers [boundaries[k], boundaries[k + 1]); boundaries[0] = 0.
  std::vector<int> boundaries;
  std::vector<double> end_ms, edge_ms, cloud_ms;  // per segment, on each tier
  std::vector<double> bytes;  // per boundary k < B: the tensor entering segment k, unpruned
  double overhead_ms = 0;     // added to every plan (the reference: 0.53 + 1.13 ms)
  // A tier's fixed cost per task, paid once when it computes anything
  // (end, edge, cloud; DeviceModel::task_overhead_ms).
  std::vector<double> task_ms = {0, 0, 0};

  int segments() const { return static_cast<int>(end_ms.size()); }
};

struct CnnpcPoint {
  int i = 0, j = 0;    // boundaries, 0 ≤ i ≤ j ≤ B
  int r1 = 0, r2 = 0;  // indices into the rate grid
  bool operator==(const CnnpcPoint& o) const {
    return i == o.i && j == o.j && r1 == o.r1 && r2 == o.r2;
  }
};

// What the two links and the way back cost now.
struct CnnpcLinks {
  double end_edge_mbps = 0, edge_cloud_mbps = 0;
  double edge_back_ms = 0, cloud_back_ms = 0;  // the result's way back from each
};

// A point priced: latency = compute_ms + bytes1 over end → edge + bytes2
// over edge → cloud + the way back from `back` (0: none, 1: edge, 2: cloud).
struct CnnpcPlan {
  CnnpcPoint point;
  double compute_ms = 0;  // the segments and the overheads
  double bytes1 = 0, bytes2 = 0;
  int back = 0;
  double accuracy = 0;
};

class CnnpcSearch {
 public:
  enum class Mode { kAccuracy, kLatency };
  struct Requirement {
    Mode mode = Mode::kAccuracy;
    double value = 0;           // A0 (a fraction) or T0 (ms)
    double auto_fraction = -1;  // latency mode, >= 0: T0 = minT + x·(maxT − minT)
  };
  using Accuracy = std::function<double(const CnnpcPoint&)>;
  struct Choice {
    CnnpcPlan plan;
    double latency_ms = 0;
    bool requirement_met = false;
  };

  // `rates`: the grid, ascending, rates[0] = 0.
  CnnpcSearch(CnnpcTiers tiers, std::vector<double> rates, Requirement requirement);

  // Builds the table, probing `accuracy` where the search needs it.
  void Prepare(const Accuracy& accuracy);
  // The table's plan at the current links (what a request gets).
  Choice Choose(const CnnpcLinks& links) const;
  // The reference: every point of the grid, each measured.
  Choice ChooseExhaustive(const CnnpcLinks& links, const Accuracy& accuracy) const;

  // Every valid point of the grid, in order (i, j, r1, r2).
  std::vector<CnnpcPoint> AllPoints() const;
  CnnpcPlan Price(const CnnpcPoint& p) const;
  // The tensors a point sends, in order: (boundary, rate index) each; a
  // point's accuracy depends on these alone.
  std::vector<std::pair<int, int>> Sent(const CnnpcPoint& p) const;
  double LatencyMs(const CnnpcPlan& plan, const CnnpcLinks& links) const;
  // The latency budget at these links (T0 mode; after Prepare).
  double BudgetMs(const CnnpcLinks& links) const;

  const CnnpcTiers& tiers() const { return tiers_; }
  const std::vector<double>& rates() const { return rates_; }
  const std::vector<CnnpcPlan>& table() const { return table_; }
  int probes() const { return static_cast<int>(measured_.size()); }
  int monotonicity_violations() const { return violations_; }

 private:
  int B() const { return tiers_.segments(); }
  // Whether boundary i's rate is free in (i, j), and j's.
  bool FirstFree(int i) const { return i > 0 && i < B(); }
  bool SecondFree(int i, int j) const { return i < j && j < B(); }
  CnnpcPoint Normal(int i, int j, int r1, int r2) const;
  double Measure(const CnnpcPoint& p, const Accuracy& accuracy);
  // The highest index in [0, hi] whose point meets A0 (point(0) does), by bisection.
  int HighestFeasible(int hi, const std::function<CnnpcPoint(int)>& point,
                      const Accuracy& accuracy);
  Choice Best(const std::vector<CnnpcPlan>& plans, const CnnpcLinks& links, bool fallback) const;

  CnnpcTiers tiers_;
  std::vector<double> rates_;
  Requirement requirement_;
  std::vector<CnnpcPlan> table_;
  // Every plan at the highest rates, and every unpruned one: minT and maxT.
  std::vector<CnnpcPlan> highest_, unpruned_;
  bool table_meets_ = true;                                      // false: the table is the fallback
  std::map<std::vector<std::pair<int, int>>, double> measured_;  // by Sent()
  int violations_ = 0;
};

}  // namespace coinfer
