// coinfer profile: measures a zoo model on this host with LibTorch, layer by
// layer and whole, and writes a profile CSV (docs/formats.md).
#include <boost/program_options.hpp>

#include <fstream>
#include <iostream>

#include "app/command_line.h"
#include "app/commands.h"
#include "devices/profiler.h"

namespace coinfer {

int ProfileCommand(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts("coinfer profile --model NAME -o FILE [options]");
  TimingOptions timing;
  std::string model, output, device;
  opts.add_options()("help,h", "show the options")("model", po::value(&model)->required(),
                                                   "zoo model to measure")(
      "output,o", po::value(&output)->required(), "profile CSV to write")(
      "device", po::value(&device)->default_value("host"), "device name written in each row")(
      "repeats", po::value(&timing.repeats)->default_value(20), "timed runs per layer and model")(
      "warmup", po::value(&timing.warmup)->default_value(3), "untimed runs before them")(
      "threads", po::value(&timing.threads)->default_value(1), "LibTorch intra-op threads");
  po::variables_map vm;
  if (int exit = ParseCommandLine("profile", args, opts, {}, &vm); exit >= 0) return exit;
  Profile profile;
  Status st = ProfileHost(model, timing, device, &profile);
  if (!st.ok()) return ReportError(st);
  std::ofstream out(output);
  if (!out) return ReportError(Status::IoError(output + ": cannot write"));
  WriteProfileCsv(profile, out);
  const ProfileRow& whole = profile.rows.back();
  double sum = 0;
  for (size_t i = 0; i + 1 < profile.rows.size(); ++i) sum += profile.rows[i].median_ms;
  std::cout << output << ": " << profile.rows.size() - 1 << " layers of " << model
            << "; whole model median " << whole.median_ms << " ms, sum of layer medians " << sum
            << " ms\n";
  return 0;
}

}  // namespace coinfer
