// coinfer calibrate: fits a device model to profile CSVs, prints the
// leave-one-model-out prediction error per kind and end to end, and writes a
// .device file the scenarios load.
#include <boost/program_options.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "app/command_line.h"
#include "app/commands.h"
#include "base/parse.h"
#include "base/percentile.h"
#include "devices/android_power_profile.h"
#include "devices/calibration.h"
#include "dnn/zoo.h"

namespace coinfer {

int CalibrateCommand(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts("coinfer calibrate PROFILE.csv... --device NAME -o FILE.device");
  std::vector<std::string> inputs;
  std::string device, output;
  int cores = 1;
  std::string power_text, power_source, held_out_csv, android_power;
  AndroidPowerOptions android;
  opts.add_options()("help,h", "show the options")(
      "profile", po::value(&inputs)->required(), "profile CSV files (coinfer profile or measured)")(
      "device", po::value(&device)->required(), "the device whose rows are fitted")(
      "output,o", po::value(&output)->required(), ".device file to write")(
      "cores", po::value(&cores)->default_value(1), "concurrent compute slots of the device")(
      "power", po::value(&power_text),
      "IDLE_W,COMPUTE_W,TRANSMIT_W,TRANSMIT_W_PER_MBPS: the device's power, for energy")(
      "android-power", po::value(&android_power),
      "power_profile.xml of an Android phone: the power line derived from its currents "
      "(devices/android_power_profile.h)")("battery-volts", po::value(&android.battery_volts),
                                           "with --android-power: the battery's nominal voltage")(
      "compute-cluster", po::value(&android.compute_cluster)->default_value(-1),
      "with --android-power: the CPU cluster that computes (-1: the one drawing most)")(
      "compute-cores", po::value(&android.compute_cores)->default_value(0),
      "with --android-power: its busy cores (0: all)")("power-source", po::value(&power_source),
                                                       "where the power figures come from")(
      "held-out-csv", po::value(&held_out_csv),
      "also write every held-out row's measured and predicted ms (CSV), to see where the fit "
      "is wrong");
  po::positional_options_description pos;
  pos.add("profile", -1);
  po::variables_map vm;
  if (int exit = ParseCommandLine("calibrate", args, opts, pos, &vm); exit >= 0) return exit;
  DevicePower power;
  if (!power_text.empty()) {
    const std::vector<std::string> f = SplitFields(power_text, ',');
    double* values[] = {&power.idle_w, &power.compute_w, &power.transmit_w,
                        &power.transmit_w_per_mbps};
    for (size_t i = 0; i < 4; ++i)
      if (f.size() != 4 || !ParseNumber(f[i], values[i]) || *values[i] < 0)
        return ReportError(
            Status::InvalidInput("--power", "", "expected four non-negative numbers"));
  }
  if ((!power_text.empty() || !android_power.empty()) && power_source.empty())
    return ReportError(
        Status::InvalidInput("--power-source", "", "say where the power figures come from"));
  if (!android_power.empty()) {
    if (!power_text.empty())
      return ReportError(Status::InvalidInput("--android-power", "", "give --power or this"));
    if (!(android.battery_volts > 0))
      return ReportError(
          Status::InvalidInput("--battery-volts", "", "give the battery's nominal voltage"));
    std::string derivation;
    Status st = ReadAndroidPowerProfile(android_power, android, &power, &derivation);
    if (!st.ok()) return ReportError(st);
    power_source += "; derived from the " + derivation;
  }
  std::vector<ProfileRow> rows;
  std::vector<std::string> provenance = {"fitted by coinfer calibrate --device " + device +
                                         " from:"};
  std::set<std::string> devices_profiled;
  for (const std::string& path : inputs) {
    Profile p;
    Status st = ReadProfileCsv(path, &p);
    if (!st.ok()) return ReportError(st);
    provenance.push_back("  " + path);
    for (const std::string& c : p.comments) provenance.push_back("    " + c);
    for (ProfileRow& r : p.rows) {
      devices_profiled.insert(r.device);
      if (r.device == device) rows.push_back(std::move(r));
    }
  }
  if (rows.empty()) {
    std::string names;
    for (const std::string& d : devices_profiled) names += (names.empty() ? "" : ", ") + d;
    return ReportError(Status::InvalidInput(
        "", "device", "no rows of '" + device + "'; the profiles have " + names));
  }
  // One fit describes one configuration: rows measured with other thread
  // counts ran other kernels at other speeds.
  for (const ProfileRow& r : rows)
    if (r.threads != rows.front().threads)
      return ReportError(Status::InvalidInput(r.where, "threads",
                                              std::to_string(r.threads) + " threads, but " +
                                                  rows.front().where + " has " +
                                                  std::to_string(rows.front().threads) +
                                                  ": profile " + device + " with one --threads"));
  // Segment rows are fitted on the sums over their layers: record the graphs.
  Graphs graphs;
  for (const ProfileRow& r : rows) {
    if (r.kind != "segment" || graphs.count(r.model)) continue;
    Status st = RecordZooGraph(r.model, &graphs[r.model]);
    if (!st.ok()) return ReportError(st);
  }
  KindFits fits;
  Status st = FitKinds(rows, graphs, &fits);
  if (!st.ok()) return ReportError(st);

  std::vector<HeldOutError> held;
  if (LeaveOneModelOut(rows, graphs, &held).ok()) {
    std::map<std::string, std::vector<double>> by_kind;
    std::map<std::string, std::map<std::string, std::vector<double>>> by_kernel;
    std::printf("leave-one-model-out prediction error (%%):\n%-16s %12s\n", "held-out model",
                "end-to-end");
    std::vector<double> end_to_end;
    for (const HeldOutError& h : held) {
      std::printf("%-16s %12.1f\n", h.model.c_str(), 100 * h.end_to_end_error);
      end_to_end.push_back(h.end_to_end_error);
      for (const auto& [kind, errors] : h.errors)
        by_kind[kind].insert(by_kind[kind].end(), errors.begin(), errors.end());
      for (const HeldOutPrediction& p : h.predictions)
        if (!p.kernel.empty() && p.measured_ms > 0)
          by_kernel[p.kind][p.kernel].push_back(std::abs(p.predicted_ms - p.measured_ms) /
                                                p.measured_ms);
    }
    auto print = [](const std::string& name, const std::vector<double>& errors) {
      std::printf("%-28s %8zu %10.1f %8.1f\n", name.c_str(), errors.size(),
                  100 * Percentile(errors, 0.5), 100 * Percentile(errors, 0.9));
    };
    std::printf("\n%-28s %8s %10s %8s\n", "kind (/kernel)", "rows", "median_%", "p90_%");
    for (const auto& [kind, errors] : by_kind) {
      print(kind, errors);
      // A kind that ran on several kernels: each apart.
      if (by_kernel[kind].size() > 1)
        for (const auto& [kernel, kernel_errors] : by_kernel[kind])
          print("  /" + kernel, kernel_errors);
    }
    print("end-to-end", end_to_end);
    if (!held_out_csv.empty()) {
      std::ofstream csv(held_out_csv);
      if (!csv) return ReportError(Status::IoError(held_out_csv + ": cannot write"));
      csv << "model,name,kind,kernel,measured_ms,predicted_ms\n";
      for (const HeldOutError& h : held)
        for (const HeldOutPrediction& p : h.predictions)
          csv << h.model << "," << p.name << "," << p.kind << "," << p.kernel << ","
              << p.measured_ms << "," << p.predicted_ms << "\n";
    }
  } else {
    std::printf("one model only: no held-out error can be measured\n");
  }
  // Written beside the output, read back as a run would read it, then renamed
  // into place: a file that a run would refuse is never left behind.
  const std::string partial = output + ".partial";
  std::ofstream out(partial);
  if (!out) return ReportError(Status::IoError(partial + ": cannot write"));
  // Measured rows win over the fit: the device file names its profiles.
  std::vector<std::string> profiles;
  const std::filesystem::path dir = std::filesystem::absolute(output).parent_path();
  for (const std::string& path : inputs)
    profiles.push_back(std::filesystem::absolute(path).lexically_relative(dir).string());
  if (power.known()) provenance.push_back("power: " + power_source);
  WriteDeviceFile(device, cores, fits, profiles, power, provenance, out);
  out.close();
  DeviceModel written;
  st = out ? DeviceModel::Load(partial, &written) : Status::IoError(partial + ": cannot write");
  std::error_code ec;
  if (st.ok()) std::filesystem::rename(partial, output, ec);
  if (st.ok() && ec) st = Status::IoError(output + ": " + ec.message());
  if (!st.ok()) {
    std::filesystem::remove(partial, ec);
    return ReportError(
        Status::InvalidInput("", "calibrate", "the device file would not load: " + st.message()));
  }
  std::cout << "\n" << output << "\n";
  return 0;
}

}  // namespace coinfer
