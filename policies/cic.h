// CIC: DADS's minimum cut, decided online from a "splitting model" built
// offline from the model and the two platforms only. A partition costs
// compute + λ·bytes, λ the price of a byte (1 / bandwidth), so the optimal cost
// over λ is the lower envelope of one line per partition. Prepare finds the
// envelope's pieces with one minimum cut per breakpoint (Eisner–Severance
// parametric search: cut at both ends of an interval; if their lines differ,
// cut where they cross; a cheaper cut there splits the interval, otherwise
// the crossing is a breakpoint). Decide binary-searches the estimated λ among
// the breakpoints and plans that piece's partition: the same optimal cost as
// the full minimum cut at every bandwidth, in O(log pieces). The result's way
// back and the uplink's fixed latency (OffloadFixedMs) are paid by every
// partition that offloads, so the piece is compared with running everything
// on the device, which does not pay them; the end device's forecast wait is
// paid by every partition that computes there, so the piece is then compared
// with cloud-only (WithEndDeviceWait).
// Choices: the envelope spans 1e-4 to 1e6 Mbit/s (beyond, the end pieces stay
// optimal: their lines are the envelope's asymptotes there); the compressed
// model is the envelope itself (no separate chain contraction: the envelope
// already holds only the cuts that can ever be optimal).
#pragma once

#include <vector>

#include "policies/partition.h"
#include "policies/policy_type.h"

namespace coinfer {

//
// cic@throughput adds a load-aware mode for CIC's throughput setting, where
// device and cloud work on different requests at once: when the end device
// is busy as a request arrives, it takes the splitting model's piece whose
// slowest stage is shortest — max(device time / device cores, transfer time,
// cloud time / cloud cores) at the estimate, the pipeline's bottleneck —
// instead of the fastest one (ties: the lower latency). Choice: the
// candidates are the envelope's cuts (each optimal for some bandwidth) and
// the cuts at every split point, planned offline, so a busy decision is one
// scan and no minimum cut runs online.
class CicPolicy : public Policy {
 public:
  explicit CicPolicy(bool load_aware = false) : load_aware_(load_aware) {}
  std::string name() const override { return load_aware_ ? "cic@throughput" : "cic"; }
  DeviceKnowledge PaperKnowledge() const override { return DeviceKnowledge::kRegression; }
  void Prepare(const Observation& observation) override;
  Plan Decide(const Observation& observation) override;

  struct Piece {
    double from_ms_per_byte;  // the piece holds from here to the next piece
    Partition partition;
    Plan plan;  // planned offline at 1 Mbit/s; Decide reprices the transfer
  };
  // The splitting model, fastest network first. Prepare must have run.
  const std::vector<Piece>& pieces() const { return pieces_; }
  // The piece a decision takes: the envelope's at `ms_per_byte`, or when
  // `busy` (and load-aware) the candidate of the shortest bottleneck stage
  // (ties: the lower latency, the result's way back included).
  const Piece& PieceFor(double ms_per_byte, bool busy, double fixed_ms) const;
  // Load-aware candidates: the envelope's pieces, then every split point's cut.
  const std::vector<Piece>& throughput_candidates() const { return candidates_; }

 private:
  void Envelope(double lo, const Partition& at_lo, double hi, const Partition& at_hi);

  bool load_aware_;
  PreparedFor prepared_;
  int end_cores_ = 1, cloud_cores_ = 1;
  LayerTimes times_;
  std::vector<Piece> pieces_;
  Piece device_only_{0, {}, {}};     // everything on the end device
  Piece cloud_only_{0, {}, {}};      // nothing on it: taken when its wait is too long
  std::vector<Piece> candidates_;    // load-aware only
  std::vector<double> breakpoints_;  // pieces_[i + 1].from_ms_per_byte
};

PolicyType CicType();

}  // namespace coinfer
