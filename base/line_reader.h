// LineReader: reads a text file line by line and knows where it is, so every
// reader of a user file reports problems as "file:line". Strips a trailing
// '\r' (files written on Windows).
#pragma once

#include <fstream>
#include <string>

namespace coinfer {

class LineReader {
 public:
  explicit LineReader(const std::string& path) : path_(path), in_(path) {}

  bool is_open() const { return in_.is_open(); }
  // Reads the next line into *line; false at the end of the file.
  bool Next(std::string* line) {
    if (!std::getline(in_, *line)) return false;
    ++line_no_;
    if (!line->empty() && line->back() == '\r') line->pop_back();
    return true;
  }
  // "file:line" of the last line read ("file:0" before the first).
  std::string Where() const { return path_ + ":" + std::to_string(line_no_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ifstream in_;
  int line_no_ = 0;
};

}  // namespace coinfer
