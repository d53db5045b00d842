// Rate–accuracy from the compression catalog (compress/catalog.h): for each
// model a report's runs compressed, what every measured codec costs in bytes
// per sample and keeps in top-1, at each split point. Read with SQL alone, so
// a report needs neither LibTorch nor the model.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "analysis/report.h"
#include "base/status.h"

namespace coinfer {

struct RateAccuracyEntry {
  std::string model;
  std::string weights;  // the first 8 hex digits of the weights' SHA-256
  std::string dataset;
  int64_t split = 0;  // split point index
  std::string codec;
  int64_t samples = 0;    // test samples measured
  double bytes_mean = 0;  // encoded bytes per sample
  double accuracy = 0;    // top-1 through the codec, 0..1
};

struct RateAccuracy {
  std::string catalog;  // the file read ("" when none)
  // Ordered by model, weights, dataset, split, then bytes.
  std::vector<RateAccuracyEntry> entries;
};

// The catalog of the report's runs that compressed (compression.codec or
// .menu set): `catalog` when given, else the one their settings name
// (compression.catalog, relative to the working directory, as the runs had
// it). Its entries for those runs' models. What cannot be read or found is a
// note in report->notes, not an error, unless `catalog` was given.
Status ReadRateAccuracy(const std::string& catalog, Report* report, RateAccuracy* out);

// "## Rate–accuracy" and one table row per entry (nothing without entries).
void WriteRateAccuracyMarkdown(const RateAccuracy& rate, std::ostream& os);
void WriteRateAccuracyCsv(const RateAccuracy& rate, std::ostream& os);

}  // namespace coinfer
