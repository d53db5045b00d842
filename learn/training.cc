#include "learn/training.h"

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <random>

#include "base/stopwatch.h"
#include "datasets/dataset.h"
#include "dnn/zoo_networks.h"
#include "learn/trained_network.h"

namespace coinfer {
namespace {

constexpr int64_t kEvalBatch = 64;

int64_t Prefix(int64_t wanted, int64_t available) {
  return wanted > 0 ? std::min(wanted, available) : available;
}

// The images at `indices` as one batch.
std::pair<torch::Tensor, torch::Tensor> Gather(const ImageSet& set,
                                               const std::vector<int64_t>& indices) {
  const torch::Tensor index = torch::tensor(indices, torch::kInt64);
  const torch::Tensor all_labels =
      torch::from_blob(const_cast<uint8_t*>(set.labels.data()), {set.count}, torch::kUInt8);
  return {ToNetworkInput(ImageBytes(set).index_select(0, index)),
          all_labels.index_select(0, index).to(torch::kInt64)};
}

}  // namespace

std::vector<int64_t> Predict(Network& net, const ImageSet& set, int64_t count) {
  torch::InferenceMode guard;
  net.SetTraining(false);
  std::vector<int64_t> predictions;
  predictions.reserve(count);
  for (int64_t begin = 0; begin < count; begin += kEvalBatch) {
    const int64_t n = std::min(kEvalBatch, count - begin);
    const torch::Tensor classes = net.Forward(ImagesToTensor(set, begin, n)).argmax(1);
    const int64_t* p = classes.data_ptr<int64_t>();
    predictions.insert(predictions.end(), p, p + n);
  }
  return predictions;
}

int64_t CountCorrect(const std::vector<int64_t>& predictions, const ImageSet& set) {
  int64_t correct = 0;
  for (size_t i = 0; i < predictions.size(); ++i) correct += predictions[i] == set.labels[i];
  return correct;
}

Status TrainModel(const TrainOptions& options, const std::string& out_dir,
                  const std::function<void(const EpochReport&)>& progress, ModelCard* card) {
  ImageSet train, validation, test;
  COINFER_RETURN_IF_ERROR(LoadDataset(options.dataset, Split::kTrain, &train));
  COINFER_RETURN_IF_ERROR(LoadDataset(options.dataset, Split::kValidation, &validation));
  COINFER_RETURN_IF_ERROR(LoadDataset(options.dataset, Split::kTest, &test));
  torch::set_num_threads(options.threads);
  torch::manual_seed(options.seed);
  Network net;
  Shape input_shape;
  COINFER_RETURN_IF_ERROR(BuildZooNetwork(options.model, &net, &input_shape));
  if (input_shape[1] != train.channels || input_shape[2] != train.height ||
      input_shape[3] != train.width)
    return Status::InvalidInput("", "model",
                                options.model + " takes " + ShapeText(input_shape) + " input, " +
                                    options.dataset + " has " + std::to_string(train.channels) +
                                    "x" + std::to_string(train.height) + "x" +
                                    std::to_string(train.width) + " images");

  const EpochReport report = TrainEpochs(net, train, validation, options, progress);
  ModelCard c;
  c.model = options.model;
  c.dataset = options.dataset;
  c.validation_correct = report.validation_correct;
  c.validation_samples = report.validation_samples;
  c.test_samples = Prefix(options.test_samples, test.count);
  c.test_correct = CountCorrect(Predict(net, test, c.test_samples), test);
  c.epochs = options.epochs;
  c.train_samples = Prefix(options.train_samples, train.count);
  c.batch_size = options.batch_size;
  c.learning_rate = options.learning_rate;
  c.seed = options.seed;
  c.threads = options.threads;
  return SaveTrained(net, c, out_dir, card);
}

EpochReport TrainEpochs(Network& net, const ImageSet& train, const ImageSet& validation,
                        const TrainOptions& options,
                        const std::function<void(const EpochReport&)>& progress) {
  const int64_t train_n = Prefix(options.train_samples, train.count);
  const int64_t validation_n = Prefix(options.validation_samples, validation.count);
  torch::optim::Adam optimizer(net.Parameters(), torch::optim::AdamOptions(options.learning_rate));
  std::mt19937_64 rng(options.seed);
  std::vector<int64_t> order(train_n);
  std::iota(order.begin(), order.end(), 0);
  EpochReport report;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const Stopwatch epoch_time;
    std::shuffle(order.begin(), order.end(), rng);
    net.SetTraining(true);
    double loss_sum = 0;
    int64_t batches = 0, correct = 0;
    for (int64_t begin = 0; begin < train_n; begin += options.batch_size) {
      const std::vector<int64_t> indices(
          order.begin() + begin, order.begin() + std::min(begin + options.batch_size, train_n));
      auto [images, labels] = Gather(train, indices);
      optimizer.zero_grad();
      const torch::Tensor logits = net.Forward(images);
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
      correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
      ++batches;
    }
    report.epoch = epoch;
    report.mean_loss = loss_sum / std::max<int64_t>(batches, 1);
    report.train_accuracy = static_cast<double>(correct) / train_n;
    report.validation_samples = validation_n;
    report.validation_correct = CountCorrect(Predict(net, validation, validation_n), validation);
    report.seconds = epoch_time.Seconds();
    progress(report);
  }
  return report;
}

Status SaveTrained(const Network& net, ModelCard c, const std::string& out_dir, ModelCard* card) {
  c.weights = c.Name() + ".pt";
  c.sha256 = WeightsSha256(net);
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Status::IoError(out_dir + ": " + ec.message());
  // Weights then card, each renamed into place: a card never names missing weights.
  const fs::path weights = fs::path(out_dir) / c.weights;
  const fs::path card_path = fs::path(out_dir) / (c.Name() + ".json");
  net.Save(weights.string() + ".partial");
  fs::rename(weights.string() + ".partial", weights, ec);
  if (ec) return Status::IoError(weights.string() + ": " + ec.message());
  COINFER_RETURN_IF_ERROR(WriteModelCard(c, card_path.string() + ".partial"));
  fs::rename(card_path.string() + ".partial", card_path, ec);
  if (ec) return Status::IoError(card_path.string() + ": " + ec.message());
  *card = c;
  return Status::Ok();
}

}  // namespace coinfer
