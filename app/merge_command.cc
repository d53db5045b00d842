// coinfer merge: results databases joined into one, each run once
// (run/result_merge.h); sharded sweeps end with it.
#include <boost/program_options.hpp>

#include <iostream>

#include "app/command_line.h"
#include "app/commands.h"
#include "base/status.h"
#include "run/result_merge.h"

namespace coinfer {

namespace po = boost::program_options;

int MergeCommand(const std::vector<std::string>& args) {
  po::options_description opts("coinfer merge OUT.sqlite IN.sqlite... [options]");
  opts.add_options()("help,h", "show the options")(
      "databases", po::value<std::vector<std::string>>()->required()->multitoken(),
      "the output, then the databases to merge into it");
  po::positional_options_description pos;
  pos.add("databases", -1);
  po::variables_map vm;
  if (int exit = ParseCommandLine("merge", args, opts, pos, &vm); exit >= 0) return exit;
  const auto& dbs = vm["databases"].as<std::vector<std::string>>();
  if (dbs.size() < 2) {
    std::cerr << "coinfer merge: name the output and at least one database to merge\n" << opts;
    return 2;
  }
  for (size_t i = 1; i < dbs.size(); ++i) {
    MergeCounts counts;
    if (const Status st = MergeResults(dbs[0], dbs[i], &counts); !st.ok()) return ReportError(st);
    std::cout << dbs[i] << ": " << counts.copied << " runs copied, " << counts.present
              << " already in " << dbs[0] << "\n";
  }
  return 0;
}

}  // namespace coinfer
