#include "emulate/link_relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "emulate/byte_queue.h"
#include "emulate/loopback.h"
#include "emulate/shaped_direction.h"
#include "emulate/unique_fd.h"

namespace coinfer {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
// A receiver that stops reading stops its sender here too: its flow is not
// read while this much waits to be written to it.
constexpr size_t kMaxOutgoing = 1 << 20;
// After accept fails for lack of descriptors, the listener rests this long
// instead of waking the loop at once, again and again.
constexpr int64_t kAcceptPauseNs = 100'000'000;

// One direction of one relayed connection.
ShapedDirection Shaped(const RelayDirection& d, int64_t start_ns) {
  return ShapedDirection(d.trace, d.delay_ns, d.queue_limit_bytes, start_ns, d.ingress_ns);
}

struct Flow {
  int from = -1;
  int to = -1;
  ByteQueue pending;   // read, not yet carried by the link
  ByteQueue outgoing;  // carried, not yet written to `to`
  bool read_eof = false;
  bool write_shut = false;  // shut after its last byte, or its receiver is gone
  bool finished() const { return write_shut; }
};

struct Connection {
  UniqueFd client;          // accepted: the connecting side
  UniqueFd server;          // ours, to the target
  bool connecting = false;  // the target has not accepted yet
  Flow forward;             // client -> server
  Flow backward;            // server -> client
};

Status SocketError(const std::string& what) {
  return Status::IoError(std::string("link relay: ") + what + ": " + std::strerror(errno));
}

void SetNoDelay(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

}  // namespace

struct LinkRelay::Impl {
  Impl(const RelayConfig& c)
      : config(c),
        forward(Shaped(c.forward, c.start_ns)),
        backward(Shaped(c.backward, c.start_ns)) {}

  void Accept(int64_t now_ns);
  void FinishConnecting(int id, Connection* c);
  void Read(int id, Flow* flow, ShapedDirection* direction, int64_t now_ns);
  void Write(int id, Flow* flow);
  void Deliver(const std::vector<ShapedDirection::Released>& released, bool forward_direction);
  void CloseFinished();
  // The socket a flow reads from (or the one it writes to) failed: that
  // socket's peer is gone, so nothing more comes from it and nothing more
  // reaches it; what it sent before still crosses to the other side.
  void SocketFailed(int id, int fd, const std::string& why);

  RelayConfig config;
  ShapedDirection forward;
  ShapedDirection backward;
  UniqueFd listener;
  UniqueFd wake;
  uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::map<int, Connection> connections;
  int next_id = 0;
  int64_t accept_paused_until_ns = 0;
};

void LinkRelay::Impl::Accept(int64_t now_ns) {
  UniqueFd client(accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (!client.valid()) {
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      std::fprintf(stderr, "link relay: accept: %s\n", std::strerror(errno));
      accept_paused_until_ns = now_ns + kAcceptPauseNs;
    }
    return;
  }
  // Connecting does not block: a target slow to accept holds no other connection.
  UniqueFd server(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const sockaddr_in target = LoopbackAddress(config.target_port);
  if (!server.valid() ||
      (connect(server.get(), reinterpret_cast<const sockaddr*>(&target), sizeof(target)) != 0 &&
       errno != EINPROGRESS)) {
    std::fprintf(stderr, "link relay: cannot reach port %u: %s\n", config.target_port,
                 std::strerror(errno));
    return;
  }
  SetNoDelay(client.get());
  SetNoDelay(server.get());
  Connection& connection = connections[next_id++];
  connection.connecting = true;
  connection.forward.from = connection.backward.to = client.get();
  connection.forward.to = connection.backward.from = server.get();
  connection.client = std::move(client);
  connection.server = std::move(server);
}

void LinkRelay::Impl::FinishConnecting(int id, Connection* c) {
  int error = 0;
  socklen_t length = sizeof(error);
  getsockopt(c->server.get(), SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) {
    std::fprintf(stderr, "link relay: cannot reach port %u: %s\n", config.target_port,
                 std::strerror(error));
    connections.erase(id);  // the client sees its connection closed
    return;
  }
  c->connecting = false;
}

void LinkRelay::Impl::Read(int id, Flow* flow, ShapedDirection* direction, int64_t now_ns) {
  char buffer[kReadChunk];
  const size_t want = std::min<uint64_t>(kReadChunk, direction->Room(now_ns));
  if (want == 0) return;  // a hang-up seen while the link is full: read it later
  const ssize_t n = recv(flow->from, buffer, want, 0);
  if (n > 0) {
    flow->pending.Append(buffer, static_cast<size_t>(n));
    direction->Enter(SteadyNowNs(), id, static_cast<size_t>(n));
  } else if (n == 0) {
    flow->read_eof = true;
  } else if (errno != EAGAIN && errno != EINTR) {
    SocketFailed(id, flow->from, std::string("read: ") + std::strerror(errno));
  }
}

void LinkRelay::Impl::Write(int id, Flow* flow) {
  while (!flow->outgoing.empty() && !flow->write_shut) {
    const ssize_t n =
        send(flow->to, flow->outgoing.data(), flow->outgoing.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      flow->outgoing.Drop(static_cast<size_t>(n));
    } else if (errno == EAGAIN || errno == EINTR) {
      return;
    } else {
      SocketFailed(id, flow->to, std::string("write: ") + std::strerror(errno));
      return;
    }
  }
}

void LinkRelay::Impl::Deliver(const std::vector<ShapedDirection::Released>& released,
                              bool forward_direction) {
  for (const ShapedDirection::Released& r : released) {
    auto it = connections.find(r.stream);
    if (it == connections.end()) continue;  // closed while its bytes crossed
    Flow& flow = forward_direction ? it->second.forward : it->second.backward;
    if (flow.write_shut) {  // its receiver is gone: the bytes are lost with it
      flow.pending.Drop(r.bytes);
      continue;
    }
    flow.pending.MoveTo(r.bytes, &flow.outgoing);
    Write(r.stream, &flow);
  }
}

void LinkRelay::Impl::CloseFinished() {
  for (auto it = connections.begin(); it != connections.end();) {
    Connection& c = it->second;
    for (Flow* flow : {&c.forward, &c.backward}) {
      if (flow->read_eof && !flow->write_shut && flow->pending.empty() && flow->outgoing.empty()) {
        shutdown(flow->to, SHUT_WR);
        flow->write_shut = true;
      }
    }
    const bool done = c.forward.finished() && c.backward.finished() && c.forward.pending.empty() &&
                      c.backward.pending.empty();
    it = done ? connections.erase(it) : std::next(it);
  }
}

void LinkRelay::Impl::SocketFailed(int id, int fd, const std::string& why) {
  auto it = connections.find(id);
  if (it == connections.end()) return;
  std::fprintf(stderr, "link relay: connection %d: %s\n", id, why.c_str());
  for (Flow* flow : {&it->second.forward, &it->second.backward}) {
    if (flow->from == fd) flow->read_eof = true;
    if (flow->to == fd) {
      flow->read_eof = true;
      flow->write_shut = true;
      flow->outgoing.Drop(flow->outgoing.size());
      shutdown(flow->from, SHUT_RD);
    }
  }
}

Status LinkRelay::Open(const RelayConfig& config, std::unique_ptr<LinkRelay>* out) {
  if (!config.forward.trace || !config.backward.trace) {
    return Status::InvalidInput("link relay", "trace", "each direction needs a delivery trace");
  }
  auto impl = std::make_unique<Impl>(config);
  COINFER_RETURN_IF_ERROR(ListenLoopback(/*nonblocking=*/true, &impl->listener, &impl->port));
  impl->wake.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!impl->wake.valid()) return SocketError("eventfd");
  out->reset(new LinkRelay(std::move(impl)));
  return Status::Ok();
}

LinkRelay::LinkRelay(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LinkRelay::~LinkRelay() = default;

uint16_t LinkRelay::port() const { return impl_->port; }

void LinkRelay::SetStart(int64_t start_ns) {
  Impl& r = *impl_;
  r.config.start_ns = start_ns;
  r.forward = Shaped(r.config.forward, start_ns);
  r.backward = Shaped(r.config.backward, start_ns);
}

void LinkRelay::Stop() {
  impl_->stopping = true;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(impl_->wake.get(), &one, sizeof(one));
}

Status LinkRelay::Run() {
  Impl& r = *impl_;
  std::vector<ShapedDirection::Released> released;
  std::vector<pollfd> polled;
  std::vector<std::pair<int, bool>> polled_ends;  // polled[2 + i]: connection, client side
  while (!r.stopping) {
    const int64_t now = SteadyNowNs();
    released.clear();
    r.forward.Advance(now, &released);
    r.Deliver(released, true);
    released.clear();
    r.backward.Advance(now, &released);
    r.Deliver(released, false);
    r.CloseFinished();

    const bool accepting = now >= r.accept_paused_until_ns;
    polled.assign({{r.wake.get(), POLLIN, 0}, {accepting ? r.listener.get() : -1, POLLIN, 0}});
    polled_ends.clear();
    for (auto& [id, c] : r.connections) {
      if (c.connecting) {
        polled.push_back({c.server.get(), POLLOUT, 0});
        polled_ends.push_back({id, false});
        continue;
      }
      // A socket is polled only for what is wanted of it (one whose peer has
      // gone would otherwise report POLLHUP on every turn), and a flow is
      // read only while the link has room and its receiver keeps up.
      auto reads = [now](const Flow& flow, const ShapedDirection& direction) {
        return !flow.read_eof && flow.outgoing.size() < kMaxOutgoing && direction.Room(now) > 0;
      };
      auto writes = [](const Flow& flow) { return !flow.outgoing.empty() && !flow.write_shut; };
      const short client_events = static_cast<short>((reads(c.forward, r.forward) ? POLLIN : 0) |
                                                     (writes(c.backward) ? POLLOUT : 0));
      const short server_events = static_cast<short>((reads(c.backward, r.backward) ? POLLIN : 0) |
                                                     (writes(c.forward) ? POLLOUT : 0));
      if (client_events != 0) {
        polled.push_back({c.client.get(), client_events, 0});
        polled_ends.push_back({id, true});
      }
      if (server_events != 0) {
        polled.push_back({c.server.get(), server_events, 0});
        polled_ends.push_back({id, false});
      }
    }
    int64_t next = std::min(r.forward.NextChangeNs(), r.backward.NextChangeNs());
    if (!accepting) next = std::min(next, r.accept_paused_until_ns);
    timespec timeout{};
    if (next != ShapedDirection::kNever) {
      const int64_t wait = std::max<int64_t>(0, next - SteadyNowNs());
      timeout.tv_sec = wait / 1000000000;
      timeout.tv_nsec = wait % 1000000000;
    }
    if (ppoll(polled.data(), polled.size(), next == ShapedDirection::kNever ? nullptr : &timeout,
              nullptr) < 0) {
      if (errno == EINTR) continue;
      return SocketError("poll");
    }
    const int64_t ready_at = SteadyNowNs();
    if (polled[1].revents & POLLIN) r.Accept(ready_at);
    for (size_t i = 0; i < polled_ends.size(); ++i) {
      const auto [id, is_client] = polled_ends[i];
      const short events = polled[2 + i].revents;
      auto it = r.connections.find(id);
      if (events == 0 || it == r.connections.end()) continue;
      Connection& c = it->second;
      if (c.connecting) {
        r.FinishConnecting(id, &c);
        continue;
      }
      Flow& in = is_client ? c.forward : c.backward;
      Flow& out = is_client ? c.backward : c.forward;
      if (events & POLLOUT) r.Write(id, &out);
      if ((events & (POLLIN | POLLHUP | POLLERR)) && !in.read_eof) {
        r.Read(id, &in, is_client ? &r.forward : &r.backward, ready_at);
      }
    }
  }
  r.connections.clear();
  return Status::Ok();
}

}  // namespace coinfer
