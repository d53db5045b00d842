// Strict number parsing for readers of user files: the whole field must be
// the number (no trailing characters), or the reader reports the field.
#pragma once

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace coinfer {

inline bool ParseNumber(const std::string& text, double* value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return *end == '\0' && errno != ERANGE && std::isfinite(*value);
}

// A non-negative integer written in decimal digits only (no sign, no
// spaces), that fits in int64_t.
inline bool ParseCount(const std::string& text, int64_t* value) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

// A number with an optional unit suffix: "10Mbps" or "10" with unit "Mbps".
inline bool ParseWithUnit(std::string text, const std::string& unit, double* value) {
  if (text.size() > unit.size() && text.compare(text.size() - unit.size(), unit.size(), unit) == 0)
    text.resize(text.size() - unit.size());
  return ParseNumber(text, value);
}

// `s` without its leading and trailing whitespace.
inline std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Splits on `sep`; a trailing separator yields a trailing empty field.
inline std::vector<std::string> SplitFields(const std::string& line, char sep) {
  std::vector<std::string> fields;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, sep)) fields.push_back(f);
  if (!line.empty() && line.back() == sep) fields.push_back("");
  return fields;
}

// The inverse of SplitFields: items joined by `sep`.
inline std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string joined;
  for (size_t i = 0; i < items.size(); ++i) joined += (i ? sep : "") + items[i];
  return joined;
}

// Splits on runs of spaces and tabs.
inline std::vector<std::string> SplitWhitespace(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  std::string f;
  while (in >> f) fields.push_back(f);
  return fields;
}

}  // namespace coinfer
