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

#include "emulate/shaped_direction.h"
#include "emulate/unique_fd.h"

namespace coinfer {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

// Bytes in arrival order, taken from the front without moving the rest.
class ByteQueue {
 public:
  bool empty() const { return head_ == bytes_.size(); }
  size_t size() const { return bytes_.size() - head_; }
  const char* data() const { return bytes_.data() + head_; }
  void Append(const char* data, size_t n) { bytes_.append(data, n); }
  void Drop(size_t n) {
    head_ += n;
    if (head_ == bytes_.size()) {
      bytes_.clear();
      head_ = 0;
    } else if (head_ > bytes_.size() / 2) {
      bytes_.erase(0, head_);
      head_ = 0;
    }
  }
  void MoveTo(size_t n, ByteQueue* to) {
    to->Append(data(), n);
    Drop(n);
  }

 private:
  std::string bytes_;
  size_t head_ = 0;
};

// One direction of one relayed connection.
struct Flow {
  int from = -1;
  int to = -1;
  ByteQueue pending;   // read, not yet carried by the link
  ByteQueue outgoing;  // carried, not yet written to `to`
  bool read_eof = false;
  bool write_shut = false;
};

struct Connection {
  UniqueFd client;  // accepted: the connecting side
  UniqueFd server;  // ours, to the target
  Flow forward;     // client -> server
  Flow backward;    // server -> client
};

Status SocketError(const std::string& what) {
  return Status::IoError(std::string("link relay: ") + what + ": " + std::strerror(errno));
}

void SetNoDelay(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  return address;
}

}  // namespace

struct LinkRelay::Impl {
  Impl(const RelayConfig& c)
      : config(c),
        forward(c.forward.trace, c.forward.delay_ns, c.forward.queue_limit_bytes, c.start_ns),
        backward(c.backward.trace, c.backward.delay_ns, c.backward.queue_limit_bytes, c.start_ns) {}

  void Accept();
  void Read(int id, Flow* flow, ShapedDirection* direction);
  // False when the connection failed and was closed.
  bool Write(int id, Flow* flow);
  void Deliver(const std::vector<ShapedDirection::Released>& released, bool forward_direction);
  void CloseFinished();
  void Close(int id, const std::string& why);

  RelayConfig config;
  ShapedDirection forward;
  ShapedDirection backward;
  UniqueFd listener;
  UniqueFd wake;
  uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::map<int, Connection> connections;
  int next_id = 0;
};

void LinkRelay::Impl::Accept() {
  UniqueFd client(accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (!client.valid()) return;
  UniqueFd server(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_in target = Loopback(config.target_port);
  if (!server.valid() ||
      connect(server.get(), reinterpret_cast<const sockaddr*>(&target), sizeof(target)) != 0) {
    std::fprintf(stderr, "link relay: cannot reach port %u: %s\n", config.target_port,
                 std::strerror(errno));
    return;
  }
  fcntl(server.get(), F_SETFL, fcntl(server.get(), F_GETFL) | O_NONBLOCK);
  SetNoDelay(client.get());
  SetNoDelay(server.get());
  Connection& connection = connections[next_id++];
  connection.forward.from = connection.backward.to = client.get();
  connection.forward.to = connection.backward.from = server.get();
  connection.client = std::move(client);
  connection.server = std::move(server);
}

void LinkRelay::Impl::Read(int id, Flow* flow, ShapedDirection* direction) {
  char buffer[kReadChunk];
  const size_t want = std::min<uint64_t>(kReadChunk, direction->Room());
  if (want == 0) return;  // a hang-up seen while the link is full: read it later
  const ssize_t n = recv(flow->from, buffer, want, 0);
  if (n > 0) {
    flow->pending.Append(buffer, static_cast<size_t>(n));
    direction->Enter(SteadyNowNs(), id, static_cast<size_t>(n));
  } else if (n == 0) {
    flow->read_eof = true;
  } else if (errno != EAGAIN && errno != EINTR) {
    Close(id, std::string("read: ") + std::strerror(errno));
  }
}

bool LinkRelay::Impl::Write(int id, Flow* flow) {
  while (!flow->outgoing.empty()) {
    const ssize_t n =
        send(flow->to, flow->outgoing.data(), flow->outgoing.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      flow->outgoing.Drop(static_cast<size_t>(n));
    } else if (errno == EAGAIN || errno == EINTR) {
      return true;
    } else {
      Close(id, std::string("write: ") + std::strerror(errno));
      return false;
    }
  }
  return true;
}

void LinkRelay::Impl::Deliver(const std::vector<ShapedDirection::Released>& released,
                              bool forward_direction) {
  for (const ShapedDirection::Released& r : released) {
    auto it = connections.find(r.stream);
    if (it == connections.end()) continue;  // closed while its bytes crossed
    Flow& flow = forward_direction ? it->second.forward : it->second.backward;
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
    it = c.forward.write_shut && c.backward.write_shut ? connections.erase(it) : std::next(it);
  }
}

void LinkRelay::Impl::Close(int id, const std::string& why) {
  std::fprintf(stderr, "link relay: connection %d closed: %s\n", id, why.c_str());
  connections.erase(id);
}

Status LinkRelay::Open(const RelayConfig& config, std::unique_ptr<LinkRelay>* out) {
  if (!config.forward.trace || !config.backward.trace) {
    return Status::InvalidInput("link relay", "trace", "each direction needs a delivery trace");
  }
  auto impl = std::make_unique<Impl>(config);
  impl->listener.reset(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!impl->listener.valid()) return SocketError("socket");
  const sockaddr_in any_port = Loopback(0);
  if (bind(impl->listener.get(), reinterpret_cast<const sockaddr*>(&any_port), sizeof(any_port)) !=
      0) {
    return SocketError("bind 127.0.0.1");
  }
  if (listen(impl->listener.get(), 64) != 0) return SocketError("listen");
  sockaddr_in bound{};
  socklen_t length = sizeof(bound);
  getsockname(impl->listener.get(), reinterpret_cast<sockaddr*>(&bound), &length);
  impl->port = ntohs(bound.sin_port);
  impl->wake.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!impl->wake.valid()) return SocketError("eventfd");
  out->reset(new LinkRelay(std::move(impl)));
  return Status::Ok();
}

LinkRelay::LinkRelay(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LinkRelay::~LinkRelay() = default;

uint16_t LinkRelay::port() const { return impl_->port; }

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

    polled.assign({{r.wake.get(), POLLIN, 0}, {r.listener.get(), POLLIN, 0}});
    polled_ends.clear();
    for (auto& [id, c] : r.connections) {
      // A socket is polled only for what is wanted of it: one whose peer has
      // gone would otherwise report POLLHUP on every turn.
      const short client_events =
          static_cast<short>((!c.forward.read_eof && r.forward.Room() > 0 ? POLLIN : 0) |
                             (c.backward.outgoing.empty() ? 0 : POLLOUT));
      const short server_events =
          static_cast<short>((!c.backward.read_eof && r.backward.Room() > 0 ? POLLIN : 0) |
                             (c.forward.outgoing.empty() ? 0 : POLLOUT));
      if (client_events != 0) {
        polled.push_back({c.client.get(), client_events, 0});
        polled_ends.push_back({id, true});
      }
      if (server_events != 0) {
        polled.push_back({c.server.get(), server_events, 0});
        polled_ends.push_back({id, false});
      }
    }
    const int64_t next = std::min(r.forward.NextChangeNs(), r.backward.NextChangeNs());
    timespec timeout{};
    if (next != ShapedDirection::kNever) {
      const int64_t wait = std::max<int64_t>(0, next - SteadyNowNs());
      timeout.tv_sec = wait / 1000000000;
      timeout.tv_nsec = wait % 1000000000;
    }
    if (ppoll(polled.data(), polled.size(), next == ShapedDirection::kNever ? nullptr : &timeout,
              nullptr) < 0 &&
        errno != EINTR) {
      return SocketError("poll");
    }
    if (polled[1].revents & POLLIN) r.Accept();
    for (size_t i = 0; i < polled_ends.size(); ++i) {
      const auto [id, is_client] = polled_ends[i];
      const short events = polled[2 + i].revents;
      auto it = r.connections.find(id);
      if (it == r.connections.end()) continue;
      Connection& c = it->second;
      Flow& in = is_client ? c.forward : c.backward;
      Flow& out = is_client ? c.backward : c.forward;
      if ((events & POLLOUT) && !r.Write(id, &out)) continue;
      if (events & (POLLIN | POLLHUP | POLLERR)) {
        r.Read(id, &in, is_client ? &r.forward : &r.backward);
      }
    }
  }
  r.connections.clear();
  return Status::Ok();
}

}  // namespace coinfer
