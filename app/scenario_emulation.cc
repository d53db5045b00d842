// The scenario's policies executed by site processes across a shaped link
// (docs/emulation.md): `coinfer emulate` and `coinfer fidelity` run it.
#include "app/scenario_emulation.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <ostream>
#include <stdexcept>
#include <thread>

#include "app/child_process.h"
#include "base/parse.h"
#include "emulate/emulated_network.h"
#include "emulate/link_relay.h"
#include "emulate/loopback.h"
#include "emulate/shaped_direction.h"
#include "traces/rate_schedule.h"

namespace coinfer {
namespace {

constexpr int kSiteStartTimeoutMs = 120'000;  // loading the model and its dataset

[[noreturn]] void Fail(const std::string& message) {
  throw std::runtime_error("emulation: " + message);
}

// A direction's capacity as delivery opportunities (a constant rate too).
std::shared_ptr<const DeliveryTrace> DirectionTrace(const DirectionConfig& d,
                                                    const std::string& name) {
  if (d.capacity.traced()) return d.capacity.trace;
  RateSchedule constant{{0}, {d.capacity.constant_mbps}, 1.0};
  auto trace = std::make_shared<DeliveryTrace>();
  const Status st = ToDeliveryTrace(constant, name, name, trace.get());
  if (!st.ok()) Fail(st.message());
  return trace;
}

// "100p" (packets of 1448 payload bytes) or "150000B".
uint64_t QueueBytes(const std::string& queue, const std::string& name) {
  int64_t n = 0;
  if (queue.size() < 2 || !ParseCount(queue.substr(0, queue.size() - 1), &n) || n <= 0)
    Fail(name + ".queue: " + queue + " is not a number of packets (p) or bytes (B)");
  if (queue.back() == 'p')
    return static_cast<uint64_t>(n) * ShapedDirection::kPayloadPerOpportunity;
  if (queue.back() == 'B') return static_cast<uint64_t>(n);
  Fail(name + ".queue: " + queue + " is not a number of packets (p) or bytes (B)");
}

// One policy's emulation: its sites started, the engine run on real time,
// everything stopped again (also when it fails).
class PolicyEmulation {
 public:
  PolicyEmulation(const Scenario& sc, int program, std::ostream* progress)
      : sc_(sc), program_(program), progress_(progress) {}
  ~PolicyEmulation() {
    if (relay_) relay_->Stop();
    if (relay_thread_.joinable()) relay_thread_.join();
    for (ChildProcess& child : children_) {
      if (child.pid <= 0) continue;  // never started
      kill(child.pid, SIGKILL);      // those that did not quit
      waitpid(child.pid, nullptr, 0);
      TakeChildStderr(&child, 0);
    }
  }

  PolicyRun Run(const EngineConfig& engine, Policy& policy) {
    uint16_t control_port = 0;
    if (const Status st = ListenLoopback(/*nonblocking=*/false, &listener_, &control_port);
        !st.ok())
      Fail(st.message());
    // The cloud first: the end device's link relays to its data port.
    std::vector<UniqueFd> control(2);
    uint16_t cloud_port = 0;
    control[kCloud] = StartSite("cloud", control_port, 0, &cloud_port);
    const NetworkConfig& net = engine.network;
    // Delays placed as the simulator places them (sim/net/packet_network.cc):
    // the access link's shared part, the smaller direction's, after its
    // queue, the rest before; the WAN's after the uplink's queue and before
    // the downlink's.
    auto ns = [](double ms) { return static_cast<int64_t>(ms * 1e6); };
    const double shared_ms = std::min(net.uplink.delay_ms, net.downlink.delay_ms);
    RelayConfig link;
    link.forward = {DirectionTrace(net.uplink, "uplink"), ns(shared_ms + net.wan_up.delay_ms),
                    QueueBytes(net.uplink.queue, "uplink"), ns(net.uplink.delay_ms - shared_ms)};
    link.backward = {DirectionTrace(net.downlink, "downlink"), ns(shared_ms),
                     QueueBytes(net.downlink.queue, "downlink"),
                     ns(net.wan_down.delay_ms + net.downlink.delay_ms - shared_ms)};
    link.target_port = cloud_port;
    if (const Status st = LinkRelay::Open(link, &relay_); !st.ok()) Fail(st.message());
    uint16_t unused = 0;
    control[kEnd] = StartSite("end", control_port, relay_->port(), &unused);

    RealTimeLoop loop(0);
    EmulatedNetwork network(&loop, std::move(control), kEnd);
    PolicyRun run;
    int64_t wall_start = 0;
    run.records = RunEngineOn(
        engine, policy, loop, network,
        [&] {
          // Time 0 once the policy is prepared and the arrivals scheduled, a
          // little ahead: the relay's traces start there too.
          wall_start = SteadyNowNs() + 20'000'000;
          loop.SetOrigin(wall_start);
          relay_->SetStart(wall_start);
          relay_thread_ = std::thread([this] { relay_status_ = relay_->Run(); });
          if (!loop.Run(engine.duration_s + engine.drain_s)) Fail("the clock's poll failed");
        },
        &run.stats);
    run.stats.simulated_s = loop.Now();
    run.stats.wall_s = (SteadyNowNs() - wall_start) * 1e-9;
    network.DropDeliveries();  // their callbacks belong to the engine's finished run
    network.AwaitAnswers(5.0);
    network.Quit();
    relay_->Stop();
    relay_thread_.join();
    if (!relay_status_.ok()) Fail(relay_status_.message());
    // The emulated answers replace the catalog's (a request the sites did
    // not answer has none), and the bytes the end device's site encoded the
    // catalog's count for the tensors it sent.
    int agree = 0, answered = 0;
    for (RequestRecord& r : run.records) {
      auto sent = network.sent_bytes().find(r.id);
      if (sent != network.sent_bytes().end() && r.bytes_sent > 0) r.bytes_sent = sent->second;
      auto it = network.answers().find(r.id);
      if (it == network.answers().end()) {
        r.correct = -1;
        continue;
      }
      ++answered;
      agree += it->second.correct == r.correct;
      r.correct = it->second.correct;
    }
    if (!progress_) return run;
    *progress_ << "coinfer: " << policy.name() << ": " << answered << " of " << run.records.size()
               << " requests answered by the emulated sites, " << agree
               << " as the catalog recorded; " << network.failures().size() << " failures\n";
    for (size_t i = 0; i < network.failures().size() && i < 5; ++i)
      *progress_ << "  " << network.failures()[i] << "\n";
    return run;
  }

 private:
  static constexpr SiteId kEnd = 0, kCloud = 1;  // TopologySites' two-tier order

  // Starts `coinfer emulate-site` and waits for its `ready`: its data port.
  UniqueFd StartSite(const std::string& name, uint16_t control_port, uint16_t connect_port,
                     uint16_t* data_port) {
    ChildProcess& child = children_.emplace_back();
    const Status st = StartChild(
        program_,
        {"coinfer", "emulate-site", "--name", name, "--card", sc_.weights_card, "--control-port",
         std::to_string(control_port), "--connect-port", std::to_string(connect_port)},
        &child);
    if (!st.ok()) Fail(st.message());
    pollfd ready{listener_.get(), POLLIN, 0};
    if (poll(&ready, 1, kSiteStartTimeoutMs) != 1)
      Fail("the " + name + " site did not start: " + TakeChildStderr(&child, 5));
    UniqueFd control(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    const int one = 1;  // commands leave at once, not after a delayed ACK
    setsockopt(control.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ControlMessage message;
    if (!ReadControlMessage(control.get(), kSiteStartTimeoutMs, &message).ok())
      Fail("the " + name + " site did not start: " + TakeChildStderr(&child, 5));
    int64_t port = 0;
    if (message.verb != "ready" || message.words.size() != 1 ||
        !ParseCount(message.words[0], &port))
      Fail("the " + name + " site said " + message.verb + " instead of ready");
    *data_port = static_cast<uint16_t>(port);
    return control;
  }

  const Scenario& sc_;
  int program_;
  std::ostream* progress_;
  UniqueFd listener_;
  std::vector<ChildProcess> children_;
  std::unique_ptr<LinkRelay> relay_;
  std::thread relay_thread_;
  Status relay_status_;
};

}  // namespace

Status CheckEmulable(const Scenario& sc) {
  if (sc.engine.network.topology != NetworkConfig::Topology::kTwoTier)
    return sc.KeyError("topology", "emulation runs two-tier scenarios (end device and cloud)");
  if (sc.weights_card.empty() || sc.codecs.empty())
    return sc.KeyError("compression.weights",
                       "emulation sends real tensors: it needs trained weights and codecs");
  if (sc.engine.estimator.kind == EstimatorConfig::Kind::kDelivery)
    return sc.KeyError("estimator.kind",
                       "delivery reads the sender's TCP connection, which ends at the user-space "
                       "link's relay: use last, ewma or harmonic");
  return Status::Ok();
}

Status EmulateScenario(const Scenario& scenario, RunResult* result, std::ostream* progress) {
  COINFER_RETURN_IF_ERROR(CheckEmulable(scenario));
  int program = -1;
  COINFER_RETURN_IF_ERROR(OpenSelfExecutable(&program));
  RunOptions options;
  options.progress = progress;
  options.mode = "emulation";
  options.engine = [&](const EngineConfig& engine, Policy& policy) {
    PolicyEmulation emulation(scenario, program, progress);
    return emulation.Run(engine, policy);
  };
  return RunScenario(scenario, result, options);
}

}  // namespace coinfer
