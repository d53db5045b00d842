// What both TorchScript fuzzers check of a model file: importing it is an
// input error naming the file, or a network that runs on the declared input
// (1x3x16x16) and records a graph with layers.
#pragma once

#include <torch/torch.h>

#include <string>

#include "dnn/network.h"
#include "dnn/torchscript_import.h"
#include "fuzz/fuzz_file.h"

namespace coinfer {

inline void CheckTorchScriptImport(const std::string& path) {
  Network net;
  Shape shape;
  const Status st = ImportTorchScript("torchscript:" + path + "@1x3x16x16", &net, &shape);
  if (!st.ok()) {
    FuzzCheck(st.IsInvalidInput() && st.message().find(path) != std::string::npos);
    return;
  }
  torch::InferenceMode guard;
  FuzzCheck(net.Forward(torch::ones({1, 3, 16, 16})).defined());
  FuzzCheck(!net.Record("fuzzed", shape).layers.empty());
}

}  // namespace coinfer
