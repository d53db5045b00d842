// TorchScript models: the input is the source of a module's forward (seeds
// in fuzz/torchscript_seeds/), compiled and saved with LibTorch, then
// imported. Source LibTorch does not compile is skipped; anything it saves
// imports as an input error naming the file, or as a network that runs on
// the declared input shape. With COINFER_FUZZ_SAVE_MODELS=DIR it also keeps
// each model it saves there: torchscript_file_fuzzer's seeds.
#include <torch/script.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <functional>

#include "fuzz/fuzz_file.h"
#include "fuzz/torchscript_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  const std::string path = WriteFuzzFile("net.pt", nullptr, 0);
  try {
    torch::jit::Module m("Net");
    m.register_parameter("w8", torch::ones({8, 3, 3, 3}), false);
    m.register_parameter("b8", torch::ones({8}), false);
    m.register_parameter("dw", torch::ones({3, 1, 3, 3}), false);
    m.register_buffer("mean", torch::zeros({8}));
    m.register_buffer("var", torch::ones({8}));
    m.register_parameter("fc", torch::ones({10, 32}), false);
    m.register_parameter("fcb", torch::ones({10}), false);
    m.define(std::string(reinterpret_cast<const char*>(data), size));
    m.save(path);
    if (const char* dir = std::getenv("COINFER_FUZZ_SAVE_MODELS"))
      std::filesystem::copy_file(path,
                                 std::string(dir) + "/" +
                                     std::to_string(std::hash<std::string>()(
                                         std::string(reinterpret_cast<const char*>(data), size))) +
                                     ".pt",
                                 std::filesystem::copy_options::overwrite_existing);
  } catch (const std::exception&) {
    return 0;  // not a module LibTorch compiles: nothing of coinfer's to test
  }
  CheckTorchScriptImport(path);
  return 0;
}
