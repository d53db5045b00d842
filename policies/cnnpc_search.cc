#include "policies/cnnpc_search.h"

#include <algorithm>
#include <limits>

namespace coinfer {
namespace {

double TransferMs(double bytes, double mbps) { return bytes > 0 ? bytes * 8.0 / (mbps * 1e3) : 0; }

}  // namespace

CnnpcSearch::CnnpcSearch(CnnpcTiers tiers, std::vector<double> rates, Requirement requirement)
    : tiers_(std::move(tiers)), rates_(std::move(rates)), requirement_(requirement) {}

CnnpcPoint CnnpcSearch::Normal(int i, int j, int r1, int r2) const {
  if (!FirstFree(i)) r1 = 0;
  if (i == j)
    r2 = r1;
  else if (!SecondFree(i, j))
    r2 = 0;
  return {i, j, r1, r2};
}

std::vector<CnnpcPoint> CnnpcSearch::AllPoints() const {
  const int n = static_cast<int>(rates_.size());
  std::vector<CnnpcPoint> points;
  for (int i = 0; i <= B(); ++i)
    for (int j = i; j <= B(); ++j)
      for (int r1 = 0; r1 < (FirstFree(i) ? n : 1); ++r1)
        for (int r2 = 0; r2 < (SecondFree(i, j) ? n : 1); ++r2)
          points.push_back(Normal(i, j, r1, r2));
  return points;
}

CnnpcPlan CnnpcSearch::Price(const CnnpcPoint& p) const {
  CnnpcPlan plan;
  plan.point = p;
  plan.compute_ms = tiers_.overhead_ms;
  if (p.i > 0) plan.compute_ms += tiers_.task_ms[0];
  if (p.j > p.i) plan.compute_ms += tiers_.task_ms[1];
  if (p.j < B()) plan.compute_ms += tiers_.task_ms[2];
  for (int k = 0; k < B(); ++k)
    plan.compute_ms += k < p.i   ? tiers_.end_ms[k]
                       : k < p.j ? tiers_.edge_ms[k]
                                 : tiers_.cloud_ms[k];
  if (p.i < B()) plan.bytes1 = tiers_.bytes[p.i] * (1 - rates_[p.r1]);
  if (p.j < B()) plan.bytes2 = tiers_.bytes[p.j] * (1 - rates_[p.r2]);
  plan.back = p.i == B() ? 0 : p.j == B() ? 1 : 2;
  return plan;
}

double CnnpcSearch::LatencyMs(const CnnpcPlan& plan, const CnnpcLinks& links) const {
  const double back = plan.back == 1   ? links.edge_back_ms
                      : plan.back == 2 ? links.cloud_back_ms
                                       : 0;
  return plan.compute_ms + TransferMs(plan.bytes1, links.end_edge_mbps) +
         TransferMs(plan.bytes2, links.edge_cloud_mbps) + back;
}

std::vector<std::pair<int, int>> CnnpcSearch::Sent(const CnnpcPoint& p) const {
  std::vector<std::pair<int, int>> sent;
  if (p.i < B()) sent.emplace_back(p.i, p.r1);
  if (p.j < B() && p.j != p.i) sent.emplace_back(p.j, p.r2);
  return sent;
}

double CnnpcSearch::Measure(const CnnpcPoint& p, const Accuracy& accuracy) {
  const std::vector<std::pair<int, int>> key = Sent(p);
  auto it = measured_.find(key);
  if (it == measured_.end()) it = measured_.emplace(key, accuracy(p)).first;
  return it->second;
}

int CnnpcSearch::HighestFeasible(int hi, const std::function<CnnpcPoint(int)>& point,
                                 const Accuracy& accuracy) {
  const double floor = requirement_.value;
  std::vector<std::pair<int, double>> probed = {{0, Measure(point(0), accuracy)}};
  int lo = 0;  // feasible
  auto probe = [&](int k) {
    probed.emplace_back(k, Measure(point(k), accuracy));
    return probed.back().second >= floor;
  };
  if (hi > 0 && probe(hi)) lo = hi;
  while (hi - lo > 1) {  // lo feasible, hi not
    const int mid = (lo + hi) / 2;
    (probe(mid) ? lo : hi) = mid;
  }
  for (const auto& [k, a] : probed)
    for (const auto& [k2, a2] : probed) violations_ += k < k2 && a < a2;
  return lo;
}

void CnnpcSearch::Prepare(const Accuracy& accuracy) {
  table_.clear();
  measured_.clear();
  violations_ = 0;
  const int top = static_cast<int>(rates_.size()) - 1;
  highest_.clear();
  unpruned_.clear();
  for (const CnnpcPoint& p : AllPoints()) {
    if (p == Normal(p.i, p.j, top, top)) highest_.push_back(Price(p));
    if (p.r1 == 0 && p.r2 == 0) unpruned_.push_back(Price(p));
  }
  auto add = [&](const CnnpcPoint& p) {
    CnnpcPlan plan = Price(p);
    plan.accuracy = Measure(p, accuracy);
    table_.push_back(plan);
  };
  if (requirement_.mode == Mode::kLatency) {
    for (const CnnpcPoint& p : AllPoints()) add(p);
    // The measured data against the assumption: a higher rate, higher
    // accuracy, within each (i, j) (the table is grouped by it).
    for (size_t begin = 0, end = 0; begin < table_.size(); begin = end) {
      const CnnpcPoint& first = table_[begin].point;
      while (end < table_.size() && table_[end].point.i == first.i &&
             table_[end].point.j == first.j)
        ++end;
      for (size_t a = begin; a < end; ++a)
        for (size_t b = begin; b < end; ++b)
          violations_ += a != b && table_[a].point.r1 <= table_[b].point.r1 &&
                         table_[a].point.r2 <= table_[b].point.r2 &&
                         table_[a].accuracy < table_[b].accuracy;
    }
    table_meets_ = true;
    return;
  }
  const double floor = requirement_.value;
  for (int i = 0; i <= B(); ++i) {
    for (int j = i; j <= B(); ++j) {
      if (Measure(Normal(i, j, 0, 0), accuracy) < floor) continue;
      if (!FirstFree(i) && !SecondFree(i, j)) {
        add(Normal(i, j, 0, 0));
      } else if (!SecondFree(i, j) || !FirstFree(i)) {
        const bool first = FirstFree(i);
        const int k = HighestFeasible(
            top, [&](int r) { return first ? Normal(i, j, r, 0) : Normal(i, j, 0, r); }, accuracy);
        add(first ? Normal(i, j, k, 0) : Normal(i, j, 0, k));
      } else {  // two free rates: the staircase of the highest r2 for each r1
        int hi = top, last_r2 = -1;
        std::vector<CnnpcPoint> stairs;
        for (int r1 = 0; r1 <= top; ++r1) {
          if (Measure(Normal(i, j, r1, 0), accuracy) < floor) break;
          const int r2 = HighestFeasible(
              hi, [&](int r) { return Normal(i, j, r1, r); }, accuracy);
          if (!stairs.empty() && r2 == last_r2) stairs.pop_back();  // dominated by (r1, r2)
          stairs.push_back(Normal(i, j, r1, r2));
          last_r2 = hi = r2;
        }
        for (const CnnpcPoint& p : stairs) add(p);
      }
    }
  }
  table_meets_ = !table_.empty();
  if (!table_meets_)
    for (const CnnpcPoint& p : AllPoints())
      if (p.r1 == 0 && p.r2 == 0) add(p);
}

double CnnpcSearch::BudgetMs(const CnnpcLinks& links) const {
  if (requirement_.auto_fraction < 0) return requirement_.value;
  double min_t = std::numeric_limits<double>::infinity(), max_t = min_t;
  for (const CnnpcPlan& plan : highest_) min_t = std::min(min_t, LatencyMs(plan, links));
  for (const CnnpcPlan& plan : unpruned_) max_t = std::min(max_t, LatencyMs(plan, links));
  return min_t + requirement_.auto_fraction * (max_t - min_t);
}

CnnpcSearch::Choice CnnpcSearch::Best(const std::vector<CnnpcPlan>& plans, const CnnpcLinks& links,
                                      bool fallback) const {
  const bool budget = requirement_.mode == Mode::kLatency && !fallback;
  const double t0 = budget ? BudgetMs(links) : 0;
  Choice best;
  bool found = false;
  for (const CnnpcPlan& plan : plans) {
    const double ms = LatencyMs(plan, links);
    if (budget && ms > t0) continue;
    bool better = !found;
    if (found) {
      const double acc = plan.accuracy, best_acc = best.plan.accuracy;
      better = budget ? acc > best_acc || (acc == best_acc && ms < best.latency_ms)
                      : ms < best.latency_ms || (ms == best.latency_ms && acc > best_acc);
    }
    if (better) {
      best = {plan, ms, !fallback};
      found = true;
    }
  }
  return best;
}

CnnpcSearch::Choice CnnpcSearch::Choose(const CnnpcLinks& links) const {
  if (requirement_.mode == Mode::kAccuracy) return Best(table_, links, !table_meets_);
  Choice c = Best(table_, links, false);
  return c.requirement_met ? c : Best(table_, links, true);
}

CnnpcSearch::Choice CnnpcSearch::ChooseExhaustive(const CnnpcLinks& links,
                                                  const Accuracy& accuracy) const {
  std::vector<CnnpcPlan> all;
  for (const CnnpcPoint& p : AllPoints()) {
    all.push_back(Price(p));
    all.back().accuracy = accuracy(p);
  }
  if (requirement_.mode == Mode::kLatency) {
    Choice c = Best(all, links, false);
    return c.requirement_met ? c : Best(all, links, true);
  }
  std::vector<CnnpcPlan> feasible, unpruned;
  for (const CnnpcPlan& plan : all) {
    if (plan.accuracy >= requirement_.value) feasible.push_back(plan);
    if (plan.point.r1 == 0 && plan.point.r2 == 0) unpruned.push_back(plan);
  }
  return feasible.empty() ? Best(unpruned, links, true) : Best(feasible, links, false);
}

}  // namespace coinfer
