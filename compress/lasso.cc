#include "compress/lasso.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace coinfer {
namespace {

double SoftThreshold(double x, double lambda) {
  return x > lambda ? x - lambda : x < -lambda ? x + lambda : 0.0;
}

std::vector<int> NonZero(const std::vector<double>& beta) {
  std::vector<int> out;
  for (size_t i = 0; i < beta.size(); ++i)
    if (beta[i] != 0) out.push_back(static_cast<int>(i));
  return out;
}

}  // namespace

void LassoCoordinateDescent(const std::vector<double>& gram, const std::vector<double>& c,
                            double lambda, std::vector<double>* beta) {
  const size_t n = c.size();
  std::vector<double>& b = *beta;
  b.resize(n, 0.0);
  // gb = G·β, kept current as weights move.
  std::vector<double> gb(n, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) gb[i] += gram[i * n + j] * b[j];
  for (int sweep = 0; sweep < 10000; ++sweep) {
    double moved = 0, largest = 0;
    for (size_t i = 0; i < n; ++i) {
      const double gii = gram[i * n + i];
      if (gii <= 0) continue;
      const double rest = c[i] - (gb[i] - gii * b[i]);
      const double next = SoftThreshold(rest, lambda) / gii;
      const double delta = next - b[i];
      if (delta != 0) {
        for (size_t j = 0; j < n; ++j) gb[j] += gram[j * n + i] * delta;
        b[i] = next;
      }
      moved = std::max(moved, std::fabs(delta));
      largest = std::max(largest, std::fabs(next));
    }
    if (moved <= 1e-12 * largest) break;
  }
}

std::vector<int> LassoSelect(const std::vector<double>& gram, const std::vector<double>& c, int k) {
  const int n = static_cast<int>(c.size());
  k = std::clamp(k, 0, n);
  double lambda_max = 0;
  for (double v : c) lambda_max = std::max(lambda_max, std::fabs(v));
  std::vector<double> beta(n, 0.0);
  std::vector<int> kept;
  constexpr int kSteps = 100;
  for (int step = 1; step <= kSteps && lambda_max > 0; ++step) {
    const double lambda = lambda_max * std::pow(1e-6, static_cast<double>(step) / kSteps);
    LassoCoordinateDescent(gram, c, lambda, &beta);
    const std::vector<int> nonzero = NonZero(beta);
    if (static_cast<int>(nonzero.size()) > k) break;
    kept = nonzero;
  }
  // Complete from the solution just past k (or the last one), largest
  // contribution first.
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto contribution = [&](int i) { return std::fabs(beta[i]) * std::sqrt(gram[i * n + i]); };
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return contribution(a) > contribution(b); });
  for (int i : order) {
    if (static_cast<int>(kept.size()) >= k) break;
    if (std::find(kept.begin(), kept.end(), i) == kept.end()) kept.push_back(i);
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

}  // namespace coinfer
