// coinfer trace: statistics and plots of bandwidth traces (any format the
// scenario accepts: Mahimahi, cooked, CSV, or a generator spec).
#include <cstdio>
#include <iostream>
#include <sstream>

#include "analysis/gnuplot.h"
#include "app/commands.h"
#include "traces/trace_loader.h"

namespace coinfer {
namespace {

const char kUsage[] =
    "usage: coinfer trace stats FILE... [--format F]\n"
    "       coinfer trace plot FILE -o OUT.svg|OUT.png [--format F]\n"
    "F: auto (default, detected from the content), mahimahi, cooked, csv.\n"
    "stats: duration, mean, p10, median and p90 throughput over 1-second bins, in Mbit/s.\n"
    "plot: throughput per second over time, drawn with gnuplot (SVG, or PNG by extension).\n";

struct TraceArgs {
  std::vector<std::string> files;
  std::string output;
  TraceFormat format = TraceFormat::kAuto;
};

bool ParseArgs(const std::vector<std::string>& args, TraceArgs* out) {
  for (size_t i = 1; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--format" && has_value) {
      if (!ParseTraceFormat(args[++i], &out->format)) return false;
    } else if (args[i] == "-o" && has_value) {
      out->output = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      return false;
    } else {
      out->files.push_back(args[i]);
    }
  }
  return !out->files.empty();
}

Status Load(const std::string& file, TraceFormat format, DeliveryTrace* trace) {
  TraceRequest r;
  r.spec = file;
  r.format = format;
  r.horizon_s = 120;  // generators: two minutes
  r.where = "trace";
  return LoadTrace(r, trace);
}

int Plot(const TraceArgs& a) {
  DeliveryTrace trace;
  Status st = Load(a.files[0], a.format, &trace);
  if (!st.ok()) return ReportError(st);
  const bool png = a.output.size() > 4 && a.output.compare(a.output.size() - 4, 4, ".png") == 0;
  std::ostringstream script;
  char title[64];
  std::snprintf(title, sizeof title, ": mean %.2f Mbit/s", trace.MeanMbps());
  script << "set terminal " << (png ? "pngcairo" : "svg")
         << " size 900,400 background rgb 'white'\n"
         << "set output " << GnuplotQuoted(a.output) << "\n"
         << "set title " << GnuplotQuoted(a.files[0] + title) << " noenhanced\n"
         << "set xlabel 'time (s)'\nset ylabel 'throughput (Mbit/s, 1-s bins)'\n"
         << "set grid\nset key off\n$data << EOD\n";
  const std::vector<double> bins = ThroughputPerSecondMbps(trace);
  char line[64];
  for (size_t i = 0; i < bins.size(); ++i) {
    std::snprintf(line, sizeof line, "%zu %.6f\n", i, bins[i]);
    script << line;
  }
  script << "EOD\nplot $data using 1:2 with steps lw 1.5\n";
  if (const Status st = DrawWithGnuplot(script.str(), a.output); !st.ok()) return ReportError(st);
  std::cout << a.output << "\n";
  return 0;
}

}  // namespace

int TraceCommand(const std::vector<std::string>& args) {
  TraceArgs a;
  const bool stats = !args.empty() && args[0] == "stats";
  const bool plot = !args.empty() && args[0] == "plot";
  if ((!stats && !plot) || !ParseArgs(args, &a) ||
      (plot && (a.output.empty() || a.files.size() != 1))) {
    std::cerr << kUsage;
    return 2;
  }
  if (plot) return Plot(a);
  std::printf("%-40s %10s %9s %7s %7s %7s\n", "file", "duration_s", "mean_Mbps", "p10", "median",
              "p90");
  for (const std::string& file : a.files) {
    DeliveryTrace trace;
    Status st = Load(file, a.format, &trace);
    if (!st.ok()) return ReportError(st);
    const TraceStats s = ComputeTraceStats(trace);
    std::printf("%-40s %10.0f %9.2f %7.2f %7.2f %7.2f\n", file.c_str(), s.duration_s, s.mean_mbps,
                s.p10_mbps, s.median_mbps, s.p90_mbps);
  }
  return 0;
}

}  // namespace coinfer
