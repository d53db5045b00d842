// One inference on this host (batch 1, one LibTorch thread) of EdgeDI's
// architecture steps: small_vgg, its compact version and the compact version
// L1-pruned, each with its shipped weights (models/), so that models/README.md
// reports measured latency beside MACs and accuracy. Interleave them with
// --benchmark_enable_random_interleaving and repeat to read ratios on a
// shared machine.
#include <benchmark/benchmark.h>

#include <torch/torch.h>

#include "dnn/network.h"
#include "learn/trained_network.h"

namespace coinfer {
namespace {

const char* const kCards[] = {"small_vgg", "small_vgg-compact", "small_vgg-compact-l1-a880"};

void BM_Inference(benchmark::State& state) {
  const std::string card_path =
      std::string(COINFER_SOURCE_DIR) + "/models/" + kCards[state.range(0)] + ".json";
  Network net;
  ModelCard card;
  Shape shape;
  const Status st = LoadTrainedNetwork(card_path, &net, &card, &shape);
  if (!st.ok()) {
    state.SkipWithError(st.message().c_str());
    return;
  }
  torch::set_num_threads(1);
  torch::manual_seed(0);
  const torch::Tensor input = torch::rand(shape);
  torch::InferenceMode guard;
  for (auto _ : state) benchmark::DoNotOptimize(net.Forward(input));
  state.SetLabel(card.Name());
}
BENCHMARK(BM_Inference)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace coinfer
