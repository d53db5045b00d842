// CIC: DADS's minimum cut, decided online from a "splitting model" built
// offline from the model and the two platforms only. A partition costs
// compute + λ·bytes, λ the price of a byte (1 / bandwidth), so the optimal cost
// over λ is the lower envelope of one line per partition. Prepare finds the
// envelope's pieces with one minimum cut per breakpoint (Eisner–Severance
// parametric search: cut at both ends of an interval; if their lines differ,
// cut where they cross; a cheaper cut there splits the interval, otherwise
// the crossing is a breakpoint). Decide binary-searches the estimated λ among
// the breakpoints and plans that piece's partition: the same optimal cost as
// the full minimum cut at every bandwidth, in O(log pieces).
// Choices: the envelope spans 1e-4 to 1e6 Mbit/s (beyond, the end pieces stay
// optimal: their lines are the envelope's asymptotes there); the compressed
// model is the envelope itself (no separate chain contraction: the envelope
// already holds only the cuts that can ever be optimal).
#pragma once

#include <vector>

#include "policies/partition.h"
#include "sim/policy.h"

namespace coinfer {

class CicPolicy : public Policy {
 public:
  std::string name() const override { return "cic"; }
  void Prepare(const Observation& observation) override;
  Plan Decide(const Observation& observation) override;

  struct Piece {
    double from_ms_per_byte;  // the piece holds from here to the next piece
    Partition partition;
    Plan plan;  // planned offline at 1 Mbit/s; Decide reprices the transfer
  };
  // The splitting model, fastest network first. Prepare must have run.
  const std::vector<Piece>& pieces() const { return pieces_; }

 private:
  void Envelope(double lo, const Partition& at_lo, double hi, const Partition& at_hi);

  PreparedFor prepared_;
  LayerTimes times_;
  std::vector<Piece> pieces_;
  std::vector<double> breakpoints_;  // pieces_[i + 1].from_ms_per_byte
};

}  // namespace coinfer
