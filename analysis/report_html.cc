#include "analysis/report_html.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "analysis/gnuplot.h"
#include "base/parse.h"

namespace coinfer {
namespace {

namespace fs = std::filesystem;

std::string Html(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Number(double v, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

// Rows of a query over one point's runs, each row its columns as doubles
// (NULL: NaN) and its first text column.
struct Row {
  std::string text;
  std::vector<double> values;
};

class PointData {
 public:
  PointData(sqlite3* db, const std::vector<int64_t>& run_ids) : db_(db) {
    std::vector<std::string> ids;
    for (const int64_t id : run_ids) ids.push_back(std::to_string(id));
    runs_ = "run_id IN (" + Join(ids, ",") + ")";
    first_run_ = "run_id = " + ids.front();
  }
  const std::string& runs() const { return runs_; }            // all of the point's runs
  const std::string& first_run() const { return first_run_; }  // its lowest run id

  // `sql` with ? bound to `policy` (when not empty); column 0 is text when
  // `text_first`.
  std::vector<Row> Query(const std::string& sql, const std::string& policy = "",
                         bool text_first = false) const {
    sqlite3_stmt* raw = nullptr;
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, sqlite3_finalize);
    std::vector<Row> rows;
    if (!stmt) return rows;
    if (!policy.empty()) sqlite3_bind_text(raw, 1, policy.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(raw) == SQLITE_ROW) {
      Row row;
      for (int c = 0; c < sqlite3_column_count(raw); ++c) {
        if (c == 0 && text_first) {
          row.text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
        } else {
          row.values.push_back(
              sqlite3_column_type(raw, c) == SQLITE_NULL ? NAN : sqlite3_column_double(raw, c));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

 private:
  sqlite3* db_;
  std::string runs_, first_run_;
};

// One gnuplot script being written: its data blocks and plot clauses.
class Plot {
 public:
  Plot(const std::string& svg, const std::string& title, int height = 420) {
    script_ << "set terminal svg size 900," << height
            << " dynamic background rgb 'white' font 'sans,11'\n"
            << "set output " << GnuplotQuoted(svg) << "\n"
            << "set title " << GnuplotQuoted(title) << " noenhanced\n"
            << "set grid\nset key outside right top noenhanced\n";
  }
  std::ostringstream& script() { return script_; }
  // A data block of the rows' chosen columns; returns its name.
  std::string Data(const std::vector<std::vector<double>>& lines) {
    const std::string name = "$d" + std::to_string(blocks_++);
    script_ << name << " << EOD\n";
    for (const auto& line : lines) {
      for (size_t i = 0; i < line.size(); ++i)
        script_ << (i ? " " : "")
                << (std::isnan(line[i]) ? std::string("NaN") : Number(line[i], 6));
      script_ << "\n";
    }
    script_ << "EOD\n";
    return name;
  }

 private:
  std::ostringstream script_;
  int blocks_ = 0;
};

struct Figure {
  std::string file;  // the SVG
  std::string caption;
};

class PageWriter {
 public:
  PageWriter(const Report& report, sqlite3* db, const fs::path& plots)
      : report_(report), db_(db), plots_(plots) {}

  // With several points: each figure per policy across the points (their
  // labels on the x axis), mean ± 95 % CI over each point's runs.
  Status DrawAcrossPoints(std::vector<Figure>* figures) {
    if (report_.points.size() < 2) return Status::Ok();
    struct Across {
      const char* name;
      const char* title;
      Estimate ReportRow::*field;
      double scale;
    };
    const Across kAcross[] = {
        {"mean-latency", "mean latency (ms)", &ReportRow::mean_ms, 1},
        {"p95-latency", "p95 latency (ms)", &ReportRow::p95_ms, 1},
        {"throughput", "throughput (requests/s)", &ReportRow::throughput_per_s, 1},
        {"accuracy", "top-1 (%)", &ReportRow::accuracy, 100},
    };
    std::vector<std::string> policies;
    for (const ReportRow& row : report_.rows)
      if (std::find(policies.begin(), policies.end(), row.policy) == policies.end())
        policies.push_back(row.policy);
    for (const Across& a : kAcross) {
      const std::string file = (plots_ / (std::string("across-") + a.name + ".svg")).string();
      Plot plot(file, std::string("Across points: ") + a.title);
      std::vector<std::string> curves;
      for (const std::string& policy : policies) {
        std::ostringstream block;
        for (const ReportRow& row : report_.rows) {
          const Estimate& e = row.*a.field;
          if (row.policy != policy || e.n == 0) continue;
          block << row.point << " " << Number(e.mean * a.scale, 6) << " "
                << Number(e.ci95 * a.scale, 6) << "\n";
        }
        if (block.str().empty()) continue;
        const std::string name = "$p" + std::to_string(curves.size());
        plot.script() << name << " << EOD\n" << block.str() << "EOD\n";
        curves.push_back(name + " using 1:2:3 with yerrorlines lw 1.5 title " +
                         GnuplotQuoted(policy));
      }
      if (curves.empty()) continue;
      plot.script() << "set ylabel " << GnuplotQuoted(a.title) << "\nset xtics (";
      for (size_t p = 0; p < report_.points.size(); ++p)
        plot.script() << (p ? ", " : "") << GnuplotQuoted(report_.points[p].label) << " " << p;
      plot.script() << ") rotate by -25 noenhanced\nset xrange [-0.5:"
                    << report_.points.size() - 0.5 << "]\nplot " << Join(curves, ", ") << "\n";
      COINFER_RETURN_IF_ERROR(
          Draw(plot, file,
               std::string(a.title) + " per policy and point (± 95 % CI over the point's runs)",
               figures));
    }
    return Status::Ok();
  }

  // Every plot of point `p` (those with data), drawn.
  Status DrawPoint(int p, std::vector<Figure>* figures) {
    PointData data(db_, report_.points[p].run_ids);
    std::vector<std::string> policies;
    for (const ReportRow& row : report_.rows)
      if (row.point == p) policies.push_back(row.policy);
    const std::string prefix = (plots_ / ("point" + std::to_string(p) + "-")).string();
    COINFER_RETURN_IF_ERROR(LatencyCdf(data, policies, prefix, figures));
    COINFER_RETURN_IF_ERROR(OverTime(data, policies, prefix, figures));
    COINFER_RETURN_IF_ERROR(Splits(data, policies, prefix, figures));
    COINFER_RETURN_IF_ERROR(Predicted(data, policies, prefix, figures));
    COINFER_RETURN_IF_ERROR(Decomposition(data, policies, prefix, figures));
    COINFER_RETURN_IF_ERROR(DecisionTimes(p, prefix, figures));
    return AccuracyLatency(p, prefix, figures);
  }

  // Per model (weights, dataset): a curve per split point through its codecs,
  // bytes per sample against top-1.
  Status DrawRateAccuracy(const RateAccuracy& rate, std::vector<Figure>* figures) {
    std::map<std::string, std::map<int64_t, std::vector<const RateAccuracyEntry*>>> curves;
    for (const RateAccuracyEntry& e : rate.entries)
      curves[e.model + " (weights " + e.weights + ", " + e.dataset + ")"][e.split].push_back(&e);
    int n = 0;
    for (const auto& [model, splits] : curves) {
      const std::string file =
          (plots_ / ("rate-accuracy-" + std::to_string(n++) + ".svg")).string();
      Plot plot(file, "Rate–accuracy: " + model);
      std::vector<std::string> clauses;
      bool positive = true;  // a log scale only over positive bytes
      for (const auto& [split, entries] : splits) {
        std::vector<std::vector<double>> lines;
        for (const RateAccuracyEntry* e : entries) {
          lines.push_back({e->bytes_mean, 100 * e->accuracy});
          positive = positive && e->bytes_mean > 0;
        }
        clauses.push_back(plot.Data(lines) + " using 1:2 with linespoints pt 7 title " +
                          GnuplotQuoted("split " + std::to_string(split)));
      }
      if (positive) plot.script() << "set logscale x\n";
      plot.script() << "set xlabel 'encoded bytes per sample'\n"
                    << "set ylabel 'top-1 (%)'\nplot " << Join(clauses, ", ") << "\n";
      COINFER_RETURN_IF_ERROR(Draw(plot, file,
                                   "Bytes per sample against top-1 of every codec measured at "
                                   "each split point (compression catalog " +
                                       rate.catalog + ")",
                                   figures));
    }
    return Status::Ok();
  }

 private:
  Status Draw(Plot& plot, const std::string& file, const std::string& caption,
              std::vector<Figure>* figures) {
    COINFER_RETURN_IF_ERROR(DrawWithGnuplot(plot.script().str(), file));
    figures->push_back({file, caption});
    return Status::Ok();
  }

  Status LatencyCdf(const PointData& data, const std::vector<std::string>& policies,
                    const std::string& prefix, std::vector<Figure>* figures) {
    const std::string file = prefix + "latency-cdf.svg";
    Plot plot(file, "Latency CDF (every completed request of the point's runs)");
    std::vector<std::string> curves;
    double lo = INFINITY, hi = 0;
    for (const std::string& policy : policies) {
      const auto rows = data.Query("SELECT actual_ms FROM requests WHERE " + data.runs() +
                                       " AND policy = ? AND completed = 1 ORDER BY actual_ms",
                                   policy);
      if (rows.empty()) continue;
      std::vector<std::vector<double>> lines;
      for (size_t i = 0; i < rows.size(); ++i)
        lines.push_back({rows[i].values[0], double(i + 1) / rows.size()});
      lo = std::min(lo, rows.front().values[0]);
      hi = std::max(hi, rows.back().values[0]);
      curves.push_back(plot.Data(lines) + " using 1:2 with steps lw 2 title " +
                       GnuplotQuoted(policy));
    }
    if (curves.empty()) return Status::Ok();
    if (lo > 0 && hi / lo > 20) plot.script() << "set logscale x\n";
    plot.script() << "set xlabel 'end-to-end latency (ms)'\nset ylabel 'fraction of requests'\n"
                  << "set yrange [0:1]\nplot " << Join(curves, ", ") << "\n";
    return Draw(plot, file, "Latency CDF per policy", figures);
  }

  Status OverTime(const PointData& data, const std::vector<std::string>& policies,
                  const std::string& prefix, std::vector<Figure>* figures) {
    const std::string file = prefix + "over-time.svg";
    Plot plot(file, "Latency and uplink bandwidth over time (the point's first run)", 640);
    std::vector<std::string> latency, bandwidth;
    bool finished = false;
    std::vector<std::vector<double>> capacity;
    for (const Row& r :
         data.Query("SELECT arrival_s, uplink_capacity_mbps FROM requests WHERE " +
                    data.first_run() + " AND uplink_capacity_mbps IS NOT NULL ORDER BY arrival_s"))
      capacity.push_back(r.values);
    if (!capacity.empty())
      bandwidth.push_back(plot.Data(capacity) +
                          " using 1:2 with points pt 6 ps 0.5 lc rgb 'black' title 'true "
                          "capacity (mean over each transfer)'");
    for (const std::string& policy : policies) {
      const auto rows = data.Query(
          "SELECT arrival_s, actual_ms, uplink_estimate_mbps FROM requests "
          "WHERE " +
              data.first_run() + " AND policy = ? ORDER BY arrival_s",
          policy);
      if (rows.empty()) continue;
      std::vector<std::vector<double>> lines;
      for (const Row& r : rows) {
        lines.push_back(r.values);
        finished = finished || r.values[1] > 0;  // NULL (unfinished) is NaN
      }
      const std::string block = plot.Data(lines);
      latency.push_back(block + " using 1:2 with points pt 7 ps 0.4 title " +
                        GnuplotQuoted(policy));
      bandwidth.push_back(block + " using 1:3 with steps lw 1.5 title " +
                          GnuplotQuoted(policy + " estimate"));
    }
    // A log scale needs a positive latency: a run that finished nothing has no plot.
    if (!finished) return Status::Ok();
    // Both panels share their margins, so that their time axes line up.
    plot.script() << "set multiplot layout 2,1\nset lmargin at screen 0.09\n"
                  << "set rmargin at screen 0.68\nset ylabel 'latency (ms)'\nset logscale y\n"
                  << "plot " << Join(latency, ", ") << "\nunset logscale y\n"
                  << "set title ''\nset xlabel 'arrival time (s)'\nset ylabel 'uplink (Mbit/s)'\n"
                  << "plot " << Join(bandwidth, ", ") << "\nunset multiplot\n";
    return Draw(plot, file,
                "Latency over time (top) above the uplink: each policy's estimate and the "
                "true capacity during each request's transfer (bottom)",
                figures);
  }

  // Per policy, the rows of `sql` (? is the policy; columns x then y) as a
  // curve drawn `with`.
  static std::vector<std::string> CurvesPerPolicy(Plot& plot, const PointData& data,
                                                  const std::vector<std::string>& policies,
                                                  const std::string& sql, const std::string& with) {
    std::vector<std::string> curves;
    for (const std::string& policy : policies) {
      const auto rows = data.Query(sql, policy);
      if (rows.empty()) continue;
      std::vector<std::vector<double>> lines;
      for (const Row& r : rows) lines.push_back(r.values);
      curves.push_back(plot.Data(lines) + " using 1:2 with " + with + " title " +
                       GnuplotQuoted(policy));
    }
    return curves;
  }

  Status Splits(const PointData& data, const std::vector<std::string>& policies,
                const std::string& prefix, std::vector<Figure>* figures) {
    const std::string file = prefix + "splits.svg";
    Plot plot(file, "Split point over time (the point's first run)");
    const std::vector<std::string> curves =
        CurvesPerPolicy(plot, data, policies,
                        "SELECT arrival_s, split FROM requests WHERE " + data.first_run() +
                            " AND policy = ? ORDER BY arrival_s",
                        "steps lw 1.5");
    if (curves.empty()) return Status::Ok();
    plot.script() << "set xlabel 'arrival time (s)'\n"
                  << "set ylabel 'split index (0 cloud-only, -1 a cut that is no single split)'\n"
                  << "plot " << Join(curves, ", ") << "\n";
    return Draw(plot, file, "Split point chosen per request", figures);
  }

  Status Predicted(const PointData& data, const std::vector<std::string>& policies,
                   const std::string& prefix, std::vector<Figure>* figures) {
    const std::string file = prefix + "predicted.svg";
    Plot plot(file, "Predicted vs simulated latency");
    const std::vector<std::string> curves =
        CurvesPerPolicy(plot, data, policies,
                        "SELECT predicted_ms, actual_ms FROM requests WHERE " + data.runs() +
                            " AND policy = ? AND completed = 1",
                        "points pt 7 ps 0.4");
    if (curves.empty()) return Status::Ok();
    plot.script() << "set xlabel 'predicted (ms)'\nset ylabel 'simulated (ms)'\n"
                  << "plot " << Join(curves, ", ") << ", x with lines dt 2 lc rgb 'gray' "
                  << "title 'predicted = simulated'\n";
    return Draw(plot, file, "Each completed request's predicted and simulated latency", figures);
  }

  Status Decomposition(const PointData& data, const std::vector<std::string>& policies,
                       const std::string& prefix, std::vector<Figure>* figures) {
    const std::string file = prefix + "decomposition.svg";
    Plot plot(file, "Where the time goes (mean over completed requests)");
    static const char* const kParts[][2] = {{"end_wait_ms", "end wait"},
                                            {"end_compute_ms", "end compute"},
                                            {"transfer_ms", "transfers"},
                                            {"edge_wait_ms", "edge wait"},
                                            {"edge_compute_ms", "edge compute"},
                                            {"device_wait_ms", "cluster wait"},
                                            {"device_compute_ms", "cluster compute"},
                                            {"cloud_wait_ms", "cloud wait"},
                                            {"cloud_compute_ms", "cloud compute"}};
    std::string columns;
    for (const auto& part : kParts)
      columns += std::string(columns.empty() ? "" : ", ") + "AVG(IFNULL(" + part[0] + ", 0))";
    std::ostringstream block;
    int bars = 0;
    for (const std::string& policy : policies) {
      const auto rows = data.Query("SELECT COUNT(*), " + columns + " FROM requests WHERE " +
                                       data.runs() + " AND policy = ? AND completed = 1",
                                   policy);
      if (rows.empty() || rows[0].values[0] == 0) continue;
      block << GnuplotDataString(policy);
      for (size_t i = 1; i < rows[0].values.size(); ++i)
        block << " " << Number(rows[0].values[i], 4);
      block << "\n";
      ++bars;
    }
    if (bars == 0) return Status::Ok();
    plot.script() << "$parts << EOD\n"
                  << block.str() << "EOD\n"
                  << "set style data histograms\nset style histogram rowstacked\n"
                  << "set style fill solid 0.8 border -1\nset boxwidth 0.6\n"
                  << "set ylabel 'ms per request'\nset xtics rotate by -20 noenhanced\nplot ";
    for (size_t i = 0; i < std::size(kParts); ++i)
      plot.script() << (i ? ", " : "") << "$parts using " << i + 2 << (i == 0 ? ":xtic(1)" : "")
                    << " title " << GnuplotQuoted(kParts[i][1]);
    plot.script() << "\n";
    return Draw(plot, file,
                "Latency decomposition per policy and site: compute, waiting and transfers "
                "(the result's way back included)",
                figures);
  }

  Status DecisionTimes(int p, const std::string& prefix, std::vector<Figure>* figures) {
    const std::string file = prefix + "decision.svg";
    Plot plot(file, "Decision time per request (host wall time, mean over runs)");
    std::ostringstream block;
    bool positive = true;  // a log scale needs every bar above 0
    for (const ReportRow& row : report_.rows)
      if (row.point == p && row.decision_us.n > 0) {
        block << GnuplotDataString(row.policy) << " " << Number(row.decision_us.mean, 4) << " "
              << Number(row.decision_us.ci95, 4) << "\n";
        positive = positive && row.decision_us.mean > 0;
      }
    if (block.str().empty()) return Status::Ok();
    if (positive) plot.script() << "set logscale y\n";
    plot.script() << "$decide << EOD\n"
                  << block.str() << "EOD\n"
                  << "set style fill solid 0.6 border -1\nset boxwidth 0.6\nset key off\n"
                  << "set ylabel 'µs'\nset xtics rotate by -20 noenhanced\n"
                  << "plot $decide using 0:2:3:xtic(1) with boxerrorbars\n";
    return Draw(plot, file, "Decision time per policy (± 95 % CI over runs)", figures);
  }

  Status AccuracyLatency(int p, const std::string& prefix, std::vector<Figure>* figures) {
    const std::string file = prefix + "accuracy-latency.svg";
    std::vector<const ReportRow*> rows;
    for (const ReportRow& row : report_.rows)
      if (row.point == p && row.accuracy.n > 0 && row.mean_ms.n > 0) rows.push_back(&row);
    if (rows.empty()) return Status::Ok();
    Plot plot(file, "Accuracy vs latency (mean over runs; the line is the Pareto front)");
    // The front: no other policy is both faster and at least as accurate.
    std::sort(rows.begin(), rows.end(), [](const ReportRow* a, const ReportRow* b) {
      return a->mean_ms.mean < b->mean_ms.mean ||
             (a->mean_ms.mean == b->mean_ms.mean && a->accuracy.mean > b->accuracy.mean);
    });
    std::ostringstream all, front;
    double best = -1;
    for (const ReportRow* r : rows) {
      const std::string line = GnuplotDataString(r->policy) + " " + Number(r->mean_ms.mean, 4) +
                               " " + Number(100 * r->accuracy.mean, 4) + " " +
                               Number(r->mean_ms.ci95, 4) + " " +
                               Number(100 * r->accuracy.ci95, 4) + "\n";
      all << line;
      if (r->accuracy.mean > best) {
        front << line;
        best = r->accuracy.mean;
      }
    }
    plot.script() << "$all << EOD\n"
                  << all.str() << "EOD\n$front << EOD\n"
                  << front.str()
                  << "EOD\nset xlabel 'mean latency (ms)'\nset ylabel 'top-1 (%)'\nset key off\n"
                  << "set offsets graph 0.1, graph 0.1, graph 0.1, graph 0.1\n"
                  << "plot $front using 2:3 with lines lw 2 lc rgb 'gray', "
                  << "$all using 2:3:4:5 with xyerrorbars pt 7 lc rgb 'blue', "
                  << "$all using 2:3:1 with labels offset 1,1 left noenhanced\n";
    return Draw(plot, file, "Top-1 accuracy against mean latency per policy", figures);
  }

  const Report& report_;
  sqlite3* db_;
  fs::path plots_;
};

std::string InlineSvg(const std::string& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  const std::string svg = text.str();
  const size_t start = svg.find("<svg");
  return start == std::string::npos ? "" : svg.substr(start);
}

const char kStyle[] =
    "body{font-family:sans-serif;margin:2em;max-width:1200px}"
    "table{border-collapse:collapse;font-size:13px;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap}"
    "td:nth-child(2),th:nth-child(2){text-align:left}"
    "figure{margin:1.5em 0}figcaption{color:#444;font-size:14px}";

// Checks, once the page is laid out, that every plot drew something; a
// browser test reads the result from the body's data-plots attribute.
const char kCheckScript[] =
    "window.addEventListener('load',function(){var s=document.querySelectorAll('figure svg'),"
    "ok=0;s.forEach(function(e){var b=e.getBBox();if(b.width>0&&b.height>0)ok++;});"
    "document.body.setAttribute('data-plots',ok+'/'+s.length);});";

}  // namespace

Status WriteReportHtml(const Report& report, const RateAccuracy& rate, const std::string& dir,
                       int* plots) {
  const fs::path plots_dir = fs::path(dir) / "plots";
  std::error_code ec;
  fs::create_directories(plots_dir, ec);
  if (ec) return Status::IoError(plots_dir.string() + ": cannot create: " + ec.message());
  // An earlier report's plots there (more points, curves) would be taken for this one's.
  for (const fs::directory_entry& old : fs::directory_iterator(plots_dir, ec))
    if (old.path().extension() == ".svg") fs::remove(old.path(), ec);
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(report.db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, sqlite3_close);
  if (rc != SQLITE_OK) return Status::IoError(report.db_path + ": cannot open");
  sqlite3_busy_timeout(raw, 10000);  // a sweep may be writing

  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>coinfer report: "
       << Html(report.db_path) << "</title><style>" << kStyle << "</style><script>" << kCheckScript
       << "</script></head><body>\n<h1>coinfer report</h1>\n<p>" << Html(report.db_path)
       << "</p>\n";
  std::ostringstream markdown;
  WriteReportMarkdown(report, markdown);
  WriteRateAccuracyMarkdown(rate, markdown);
  // The tables, from the Markdown (one source for both).
  bool in_table = false;
  for (const std::string& line : SplitFields(markdown.str(), '\n')) {
    if (line.rfind("|", 0) == 0) {
      if (line.rfind("|---", 0) == 0) continue;
      std::vector<std::string> cells = SplitFields(line.substr(1, line.size() - 2), '|');
      page << (in_table ? "" : "<table>\n") << "<tr>";
      for (const std::string& cell : cells)
        page << (in_table ? "<td>" : "<th>") << Html(Trim(cell)) << (in_table ? "</td>" : "</th>");
      page << "</tr>\n";
      in_table = true;
      continue;
    }
    if (in_table) page << "</table>\n";
    in_table = false;
    if (line.rfind("## ", 0) == 0) {
      page << "<h2>" << Html(line.substr(3)) << "</h2>\n";
    } else if (line.rfind("- ", 0) == 0) {
      page << "<p>• " << Html(line.substr(2)) << "</p>\n";
    } else if (!line.empty() && line.rfind("# ", 0) != 0) {
      page << "<p>" << Html(line) << "</p>\n";
    }
  }
  if (in_table) page << "</table>\n";

  PageWriter writer(report, db.get(), plots_dir);
  *plots = 0;
  std::vector<Figure> across;
  COINFER_RETURN_IF_ERROR(writer.DrawAcrossPoints(&across));
  auto inline_figures = [&page, plots](const std::vector<Figure>& figures) {
    for (const Figure& f : figures) {
      page << "<figure>" << InlineSvg(f.file) << "<figcaption>" << Html(f.caption)
           << "</figcaption></figure>\n";
      ++*plots;
    }
  };
  if (!across.empty()) page << "<h2>Across points</h2>\n";
  inline_figures(across);
  for (size_t p = 0; p < report.points.size(); ++p) {
    std::vector<Figure> figures;
    COINFER_RETURN_IF_ERROR(writer.DrawPoint(static_cast<int>(p), &figures));
    page << "<h2>Point " << p << ": " << Html(report.points[p].label) << "</h2>\n";
    inline_figures(figures);
  }
  std::vector<Figure> rate_figures;
  COINFER_RETURN_IF_ERROR(writer.DrawRateAccuracy(rate, &rate_figures));
  if (!rate_figures.empty()) page << "<h2>Rate–accuracy (compression catalog)</h2>\n";
  inline_figures(rate_figures);
  page << "</body></html>\n";
  const std::string html = (fs::path(dir) / "report.html").string();
  std::ofstream out(html);
  out << page.str();
  if (!out) return Status::IoError(html + ": cannot write");
  return Status::Ok();
}

}  // namespace coinfer
