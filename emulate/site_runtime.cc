#include "emulate/site_runtime.h"

#include "learn/capture.h"

namespace coinfer {

SiteRuntime::SiteRuntime() = default;
SiteRuntime::~SiteRuntime() = default;

Status SiteRuntime::Open(const std::string& card_path, std::unique_ptr<SiteRuntime>* out) {
  std::unique_ptr<SiteRuntime> runtime(new SiteRuntime());
  CaptureOptions options;  // the codecs fitted as the catalog's measurements fit them
  options.card = card_path;
  COINFER_RETURN_IF_ERROR(CaptureSession::Open(options, &runtime->session_));
  *out = std::move(runtime);
  return Status::Ok();
}

Status SiteRuntime::WarmUp() {
  TensorFrame input, result;  // a batch of one image, which no request uses
  COINFER_RETURN_IF_ERROR(EncodeTensor(0, 0, 1, 0, "none", &input));
  return Finish(input, &result);
}

Status SiteRuntime::EncodeTensor(uint64_t request, int64_t sample, int64_t measured, int split,
                                 const std::string& codec, TensorFrame* out) {
  TensorFrame frame;
  frame.kind = FrameKind::kTensor;
  frame.request_id = request;
  frame.split = static_cast<uint32_t>(split);
  frame.codec = codec;
  try {
    COINFER_RETURN_IF_ERROR(
        session_->EncodeSample(sample, measured, split, codec, &frame.payload, &frame.shape));
  } catch (const std::exception& e) {  // LibTorch's c10::Error
    return Status::IoError(std::string("computing the tensor: ") + e.what());
  }
  *out = std::move(frame);
  return Status::Ok();
}

Status SiteRuntime::Finish(const TensorFrame& tensor, TensorFrame* result) {
  if (tensor.kind != FrameKind::kTensor)
    return Status::InvalidInput("tensor frame", "kind", "a result where a tensor was expected");
  int64_t predicted = -1;
  try {
    COINFER_RETURN_IF_ERROR(session_->ResumeSample(static_cast<int>(tensor.split), tensor.codec,
                                                   tensor.payload, &predicted));
  } catch (const std::exception& e) {  // LibTorch's c10::Error
    return Status::IoError(std::string("resuming the model: ") + e.what());
  }
  *result = ResultFrame(tensor.request_id, tensor.split, predicted);
  return Status::Ok();
}

int64_t SiteRuntime::Label(int64_t sample) const { return session_->TestLabel(sample); }

TensorFrame ResultFrame(uint64_t request, uint32_t split, int64_t predicted) {
  TensorFrame frame;
  frame.kind = FrameKind::kResult;
  frame.request_id = request;
  frame.split = split;
  for (int i = 0; i < 8; ++i)
    frame.payload.push_back(
        static_cast<char>((static_cast<uint64_t>(predicted) >> (8 * i)) & 0xff));
  return frame;
}

Status ResultClass(const TensorFrame& result, int64_t* predicted) {
  if (result.kind != FrameKind::kResult || result.payload.size() != 8 || !result.shape.empty())
    return Status::InvalidInput("result frame", "payload",
                                "a result holds one 8-byte class and no shape");
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value |= uint64_t{static_cast<unsigned char>(result.payload[i])} << (8 * i);
  *predicted = static_cast<int64_t>(value);
  return Status::Ok();
}

}  // namespace coinfer
