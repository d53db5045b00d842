#include "dnn/timing.h"

#include <chrono>

#include "dnn/zoo_networks.h"

namespace coinfer {

Status TimeZooModel(const std::string& name, const TimingOptions& options, ModelTiming* out) {
  if (options.repeats < 1) return Status::InvalidInput("", "repeats", "must be >= 1");
  if (options.warmup < 0) return Status::InvalidInput("", "warmup", "must be >= 0");
  if (options.threads < 1) return Status::InvalidInput("", "threads", "must be >= 1");
  Network net;
  Shape input_shape;
  COINFER_RETURN_IF_ERROR(BuildZooNetwork(name, &net, &input_shape));
  torch::set_num_threads(options.threads);
  ModelTiming t;
  t.graph = net.Record(name, input_shape);
  // Random input: some kernels take shortcuts on zeros.
  torch::manual_seed(0);
  const torch::Tensor input = torch::rand(input_shape);
  t.layer_ms = net.TimeNodes(input, options.warmup, options.repeats);
  torch::InferenceMode guard;
  for (int w = 0; w < options.warmup; ++w) net.Forward(input);
  for (int r = 0; r < options.repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    torch::Tensor y = net.Forward(input);
    t.whole_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  *out = std::move(t);
  return Status::Ok();
}

}  // namespace coinfer
