// The comparison report as one self-contained HTML page (no network fetch:
// opens from a file): the tables of report.h and, per scenario point, plots
// drawn by gnuplot and inlined as SVG. The SVG files stay in DIR/plots/.
#pragma once

#include <string>

#include "analysis/rate_accuracy.h"
#include "analysis/report.h"
#include "base/status.h"

namespace coinfer {

// Across points (when there are several): mean and p95 latency, throughput
// and top-1 per policy, with 95 % intervals. Per point: latency CDF per policy; latency over time
// above the uplink's true capacity and each policy's estimate; split point over time; predicted vs
// simulated latency; per-site latency decomposition; decision time; accuracy vs latency with the
// Pareto front (when top-1 is measured). With catalog entries in `rate`: bytes per sample
// against top-1 per split point and codec, a plot per model. Writes DIR/report.html; *plots is
// the number of plots drawn.
Status WriteReportHtml(const Report& report, const RateAccuracy& rate, const std::string& dir,
                       int* plots);

}  // namespace coinfer
