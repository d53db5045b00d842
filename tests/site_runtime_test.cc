// The emulated sites' real computation: a request's tensor crosses a shaped
// link as a frame and comes back as the catalog's answer; a bad frame is an
// error for its request.
#include "emulate/site_runtime.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "emulate/link_relay.h"
#include "emulate/loopback.h"
#include "emulate/unique_fd.h"
#include "tests/emulation_fixtures.h"

namespace coinfer {
namespace {

std::unique_ptr<SiteRuntime> OpenRuntime() {
  std::unique_ptr<SiteRuntime> runtime;
  const Status status = SiteRuntime::Open(kCard, &runtime);
  EXPECT_TRUE(status.ok()) << status.message();
  return runtime;
}

// Reads frames from `fd` until one is whole.
TensorFrame ReadFrame(int fd, FrameReader* reader) {
  TensorFrame frame;
  Status error;
  char buffer[4096];
  while (!reader->Next(&frame, &error)) {
    EXPECT_TRUE(error.ok()) << error.message();
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      ADD_FAILURE() << "stream ended";
      break;
    }
    reader->Append(std::string_view(buffer, static_cast<size_t>(n)));
  }
  return frame;
}

void SendFrame(int fd, const TensorFrame& frame) {
  std::string bytes;
  ASSERT_TRUE(EncodeFrame(frame, &bytes).ok());
  ASSERT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
}

// Independent answer: the catalog's batched measurement of the same cut.
TEST(SiteRuntimeTest, RequestsAcrossAShapedLinkGetTheCatalogsBytesAndAnswers) {
  std::unique_ptr<SiteRuntime> end = OpenRuntime(), cloud = OpenRuntime();
  constexpr int64_t kSamples = 40;
  std::vector<int> splits;
  const std::vector<CatalogEntry> entries = MeasureCuts(
      [](const std::vector<int>& s) {
        return std::vector<CaptureCuts>{{{s[2], kCodec}}};
      },
      kSamples, &splits);
  const int split = splits[2];
  const std::string codec = kCodec;

  // End device -> relay (an opportunity every ms, 10 ms each way) -> cloud.
  UniqueFd listener;
  uint16_t cloud_port = 0;
  ASSERT_TRUE(ListenLoopback(/*nonblocking=*/false, &listener, &cloud_port).ok());
  const RelayConfig config = EveryMsLink(cloud_port, 10);
  std::unique_ptr<LinkRelay> relay;
  ASSERT_TRUE(LinkRelay::Open(config, &relay).ok());
  std::thread relay_thread([&] { EXPECT_TRUE(relay->Run().ok()); });
  std::thread cloud_thread([&] {  // the cloud answers every tensor it gets
    UniqueFd connection(accept(listener.get(), nullptr, nullptr));
    FrameReader reader;
    for (int64_t i = 0; i < kSamples; ++i) {
      TensorFrame result;
      const Status finished = cloud->Finish(ReadFrame(connection.get(), &reader), &result);
      EXPECT_TRUE(finished.ok()) << finished.message();
      SendFrame(connection.get(), result);
    }
  });
  UniqueFd device;
  ASSERT_TRUE(ConnectLoopback(relay->port(), &device).ok());
  FrameReader reader;
  for (int64_t i = 0; i < kSamples; ++i) {
    TensorFrame tensor;
    ASSERT_TRUE(end->EncodeTensor(100 + i, i, kSamples, split, codec, &tensor).ok());
    EXPECT_EQ(static_cast<int64_t>(tensor.payload.size()), entries[0].sample_bytes[i]) << i;
    SendFrame(device.get(), tensor);
    const TensorFrame result = ReadFrame(device.get(), &reader);
    int64_t predicted = -1;
    ASSERT_TRUE(ResultClass(result, &predicted).ok());
    EXPECT_EQ(result.request_id, static_cast<uint64_t>(100 + i));
    EXPECT_EQ(predicted == end->Label(i), entries[0].correct[i] == 1) << "sample " << i;
  }
  cloud_thread.join();
  relay->Stop();
  relay_thread.join();
}

TEST(SiteRuntimeTest, ABadTensorFrameIsAnErrorNotACrash) {
  std::unique_ptr<SiteRuntime> runtime = OpenRuntime();
  TensorFrame good;
  ASSERT_TRUE(runtime->EncodeTensor(1, 0, 100, 2, "quant:8", &good).ok());
  TensorFrame result;
  auto error_for = [&](TensorFrame frame) { return runtime->Finish(frame, &result).message(); };
  TensorFrame bad = good;
  bad.split = 999;
  EXPECT_NE(error_for(bad).find("split"), std::string::npos);
  bad = good;
  bad.payload = "not a tensor";
  EXPECT_NE(error_for(bad), "");
  bad = good;
  bad.codec = "quant:99";
  EXPECT_NE(error_for(bad).find("quant"), std::string::npos);
  // A valid tensor of another split, labelled with this one: the wrong shape.
  ASSERT_TRUE(runtime->EncodeTensor(1, 0, 100, 0, "quant:8", &bad).ok());  // the input
  bad.split = good.split;
  EXPECT_NE(error_for(bad).find("shape"), std::string::npos);
  EXPECT_NE(error_for(ResultFrame(1, 2, 3)).find("kind"), std::string::npos);
  EXPECT_TRUE(runtime->Finish(good, &result).ok());
  int64_t predicted = -1;
  EXPECT_TRUE(ResultClass(result, &predicted).ok());
  EXPECT_FALSE(ResultClass(good, &predicted).ok());
}

}  // namespace
}  // namespace coinfer
