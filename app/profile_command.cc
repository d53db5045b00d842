// coinfer profile: measures zoo models on this host with LibTorch, layer by
// layer and whole, and writes a profile CSV per model (docs/formats.md).
#include <boost/program_options.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "app/command_line.h"
#include "app/commands.h"
#include "devices/profiler.h"

namespace coinfer {

namespace {

int HardwareThreads() { return std::max(1u, std::thread::hardware_concurrency()); }

// A file name for a model spec: "torchscript:dir/net.pt@1x3x32x32" ->
// "torchscript_dir_net_pt_1x3x32x32".
std::string FileNameOf(std::string model) {
  for (char& c : model)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return model;
}

}  // namespace

int ProfileCommand(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts(
      "coinfer profile --model NAME... (-o FILE | --output-dir DIR) [options]");
  TimingOptions timing;
  std::vector<std::string> models;
  std::string output, output_dir, device;
  opts.add_options()("help,h", "show the options")(
      "model", po::value(&models)->required()->multitoken(),
      "zoo models (or torchscript:PATH@NxCxHxW) to measure; several are measured together, "
      "their passes interleaved")("output,o", po::value(&output),
                                  "profile CSV to write (one model)")(
      "output-dir", po::value(&output_dir), "directory for one profile CSV per model, MODEL.csv")(
      "device", po::value(&device)->default_value("host"), "device name written in each row")(
      "repeats", po::value(&timing.repeats)->default_value(20), "timed passes per model")(
      "warmup", po::value(&timing.warmup)->default_value(3), "untimed passes before them")(
      "threads", po::value(&timing.threads)->default_value(HardwareThreads()),
      "LibTorch intra-op threads (default: this machine's, as coinfer runs LibTorch elsewhere)");
  po::variables_map vm;
  if (int exit = ParseCommandLine("profile", args, opts, {}, &vm); exit >= 0) return exit;
  if (output.empty() == output_dir.empty())
    return ReportError(Status::InvalidInput("-o", "", "give either -o FILE or --output-dir DIR"));
  if (!output.empty() && models.size() != 1)
    return ReportError(
        Status::InvalidInput("-o", "", "one model per file: use --output-dir for several"));
  if (!output_dir.empty()) {
    // Before the minutes of profiling, so that a folder that cannot be made fails first.
    std::error_code error;
    std::filesystem::create_directories(output_dir, error);
    if (error)
      return ReportError(Status::IoError(output_dir + ": cannot create: " + error.message()));
  }
  std::vector<Profile> profiles;
  Status st = ProfileHost(models, timing, device, &profiles);
  if (!st.ok()) return ReportError(st);
  for (size_t m = 0; m < models.size(); ++m) {
    const std::string path =
        output.empty() ? output_dir + "/" + FileNameOf(models[m]) + ".csv" : output;
    std::ofstream out(path);
    if (!out) return ReportError(Status::IoError(path + ": cannot write"));
    const Profile& profile = profiles[m];
    WriteProfileCsv(profile, out);
    const ProfileRow& whole = profile.rows.back();
    double sum = 0;
    for (size_t i = 0; i + 1 < profile.rows.size(); ++i) sum += profile.rows[i].median_ms;
    std::cout << path << ": " << profile.rows.size() - 1 << " layers of " << models[m]
              << "; whole model median " << whole.median_ms << " ms, sum of layer medians " << sum
              << " ms\n";
  }
  return 0;
}

}  // namespace coinfer
