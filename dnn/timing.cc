#include "dnn/timing.h"

#include "base/stopwatch.h"
#include "dnn/zoo_networks.h"

namespace coinfer {

Status TimeZooModels(const std::vector<std::string>& names, const TimingOptions& options,
                     std::vector<ModelTiming>* out) {
  if (options.repeats < 1) return Status::InvalidInput("", "repeats", "must be >= 1");
  if (options.warmup < 0) return Status::InvalidInput("", "warmup", "must be >= 0");
  if (options.threads < 1) return Status::InvalidInput("", "threads", "must be >= 1");
  torch::set_num_threads(options.threads);
  std::vector<Network> nets(names.size());
  std::vector<torch::Tensor> inputs;
  std::vector<ModelTiming> timings(names.size());
  for (size_t m = 0; m < names.size(); ++m) {
    Shape input_shape;
    COINFER_RETURN_IF_ERROR(BuildZooNetwork(names[m], &nets[m], &input_shape));
    timings[m].graph = nets[m].Record(names[m], input_shape);
    timings[m].layer_ms.resize(timings[m].graph.size());
    // Random input: some kernels take shortcuts on zeros.
    torch::manual_seed(0);
    inputs.push_back(torch::rand(input_shape));
  }
  torch::InferenceMode guard;
  for (int w = 0; w < options.warmup; ++w)
    for (size_t m = 0; m < names.size(); ++m) nets[m].Forward(inputs[m]);
  // Instrumented and plain passes alternate too, so both see the same machine.
  for (int r = 0; r < options.repeats; ++r) {
    for (size_t m = 0; m < names.size(); ++m) {
      const std::vector<double> pass = nets[m].TimeNodes(inputs[m]);
      for (size_t i = 0; i < pass.size(); ++i) timings[m].layer_ms[i].push_back(pass[i]);
      const Stopwatch whole;
      torch::Tensor y = nets[m].Forward(inputs[m]);
      timings[m].whole_ms.push_back(whole.Ms());
    }
  }
  *out = std::move(timings);
  return Status::Ok();
}

}  // namespace coinfer
