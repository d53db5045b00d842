#include "learn/capture.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>

#include "compress/codec.h"
#include "datasets/dataset.h"
#include "datasets/validation_split.h"
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

// One tensor a measured job sends: where, and with what codec.
struct Cut {
  SplitPoint split;
  Codec* codec = nullptr;
};

// One catalog entry being measured: one cut, or two (a CNNPC probe).
struct Job {
  std::vector<Cut> cuts;
  CatalogEntry entry;
  double encode_us = 0, decode_us = 0;
};

// Encodes and decodes each sample of `x` (batch first) with `cut`'s codec,
// recording the bytes and, when `timed`, the codec's time; returns what the
// receiver has.
Status SendEach(Job& job, Cut& cut, const torch::Tensor& x, int64_t count, bool timed,
                std::vector<int64_t>* bytes_out, torch::Tensor* received) {
  const std::vector<int64_t> shape(x.sizes().begin() + 1, x.sizes().end());
  const int64_t per_sample = x.numel() / count;
  *received = torch::empty_like(x);
  std::string bytes;
  Activation decoded;
  for (int64_t i = 0; i < count; ++i) {
    const auto t0 = Clock::now();
    COINFER_RETURN_IF_ERROR(cut.codec->Encode(x.data_ptr<float>() + i * per_sample, shape, &bytes));
    const auto t1 = Clock::now();
    COINFER_RETURN_IF_ERROR(cut.codec->Decode(bytes, &decoded));
    if (timed) {
      job.encode_us += Micros(t1 - t0);
      job.decode_us += Micros(Clock::now() - t1);
    }
    std::copy(decoded.values.begin(), decoded.values.end(),
              received->data_ptr<float>() + i * per_sample);
    bytes_out->push_back(static_cast<int64_t>(bytes.size()));
  }
  return Status::Ok();
}

}  // namespace

// The model, its test and validation splits, and the codecs fitted so far (channel scores
// for channels:F, computed for several splits in one pass; LASSO and least
// squares for prune:R), kept across measurements.
struct CaptureSession::Impl {
  CaptureOptions options;
  Network net;
  ModelCard card;
  Graph graph;
  std::vector<SplitPoint> splits;    // every split point but the last
  ImageSet test, validation, train;  // train: loaded on first need
  std::map<int, std::vector<double>> scores;
  torch::Tensor pruning_input;
  std::map<std::pair<int, std::string>, std::unique_ptr<Codec>> codecs;
  // EncodeSample's batches: (first sample, samples measured, split) -> the
  // tensors that cross it, as Run computes them.
  std::map<std::tuple<int64_t, int64_t, int>, torch::Tensor> crossing;

  Status Train() {
    return train.count > 0 ? Status::Ok() : LoadDataset(card.dataset, Split::kTrain, &train);
  }

  Status ScoreChannels(const std::vector<SplitPoint>& at) {
    COINFER_RETURN_IF_ERROR(Train());
    std::vector<int> sources;
    for (const SplitPoint& s : at) sources.push_back(s.source);
    const int64_t n = std::min(options.calibration_samples, train.count);
    const std::map<int, torch::Tensor> activity = ChannelActivity(net, train, n, sources);
    for (const SplitPoint& s : at) {
      const torch::Tensor d = activity.at(s.source).to(torch::kFloat64).contiguous();
      scores[s.index].assign(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
    }
    return Status::Ok();
  }

  Status GetCodec(const CodecSpec& spec, const SplitPoint& split, Codec** out) {
    std::unique_ptr<Codec>& codec = codecs[{split.index, CodecSpecText(spec)}];
    if (!codec && spec.prune) {
      COINFER_RETURN_IF_ERROR(Train());
      if (!pruning_input.defined())
        pruning_input = ImagesToTensor(
            train, 0, std::min({kPruningCalibration, options.calibration_samples, train.count}));
      CutPruning p = PlanCutPruning(net, graph, split, pruning_input, spec.prune_rate);
      codec = std::make_unique<Codec>(spec, std::move(p.kept), std::move(p.reconstruction));
    } else if (!codec && spec.channels) {
      if (!scores.count(split.index)) COINFER_RETURN_IF_ERROR(ScoreChannels({split}));
      codec =
          std::make_unique<Codec>(spec, TopChannels(scores.at(split.index), spec.channel_fraction));
    } else if (!codec) {
      codec = std::make_unique<Codec>(spec, std::vector<int>());
    }
    *out = codec.get();
    return Status::Ok();
  }

  // The split point of index `split_index` and its codec of text `codec`.
  Status CodecAt(int split_index, const std::string& codec, SplitPoint* split, Codec** out) {
    CodecSpec spec;
    COINFER_RETURN_IF_ERROR(FindSplit(split_index, split));
    COINFER_RETURN_IF_ERROR(ParseCodecSpec(codec, &spec));
    return GetCodec(spec, *split, out);
  }

  // Sends each job's cuts for the first n images of `set` and records the
  // outcome: bytes, times, correctness and agreement on the test split,
  // correctness alone on validation.
  Status Run(const ImageSet& set, int64_t n, bool on_test, std::vector<Job>* jobs_out) {
    std::vector<Job>& jobs = *jobs_out;
    std::vector<int64_t> unreported;
    for (int64_t begin = 0; begin < n; begin += kBatch) {
      const int64_t count = std::min(kBatch, n - begin);
      const torch::Tensor input = ImagesToTensor(set, begin, count);
      const std::vector<torch::Tensor> outputs = net.ForwardAll(input);
      const torch::Tensor plain = outputs.back().argmax(1);
      for (Job& job : jobs) {
        torch::Tensor received;
        const Cut* last = nullptr;
        for (Cut& cut : job.cuts) {
          const torch::Tensor x =
              last ? net.ForwardRange(last->split.index, last->split.source, received,
                                      cut.split.index, cut.split.source)
                         .contiguous()
                   : Crossing(outputs, cut.split, input);
          std::vector<int64_t>* bytes = !on_test ? &unreported
                                        : last   ? &job.entry.then_bytes
                                                 : &job.entry.sample_bytes;
          COINFER_RETURN_IF_ERROR(SendEach(job, cut, x, count, on_test, bytes, &received));
          last = &cut;
        }
        const torch::Tensor predicted =
            net.ForwardFrom(last->split.index, last->split.source, received).argmax(1);
        for (int64_t i = 0; i < count; ++i) {
          const int64_t p = predicted.data_ptr<int64_t>()[i];
          const bool right = p == set.labels[begin + i];
          if (!on_test) {
            job.entry.validation_correct.push_back(right);
            continue;
          }
          job.entry.correct.push_back(right);
          job.entry.agrees.push_back(p == plain.data_ptr<int64_t>()[i]);
        }
      }
    }
    return Status::Ok();
  }

  Status FindSplit(int index, SplitPoint* out) const {
    auto it = std::find_if(splits.begin(), splits.end(),
                           [&](const SplitPoint& s) { return s.index == index; });
    if (it == splits.end())
      return Status::InvalidInput("", "split",
                                  std::to_string(index) + " is not a split point of " + card.model +
                                      " (coinfer graph --model " + card.model + ")");
    *out = *it;
    return Status::Ok();
  }
};

CaptureSession::CaptureSession() : impl_(std::make_unique<Impl>()) {}
CaptureSession::~CaptureSession() = default;

Status CaptureSession::Open(const CaptureOptions& options, std::unique_ptr<CaptureSession>* out) {
  std::unique_ptr<CaptureSession> session(new CaptureSession());
  Impl& s = *session->impl_;
  s.options = options;
  torch::set_num_threads(options.threads);
  Shape input_shape;
  COINFER_RETURN_IF_ERROR(LoadTrainedNetwork(options.card, &s.net, &s.card, &input_shape));
  s.graph = s.net.Record(s.card.model, input_shape);
  s.splits = s.graph.SplitPoints();
  s.splits.pop_back();  // the last split sends nothing
  COINFER_RETURN_IF_ERROR(LoadDataset(s.card.dataset, Split::kTest, &s.test));
  COINFER_RETURN_IF_ERROR(LoadDataset(s.card.dataset, Split::kValidation, &s.validation));
  if (s.validation.count == 0)
    return Status::InvalidInput(s.card.dataset, "dataset",
                                "has no validation images (each class needs at least " +
                                    std::to_string(kValidationShare) + " train images)");
  *out = std::move(session);
  return Status::Ok();
}

const ModelCard& CaptureSession::card() const { return impl_->card; }

std::vector<int> CaptureSession::SplitIndices() const {
  std::vector<int> indices;
  for (const SplitPoint& s : impl_->splits) indices.push_back(s.index);
  return indices;
}

int64_t CaptureSession::Samples(int64_t wanted) const {
  return wanted > 0 ? std::min(wanted, impl_->test.count) : impl_->test.count;
}

int64_t CaptureSession::ValidationSamples(int64_t test_samples) const {
  return std::min(Samples(test_samples), impl_->validation.count);
}

Status CaptureSession::Measure(const std::vector<CaptureCuts>& measurements, int64_t samples,
                               std::vector<CatalogEntry>* out) {
  Impl& s = *impl_;
  const int64_t n = Samples(samples);
  torch::InferenceMode guard;
  std::vector<Job> jobs(measurements.size());
  std::vector<SplitPoint> scored;  // channel scores wanted, computed in one pass
  for (size_t j = 0; j < measurements.size(); ++j) {
    if (measurements[j].empty() || measurements[j].size() > 2)
      return Status::InvalidInput("", "split", "a measurement sends one tensor or two");
    for (const auto& [index, text] : measurements[j]) {
      Cut cut;
      CodecSpec spec;
      COINFER_RETURN_IF_ERROR(s.FindSplit(index, &cut.split));
      COINFER_RETURN_IF_ERROR(ParseCodecSpec(text, &spec));
      if (!jobs[j].cuts.empty() && cut.split.index <= jobs[j].cuts.back().split.index)
        return Status::InvalidInput("", "split", "the second cut must come after the first");
      if (spec.channels && !spec.prune && !s.scores.count(index)) scored.push_back(cut.split);
      jobs[j].cuts.push_back(cut);
    }
  }
  if (!scored.empty()) COINFER_RETURN_IF_ERROR(s.ScoreChannels(scored));
  for (size_t j = 0; j < measurements.size(); ++j) {
    Job& job = jobs[j];
    for (size_t k = 0; k < job.cuts.size(); ++k) {
      CodecSpec spec;
      COINFER_RETURN_IF_ERROR(ParseCodecSpec(measurements[j][k].second, &spec));
      COINFER_RETURN_IF_ERROR(s.GetCodec(spec, job.cuts[k].split, &job.cuts[k].codec));
      if (k == 0)
        job.entry.key = {s.card.Name(), s.card.sha256, s.card.dataset, job.cuts[0].split.index,
                         CodecSpecText(spec)};
      else
        job.entry.then_split = job.cuts[k].split.index, job.entry.then_codec = CodecSpecText(spec);
    }
    job.entry.raw_bytes = job.cuts[0].split.bytes;
  }

  COINFER_RETURN_IF_ERROR(s.Run(s.test, n, true, &jobs));
  COINFER_RETURN_IF_ERROR(s.Run(s.validation, ValidationSamples(n), false, &jobs));
  out->clear();
  for (Job& job : jobs) {
    job.entry.encode_us = job.encode_us / n;
    job.entry.decode_us = job.decode_us / n;
    out->push_back(std::move(job.entry));
  }
  return Status::Ok();
}

Status CaptureSession::EncodeSample(int64_t sample, int64_t measured, int split_index,
                                    const std::string& codec, std::string* bytes,
                                    std::vector<int64_t>* shape) {
  Impl& s = *impl_;
  measured = Samples(measured);
  if (sample < 0 || sample >= measured)
    return Status::InvalidInput("", "sample",
                                std::to_string(sample) + " is not one of the " +
                                    std::to_string(measured) + " test samples measured");
  SplitPoint split;
  Codec* coder = nullptr;
  COINFER_RETURN_IF_ERROR(s.CodecAt(split_index, codec, &split, &coder));
  const int64_t begin = sample / kBatch * kBatch;
  torch::Tensor& batch = s.crossing[{begin, measured, split.index}];
  torch::InferenceMode guard;
  if (!batch.defined()) {
    const torch::Tensor input = ImagesToTensor(s.test, begin, std::min(kBatch, measured - begin));
    batch = split.source == Layer::kModelInput
                ? input.contiguous()
                : s.net.ForwardRange(0, Layer::kModelInput, input, split.source + 1, split.source)
                      .contiguous();
  }
  const torch::Tensor x = batch[sample - begin].contiguous();
  shape->assign(x.sizes().begin(), x.sizes().end());
  return coder->Encode(x.data_ptr<float>(), *shape, bytes);
}

Status CaptureSession::ResumeSample(int split_index, const std::string& codec,
                                    const std::string& bytes, int64_t* predicted) {
  Impl& s = *impl_;
  SplitPoint split;
  Codec* coder = nullptr;
  COINFER_RETURN_IF_ERROR(s.CodecAt(split_index, codec, &split, &coder));
  Activation decoded;
  COINFER_RETURN_IF_ERROR(coder->Decode(bytes, &decoded));
  // A tensor of another shape would make LibTorch throw: refused first.
  const Shape& crossing = split.source == Layer::kModelInput
                              ? s.graph.input_shape
                              : s.graph.layers[split.source].output_shape;
  if (!std::equal(decoded.shape.begin(), decoded.shape.end(), crossing.begin() + 1, crossing.end()))
    return Status::InvalidInput("", "shape",
                                "the decoded tensor is not " +
                                    ShapeText(Shape(crossing.begin() + 1, crossing.end())) +
                                    ", what crosses split " + std::to_string(split_index));
  torch::InferenceMode guard;
  std::vector<int64_t> sizes = {1};
  sizes.insert(sizes.end(), decoded.shape.begin(), decoded.shape.end());
  const torch::Tensor received = torch::from_blob(decoded.values.data(), sizes, torch::kFloat32);
  *predicted = s.net.ForwardFrom(split.index, split.source, received).argmax(1).item<int64_t>();
  return Status::Ok();
}

int64_t CaptureSession::TestCount() const { return impl_->test.count; }

int64_t CaptureSession::TestLabel(int64_t sample) const { return impl_->test.labels.at(sample); }

Status CaptureToCatalog(const CaptureOptions& options, CompressionCatalog* catalog,
                        const std::function<void(const CatalogEntry&)>& progress) {
  std::unique_ptr<CaptureSession> session;
  COINFER_RETURN_IF_ERROR(CaptureSession::Open(options, &session));
  const ModelCard& card = session->card();
  const int64_t n = session->Samples(options.samples);
  std::vector<int> splits = options.splits;
  if (splits.empty() && options.pairs.empty()) splits = session->SplitIndices();
  // What the catalog lacks; the codecs are checked first.
  std::vector<CaptureCuts> missing;
  auto want = [&](CaptureCuts cuts) -> Status {
    for (auto& [index, text] : cuts) {
      CodecSpec spec;
      COINFER_RETURN_IF_ERROR(ParseCodecSpec(text, &spec));
      text = CodecSpecText(spec);
    }
    const CatalogKey key{card.Name(), card.sha256, card.dataset, cuts[0].first, cuts[0].second};
    bool found = false;
    CatalogEntry existing;
    if (cuts.size() == 1)
      COINFER_RETURN_IF_ERROR(catalog->Find(key, n, &found, &existing));
    else
      COINFER_RETURN_IF_ERROR(
          catalog->FindPair(key, cuts[1].first, cuts[1].second, n, &found, &existing));
    if (!found) missing.push_back(std::move(cuts));
    return Status::Ok();
  };
  for (int index : splits)
    for (const std::string& codec : options.codecs) COINFER_RETURN_IF_ERROR(want({{index, codec}}));
  for (const CutPair& p : options.pairs)
    COINFER_RETURN_IF_ERROR(want({{p.split, p.codec}, {p.then_split, p.then_codec}}));
  if (missing.empty()) return Status::Ok();
  std::vector<CatalogEntry> entries;
  COINFER_RETURN_IF_ERROR(session->Measure(missing, n, &entries));
  for (const CatalogEntry& e : entries) progress(e);
  return catalog->Put(entries);
}

}  // namespace coinfer
