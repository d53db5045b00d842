#include "learn/trained_network.h"

#include <filesystem>
#include <memory>

#include "base/sha256.h"

#include "dnn/zoo_networks.h"
#include "learn/channel_pruning.h"

namespace coinfer {

std::string WeightsSha256(const Network& net) {
  Sha256 sha;
  for (const auto& [name, tensor] : net.State()) {
    sha.Update(name);
    const torch::Tensor values = tensor.detach().to(torch::kFloat32).contiguous();
    sha.Update(values.data_ptr(), values.numel() * values.element_size());
  }
  return sha.Hex();
}

Status LoadTrainedNetwork(const std::string& card_path, Network* net, ModelCard* card,
                          Shape* input_shape) {
  COINFER_RETURN_IF_ERROR(ReadModelCard(card_path, card));
  COINFER_RETURN_IF_ERROR(BuildZooNetwork(card->model, net, input_shape));
  if (card->pruned)  // the variant's shapes, for its weights to load into
    COINFER_RETURN_IF_ERROR(
        ApplyPruning(card->pruning, net->Record(card->model, *input_shape), net));
  const std::string weights =
      (std::filesystem::path(card_path).parent_path() / card->weights).string();
  try {
    net->Load(weights);
  } catch (const c10::Error& e) {
    return Status::InvalidInput(
        weights, "weights", "not weights of " + card->model + ": " + e.what_without_backtrace());
  }
  net->SetTraining(false);
  const std::string hash = WeightsSha256(*net);
  if (hash != card->sha256)
    return Status::InvalidInput(weights, "sha256",
                                "is " + hash + ", the card " + card_path + " says " + card->sha256);
  return Status::Ok();
}

torch::Tensor ImageBytes(const ImageSet& set) {
  return torch::from_blob(const_cast<uint8_t*>(set.pixels.data()),
                          {set.count, set.channels, set.height, set.width}, torch::kUInt8);
}

torch::Tensor ToNetworkInput(const torch::Tensor& bytes) {
  return bytes.to(torch::kFloat32).div_(255.0f);
}

torch::Tensor ImagesToTensor(const ImageSet& set, int64_t begin, int64_t count) {
  return ToNetworkInput(ImageBytes(set).narrow(0, begin, count));
}

std::map<int, torch::Tensor> ChannelActivity(Network& net, const ImageSet& set, int64_t samples,
                                             const std::vector<int>& nodes) {
  constexpr int64_t kBatch = 250;
  torch::InferenceMode guard;
  net.SetTraining(false);
  std::map<int, torch::Tensor> sums;
  const int64_t n = std::min(samples, set.count);
  for (int64_t begin = 0; begin < n; begin += kBatch) {
    const torch::Tensor input = ImagesToTensor(set, begin, std::min(kBatch, n - begin));
    const std::vector<torch::Tensor> outputs = net.ForwardAll(input);
    for (int node : nodes) {
      torch::Tensor x = (node == Layer::kModelInput ? input : outputs[node]).abs();
      x = x.dim() > 2 ? x.sum({0, 2, 3}) : x.sum(0);
      sums[node] = sums.count(node) ? sums[node] + x : x;
    }
  }
  return sums;
}

}  // namespace coinfer
