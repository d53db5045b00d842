// What the tests of emulated sites share: the trained small VGG, the
// catalog's batched measurement as the independent answer, and a link with
// a hand-computable timing.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "emulate/link_relay.h"
#include "learn/capture.h"

namespace coinfer {

const std::string kCard = COINFER_SOURCE_DIR "/models/small_vgg.json";
constexpr const char* kCodec = "quant:8,zstd:3";

// The small VGG's split points (CaptureSession::SplitIndices) and the
// catalog's measurement of `cuts` on the first `samples` test images.
inline std::vector<CatalogEntry> MeasureCuts(
    const std::function<std::vector<CaptureCuts>(const std::vector<int>& splits)>& cuts,
    int64_t samples, std::vector<int>* splits) {
  CaptureOptions options;
  options.card = kCard;
  std::unique_ptr<CaptureSession> catalog;
  EXPECT_TRUE(CaptureSession::Open(options, &catalog).ok());
  *splits = catalog->SplitIndices();
  std::vector<CatalogEntry> entries;
  const Status st = catalog->Measure(cuts(*splits), samples, &entries);
  EXPECT_TRUE(st.ok()) << st.message();
  return entries;
}

// Both directions: an opportunity every millisecond (1448 payload bytes),
// `delay_ms`, 100-packet queues; the traces start now.
inline RelayConfig EveryMsLink(uint16_t target_port, int delay_ms) {
  auto every_ms = std::make_shared<DeliveryTrace>();
  every_ms->opportunities = {1};
  every_ms->period_ms = 1;
  RelayConfig link;
  link.forward = {every_ms, delay_ms * 1'000'000LL, 100 * 1448};
  link.backward = {every_ms, delay_ms * 1'000'000LL, 100 * 1448};
  link.target_port = target_port;
  link.start_ns = SteadyNowNs();
  return link;
}

}  // namespace coinfer
