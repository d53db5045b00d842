#include "compress/lasso.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace coinfer {
namespace {

// Columns z_j of a samples x n design, and G = ZᵀZ, c = Zᵀy with y = Σ z_j.
struct Design {
  int n = 0;
  std::vector<std::vector<double>> z;  // [column][sample]
  std::vector<double> gram, c;

  void Finish() {
    n = static_cast<int>(z.size());
    gram.assign(n * n, 0.0);
    c.assign(n, 0.0);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        for (size_t s = 0; s < z[i].size(); ++s) gram[i * n + j] += z[i][s] * z[j][s];
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) c[i] += gram[i * n + j];
  }
};

std::vector<double> Random(std::mt19937& rng, int samples, double scale) {
  std::normal_distribution<double> normal(0.0, scale);
  std::vector<double> v(samples);
  for (double& x : v) x = normal(rng);
  return v;
}

// With orthogonal columns, LASSO is soft thresholding, column by column.
TEST(Lasso, OrthogonalDesignIsSoftThresholding) {
  const std::vector<double> g = {4, 0, 0, 0, 1, 0, 0, 0, 9};
  const std::vector<double> c = {6, -0.5, 3};
  std::vector<double> beta;
  LassoCoordinateDescent(g, c, 1.0, &beta);
  EXPECT_NEAR(beta[0], (6 - 1.0) / 4, 1e-12);
  EXPECT_EQ(beta[1], 0.0);
  EXPECT_NEAR(beta[2], (3 - 1.0) / 9, 1e-12);
}

// On correlated random designs the solution satisfies LASSO's optimality
// (KKT) conditions, checked directly: the gradient of the smooth part is
// −λ·sign(β_i) where β_i ≠ 0 and within [−λ, λ] where β_i = 0.
TEST(Lasso, SolutionsMeetTheOptimalityConditions) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    Design d;
    const std::vector<double> shared = Random(rng, 60, 1.0);
    for (int j = 0; j < 6; ++j) {
      std::vector<double> col = Random(rng, 60, 0.3 + j);
      for (int s = 0; s < 60; ++s) col[s] += 0.8 * shared[s];
      d.z.push_back(col);
    }
    d.Finish();
    double lambda_max = 0;
    for (double v : d.c) lambda_max = std::max(lambda_max, std::fabs(v));
    const double lambda = lambda_max * std::pow(10.0, -3.0 * (trial % 5) / 4);
    std::vector<double> beta;
    LassoCoordinateDescent(d.gram, d.c, lambda, &beta);
    for (int i = 0; i < d.n; ++i) {
      double residual = d.c[i];  // (c − Gβ)_i
      for (int j = 0; j < d.n; ++j) residual -= d.gram[i * d.n + j] * beta[j];
      if (beta[i] != 0)
        EXPECT_NEAR(residual, lambda * (beta[i] > 0 ? 1 : -1), 1e-6 * lambda_max) << trial;
      else
        EXPECT_LE(std::fabs(residual), lambda * (1 + 1e-9)) << trial;
    }
  }
}

// He et al.'s point: what matters is what a channel adds to the output, not
// its strength. Columns 0 and 3 are the strongest but cancel in the output
// (the consumer adds one feature and subtracts it again, up to small noise);
// columns 1 and 2 are weaker and carry the output. LASSO keeps 1 and 2, where
// ranking by strength would keep 0 and 3.
TEST(Lasso, SelectionKeepsWhatTheOutputNeedsNotTheStrongestChannels) {
  std::mt19937 rng(3);
  Design d;
  const std::vector<double> strong = Random(rng, 200, 3.0), noise = Random(rng, 200, 0.05);
  std::vector<double> cancel(200);
  for (int s = 0; s < 200; ++s) cancel[s] = -strong[s] + noise[s];
  d.z = {strong, Random(rng, 200, 1.0), Random(rng, 200, 0.8), cancel};
  d.Finish();
  EXPECT_EQ(LassoSelect(d.gram, d.c, 2), (std::vector<int>{1, 2}));
  EXPECT_EQ(LassoSelect(d.gram, d.c, 1), (std::vector<int>{1}));
  // Keeping every column, or none.
  EXPECT_EQ(LassoSelect(d.gram, d.c, 4), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(LassoSelect(d.gram, d.c, 0).empty());
}

}  // namespace
}  // namespace coinfer
