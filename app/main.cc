// coinfer: simulation testbed for collaborative DNN inference.
#include <malloc.h>

#include <cstring>
#include <iostream>

#include "app/commands.h"
#include "base/status.h"

namespace coinfer {

int ReportError(const Status& status) {
  std::cerr << "coinfer: " << status.message() << "\n";
  return status.IsInvalidInput() ? 2 : 1;
}

}  // namespace coinfer

namespace {

const char kUsage[] = R"(usage: coinfer <command> [options]

commands:
  run <scenario.ini> [--set key=value ...] [--csv FILE]   simulate a scenario, store results, print the table
  sweep <sweep.ini> [-j N] [--dry-run] [--shard K/N]      run every point of a sweep in parallel, resumably
  emulate <scenario.ini> [--set key=value ...]            run a two-tier scenario for real: site processes, a shaped link
  fidelity <scenario.ini> [--set key=value ...]           simulate and emulate a scenario; the gaps per request
  merge OUT.sqlite IN.sqlite...                           join results databases, each run once
  report DB.sqlite [-o DIR]                               comparison tables (Markdown, CSV) and an HTML page of plots
  graph --model NAME | --list                             show a zoo model's layers and split points
  trace stats FILE... | trace plot FILE -o OUT.svg        statistics and plots of bandwidth traces
  profile --model NAME... -o FILE | --output-dir DIR      measure models on this host, layer by layer (LibTorch)
  calibrate PROFILE.csv... --device NAME -o FILE.device   fit a device model; print its held-out error
  data import PACKAGE_DIR | data stats                    build and inspect the dataset cache
  train --model NAME [--epochs E --seed S]                train a small zoo network (LibTorch)
  capture --model NAME [--codec PIPELINE ...]             measure codecs at split points into the catalog
  prune --model NAME --split K --keep F                   prune device-side channels, fine-tune (JMDC)
  cnnpc-table --model NAME [--cuts ...]                   CNNPC's predicted latency of every plan, as CSV

'coinfer <command> --help' describes each command.
)";

}  // namespace

int main(int argc, char** argv) {
  // LibTorch allocates every layer's output afresh. By default glibc serves
  // large blocks with mmap and returns freed memory to the system, so every
  // forward pass page-faults all its activations again: a quarter of
  // ResNet-50's time on this host (78 vs 58 ms). Keeping freed memory in the
  // heap is the steady state of a serving process (what jemalloc or
  // tcmalloc give PyTorch deployments), and what `coinfer profile` measures.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "run") return coinfer::RunCommand(args);
  if (command == "sweep") return coinfer::SweepCommand(args);
  if (command == "merge") return coinfer::MergeCommand(args);
  if (command == "emulate") return coinfer::EmulateCommand(args);
  if (command == "emulate-site") return coinfer::EmulateSiteCommand(args);
  if (command == "fidelity") return coinfer::FidelityCommand(args);
  if (command == "report") return coinfer::ReportCommand(args);
  if (command == "graph") return coinfer::GraphCommand(args);
  if (command == "trace") return coinfer::TraceCommand(args);
  if (command == "profile") return coinfer::ProfileCommand(args);
  if (command == "calibrate") return coinfer::CalibrateCommand(args);
  if (command == "data") return coinfer::DataCommand(args);
  if (command == "train") return coinfer::TrainCommand(args);
  if (command == "cnnpc-table") return coinfer::CnnpcTableCommand(args);
  if (command == "capture") return coinfer::CaptureCommand(args);
  if (command == "prune") return coinfer::PruneCommand(args);
  std::cerr << "coinfer: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
