// Sockets on 127.0.0.1: every connection of an emulation stays on this
// machine (the rule: nothing listens beyond loopback).
#pragma once

#include <netinet/in.h>

#include <cstdint>

#include "base/status.h"
#include "emulate/unique_fd.h"

namespace coinfer {

sockaddr_in LoopbackAddress(uint16_t port);
// A listening TCP socket on a free port of 127.0.0.1 (*port), close-on-exec.
Status ListenLoopback(bool nonblocking, UniqueFd* out, uint16_t* port);
// A TCP connection to 127.0.0.1:port, close-on-exec, without Nagle's delay.
Status ConnectLoopback(uint16_t port, UniqueFd* out);

}  // namespace coinfer
