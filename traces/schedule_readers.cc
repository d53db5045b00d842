#include "traces/schedule_readers.h"

#include <algorithm>

#include "base/line_reader.h"
#include "base/parse.h"

namespace coinfer {
namespace {

// Builds a schedule from samples, checking them as they come.
class ScheduleBuilder {
 public:
  Status Add(const LineReader& in, const std::string& time_field, const std::string& time_text,
             const std::string& rate_field, const std::string& rate_text) {
    double t = 0, mbps = 0;
    if (!ParseNumber(time_text, &t))
      return Status::InvalidInput(in.Where(), time_field, "not a number: '" + time_text + "'");
    if (!ParseNumber(rate_text, &mbps))
      return Status::InvalidInput(in.Where(), rate_field, "not a number: '" + rate_text + "'");
    if (mbps < 0) return Status::InvalidInput(in.Where(), rate_field, "negative rate " + rate_text);
    if (!times_.empty() && t <= times_.back())
      return Status::InvalidInput(in.Where(), time_field,
                                  "time " + time_text + " does not increase");
    times_.push_back(t);
    rates_.push_back(mbps);
    return Status::Ok();
  }

  Status Finish(const LineReader& in, RateSchedule* out) {
    if (times_.empty()) return Status::InvalidInput(in.Where(), "", "empty trace: no sample");
    std::vector<double> gaps;
    for (size_t i = 1; i < times_.size(); ++i) gaps.push_back(times_[i] - times_[i - 1]);
    std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
    const double last_hold = gaps.empty() ? 1.0 : gaps[gaps.size() / 2];
    RateSchedule s;
    const double t0 = times_.front();  // traces may start at any time: shift to 0
    for (size_t i = 0; i < times_.size(); ++i) {
      s.start_s.push_back(times_[i] - t0);
      s.rate_mbps.push_back(rates_[i]);
    }
    s.period_s = times_.back() - t0 + last_hold;
    if (s.MeanMbps() <= 0)
      return Status::InvalidInput(in.Where(), "", "the trace carries no bytes");
    *out = std::move(s);
    return Status::Ok();
  }

 private:
  std::vector<double> times_, rates_;
};

}  // namespace

Status ReadCookedTrace(const std::string& path, RateSchedule* out) {
  LineReader in(path);
  if (!in.is_open()) return Status::InvalidInput(path, "", "cannot open trace file");
  ScheduleBuilder builder;
  std::string line;
  while (in.Next(&line)) {
    const std::vector<std::string> f = SplitWhitespace(line);
    if (f.empty()) continue;
    if (f.size() != 2)
      return Status::InvalidInput(in.Where(), "", "expected two columns: time_s mbps");
    COINFER_RETURN_IF_ERROR(builder.Add(in, "time_s", f[0], "mbps", f[1]));
  }
  return builder.Finish(in, out);
}

Status ReadCsvTrace(const std::string& path, bool uplink, RateSchedule* out) {
  LineReader in(path);
  if (!in.is_open()) return Status::InvalidInput(path, "", "cannot open trace file");
  std::string line;
  std::vector<std::string> header;
  while (header.empty() && in.Next(&line))
    if (!line.empty()) header = SplitFields(line, ',');
  if (header.empty()) return Status::InvalidInput(in.Where(), "", "empty trace: no header");
  for (std::string& h : header) h.erase(std::remove(h.begin(), h.end(), ' '), h.end());
  auto column_of = [&header](const char* name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const size_t time_col = column_of("time_s");
  if (time_col == header.size())
    return Status::InvalidInput(in.Where(), "header", "no 'time_s' column");
  std::string column = "mbps";
  size_t rate_col = column_of("mbps");
  if (rate_col == header.size()) {
    column = uplink ? "up_mbps" : "down_mbps";
    rate_col = column_of(column.c_str());
  }
  if (rate_col == header.size())
    return Status::InvalidInput(in.Where(), "header", "no 'mbps' or '" + column + "' column");
  ScheduleBuilder builder;
  while (in.Next(&line)) {
    if (line.empty()) continue;
    const std::vector<std::string> f = SplitFields(line, ',');
    if (f.size() != header.size())
      return Status::InvalidInput(in.Where(), "",
                                  "expected " + std::to_string(header.size()) + " columns");
    COINFER_RETURN_IF_ERROR(builder.Add(in, "time_s", f[time_col], column, f[rate_col]));
  }
  return builder.Finish(in, out);
}

}  // namespace coinfer
