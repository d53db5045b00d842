#include "learn/capture.h"

#include <chrono>
#include <map>

#include "compress/codec.h"
#include "datasets/dataset.h"
#include "learn/cut_pruning.h"
#include "learn/trained_network.h"

namespace coinfer {
namespace {

constexpr int64_t kBatch = 250;
// Train images that calibrate prune:R (its LASSO and least squares).
constexpr int64_t kPruningCalibration = 256;

using Clock = std::chrono::steady_clock;

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

torch::Tensor Crossing(const std::vector<torch::Tensor>& outputs, const SplitPoint& split,
                       const torch::Tensor& input) {
  return (split.source == Layer::kModelInput ? input : outputs[split.source]).contiguous();
}

// Channel scores at each split (by SplitPoint::index), from calibration images.
std::map<int, std::vector<double>> ChannelScores(Network& net, const ImageSet& train, int64_t n,
                                                 const std::vector<SplitPoint>& splits) {
  std::vector<int> sources;
  for (const SplitPoint& s : splits) sources.push_back(s.source);
  const std::map<int, torch::Tensor> activity = ChannelActivity(net, train, n, sources);
  std::map<int, std::vector<double>> scores;
  for (const SplitPoint& s : splits) {
    const torch::Tensor d = activity.at(s.source).to(torch::kFloat64).contiguous();
    scores[s.index].assign(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
  }
  return scores;
}

// One (split, codec) being measured.
struct Job {
  SplitPoint split;
  std::unique_ptr<Codec> codec;
  CatalogEntry entry;
  double encode_us = 0, decode_us = 0;
};

}  // namespace

Status CaptureToCatalog(const CaptureOptions& options, CompressionCatalog* catalog,
                        const std::function<void(const CatalogEntry&)>& progress) {
  torch::set_num_threads(options.threads);
  Network net;
  ModelCard card;
  Shape input_shape;
  COINFER_RETURN_IF_ERROR(LoadTrainedNetwork(options.card, &net, &card, &input_shape));
  const Graph graph = net.Record(card.model, input_shape);
  std::vector<SplitPoint> all = graph.SplitPoints();
  all.pop_back();  // the last split sends nothing
  std::vector<SplitPoint> splits;
  if (options.splits.empty()) splits = all;
  for (int index : options.splits) {
    auto it =
        std::find_if(all.begin(), all.end(), [&](const SplitPoint& s) { return s.index == index; });
    if (it == all.end())
      return Status::InvalidInput("", "split",
                                  std::to_string(index) + " is not a split point of " + card.model +
                                      " (coinfer graph --model " + card.model + ")");
    splits.push_back(*it);
  }

  std::vector<CodecSpec> specs;
  for (const std::string& text : options.codecs) {
    CodecSpec spec;
    COINFER_RETURN_IF_ERROR(ParseCodecSpec(text, &spec));
    specs.push_back(spec);
  }
  ImageSet test;
  COINFER_RETURN_IF_ERROR(LoadDataset(card.dataset, Split::kTest, &test));
  const int64_t n = options.samples > 0 ? std::min(options.samples, test.count) : test.count;

  // What the catalog lacks; when nothing, the calibration pass is skipped.
  std::vector<Job> jobs;
  std::vector<CodecSpec> job_specs;
  std::vector<SplitPoint> job_splits;
  for (const SplitPoint& s : splits) {
    for (const CodecSpec& spec : specs) {
      const CatalogKey key{card.Name(), card.sha256, card.dataset, s.index, CodecSpecText(spec)};
      bool found = false;
      CatalogEntry existing;
      COINFER_RETURN_IF_ERROR(catalog->Find(key, n, &found, &existing));
      if (found) continue;
      Job job;
      job.split = s;
      job.entry.key = key;
      job.entry.raw_bytes = s.bytes;
      jobs.push_back(std::move(job));
      job_specs.push_back(spec);
      if (job_splits.empty() || job_splits.back().index != s.index) job_splits.push_back(s);
    }
  }
  if (jobs.empty()) return Status::Ok();

  ImageSet train;
  COINFER_RETURN_IF_ERROR(LoadDataset(card.dataset, Split::kTrain, &train));
  torch::InferenceMode guard;
  const auto scores =
      ChannelScores(net, train, std::min(options.calibration_samples, train.count), job_splits);
  const torch::Tensor pruning_input = ImagesToTensor(
      train, 0, std::min({kPruningCalibration, options.calibration_samples, train.count}));
  for (size_t j = 0; j < jobs.size(); ++j) {
    if (job_specs[j].prune) {
      CutPruning p =
          PlanCutPruning(net, graph, jobs[j].split, pruning_input, job_specs[j].prune_rate);
      jobs[j].codec =
          std::make_unique<Codec>(job_specs[j], std::move(p.kept), std::move(p.reconstruction));
    } else {
      jobs[j].codec = std::make_unique<Codec>(
          job_specs[j], TopChannels(scores.at(jobs[j].split.index), job_specs[j].channel_fraction));
    }
  }

  std::string bytes;
  Activation decoded;
  for (int64_t begin = 0; begin < n; begin += kBatch) {
    const int64_t count = std::min(kBatch, n - begin);
    const torch::Tensor input = ImagesToTensor(test, begin, count);
    const std::vector<torch::Tensor> outputs = net.ForwardAll(input);
    const torch::Tensor plain = outputs.back().argmax(1);
    for (Job& job : jobs) {
      const torch::Tensor x = Crossing(outputs, job.split, input);
      const std::vector<int64_t> shape(x.sizes().begin() + 1, x.sizes().end());
      const int64_t per_sample = x.numel() / count;
      torch::Tensor received = torch::empty_like(x);
      for (int64_t i = 0; i < count; ++i) {
        const auto t0 = Clock::now();
        COINFER_RETURN_IF_ERROR(
            job.codec->Encode(x.data_ptr<float>() + i * per_sample, shape, &bytes));
        const auto t1 = Clock::now();
        COINFER_RETURN_IF_ERROR(job.codec->Decode(bytes, &decoded));
        job.encode_us += Micros(t1 - t0);
        job.decode_us += Micros(Clock::now() - t1);
        std::copy(decoded.values.begin(), decoded.values.end(),
                  received.data_ptr<float>() + i * per_sample);
        job.entry.sample_bytes.push_back(static_cast<int64_t>(bytes.size()));
      }
      const torch::Tensor predicted =
          net.ForwardFrom(job.split.index, job.split.source, received).argmax(1);
      for (int64_t i = 0; i < count; ++i) {
        const int64_t p = predicted.data_ptr<int64_t>()[i];
        job.entry.correct.push_back(p == test.labels[begin + i]);
        job.entry.agrees.push_back(p == plain.data_ptr<int64_t>()[i]);
      }
    }
  }
  std::vector<CatalogEntry> entries;
  for (Job& job : jobs) {
    job.entry.encode_us = job.encode_us / n;
    job.entry.decode_us = job.decode_us / n;
    progress(job.entry);
    entries.push_back(std::move(job.entry));
  }
  return catalog->Put(entries);
}

}  // namespace coinfer
