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
#include <set>
#include <vector>

#include "base/parse.h"
#include "emulate/byte_queue.h"
#include "emulate/control_message.h"
#include "emulate/loopback.h"
#include "emulate/site_runtime.h"
#include "emulate/unique_fd.h"
#include "emulate/work_thread.h"

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

constexpr int kFirstConnection = -1;  // the end device's one data connection
constexpr int kComputeNice = 10;      // see Start

// Is `received` the tensor that was expected, byte for byte?
bool SameTensor(const TensorFrame& expected, const TensorFrame& received) {
  return expected.split == received.split && expected.codec == received.codec &&
         expected.shape == received.shape && expected.payload == received.payload;
}

struct DataConnection {
  UniqueFd fd;
  FrameReader reader;
  ByteQueue outgoing;
};

class Site {
 public:
  explicit Site(const SiteProcessConfig& config) : config_(config) {}
  ~Site() { work_.reset(); }  // its jobs use the members below

  Status Start() {
    COINFER_RETURN_IF_ERROR(SiteRuntime::Open(config_.card, &runtime_));
    // Computation yields to the threads serving sockets (this site's, the
    // other sites', the coordinator's and its relay's), whose lateness would
    // be the emulated link's.
    work_ = std::make_unique<WorkThread>(kComputeNice);
    if (!work_->valid()) return SocketError(config_.name + ": eventfd");
    Status warm;
    bool warmed = false;
    work_->Post([this, &warm, &warmed] {
      warm = runtime_->WarmUp();
      return [&warmed] { warmed = true; };
    });
    while (!warmed) {
      pollfd done{work_->fd(), POLLIN, 0};
      if (poll(&done, 1, -1) < 0 && errno != EINTR) return SocketError(config_.name + ": poll");
      work_->RunCompletions();
    }
    COINFER_RETURN_IF_ERROR(warm);
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
    std::vector<int> ids;  // polled[3 + i]: data connection ids[i]
    while (!quit_ && failure_.ok()) {
      polled.assign(
          {{control_.get(), POLLIN, 0}, {listener_.get(), POLLIN, 0}, {work_->fd(), POLLIN, 0}});
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
      if (polled[2].revents) work_->RunCompletions();
      if (polled[1].revents & POLLIN) {
        UniqueFd accepted(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (accepted.valid()) AddConnection(std::move(accepted));
      }
      for (size_t i = 0; i < ids.size(); ++i) {
        const short events = polled[3 + i].revents;
        if (events & POLLOUT) COINFER_RETURN_IF_ERROR(Flush(ids[i]));
        if (events & (POLLIN | POLLHUP | POLLERR)) COINFER_RETURN_IF_ERROR(ReadData(ids[i]));
      }
    }
    return failure_;
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
  // connection's failure ends the site. LibTorch's work is posted to the work
  // thread, so the site keeps serving its sockets meanwhile.
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
    if (!number(0, &id)) return Report("failed", {request, OneWord("no request in: " + m.verb)});
    const uint64_t key = static_cast<uint64_t>(id);
    const bool tensor_words =
        m.words.size() == 5 && number(1, &sample) && number(2, &measured) && number(3, &split);
    if (m.verb == "prepare" && tensor_words) {
      samples_[key] = sample;
      computing_.insert(key);
      const std::string codec = m.words[4];
      work_->Post([this, key, sample, measured, split, codec] {
        auto frame = std::make_shared<TensorFrame>();
        const Status st = runtime_->EncodeTensor(key, sample, measured, static_cast<int>(split),
                                                 codec, frame.get());
        return [this, key, frame, st] {
          if (!st.ok()) {
            samples_.erase(key);
            return Computed(key, st);
          }
          Note(Report("prepared", {std::to_string(key), std::to_string(frame->payload.size())}));
          ready_[key] = {kFirstConnection, std::move(*frame)};
          Computed(key, st);
        };
      });
      return Status::Ok();
    }
    if (m.verb == "expect" && tensor_words) {
      // The tensor on its way here and the answer to it, computed ahead; used
      // when the bytes that arrive are these (emulate.compute = model: the
      // stage's time is the device model's, the answer LibTorch's).
      const std::string codec = m.words[4];
      work_->Post([this, key, sample, measured, split, codec] {
        Expected expected;
        if (runtime_
                ->EncodeTensor(key, sample, measured, static_cast<int>(split), codec,
                               &expected.tensor)
                .ok() &&
            runtime_->Finish(expected.tensor, &expected.result).ok())
          expected_[key] = std::move(expected);
        return WorkThread::Completion();
      });
      return Status::Ok();
    }
    if (m.verb == "answer-locally" && m.words.size() == 3 && number(1, &sample) &&
        number(2, &measured)) {
      samples_[key] = sample;
      work_->Post([this, key, sample, measured] {
        TensorFrame input, result;
        int64_t predicted = -1;
        Status st = runtime_->EncodeTensor(key, sample, measured, 0, "none", &input);
        if (st.ok()) st = runtime_->Finish(input, &result);
        if (st.ok()) st = ResultClass(result, &predicted);
        return [this, key, predicted, st] {
          if (st.ok()) return Note(Answer(key, predicted));
          samples_.erase(key);  // as a failed prepare does
          Note(Report("failed", {std::to_string(key), OneWord(st.message())}));
        };
      });
      return Status::Ok();
    }
    if (m.verb == "send" && m.words.size() == 1) {
      if (ready_.count(key)) return SendReady(key);
      if (computing_.count(key)) {  // sent as soon as it is computed
        asked_.insert(key);
        return Status::Ok();
      }
      return Report("failed", {request, "nothing_to_send_for_this_request"});
    }
    if (m.verb == "probe" && m.words.size() == 2 && number(1, &bytes)) {
      TensorFrame probe;
      probe.kind = FrameKind::kProbe;
      probe.request_id = key;
      probe.payload.assign(static_cast<size_t>(bytes), '\0');
      return Queue(kFirstConnection, probe, request);
    }
    return Report("failed", {request, OneWord("unknown command: " + m.verb)});
  }

  // The work thread is done with `request`'s frame to send (in ready_ when
  // `st` is ok): sent now if the coordinator already asked.
  void Computed(uint64_t request, const Status& st) {
    computing_.erase(request);
    const bool asked = asked_.erase(request) > 0;
    if (!st.ok()) return Note(Report("failed", {std::to_string(request), OneWord(st.message())}));
    if (asked) Note(SendReady(request));
  }

  Status SendReady(uint64_t request) {
    auto it = ready_.find(request);
    const auto [connection, frame] = std::move(it->second);
    ready_.erase(it);
    return Queue(connection, frame, std::to_string(request));
  }

  // A completion's failure to report ends the site, as in Serve.
  void Note(const Status& st) {
    if (!st.ok() && failure_.ok()) failure_ = st;
  }

  Status Queue(int connection, const TensorFrame& frame, const std::string& request) {
    if (connection == kFirstConnection && !connections_.empty())
      connection = connections_.begin()->first;
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
        // Delivered now; the answer is computed at once (or taken from the
        // expected one), so it is ready when the coordinator's engine says
        // to send it.
        COINFER_RETURN_IF_ERROR(Report("arrived", {request}));
        const uint64_t key = frame.request_id;
        computing_.insert(key);
        auto received = std::make_shared<TensorFrame>(frame);
        work_->Post([this, connection, received] {
          auto result = std::make_shared<TensorFrame>();
          Status st;
          auto it = expected_.find(received->request_id);
          if (it != expected_.end() && SameTensor(it->second.tensor, *received))
            *result = it->second.result;
          else
            st = runtime_->Finish(*received, result.get());
          if (it != expected_.end()) expected_.erase(it);
          const uint64_t key = received->request_id;
          return [this, connection, key, result, st] {
            if (st.ok()) ready_[key] = {connection, std::move(*result)};
            Computed(key, st);
          };
        });
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
  std::unique_ptr<WorkThread> work_;
  std::map<uint64_t, int64_t> samples_;  // the end device's requests: their samples
  // Frames to send (tensors, answers) and on which connection, once computed.
  std::map<uint64_t, std::pair<int, TensorFrame>> ready_;
  std::set<uint64_t> computing_;  // requests whose frame to send is being computed
  std::set<uint64_t> asked_;      // of those, the ones the coordinator said to send
  // The work thread's own: what is expected to arrive, and its answer.
  struct Expected {
    TensorFrame tensor, result;
  };
  std::map<uint64_t, Expected> expected_;
  Status failure_;
  bool quit_ = false;
};

}  // namespace

Status RunSite(const SiteProcessConfig& config) {
  Site site(config);
  COINFER_RETURN_IF_ERROR(site.Start());
  return site.Serve();
}

}  // namespace coinfer
