// Channel selection by LASSO regression, as in He et al. 2017 ("Channel
// Pruning for Accelerating Very Deep Neural Networks"): a layer's output y is
// the sum of its input channels' contributions z_i (y = Σ z_i), and the
// channels to keep are those a sparse weighting β still needs:
//   minimise ½‖y − Σ β_i z_i‖² + λ‖β‖₁,
// with λ raised until at most k weights are nonzero. Everything is in Gram
// form (G = ZᵀZ, c = Zᵀy), so the sample count does not matter here.
// Plain C++, no LibTorch.
#pragma once

#include <vector>

namespace coinfer {

// Minimises ½βᵀGβ − cᵀβ + λ‖β‖₁ by cyclic coordinate descent from *beta
// (a warm start), until no weight moves by more than 1e-12 of the largest
// (or 10000 sweeps). `gram` is n x n, row-major, symmetric positive
// semi-definite; columns with G_ii = 0 stay at 0.
void LassoCoordinateDescent(const std::vector<double>& gram, const std::vector<double>& c,
                            double lambda, std::vector<double>* beta);

// The k columns (ascending) He et al.'s procedure keeps: down a path of 100
// penalties from λ_max = max |c_i| (every β zero) to λ_max·1e-6, the nonzero
// weights at the last penalty with at most k of them, completed (when the
// path jumps past k) by the columns of the next penalty in decreasing
// contribution |β_i|·√G_ii, then by index.
std::vector<int> LassoSelect(const std::vector<double>& gram, const std::vector<double>& c, int k);

}  // namespace coinfer
