#include "emulate/site_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "base/parse.h"
#include "emulate/byte_queue.h"
#include "emulate/control_message.h"
#include "emulate/loopback.h"
#include "emulate/site_runtime.h"
#include "emulate/unique_fd.h"

namespace coinfer {
namespace {

Status SocketError(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

// Words of a reason, for a control line (which splits on spaces).
std::string OneWord(const std::string& text) {
  std::string word = text;
  for (char& c : word)
    if (c == ' ' || c == '\n' || c == '\t') c = '_';
  return word;
}

struct DataConnection {
  UniqueFd fd;
  FrameReader reader;
  ByteQueue outgoing;
};

class Site {
 public:
  explicit Site(const SiteProcessConfig& config) : config_(config) {}

  Status Start() {
    COINFER_RETURN_IF_ERROR(SiteRuntime::Open(config_.card, &runtime_));
    COINFER_RETURN_IF_ERROR(ConnectLoopback(config_.control_port, &control_));
    uint16_t port = 0;
    if (config_.connect_port != 0) {
      UniqueFd data;
      COINFER_RETURN_IF_ERROR(ConnectLoopback(config_.connect_port, &data));
      AddConnection(std::move(data));
    } else {
      COINFER_RETURN_IF_ERROR(ListenLoopback(/*nonblocking=*/false, &listener_, &port));
    }
    return Report("ready", {std::to_string(port)});
  }

  Status Serve() {
    std::vector<pollfd> polled;
    std::vector<int> ids;  // polled[2 + i]: data connection ids[i]
    while (!quit_) {
      polled.assign({{control_.get(), POLLIN, 0}, {listener_.get(), POLLIN, 0}});
      ids.clear();
      for (auto& [id, c] : connections_) {
        polled.push_back(
            {c.fd.get(), static_cast<short>(POLLIN | (c.outgoing.empty() ? 0 : POLLOUT)), 0});
        ids.push_back(id);
      }
      if (poll(polled.data(), polled.size(), -1) < 0) {
        if (errno == EINTR) continue;
        return SocketError(config_.name + ": poll");
      }
      if (polled[0].revents) COINFER_RETURN_IF_ERROR(ReadControl());
      if (polled[1].revents & POLLIN) {
        UniqueFd accepted(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (accepted.valid()) AddConnection(std::move(accepted));
      }
      for (size_t i = 0; i < ids.size(); ++i) {
        const short events = polled[2 + i].revents;
        if (events & POLLOUT) COINFER_RETURN_IF_ERROR(Flush(ids[i]));
        if (events & (POLLIN | POLLHUP | POLLERR)) COINFER_RETURN_IF_ERROR(ReadData(ids[i]));
      }
    }
    return Status::Ok();
  }

 private:
  void AddConnection(UniqueFd fd) {
    fcntl(fd.get(), F_SETFL, fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
    const int one = 1;  // a result frame leaves at once, not after a delayed ACK
    setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    connections_[next_connection_++].fd = std::move(fd);
  }

  Status Report(const std::string& verb, const std::vector<std::string>& words) {
    const std::string line = ControlLine(verb, words);
    size_t sent = 0;
    while (sent < line.size()) {
      const ssize_t n = send(control_.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return SocketError(config_.name + ": report to the coordinator");
      sent += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  Status ReadControl() {
    char buffer[4096];
    const ssize_t n = recv(control_.get(), buffer, sizeof(buffer), 0);
    if (n <= 0) {  // the coordinator is gone: so is the emulation
      quit_ = true;
      return Status::Ok();
    }
    control_reader_.Append(std::string_view(buffer, static_cast<size_t>(n)));
    ControlMessage message;
    Status error;
    while (control_reader_.Next(&message, &error)) COINFER_RETURN_IF_ERROR(OnControl(message));
    return error;
  }

  // A command's failure is its request's, reported; only the control
  // connection's failure ends the site.
  Status OnControl(const ControlMessage& m) {
    const std::string& request = m.words.empty() ? std::string("-1") : m.words[0];
    auto number = [&](size_t i, int64_t* value) {
      return i < m.words.size() && ParseCount(m.words[i], value);
    };
    int64_t id = 0, sample = 0, measured = 0, split = 0, bytes = 0;
    if (m.verb == "quit") {
      quit_ = true;
      return Status::Ok();
    }
    if (m.verb == "prepare" && m.words.size() == 5 && number(0, &id) && number(1, &sample) &&
        number(2, &measured) && number(3, &split)) {
      TensorFrame frame;
      const Status st = runtime_->EncodeTensor(static_cast<uint64_t>(id), sample, measured,
                                               static_cast<int>(split), m.words[4], &frame);
      if (!st.ok()) return Report("failed", {request, OneWord(st.message())});
      const size_t payload = frame.payload.size();
      prepared_[static_cast<uint64_t>(id)] = std::move(frame);
      samples_[static_cast<uint64_t>(id)] = sample;
      return Report("prepared", {request, std::to_string(payload)});
    }
    if (m.verb == "answer-locally" && m.words.size() == 3 && number(0, &id) && number(1, &sample) &&
        number(2, &measured)) {
      TensorFrame input, result;
      int64_t predicted = -1;
      Status st =
          runtime_->EncodeTensor(static_cast<uint64_t>(id), sample, measured, 0, "none", &input);
      if (st.ok()) st = runtime_->Finish(input, &result);
      if (st.ok()) st = ResultClass(result, &predicted);
      if (!st.ok()) return Report("failed", {request, OneWord(st.message())});
      samples_[static_cast<uint64_t>(id)] = sample;
      return Answer(static_cast<uint64_t>(id), predicted);
    }
    if (m.verb == "send" && m.words.size() == 1 && number(0, &id)) {
      const uint64_t key = static_cast<uint64_t>(id);
      if (auto it = prepared_.find(key); it != prepared_.end()) {
        const TensorFrame frame = std::move(it->second);
        prepared_.erase(it);
        return Queue(connections_.empty() ? -1 : connections_.begin()->first, frame, request);
      }
      if (auto it = results_.find(key); it != results_.end()) {
        const auto [connection, frame] = std::move(it->second);
        results_.erase(it);
        return Queue(connection, frame, request);
      }
      return Report("failed", {request, "nothing_to_send_for_this_request"});
    }
    if (m.verb == "probe" && m.words.size() == 2 && number(0, &id) && number(1, &bytes)) {
      TensorFrame probe;
      probe.kind = FrameKind::kProbe;
      probe.request_id = static_cast<uint64_t>(id);
      probe.payload.assign(static_cast<size_t>(bytes), '\0');
      return Queue(connections_.empty() ? -1 : connections_.begin()->first, probe, request);
    }
    return Report("failed", {request, OneWord("unknown command: " + m.verb)});
  }

  Status Queue(int connection, const TensorFrame& frame, const std::string& request) {
    auto it = connections_.find(connection);
    if (it == connections_.end()) return Report("failed", {request, "no_data_connection"});
    std::string bytes;
    const Status st = EncodeFrame(frame, &bytes);
    if (!st.ok()) return Report("failed", {request, OneWord(st.message())});
    it->second.outgoing.Append(bytes);
    return Flush(connection);
  }

  Status Flush(int id) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return Status::Ok();
    ByteQueue& out = it->second.outgoing;
    while (!out.empty()) {
      const ssize_t n = send(it->second.fd.get(), out.data(), out.size(), MSG_NOSIGNAL);
      if (n > 0) {
        out.Drop(static_cast<size_t>(n));
      } else if (errno == EAGAIN || errno == EINTR) {
        return Status::Ok();
      } else {
        return Broken(id, std::string("write: ") + std::strerror(errno));
      }
    }
    return Status::Ok();
  }

  Status ReadData(int id) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return Status::Ok();
    char buffer[64 * 1024];
    const ssize_t n = recv(it->second.fd.get(), buffer, sizeof(buffer), 0);
    if (n == 0) {
      const Status unfinished = it->second.reader.Finish();
      if (!unfinished.ok()) return Broken(id, unfinished.message());
      connections_.erase(it);
      return Status::Ok();
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return Status::Ok();
      return Broken(id, std::string("read: ") + std::strerror(errno));
    }
    it->second.reader.Append(std::string_view(buffer, static_cast<size_t>(n)));
    TensorFrame frame;
    Status error;
    while (it->second.reader.Next(&frame, &error)) COINFER_RETURN_IF_ERROR(OnFrame(id, frame));
    return error.ok() ? Status::Ok() : Broken(id, error.message());
  }

  Status OnFrame(int connection, const TensorFrame& frame) {
    const std::string request = std::to_string(frame.request_id);
    switch (frame.kind) {
      case FrameKind::kProbe:
        return Report("probed", {request});
      case FrameKind::kResult: {
        int64_t predicted = -1;
        const Status st = ResultClass(frame, &predicted);
        if (!st.ok()) return Report("failed", {request, OneWord(st.message())});
        return Answer(frame.request_id, predicted);
      }
      case FrameKind::kTensor: {
        // Delivered now; the answer is computed at once, so it is ready
        // when the coordinator's engine says to send it.
        COINFER_RETURN_IF_ERROR(Report("arrived", {request}));
        TensorFrame result;
        const Status st = runtime_->Finish(frame, &result);
        if (!st.ok()) return Report("failed", {request, OneWord(st.message())});
        results_[frame.request_id] = {connection, std::move(result)};
        return Status::Ok();
      }
    }
    return Status::Ok();
  }

  // `answer REQ CLASS CORRECT`: the request's class, and whether it is its
  // sample's label (1, 0; -1 where this site does not know the sample).
  Status Answer(uint64_t request, int64_t predicted) {
    auto it = samples_.find(request);
    const int correct = it == samples_.end() ? -1 : predicted == runtime_->Label(it->second);
    if (it != samples_.end()) samples_.erase(it);
    return Report("answer",
                  {std::to_string(request), std::to_string(predicted), std::to_string(correct)});
  }

  // A stream that cannot be read on is closed; the coordinator hears why.
  Status Broken(int id, const std::string& why) {
    connections_.erase(id);
    return Report("broken", {OneWord(config_.name + ": " + why)});
  }

  SiteProcessConfig config_;
  std::unique_ptr<SiteRuntime> runtime_;
  UniqueFd control_;
  ControlReader control_reader_;
  UniqueFd listener_;
  std::map<int, DataConnection> connections_;
  int next_connection_ = 0;
  std::map<uint64_t, int64_t> samples_;       // the end device's requests: their samples
  std::map<uint64_t, TensorFrame> prepared_;  // tensors to send
  std::map<uint64_t, std::pair<int, TensorFrame>> results_;  // answers to send back, and where
  bool quit_ = false;
};

}  // namespace

Status RunSite(const SiteProcessConfig& config) {
  Site site(config);
  COINFER_RETURN_IF_ERROR(site.Start());
  return site.Serve();
}

}  // namespace coinfer
