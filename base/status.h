// Status: the outcome of an operation that can fail on bad input or I/O.
// LevelDB style: recoverable failures are values, never exceptions crossing a
// module boundary. An input error names where it was found (file:line), the
// field, and the reason, so the command line can print it and exit with 2.
#pragma once

#include <string>
#include <utility>

namespace coinfer {

class Status {
 public:
  Status() = default;  // OK.

  static Status Ok() { return Status(); }
  // Bad user input: message is "where: field: reason" ("where" is usually file:line).
  static Status InvalidInput(const std::string& where, const std::string& field,
                             const std::string& reason) {
    std::string msg = where;
    if (!field.empty()) msg += (msg.empty() ? "" : ": ") + field;
    msg += (msg.empty() ? "" : ": ") + reason;
    return Status(Code::kInvalidInput, std::move(msg));
  }
  // A failure of the environment (I/O, database), not of the input.
  static Status IoError(std::string message) { return Status(Code::kIoError, std::move(message)); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsInvalidInput() const { return code_ == Code::kInvalidInput; }
  const std::string& message() const { return message_; }

 private:
  enum class Code { kOk, kInvalidInput, kIoError };
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace coinfer

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define COINFER_RETURN_IF_ERROR(expr) \
  do {                                \
    ::coinfer::Status _st = (expr);   \
    if (!_st.ok()) return _st;        \
  } while (0)
