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
#include "emulate/unique_fd.h"
#include "learn/capture.h"

namespace coinfer {
namespace {

const std::string kCard = COINFER_SOURCE_DIR "/models/small_vgg.json";

std::unique_ptr<SiteRuntime> OpenRuntime() {
  std::unique_ptr<SiteRuntime> runtime;
  const Status status = SiteRuntime::Open(kCard, &runtime);
  EXPECT_TRUE(status.ok()) << status.message();
  return runtime;
}

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  return address;
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
  CaptureOptions options;
  options.card = kCard;
  std::unique_ptr<CaptureSession> catalog;
  ASSERT_TRUE(CaptureSession::Open(options, &catalog).ok());
  const int split = catalog->SplitIndices()[2];
  const std::string codec = "quant:8,zstd:3";
  constexpr int64_t kSamples = 40;
  std::vector<CatalogEntry> entries;
  ASSERT_TRUE(catalog->Measure({{{split, codec}}}, kSamples, &entries).ok());

  // End device -> relay (uplink 1 opportunity/ms, 10 ms) -> cloud, and back.
  auto every_ms = std::make_shared<DeliveryTrace>();
  every_ms->opportunities = {1};
  every_ms->period_ms = 1;
  UniqueFd listener(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in address = Loopback(0);
  ASSERT_EQ(bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(listener.get(), 1), 0);
  socklen_t length = sizeof(address);
  getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length);
  RelayConfig config;
  config.forward = {every_ms, 10'000'000, 100 * 1448};
  config.backward = {every_ms, 10'000'000, 100 * 1448};
  config.target_port = ntohs(address.sin_port);
  config.start_ns = SteadyNowNs();
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
  UniqueFd device(socket(AF_INET, SOCK_STREAM, 0));
  const sockaddr_in to_relay = Loopback(relay->port());
  ASSERT_EQ(connect(device.get(), reinterpret_cast<const sockaddr*>(&to_relay), sizeof(to_relay)),
            0);
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
