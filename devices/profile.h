// Profiles: measured latencies of layers, segments or whole models on a
// device, one CSV row each (format: docs/formats.md). Comment lines starting
// with '#' at the top say where the numbers came from.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "dnn/graph.h"

namespace coinfer {

struct ProfileRow {
  std::string device;
  std::string model;
  int layer = -1;           // index in the model's Graph; -1 for a whole model or a segment
  std::string name;         // layer name, "model" or a segment's name
  std::string kind;         // a LayerKindName, "model" or "segment"
  std::string input_shape;  // e.g. "1x3x224x224" (';' between several inputs)
  std::string output_shape;
  int64_t macs = 0;
  int64_t param_bytes = 0;
  int64_t output_bytes = 0;
  int threads = 1;
  int repeats = 1;
  double median_ms = 0;
  double p90_ms = 0;
  std::string framework;  // e.g. "libtorch-1.13"
  std::string source;     // who measured it, where
  std::string kernel;     // the framework kernel that ran a layer (Layer::kernel); may be empty
  std::string where;      // "file:line" it was read from; empty if not read
};

struct Profile {
  std::vector<std::string> comments;  // the header comment lines, without '#'
  std::vector<ProfileRow> rows;
};

// A segment row's layer range [begin, end), from its name "BEGIN-END"
// (END excluded; checked when the profile is read).
std::pair<int, int> SegmentRange(const ProfileRow& row);

// Writes the header comments, the column header and the rows.
void WriteProfileCsv(const Profile& profile, std::ostream& os);

// Reads and validates every row. On failure: InvalidInput "file:line: column: reason".
Status ReadProfileCsv(const std::string& path, Profile* out);

}  // namespace coinfer
