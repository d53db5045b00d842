// EmulatedNetwork: the engine's SiteNetwork in emulation, on the
// coordinator's side. Each site is a process (emulate/site_process.h) that
// this network commands over its control connection; the frames themselves
// go between the sites through the shaped links. A transfer is delivered
// when the receiving site reports its last byte read; a request's answer is
// the class the end device got back.
//
// What runs here: the plans of one tensor from the end device to another
// site and its result back (device-only, cloud-only, a single split), with
// measured compression (each request carries a test sample). Any other
// plan is a failure of its request, which then never completes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "emulate/control_message.h"
#include "emulate/real_time_loop.h"
#include "emulate/unique_fd.h"

namespace coinfer {

class EmulatedNetwork : public SiteNetwork {
 public:
  struct Answer {
    int64_t predicted = -1;
    int correct = -1;  // 1, 0; -1: not known
  };

  // `control[s]`: site s's control connection, its `ready` already read.
  // Watched on `loop` from construction to destruction.
  EmulatedNetwork(RealTimeLoop* loop, std::vector<UniqueFd> control, SiteId end);
  ~EmulatedNetwork() override;

  void Prepare(const RequestPlan& plan) override;
  void Send(SiteId from, SiteId to, uint64_t bytes, std::function<void()> delivered,
            bool probe = false, MessageTag tag = {}) override;
  // Senders' own view of their connections: not in the user-space link,
  // whose TCP connections end at the relay.
  std::optional<DeliveryEstimate> Estimate(SiteId, SiteId) const override { return std::nullopt; }

  // After the engine's run: forgets the deliveries still awaited, whose
  // callbacks belong to the engine's run that has ended.
  void DropDeliveries();
  // After the engine's run: waits up to `timeout_s` for the answers still
  // owed (a device-only request's answer comes when the site has computed
  // it, which the engine does not wait for), reading the sites directly, not
  // through the clock.
  void AwaitAnswers(double timeout_s);
  // Tells every site to quit.
  void Quit();

  const std::map<int, Answer>& answers() const { return answers_; }
  // Each request's tensor bytes as the sender encoded them.
  const std::map<int, int64_t>& sent_bytes() const { return sent_bytes_; }
  // What failed, one line each ("request N: why", or a site's broken stream).
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  void Command(SiteId site, const std::string& verb, const std::vector<std::string>& words);
  void OnReadable(SiteId site);
  void OnMessage(SiteId site, const ControlMessage& message);
  void Fail(int request, const std::string& why);

  RealTimeLoop* loop_;
  std::vector<UniqueFd> control_;
  std::vector<ControlReader> readers_;
  SiteId end_;
  std::map<int, RequestPlan> plans_;
  // Deliveries awaited: a tensor's by (receiving site, request), a result's
  // by request, a probe's by its id.
  std::map<std::pair<SiteId, int64_t>, std::function<void()>> tensors_;
  std::map<int64_t, std::function<void()>> results_;
  std::map<int64_t, std::function<void()>> probes_;
  static constexpr int64_t kFirstProbe = int64_t{1} << 40;  // probes' ids, above any request's
  int64_t next_probe_ = kFirstProbe;
  std::map<int, Answer> answers_;
  std::map<int, int64_t> sent_bytes_;
  std::vector<std::string> failures_;
};

}  // namespace coinfer
