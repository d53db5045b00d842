// Network: coinfer's small DAG IR of LibTorch modules. Nodes hold a module or
// a functional op (add, concat) and name their input nodes; Forward runs them
// in insertion (topological) order. Recording a Graph is one forward pass that
// notes each node's shapes, MACs and bytes. This header includes LibTorch:
// include it only from .cc files that run models.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dnn/graph.h"

namespace coinfer {

class Network {
 public:
  static constexpr int kInput = Layer::kModelInput;

  // Adds a module applied to the output of node `input`; returns the new node's id.
  int Add(std::string name, torch::nn::AnyModule module, int input);
  // Element-wise sum of the inputs (residual connection).
  int AddSum(std::string name, std::vector<int> inputs);
  // Concatenation of the inputs along channels.
  int AddConcat(std::string name, std::vector<int> inputs);

  int last() const { return static_cast<int>(nodes_.size()) - 1; }
  // The module of node `id` (null for add and concat nodes).
  std::shared_ptr<torch::nn::Module> module(int id) const;
  // Replaces node `id`'s module (same input; e.g. a pruned convolution).
  void ReplaceModule(int id, torch::nn::AnyModule module);

  // Training (batch norm uses batch statistics) or inference behaviour.
  void SetTraining(bool on) { root_->train(on); }
  std::vector<torch::Tensor> Parameters() const { return root_->parameters(); }
  // Every parameter and buffer (batch norm statistics), in node order.
  std::vector<std::pair<std::string, torch::Tensor>> State() const;
  // Writes and reads the weights (a LibTorch archive). Load throws
  // c10::Error when the file does not hold this network's weights.
  void Save(const std::string& path) const;
  void Load(const std::string& path);

  torch::Tensor Forward(const torch::Tensor& input);
  // Runs the whole network and returns every node's output (index = node id).
  std::vector<torch::Tensor> ForwardAll(const torch::Tensor& input);
  // Resumes at a split point: `crossing` is the output of node `source`
  // (kInput: the model's input) and nodes [index, n) run; returns the output.
  torch::Tensor ForwardFrom(int index, int source, const torch::Tensor& crossing);
  // The same, running nodes [index, end) only, and returning node `wanted`'s
  // output (wanted < end): the tensor at a later split point.
  torch::Tensor ForwardRange(int index, int source, const torch::Tensor& crossing, int end,
                             int wanted);
  // Runs the model once on a zero input of `input_shape` and records the Graph.
  Graph Record(const std::string& model_name, const Shape& input_shape);
  // One forward pass, timing each node in it (so a node pays the cold caches
  // and fresh allocations it pays in a real inference), in ms per node.
  std::vector<double> TimeNodes(const torch::Tensor& input);

 private:
  enum class Op { kModule, kSum, kConcat };
  struct Node {
    std::string name;
    Op op;
    torch::nn::AnyModule module;
    std::vector<int> inputs;
  };
  torch::Tensor RunNode(Node& node, const std::vector<torch::Tensor>& outputs,
                        const torch::Tensor& input);

  std::vector<Node> nodes_;
  // Owns every node's module under its name, for parameters and archives.
  std::shared_ptr<torch::nn::Module> root_ = std::make_shared<torch::nn::Module>("Network");
};

}  // namespace coinfer
