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
// Any of them with the suffix -compact (small_vgg-compact): every standard
// 3x3 convolution with at least 4r input channels replaced by EdgeDI's compact
// block (1x1 reduction to C/r, 3x3, channel attention, 1x1 expansion, ReLU,
// batch norm), r = kCompactRatio; the stem, which reads the image, stays.
// MobileNets have none (theirs are depthwise): their compact versions are
// themselves.
std::vector<std::string> ZooModelNames();
extern const std::string kCompactSuffix;
// Whether `name` is a zoo model, compact or not.
bool IsZooModel(const std::string& name);
constexpr int kCompactRatio = 4;

// Builds the named model with LibTorch, runs it once on a zero input of its
// input shape (batch 1) and stores the recorded Graph in *out. Returns
// InvalidInput for an unknown name.
Status RecordZooGraph(const std::string& name, Graph* out);

}  // namespace coinfer
