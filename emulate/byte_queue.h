// ByteQueue: bytes in arrival order, taken from the front without moving the
// rest on every take (the buffer is compacted once half of it is taken).
#pragma once

#include <cstddef>
#include <string>

namespace coinfer {

class ByteQueue {
 public:
  bool empty() const { return head_ == bytes_.size(); }
  size_t size() const { return bytes_.size() - head_; }
  const char* data() const { return bytes_.data() + head_; }
  void Append(const char* data, size_t n) { bytes_.append(data, n); }
  void Append(const std::string& bytes) { bytes_ += bytes; }
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

}  // namespace coinfer
