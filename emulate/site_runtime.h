// SiteRuntime: what an emulated site computes for real (learn/capture.h
// underneath): the trained model of a card, its test split and the codecs
// fitted as `coinfer capture` fits them. The sender turns a request's test
// sample into the tensor frame it sends; the receiver turns that frame into
// the result frame it sends back. Every frame from the wire is checked: a
// bad one is an error for its request, never a crash or a wrong answer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "emulate/tensor_frame.h"

namespace coinfer {

class CaptureSession;

class SiteRuntime {
 public:
  static Status Open(const std::string& card_path, std::unique_ptr<SiteRuntime>* out);
  ~SiteRuntime();
  SiteRuntime(const SiteRuntime&) = delete;
  SiteRuntime& operator=(const SiteRuntime&) = delete;

  // Request `request` carries test sample `sample` and sends the tensor that
  // crosses split `split` encoded with `codec`: the bytes the catalog
  // measured on `measured` samples (CaptureSession::EncodeSample).
  Status EncodeTensor(uint64_t request, int64_t sample, int64_t measured, int split,
                      const std::string& codec, TensorFrame* out);
  // The receiver's part: `tensor` decoded and the model run from its split
  // to the end; *result is the frame of the predicted class.
  Status Finish(const TensorFrame& tensor, TensorFrame* result);
  int64_t Label(int64_t sample) const;
  // LibTorch's first forward pass on a thread allocates and builds its
  // kernels (and its thread pool): done once before the requests, on the
  // thread that will compute them.
  Status WarmUp();

 private:
  SiteRuntime();
  std::unique_ptr<CaptureSession> session_;
};

// A result frame (SiteRuntime::Finish) of the predicted class.
TensorFrame ResultFrame(uint64_t request, uint32_t split, int64_t predicted);
// The class a result frame holds; an error for a frame that is not one.
Status ResultClass(const TensorFrame& result, int64_t* predicted);

}  // namespace coinfer
