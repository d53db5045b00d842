// Control messages between `coinfer emulate` and its site processes, on a
// loopback connection of their own (never through a shaped link): one line
// each, space-separated words, the verb first. No word holds a space (codec
// specs have none). docs/emulation.md lists the verbs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace coinfer {

struct ControlMessage {
  std::string verb;
  std::vector<std::string> words;  // after the verb
};

// The message's line, '\n' included.
std::string ControlLine(const std::string& verb, const std::vector<std::string>& words = {});

// Splits a byte stream into messages.
class ControlReader {
 public:
  static constexpr size_t kMaxLine = 4096;

  void Append(std::string_view bytes) { buffer_.append(bytes.data(), bytes.size()); }
  // True and *out set when a whole line is in; false when more is needed or
  // a line is longer than kMaxLine or empty (*error says so).
  bool Next(ControlMessage* out, Status* error);

 private:
  std::string buffer_;
};

// Reads one message from `fd` (a blocking socket), waiting at most
// timeout_ms for each byte: how a coordinator hears a new site's `ready`.
Status ReadControlMessage(int fd, int timeout_ms, ControlMessage* out);

}  // namespace coinfer
