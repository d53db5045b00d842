// Network: coinfer's small DAG IR of LibTorch modules. Nodes hold a module or
// a functional op (add, concat) and name their input nodes; Forward runs them
// in insertion (topological) order. Recording a Graph is one forward pass that
// notes each node's shapes, MACs and bytes. This header includes LibTorch:
// include it only from .cc files that run models.
#pragma once

#include <torch/torch.h>

#include <string>
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

  // Switches every module to inference behaviour (batch norm uses running stats).
  void Eval();
  torch::Tensor Forward(const torch::Tensor& input);
  // Runs the model once on a zero input of `input_shape` and records the Graph.
  Graph Record(const std::string& model_name, const Shape& input_shape);
  // Host time of each node run alone on the inputs one forward pass gave it,
  // `repeats` samples after `warmup` runs, in ms: result[node][sample].
  std::vector<std::vector<double>> TimeNodes(const torch::Tensor& input, int warmup, int repeats);

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
};

}  // namespace coinfer
