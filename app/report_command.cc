// coinfer report: the comparison report of a results database (Markdown and
// CSV tables, one HTML page of plots), from SQLite alone.
#include <boost/program_options.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>

#include "analysis/rate_accuracy.h"
#include "analysis/report.h"
#include "analysis/report_html.h"
#include "app/command_line.h"
#include "app/commands.h"

namespace coinfer {

namespace po = boost::program_options;

namespace {

Status WriteFile(const std::filesystem::path& path,
                 const std::function<void(std::ostream&)>& write) {
  std::ofstream out(path);
  write(out);
  return out ? Status::Ok() : Status::IoError(path.string() + ": cannot write");
}

}  // namespace

int ReportCommand(const std::vector<std::string>& args) {
  po::options_description opts("coinfer report DB.sqlite [options]");
  opts.add_options()("help,h", "show the options")(
      "output,o", po::value<std::string>(),
      "folder for report.md, summary.csv, report.html and plots/ (default: DB's name "
      "without .sqlite, then -report)")("no-plots",
                                        "tables only (Markdown and CSV), without gnuplot")(
      "catalog", po::value<std::string>(),
      "compression catalog for the rate–accuracy curves (default: the one the runs' settings "
      "name, if found from here)")("db", po::value<std::string>()->required(), "results database");
  po::positional_options_description pos;
  pos.add("db", 1);
  po::variables_map vm;
  if (int exit = ParseCommandLine("report", args, opts, pos, &vm); exit >= 0) return exit;
  const std::string db = vm["db"].as<std::string>();
  if (!std::filesystem::is_regular_file(db))
    return ReportError(Status::InvalidInput(db, "", "no such results database"));
  std::filesystem::path dir =
      vm.count("output") ? vm["output"].as<std::string>()
                         : std::filesystem::path(db).replace_extension().string() + "-report";
  Report report;
  Status st = BuildReport(db, &report);
  std::error_code ec;
  if (st.ok()) std::filesystem::create_directories(dir, ec);  // only for a results database
  if (ec) st = Status::IoError(dir.string() + ": cannot create: " + ec.message());
  RateAccuracy rate;
  if (st.ok())
    st = ReadRateAccuracy(vm.count("catalog") ? vm["catalog"].as<std::string>() : "", &report,
                          &rate);
  if (st.ok())
    st = WriteFile(dir / "report.md", [&](std::ostream& os) {
      WriteReportMarkdown(report, os);
      WriteRateAccuracyMarkdown(rate, os);
    });
  if (st.ok())
    st = WriteFile(dir / "summary.csv", [&](std::ostream& os) { WriteReportCsv(report, os); });
  if (st.ok() && !rate.entries.empty())
    st = WriteFile(dir / "rate_accuracy.csv",
                   [&](std::ostream& os) { WriteRateAccuracyCsv(rate, os); });
  else if (st.ok())  // an earlier report's, there: not this one's
    std::filesystem::remove(dir / "rate_accuracy.csv", ec);
  int plots = 0;
  if (st.ok() && !vm.count("no-plots")) {
    st = WriteReportHtml(report, rate, dir.string(), &plots);
  } else if (st.ok()) {  // an earlier report's page and plots there are not this one's
    std::filesystem::remove(dir / "report.html", ec);
    std::filesystem::remove_all(dir / "plots", ec);
  }
  if (!st.ok()) return ReportError(st);
  size_t runs = 0;
  for (const ReportPoint& p : report.points) runs += p.run_ids.size();
  std::cout << db << ": " << runs << " runs in " << report.points.size() << " points, "
            << report.rows.size() << " policy rows\n";
  for (const std::string& note : report.notes) std::cout << "note: " << note << "\n";
  std::cout << (dir / "report.md").string() << "\n" << (dir / "summary.csv").string() << "\n";
  if (!rate.entries.empty()) std::cout << (dir / "rate_accuracy.csv").string() << "\n";
  if (!vm.count("no-plots"))
    std::cout << (dir / "report.html").string() << " (" << plots << " plots)\n";
  return 0;
}

}  // namespace coinfer
