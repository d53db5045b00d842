// KernelObserver: which framework kernel computed a layer, observed, not
// guessed. LibTorch dispatches one layer kind to different kernels by shape
// and thread count (a small 3x3 convolution runs aten::_slow_conv2d_forward,
// 38x slower per MAC here than aten::mkldnn_convolution), so a latency model
// needs to know which one ran. No LibTorch in this header.
#pragma once

#include <cstdint>
#include <string>

namespace coinfer {

// While alive, records the ATen operators this thread runs. Not reentrant:
// one per thread at a time.
class KernelObserver {
 public:
  KernelObserver();
  ~KernelObserver();
  KernelObserver(const KernelObserver&) = delete;
  KernelObserver& operator=(const KernelObserver&) = delete;

  // The kernel of the operators run since the last call, without "aten::":
  // from the first top-level operator that is not an allocation, view or
  // conversion, down its first such children to the last one (conv2d ->
  // convolution -> _convolution -> mkldnn_convolution; linear: addmm;
  // batch_norm: native_batch_norm); empty if none ran. Starts a new record.
  std::string Take();

 private:
  uint64_t handle_;
};

}  // namespace coinfer
