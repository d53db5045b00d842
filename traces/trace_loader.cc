#include "traces/trace_loader.h"

#include "base/line_reader.h"
#include "base/parse.h"
#include "traces/generators.h"
#include "traces/schedule_readers.h"

namespace coinfer {

bool ParseTraceFormat(const std::string& name, TraceFormat* format) {
  for (TraceFormat f :
       {TraceFormat::kAuto, TraceFormat::kMahimahi, TraceFormat::kCooked, TraceFormat::kCsv}) {
    if (name == TraceFormatName(f)) {
      *format = f;
      return true;
    }
  }
  return false;
}

const char* TraceFormatName(TraceFormat format) {
  switch (format) {
    case TraceFormat::kAuto:
      return "auto";
    case TraceFormat::kMahimahi:
      return "mahimahi";
    case TraceFormat::kCooked:
      return "cooked";
    case TraceFormat::kCsv:
      return "csv";
  }
  return "?";
}

Status DetectTraceFormat(const std::string& path, TraceFormat* format) {
  LineReader in(path);
  if (!in.is_open()) return Status::InvalidInput(path, "", "cannot open trace file");
  std::string line;
  while (in.Next(&line)) {
    if (line.empty()) continue;
    if (line.find("time_s") != std::string::npos) {
      *format = TraceFormat::kCsv;
      return Status::Ok();
    }
    const std::vector<std::string> f = SplitWhitespace(line);
    double a = 0, b = 0;
    if (f.size() == 1 && line.find_first_not_of("0123456789") == std::string::npos) {
      *format = TraceFormat::kMahimahi;
      return Status::Ok();
    }
    if (f.size() == 2 && ParseNumber(f[0], &a) && ParseNumber(f[1], &b)) {
      *format = TraceFormat::kCooked;
      return Status::Ok();
    }
    return Status::InvalidInput(in.Where(), "format",
                                "cannot tell the trace format from '" + line +
                                    "' (Mahimahi: one integer ms per line; cooked: 'time_s mbps'; "
                                    "CSV: a header with time_s): set the format explicitly");
  }
  return Status::InvalidInput(in.Where(), "", "empty trace");
}

Status LoadTrace(const TraceRequest& r, DeliveryTrace* out) {
  RateSchedule schedule;
  if (IsGeneratorSpec(r.spec)) {
    COINFER_RETURN_IF_ERROR(GenerateSchedule(r.spec, r.horizon_s, r.seed, r.where, &schedule));
    return ToDeliveryTrace(schedule, r.spec, r.where, out);
  }
  TraceFormat format = r.format;
  if (format == TraceFormat::kAuto) COINFER_RETURN_IF_ERROR(DetectTraceFormat(r.spec, &format));
  switch (format) {
    case TraceFormat::kMahimahi:
      return ReadMahimahiTrace(r.spec, out);
    case TraceFormat::kCooked:
      COINFER_RETURN_IF_ERROR(ReadCookedTrace(r.spec, &schedule));
      break;
    case TraceFormat::kCsv:
      COINFER_RETURN_IF_ERROR(ReadCsvTrace(r.spec, r.uplink, &schedule));
      break;
    case TraceFormat::kAuto:
      break;
  }
  return ToDeliveryTrace(schedule, r.spec, r.spec, out);
}

}  // namespace coinfer
