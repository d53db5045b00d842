// TorchScript import: a scripted or traced model (torch.jit.save / LibTorch's
// Module::save) becomes a coinfer Network, so it can be recorded, profiled and
// simulated like a zoo model. The module is frozen (parameters become
// constants, calls inlined) and each aten op of its forward graph maps onto a
// Network node: conv2d/_convolution, linear, batch_norm, relu, hardtanh(0, 6),
// max_pool2d, avg_pool2d, adaptive_avg_pool2d, flatten, add, cat. Any other op
// is an error naming it. No LibTorch in this header.
#pragma once

#include <string>

#include "base/status.h"
#include "dnn/graph.h"

namespace coinfer {

class Network;

// A model spec "torchscript:PATH@NxCxHxW" (the input shape TorchScript does
// not record); true if `spec` has the prefix.
bool IsTorchScriptSpec(const std::string& spec);

// The file a TorchScript spec names (PATH).
std::string TorchScriptFile(const std::string& spec);

// Imports the spec's file into *net (which must be empty) and sets its input shape.
Status ImportTorchScript(const std::string& spec, Network* net, Shape* input_shape);

}  // namespace coinfer
