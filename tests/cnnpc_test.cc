// CNNPC's search (policies/cnnpc_search.h) against an exhaustive search, a
// hand-computed latency and the properties the paper's model implies.
#include "policies/cnnpc_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace coinfer {
namespace {

const std::vector<double> kRates = {0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875};

// A random model over `segments` segments: the end device slow, the cloud
// fast, the edge between; tensors shrinking on the whole.
CnnpcTiers RandomTiers(std::mt19937& rng, int segments) {
  std::uniform_real_distribution<double> u(0.5, 2.0);
  CnnpcTiers t;
  double bytes = 150528;
  for (int k = 0; k < segments; ++k) {
    const double work = 20 * u(rng);
    t.end_ms.push_back(work);
    t.edge_ms.push_back(work / (4 * u(rng)));
    t.cloud_ms.push_back(work / (20 * u(rng)));
    t.bytes.push_back(bytes);
    bytes *= 0.3 + 0.6 * u(rng) / 2;
  }
  t.overhead_ms = 1.66;
  return t;
}

// Accuracy falling with each pruned cut's rate, at a per-cut sensitivity,
// plus an interaction: non-increasing in each rate.
CnnpcSearch::Accuracy MonotoneAccuracy(std::mt19937& rng, int segments) {
  std::uniform_real_distribution<double> u(0.05, 0.6);
  std::vector<double> sensitivity(segments);
  for (double& s : sensitivity) s = u(rng);
  return [sensitivity](const CnnpcPoint& p) {
    const double d1 = p.r1 > 0 ? sensitivity[p.i] * std::pow(kRates[p.r1], 2) : 0;
    const double d2 = p.r2 > 0 && p.j != p.i ? sensitivity[p.j] * std::pow(kRates[p.r2], 2) : 0;
    return 0.9 - d1 - d2 - 0.5 * d1 * d2;
  };
}

CnnpcLinks RandomLinks(std::mt19937& rng) {
  std::uniform_real_distribution<double> log_mbps(std::log(0.2), std::log(200.0));
  return {std::exp(log_mbps(rng)), std::exp(log_mbps(rng)), 2, 5};
}

TEST(CnnpcSearch, TheTableDecidesAsAnExhaustiveSearchAtAnyLinkRates) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 40; ++trial) {
    const int segments = 3 + trial % 4;
    const CnnpcTiers tiers = RandomTiers(rng, segments);
    const CnnpcSearch::Accuracy accuracy = MonotoneAccuracy(rng, segments);
    CnnpcSearch::Requirement req;
    if (trial % 3 == 0)
      req = {CnnpcSearch::Mode::kAccuracy, 0.75 + 0.2 * (trial % 7) / 6.0, -1};
    else if (trial % 3 == 1)
      req = {CnnpcSearch::Mode::kLatency, 20.0 + 10 * (trial % 5), -1};
    else
      req = {CnnpcSearch::Mode::kLatency, 0, 0.25 * (trial % 4)};
    CnnpcSearch search(tiers, kRates, req);
    search.Prepare(accuracy);
    EXPECT_EQ(search.monotonicity_violations(), 0);
    if (req.mode == CnnpcSearch::Mode::kAccuracy) {
      EXPECT_LT(search.probes(), static_cast<int>(search.AllPoints().size())) << trial;
    }
    for (int k = 0; k < 50; ++k) {
      const CnnpcLinks links = RandomLinks(rng);
      const auto table = search.Choose(links);
      const auto exhaustive = search.ChooseExhaustive(links, accuracy);
      EXPECT_EQ(table.latency_ms, exhaustive.latency_ms) << trial << " " << k;
      EXPECT_EQ(table.plan.accuracy, exhaustive.plan.accuracy) << trial << " " << k;
      EXPECT_EQ(table.requirement_met, exhaustive.requirement_met) << trial << " " << k;
    }
  }
}

// Two segments, written out: end 10 / 20, edge 4 / 6, cloud 1 / 2 ms;
// boundary 0 (the input) 1000 bytes, boundary 1 800 bytes.
TEST(CnnpcSearch, LatencyIsCnnpcsFormulaPlusTheWayBack) {
  CnnpcTiers t{{0, 5, 9}, {10, 20}, {4, 6}, {1, 2}, {1000, 800}, 1.66};
  CnnpcSearch s(t, {0, 0.5}, {CnnpcSearch::Mode::kAccuracy, 0, -1});
  const CnnpcLinks links{0.008, 0.004, 0.5, 0.7};  // 1 byte/ms and 0.5 byte/ms
  auto ms = [&](int i, int j, int r1, int r2) {
    return s.LatencyMs(s.Price({i, j, r1, r2}), links);
  };
  EXPECT_DOUBLE_EQ(ms(2, 2, 0, 0), 10 + 20 + 1.66);                               // end only
  EXPECT_DOUBLE_EQ(ms(1, 2, 1, 0), 10 + 6 + 800 * 0.5 / 1 + 1.66 + 0.5);          // end, edge
  EXPECT_DOUBLE_EQ(ms(1, 1, 1, 1), 10 + 2 + 400 / 1.0 + 400 / 0.5 + 1.66 + 0.7);  // relayed
  EXPECT_DOUBLE_EQ(ms(0, 1, 0, 1), 4 + 2 + 1000 + 400 / 0.5 + 1.66 + 0.7);        // edge, cloud
  EXPECT_DOUBLE_EQ(ms(0, 0, 0, 0), 1 + 2 + 1000 + 1000 / 0.5 + 1.66 + 0.7);       // cloud only
  // (i, j) = (0,0) (0,1)×2 rates (0,2) (1,1)×2 (1,2)×2 (2,2)
  EXPECT_EQ(s.AllPoints().size(), 9u);
  // Each tier that computes pays its per-task cost once.
  t.task_ms = {100, 200, 300};
  CnnpcSearch with_tasks(t, {0, 0.5}, {CnnpcSearch::Mode::kAccuracy, 0, -1});
  auto task_ms = [&](int i, int j) {
    return with_tasks.LatencyMs(with_tasks.Price({i, j, 0, 0}), links) - ms(i, j, 0, 0);
  };
  EXPECT_DOUBLE_EQ(task_ms(2, 2), 100);
  EXPECT_DOUBLE_EQ(task_ms(1, 2), 100 + 200);
  EXPECT_DOUBLE_EQ(task_ms(1, 1), 100 + 300);
  EXPECT_DOUBLE_EQ(task_ms(0, 1), 200 + 300);
  EXPECT_DOUBLE_EQ(task_ms(0, 0), 300);
}

// The bytes a plan sends over a link never grow as that link slows: a
// slower edge → cloud link moves the second cut later (a smaller tensor, or
// the edge keeps the rest) or prunes it more.
TEST(CnnpcSearch, ASlowerSecondLinkNeverSendsMoreOverIt) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 30; ++trial) {
    const int segments = 3 + trial % 4;
    const CnnpcTiers tiers = RandomTiers(rng, segments);
    CnnpcSearch search(tiers, kRates, {CnnpcSearch::Mode::kAccuracy, 0.8, -1});
    search.Prepare(MonotoneAccuracy(rng, segments));
    CnnpcLinks links = RandomLinks(rng);
    double last = std::numeric_limits<double>::infinity();
    for (double mbps : {100.0, 30.0, 10.0, 5.0, 1.0, 0.3}) {
      links.edge_cloud_mbps = mbps;
      const double sent = search.Choose(links).plan.bytes2;
      EXPECT_LE(sent, last) << trial << " at " << mbps;
      last = sent;
    }
  }
}

// A higher floor never gives a less accurate plan.
TEST(CnnpcSearch, AHigherAccuracyFloorNeverLowersAccuracy) {
  std::mt19937 rng(9);
  for (int trial = 0; trial < 20; ++trial) {
    const int segments = 3 + trial % 4;
    const CnnpcTiers tiers = RandomTiers(rng, segments);
    const CnnpcSearch::Accuracy accuracy = MonotoneAccuracy(rng, segments);
    const CnnpcLinks links = RandomLinks(rng);
    double last = 0;
    for (double a0 : {0.5, 0.6, 0.7, 0.8, 0.85, 0.88, 0.9}) {
      CnnpcSearch search(tiers, kRates, {CnnpcSearch::Mode::kAccuracy, a0, -1});
      search.Prepare(accuracy);
      const auto c = search.Choose(links);
      EXPECT_TRUE(c.requirement_met);
      EXPECT_GE(c.plan.accuracy, a0);
      EXPECT_GE(c.plan.accuracy, last) << trial << " at " << a0;
      last = c.plan.accuracy;
    }
  }
}

// Measured accuracy need not fall monotonically with the rate: a violation
// is counted, and the plan chosen is still one measured to meet the floor.
TEST(CnnpcSearch, AnAccuracyThatRisesWithTheRateIsCountedAndNeverTrusted) {
  std::mt19937 rng(2);
  const CnnpcTiers tiers = RandomTiers(rng, 4);
  // Like every measured accuracy, a function of the pruned cuts alone.
  auto bumpy = [](const CnnpcPoint& p) {
    double a = 0.9;
    for (int r : {p.r1, p.j != p.i ? p.r2 : 0})
      a += -0.2 * kRates[r] + (r == 7 ? 0.2 : 0.0);  // 0.875 measures high
    return a;
  };
  CnnpcSearch search(tiers, kRates, {CnnpcSearch::Mode::kAccuracy, 0.85, -1});
  search.Prepare(bumpy);
  EXPECT_GT(search.monotonicity_violations(), 0);
  for (int k = 0; k < 50; ++k) {
    const auto c = search.Choose(RandomLinks(rng));
    EXPECT_GE(bumpy(c.plan.point), 0.85);
  }
}

}  // namespace
}  // namespace coinfer
