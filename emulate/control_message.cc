#include "emulate/control_message.h"

#include <poll.h>
#include <sys/socket.h>

#include "base/parse.h"

namespace coinfer {

std::string ControlLine(const std::string& verb, const std::vector<std::string>& words) {
  std::string line = verb;
  for (const std::string& word : words) line += " " + word;
  return line + "\n";
}

bool ControlReader::Next(ControlMessage* out, Status* error) {
  *error = Status::Ok();
  const size_t end = buffer_.find('\n');
  if (end == std::string::npos) {
    if (buffer_.size() > kMaxLine)
      *error = Status::InvalidInput("control message", "length",
                                    "longer than " + std::to_string(kMaxLine) + " bytes");
    return false;
  }
  std::vector<std::string> words = SplitWhitespace(buffer_.substr(0, end));
  buffer_.erase(0, end + 1);
  if (words.empty()) {
    *error = Status::InvalidInput("control message", "verb", "an empty line");
    return false;
  }
  out->verb = std::move(words.front());
  out->words.assign(words.begin() + 1, words.end());
  return true;
}

Status ReadControlMessage(int fd, int timeout_ms, ControlMessage* out) {
  ControlReader reader;
  Status error;
  char byte;
  while (!reader.Next(out, &error)) {
    if (!error.ok()) return error;
    pollfd readable{fd, POLLIN, 0};
    if (poll(&readable, 1, timeout_ms) != 1 || recv(fd, &byte, 1, 0) != 1)
      return Status::IoError("no control message within " + std::to_string(timeout_ms) + " ms");
    reader.Append(std::string_view(&byte, 1));
  }
  return Status::Ok();
}

}  // namespace coinfer
