// Profile CSVs: an input error, or rows that write and read back the same.
#include <sstream>

#include "devices/profile.h"
#include "fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coinfer;
  const std::string path = WriteFuzzFile("profile.csv", data, size);
  Profile profile;
  if (!ReadProfileCsv(path, &profile).ok()) return 0;
  for (const ProfileRow& row : profile.rows) {
    if (row.kind != "segment") continue;
    const auto [begin, end] = SegmentRange(row);
    FuzzCheck(0 <= begin && begin < end);
  }
  std::ostringstream written;
  WriteProfileCsv(profile, written);
  const std::string copy = written.str();
  Profile back;
  const std::string again = WriteFuzzFile(
      "profile_again.csv", reinterpret_cast<const uint8_t*>(copy.data()), copy.size());
  FuzzCheck(ReadProfileCsv(again, &back).ok());
  FuzzCheck(back.rows.size() == profile.rows.size());
  return 0;
}
