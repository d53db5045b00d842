// The model zoo by name. Graphs are recorded by running the real LibTorch
// model once (dnn/network.h); this header needs no LibTorch.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "dnn/graph.h"

namespace coinfer {

// Names accepted by RecordZooGraph: vgg16, vgg13, resnet18, resnet50, mobilenet_v2,
// alexnet (224x224x3 input) and small_vgg, small_resnet, small_mobilenet
// (28x28x1 input, ten classes).
std::vector<std::string> ZooModelNames();

// Builds the named model with LibTorch, runs it once on a zero input of its
// input shape (batch 1) and stores the recorded Graph in *out. Returns
// InvalidInput for an unknown name.
Status RecordZooGraph(const std::string& name, Graph* out);

}  // namespace coinfer
