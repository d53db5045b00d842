#include "emulate/emulated_network.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "base/parse.h"
#include "emulate/steady_now.h"

namespace coinfer {

EmulatedNetwork::EmulatedNetwork(RealTimeLoop* loop, std::vector<UniqueFd> control, SiteId end)
    : loop_(loop), control_(std::move(control)), readers_(control_.size()), end_(end) {
  for (size_t s = 0; s < control_.size(); ++s) {
    const SiteId site = static_cast<SiteId>(s);
    if (control_[s].valid())
      loop_->Watch(control_[s].get(), POLLIN, [this, site](short) { OnReadable(site); });
  }
}

EmulatedNetwork::~EmulatedNetwork() {
  for (const UniqueFd& fd : control_)
    if (fd.valid()) loop_->Unwatch(fd.get());
}

void EmulatedNetwork::DropDeliveries() {
  tensors_.clear();
  results_.clear();
  probes_.clear();
}

void EmulatedNetwork::AwaitAnswers(double timeout_s) {
  const int64_t deadline = SteadyNowNs() + static_cast<int64_t>(timeout_s * 1e9);
  std::vector<pollfd> polled;
  std::vector<SiteId> sites;
  while (!plans_.empty() && SteadyNowNs() < deadline) {
    polled.clear();
    sites.clear();
    for (size_t s = 0; s < control_.size(); ++s) {
      if (!control_[s].valid()) continue;
      polled.push_back({control_[s].get(), POLLIN, 0});
      sites.push_back(static_cast<SiteId>(s));
    }
    const int wait_ms = static_cast<int>((deadline - SteadyNowNs()) / 1000000) + 1;
    if (polled.empty() || poll(polled.data(), polled.size(), wait_ms) <= 0) return;
    for (size_t i = 0; i < polled.size(); ++i)
      if (polled[i].revents) OnReadable(sites[i]);
  }
}

void EmulatedNetwork::Quit() {
  for (size_t s = 0; s < control_.size(); ++s)
    if (control_[s].valid()) Command(static_cast<SiteId>(s), "quit", {});
}

void EmulatedNetwork::Fail(int request, const std::string& why) {
  failures_.push_back("request " + std::to_string(request) + ": " + why);
}

void EmulatedNetwork::Command(SiteId site, const std::string& verb,
                              const std::vector<std::string>& words) {
  const std::string line = ControlLine(verb, words);
  const int fd = control_.at(site).get();
  size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failures_.push_back("site " + std::to_string(site) + ": its control connection is closed");
      return;
    }
    sent += static_cast<size_t>(n);
  }
}

void EmulatedNetwork::Prepare(const RequestPlan& plan) {
  if (plan.sample < 0) return Fail(plan.request, "emulation needs measured compression");
  if (!plan.variant.empty())
    return Fail(plan.request, "the pruned variant " + plan.variant + " is not emulated yet");
  const TransferPlan* tensor = nullptr;
  for (const TransferPlan& t : plan.transfers) {
    if (t.result) continue;
    if (t.split < 0)
      return Fail(plan.request, "a transfer of a tensor the catalog has not measured");
    if (tensor || t.from != end_)
      return Fail(plan.request,
                  "only plans of one tensor from the end device are emulated (device-only, "
                  "cloud-only, a single split)");
    tensor = &t;
  }
  plans_[plan.request] = plan;
  const std::string id = std::to_string(plan.request);
  const std::string sample = std::to_string(plan.sample);
  const std::string measured = std::to_string(plan.measured_samples);
  if (tensor) {
    const std::vector<std::string> words = {id, sample, measured, std::to_string(tensor->split),
                                            tensor->codec};
    Command(end_, "prepare", words);
    Command(tensor->to, "expect", words);
  } else
    Command(end_, "answer-locally", {id, sample, measured});
}

void EmulatedNetwork::Send(SiteId from, SiteId to, uint64_t bytes, std::function<void()> delivered,
                           bool probe, MessageTag tag) {
  if (probe) {
    const int64_t id = next_probe_++;
    probes_[id] = std::move(delivered);
    Command(from, "probe", {std::to_string(id), std::to_string(bytes)});
    return;
  }
  auto plan = plans_.find(tag.request);
  if (plan == plans_.end()) return;  // failed in Prepare: never delivered
  for (const TransferPlan& t : plan->second.transfers) {
    if (t.stage != tag.stage) continue;
    if (t.result)
      results_[tag.request] = std::move(delivered);
    else
      tensors_[{to, tag.request}] = std::move(delivered);
    Command(from, "send", {std::to_string(tag.request)});
    return;
  }
  Fail(tag.request, "stage " + std::to_string(tag.stage) + " is a transfer its plan did not name");
}

void EmulatedNetwork::OnReadable(SiteId site) {
  char buffer[4096];
  const ssize_t n = recv(control_[site].get(), buffer, sizeof(buffer), 0);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    failures_.push_back("site " + std::to_string(site) + " closed its control connection");
    loop_->Unwatch(control_[site].get());
    control_[site].reset();
    return;
  }
  readers_[site].Append(std::string_view(buffer, static_cast<size_t>(n)));
  ControlMessage message;
  Status error;
  while (readers_[site].Next(&message, &error)) OnMessage(site, message);
  if (!error.ok()) failures_.push_back("site " + std::to_string(site) + ": " + error.message());
}

void EmulatedNetwork::OnMessage(SiteId site, const ControlMessage& m) {
  int64_t id = -1, value = 0, correct = -1;
  const bool has_id = !m.words.empty() && ParseCount(m.words[0], &id);
  auto take = [](auto& pending, const auto& key) {
    auto it = pending.find(key);
    if (it == pending.end()) return std::function<void()>();
    std::function<void()> fn = std::move(it->second);
    pending.erase(it);
    return fn;
  };
  if (m.verb == "arrived" && has_id) {
    if (auto delivered = take(tensors_, std::make_pair(site, id))) delivered();
  } else if (m.verb == "probed" && has_id) {
    if (auto delivered = take(probes_, id)) delivered();
  } else if (m.verb == "prepared" && has_id && m.words.size() == 2 &&
             ParseCount(m.words[1], &value)) {
    sent_bytes_[static_cast<int>(id)] = value;
  } else if (m.verb == "answer" && has_id && m.words.size() == 3 &&
             ParseCount(m.words[1], &value)) {
    if (m.words[2] != "-1") ParseCount(m.words[2], &correct);
    answers_[static_cast<int>(id)] = {value, static_cast<int>(correct)};
    plans_.erase(static_cast<int>(id));
    if (auto delivered = take(results_, id)) delivered();
  } else if (m.verb == "failed" && has_id && id >= kFirstProbe) {
    probes_.erase(id);
    failures_.push_back("probe " + std::to_string(id - kFirstProbe) + ": site " +
                        std::to_string(site) + ": " + Join(m.words, " "));
  } else if (m.verb == "failed" && has_id) {
    plans_.erase(static_cast<int>(id));  // no answer is coming
    Fail(static_cast<int>(id), "site " + std::to_string(site) + ": " +
                                   (m.words.size() > 1 ? m.words[1] : std::string("failed")));
  } else {
    failures_.push_back("site " + std::to_string(site) + " said: " + m.verb + " " +
                        Join(m.words, " "));
  }
}

}  // namespace coinfer
