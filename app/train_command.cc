// coinfer train: trains one of the zoo's small networks on a dataset with
// LibTorch and writes its weights and model card under models/.
#include <cstdio>
#include <iostream>

#include "app/command_line.h"
#include "app/commands.h"
#include "learn/training.h"

namespace coinfer {

int TrainCommand(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts("coinfer train --model NAME [options]");
  TrainOptions o;
  std::string out_dir;
  opts.add_options()("help,h", "show the options")("model", po::value(&o.model)->required(),
                                                   "small_vgg, small_resnet or small_mobilenet")(
      "dataset", po::value(&o.dataset)->default_value(o.dataset),
      "fashion-mnist, idx:DIR or cifar10:DIR")(
      "epochs", po::value(&o.epochs)->default_value(o.epochs), "passes over the train split")(
      "seed", po::value(&o.seed)->default_value(o.seed), "weights and shuffling seed")(
      "batch", po::value(&o.batch_size)->default_value(o.batch_size), "mini-batch size")(
      "lr", po::value(&o.learning_rate)->default_value(o.learning_rate), "Adam learning rate")(
      "threads", po::value(&o.threads)->default_value(o.threads), "LibTorch threads")(
      "train-samples", po::value(&o.train_samples)->default_value(0),
      "first N train images (0: all)")("validation-samples",
                                       po::value(&o.validation_samples)->default_value(0),
                                       "first N validation images (0: all)")(
      "test-samples", po::value(&o.test_samples)->default_value(0), "first N test images (0: all)")(
      "output,o", po::value(&out_dir)->default_value(COINFER_DEFAULT_MODELS_DIR),
      "directory for NAME.pt and NAME.json");
  po::variables_map vm;
  if (int exit = ParseCommandLine("train", args, opts, {}, &vm); exit >= 0) return exit;
  ModelCard card;
  const Status st = TrainModel(
      o, out_dir,
      [&](const EpochReport& r) {
        std::printf(
            "epoch %d/%d: loss %.4f, train accuracy %.2f%%, validation accuracy %.2f%% (%lld), "
            "%.1f s\n",
            r.epoch, o.epochs, r.mean_loss, 100 * r.train_accuracy,
            100.0 * r.validation_correct / r.validation_samples,
            static_cast<long long>(r.validation_samples), r.seconds);
        std::fflush(stdout);
      },
      &card);
  if (!st.ok()) return ReportError(st);
  std::printf("test accuracy %.2f%% (%lld/%lld)\n", 100 * card.TestAccuracy(),
              static_cast<long long>(card.test_correct), static_cast<long long>(card.test_samples));
  std::cout << out_dir << "/" << card.weights << ": sha256 " << card.sha256 << "\n";
  return 0;
}

}  // namespace coinfer
