// coinfer prune: a model-compression variant of a trained model — JMDC's
// (the device-side convolutions before a split keep a fraction of their
// channels, attention-selected) or EdgeDI's (every convolution by L1 norm,
// layer by layer down to an accuracy floor) — then fine-tuning; writes
// weights and card.
#include <cstdio>
#include <iostream>

#include "app/command_line.h"
#include "app/commands.h"
#include "learn/model_compression.h"

namespace coinfer {

int PruneCommand(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts(
      "coinfer prune --model NAME (--split K --keep F | --accuracy-floor A) [options]");
  PruneOptions o;
  std::string model, out_dir;
  o.fine_tune.epochs = 1;
  o.fine_tune.learning_rate = 1e-4;
  opts.add_options()("help,h", "show the options")("model", po::value(&model)->required(),
                                                   "trained model (its card: models/NAME.json)")(
      "card", po::value(&o.card), "model card to use instead of models/NAME.json")(
      "split", po::value(&o.split), "split point (layer index, coinfer graph)")(
      "keep", po::value(&o.keep_fraction), "fraction of channels kept, in (0, 1]")(
      "accuracy-floor", po::value(&o.l1.accuracy_floor),
      "instead of --split and --keep, EdgeDI's pruning: every convolution by L1 norm, layer by "
      "layer, keeping 25, 50 or 75 % of its filters while validation top-1 (before "
      "fine-tuning) stays at least this, in (0, 1]")(
      "floor-samples", po::value(&o.l1.validation_samples)->default_value(1000),
      "validation images each L1 choice is scored on")(
      "epochs", po::value(&o.fine_tune.epochs)->default_value(1), "fine-tuning epochs (0: none)")(
      "lr", po::value(&o.fine_tune.learning_rate)->default_value(1e-4), "Adam learning rate")(
      "train-samples", po::value(&o.fine_tune.train_samples)->default_value(0),
      "first N train images to fine-tune on (0: all)")(
      "calibration", po::value(&o.calibration_samples)->default_value(1000),
      "train images that score the channels")(
      "threads", po::value(&o.fine_tune.threads)->default_value(2), "LibTorch threads")(
      "output,o", po::value(&out_dir)->default_value(COINFER_DEFAULT_MODELS_DIR "/variants"),
      "directory for the variant's .pt and .json");
  po::variables_map vm;
  if (int exit = ParseCommandLine("prune", args, opts, {}, &vm); exit >= 0) return exit;
  if (!vm.count("accuracy-floor") && (!vm.count("split") || !vm.count("keep"))) {
    std::cerr << "coinfer prune: --split and --keep, or --accuracy-floor\n";
    return 2;
  }
  if (vm.count("accuracy-floor") && (vm.count("split") || vm.count("keep"))) {
    std::cerr << "coinfer prune: --accuracy-floor prunes every layer: no --split or --keep\n";
    return 2;
  }
  if (vm.count("accuracy-floor") && !(o.l1.accuracy_floor > 0 && o.l1.accuracy_floor <= 1)) {
    std::cerr << "coinfer prune: --accuracy-floor must be in (0, 1]\n";
    return 2;
  }
  o.l1_progress = [](const L1Step& s) {
    std::printf("layer %d: %lld of %lld filters kept", s.layer, static_cast<long long>(s.kept),
                static_cast<long long>(s.channels));
    if (s.kept < s.channels)
      std::printf(", validation top-1 %.2f%% unfine-tuned", 100 * s.accuracy);
    std::printf("\n");
    std::fflush(stdout);
  };
  if (o.card.empty()) o.card = std::string(COINFER_DEFAULT_MODELS_DIR) + "/" + model + ".json";
  PruneReport r;
  const Status st = PruneModel(
      o, out_dir,
      [](const EpochReport& e) {
        std::printf("fine-tune epoch %d: loss %.4f, validation accuracy %.2f%%, %.1f s\n", e.epoch,
                    e.mean_loss, 100.0 * e.validation_correct / e.validation_samples, e.seconds);
        std::fflush(stdout);
      },
      &r);
  if (!st.ok()) return ReportError(st);
  std::printf(
      "%s: %s %lld -> %lld (%.0f%%), test accuracy %.2f%% pruned, %.2f%% "
      "fine-tuned\n",
      r.card.Name().c_str(), o.l1.accuracy_floor > 0 ? "MACs" : "device-side MACs",
      static_cast<long long>(r.device_macs_before), static_cast<long long>(r.device_macs_after),
      100.0 * r.device_macs_after / std::max<int64_t>(r.device_macs_before, 1),
      100.0 * r.pruned_correct / r.card.test_samples, 100 * r.card.TestAccuracy());
  std::cout << out_dir << "/" << r.card.weights << ": sha256 " << r.card.sha256 << "\n";
  return 0;
}

}  // namespace coinfer
