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

// One tensor a measured job sends: where, and with what codec.
struct Cut {
  SplitPoint split;
  std::unique_ptr<Codec> codec;
};

// One catalog entry being measured: one cut, or two (a CNNPC probe).
struct Job {
  std::vector<Cut> cuts;
  CatalogEntry entry;
  double encode_us = 0, decode_us = 0;
};

// Builds codecs at split points, with what each needs fitted on train
// images: channel scores for channels:F (one pass for every split at once),
// LASSO and least squares for prune:R.
class CodecFactory {
 public:
  CodecFactory(Network& net, const Graph& graph, const ImageSet& train,
               const CaptureOptions& options)
      : net_(net), graph_(graph), train_(train), options_(options) {}

  void ScoreChannels(const std::vector<SplitPoint>& splits) {
    std::vector<int> sources;
    for (const SplitPoint& s : splits) sources.push_back(s.source);
    const int64_t n = std::min(options_.calibration_samples, train_.count);
    const std::map<int, torch::Tensor> activity = ChannelActivity(net_, train_, n, sources);
    for (const SplitPoint& s : splits) {
      const torch::Tensor d = activity.at(s.source).to(torch::kFloat64).contiguous();
      scores_[s.index].assign(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
    }
  }

  std::unique_ptr<Codec> Make(const CodecSpec& spec, const SplitPoint& split) {
    if (spec.prune) {
      if (!pruning_input_.defined())
        pruning_input_ = ImagesToTensor(
            train_, 0, std::min({kPruningCalibration, options_.calibration_samples, train_.count}));
      CutPruning p = PlanCutPruning(net_, graph_, split, pruning_input_, spec.prune_rate);
      return std::make_unique<Codec>(spec, std::move(p.kept), std::move(p.reconstruction));
    }
    if (!spec.channels) return std::make_unique<Codec>(spec, std::vector<int>());
    if (!scores_.count(split.index)) ScoreChannels({split});
    return std::make_unique<Codec>(spec,
                                   TopChannels(scores_.at(split.index), spec.channel_fraction));
  }

 private:
  Network& net_;
  const Graph& graph_;
  const ImageSet& train_;
  const CaptureOptions& options_;
  std::map<int, std::vector<double>> scores_;
  torch::Tensor pruning_input_;
};

Status FindSplit(const std::vector<SplitPoint>& all, int index, const std::string& model,
                 SplitPoint* out) {
  auto it =
      std::find_if(all.begin(), all.end(), [&](const SplitPoint& s) { return s.index == index; });
  if (it == all.end())
    return Status::InvalidInput("", "split",
                                std::to_string(index) + " is not a split point of " + model +
                                    " (coinfer graph --model " + model + ")");
  *out = *it;
  return Status::Ok();
}

// Encodes and decodes each sample of `x` (batch first) with `cut`'s codec,
// recording the bytes; returns what the receiver has.
Status SendEach(Job& job, Cut& cut, const torch::Tensor& x, int64_t count,
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
    job.encode_us += Micros(t1 - t0);
    job.decode_us += Micros(Clock::now() - t1);
    std::copy(decoded.values.begin(), decoded.values.end(),
              received->data_ptr<float>() + i * per_sample);
    bytes_out->push_back(static_cast<int64_t>(bytes.size()));
  }
  return Status::Ok();
}

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
  if (options.splits.empty() && options.pairs.empty()) splits = all;
  for (int index : options.splits) {
    splits.emplace_back();
    COINFER_RETURN_IF_ERROR(FindSplit(all, index, card.model, &splits.back()));
  }
  auto parse = [](const std::string& text, CodecSpec* spec) { return ParseCodecSpec(text, spec); };
  std::vector<CodecSpec> specs;
  for (const std::string& text : options.codecs) {
    specs.emplace_back();
    COINFER_RETURN_IF_ERROR(parse(text, &specs.back()));
  }
  ImageSet test;
  COINFER_RETURN_IF_ERROR(LoadDataset(card.dataset, Split::kTest, &test));
  const int64_t n = options.samples > 0 ? std::min(options.samples, test.count) : test.count;

  // What the catalog lacks (keys, with each cut's split and spec); when
  // nothing, the calibration is skipped.
  struct Missing {
    std::vector<std::pair<SplitPoint, CodecSpec>> cuts;
  };
  std::vector<Missing> missing;
  auto key_of = [&](const Missing& m) {
    return CatalogKey{card.Name(), card.sha256, card.dataset, m.cuts[0].first.index,
                      CodecSpecText(m.cuts[0].second)};
  };
  auto want = [&](Missing m) -> Status {
    bool found = false;
    CatalogEntry existing;
    if (m.cuts.size() == 1)
      COINFER_RETURN_IF_ERROR(catalog->Find(key_of(m), n, &found, &existing));
    else
      COINFER_RETURN_IF_ERROR(catalog->FindPair(
          key_of(m), m.cuts[1].first.index, CodecSpecText(m.cuts[1].second), n, &found, &existing));
    if (!found) missing.push_back(std::move(m));
    return Status::Ok();
  };
  for (const SplitPoint& s : splits)
    for (const CodecSpec& spec : specs) COINFER_RETURN_IF_ERROR(want({{{s, spec}}}));
  for (const CutPair& p : options.pairs) {
    Missing m;
    for (const auto& [index, text] : {std::pair(p.split, p.codec), {p.then_split, p.then_codec}}) {
      SplitPoint s;
      CodecSpec spec;
      COINFER_RETURN_IF_ERROR(FindSplit(all, index, card.model, &s));
      COINFER_RETURN_IF_ERROR(parse(text, &spec));
      m.cuts.emplace_back(s, spec);
    }
    if (m.cuts[1].first.index <= m.cuts[0].first.index)
      return Status::InvalidInput("", "split", "the second cut must come after the first");
    COINFER_RETURN_IF_ERROR(want(std::move(m)));
  }
  if (missing.empty()) return Status::Ok();

  ImageSet train;
  COINFER_RETURN_IF_ERROR(LoadDataset(card.dataset, Split::kTrain, &train));
  torch::InferenceMode guard;
  CodecFactory factory(net, graph, train, options);
  std::vector<SplitPoint> scored;
  for (const Missing& m : missing)
    for (const auto& [s, spec] : m.cuts)
      if (spec.channels && !spec.prune && (scored.empty() || scored.back().index != s.index))
        scored.push_back(s);
  if (!scored.empty()) factory.ScoreChannels(scored);
  std::vector<Job> jobs(missing.size());
  for (size_t j = 0; j < missing.size(); ++j) {
    jobs[j].entry.key = key_of(missing[j]);
    jobs[j].entry.raw_bytes = missing[j].cuts[0].first.bytes;
    if (missing[j].cuts.size() == 2) {
      jobs[j].entry.then_split = missing[j].cuts[1].first.index;
      jobs[j].entry.then_codec = CodecSpecText(missing[j].cuts[1].second);
    }
    for (const auto& [s, spec] : missing[j].cuts)
      jobs[j].cuts.push_back({s, factory.Make(spec, s)});
  }

  for (int64_t begin = 0; begin < n; begin += kBatch) {
    const int64_t count = std::min(kBatch, n - begin);
    const torch::Tensor input = ImagesToTensor(test, begin, count);
    const std::vector<torch::Tensor> outputs = net.ForwardAll(input);
    const torch::Tensor plain = outputs.back().argmax(1);
    for (Job& job : jobs) {
      torch::Tensor received;
      const Cut* last = nullptr;
      for (Cut& cut : job.cuts) {
        const torch::Tensor x = last ? net.ForwardRange(last->split.index, last->split.source,
                                                        received, cut.split.index, cut.split.source)
                                           .contiguous()
                                     : Crossing(outputs, cut.split, input);
        std::vector<int64_t>* bytes = last ? &job.entry.then_bytes : &job.entry.sample_bytes;
        COINFER_RETURN_IF_ERROR(SendEach(job, cut, x, count, bytes, &received));
        last = &cut;
      }
      const torch::Tensor predicted =
          net.ForwardFrom(last->split.index, last->split.source, received).argmax(1);
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
