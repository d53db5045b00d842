// TorchScript files as bytes (seeded with the models torchscript_fuzzer's
// sources compile to): an input error naming the file, or a network that
// runs. A corrupt archive that makes LibTorch's loader ask for too much memory
// or crash is caught by the bounded child load (dnn/torchscript_probe.h).
#include <torch/torch.h>

#include "dnn/network.h"
#include "dnn/torchscript_import.h"
#include "fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  const std::string path = WriteFuzzFile("net.pt", data, size);
  Network net;
  Shape shape;
  const Status st = ImportTorchScript("torchscript:" + path + "@1x3x16x16", &net, &shape);
  if (!st.ok()) {
    FuzzCheck(st.IsInvalidInput() && st.message().find(path) != std::string::npos);
    return 0;
  }
  torch::InferenceMode guard;
  FuzzCheck(net.Forward(torch::ones({1, 3, 16, 16})).defined());
  return 0;
}
