// coinfer capture: measures codecs at a trained model's split points on the
// test split and fills the compression catalog (docs/formats.md).
#include <cstdio>
#include <iostream>

#include "app/command_line.h"
#include "app/commands.h"
#include "learn/capture.h"

namespace coinfer {
namespace {

const std::vector<std::string> kDefaultCodecs = {"none",
                                                 "fp16",
                                                 "quant:8,zstd:3",
                                                 "quant:4,zstd:3",
                                                 "quant:2,zstd:3",
                                                 "quant:1,zstd:3",
                                                 "regions:0.5,quant:8,zstd:3",
                                                 "channels:0.5,quant:8,zstd:3"};

void PrintEntry(const CatalogEntry& e) {
  std::printf("%5d  %-32s %10lld %10.1f %10lld %7.1fx %8.2f%% %8.2f%% %8.2f%% %8.1f %8.1f\n",
              e.key.split_index, e.key.codec.c_str(), static_cast<long long>(e.raw_bytes),
              e.MeanBytes(), static_cast<long long>(e.BytesQuantile(0.95)),
              e.raw_bytes / std::max(e.MeanBytes(), 1.0), 100 * e.Accuracy(), 100 * e.Agreement(),
              100 * e.ValidationAccuracy(), e.encode_us, e.decode_us);
}

}  // namespace

int CaptureCommand(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts("coinfer capture --model NAME [options]");
  CaptureOptions o;
  std::string model, catalog_path;
  opts.add_options()("help,h", "show the options")("model", po::value(&model)->required(),
                                                   "trained model (its card: models/NAME.json)")(
      "card", po::value(&o.card), "model card to use instead of models/NAME.json")(
      "codec", po::value(&o.codecs)->composing(),
      "codec pipeline, e.g. regions:0.5,quant:6,zstd:3 (repeatable; default: a standard set)")(
      "split", po::value(&o.splits)->composing(), "split index (repeatable; default: all)")(
      "samples", po::value(&o.samples)->default_value(0), "first N test images (0: all)")(
      "calibration", po::value(&o.calibration_samples)->default_value(1000),
      "train images that rank channels")("threads", po::value(&o.threads)->default_value(2),
                                         "LibTorch threads")(
      "catalog", po::value(&catalog_path)->default_value("results/catalog.sqlite"),
      "compression catalog (SQLite)");
  po::variables_map vm;
  if (int exit = ParseCommandLine("capture", args, opts, {}, &vm); exit >= 0) return exit;
  if (o.card.empty()) o.card = std::string(COINFER_DEFAULT_MODELS_DIR) + "/" + model + ".json";
  if (o.codecs.empty()) o.codecs = kDefaultCodecs;
  std::unique_ptr<CompressionCatalog> catalog;
  Status st = CompressionCatalog::Open(catalog_path, &catalog);
  if (!st.ok()) return ReportError(st);
  std::printf("%5s  %-32s %10s %10s %10s %8s %9s %9s %9s %8s %8s\n", "split", "codec", "raw B",
              "mean B", "p95 B", "ratio", "top-1", "agree", "val top-1", "enc us", "dec us");
  st = CaptureToCatalog(o, catalog.get(), PrintEntry);
  if (!st.ok()) return ReportError(st);
  std::cout << catalog_path << ": stored\n";
  return 0;
}

}  // namespace coinfer
