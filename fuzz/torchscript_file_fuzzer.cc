// TorchScript files as bytes (seeded with the models torchscript_fuzzer's
// sources compile to): an input error naming the file, or a network that
// runs. A corrupt archive that makes LibTorch's loader ask for too much memory
// or crash is caught by the bounded child load (dnn/torchscript_probe.h).
#include "fuzz/fuzz_file.h"
#include "fuzz/torchscript_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  coinfer::CheckTorchScriptImport(coinfer::WriteFuzzFile("net.pt", data, size));
  return 0;
}
