#include "analysis/rate_accuracy.h"

#include <sqlite3.h>

#include <filesystem>
#include <iomanip>
#include <limits>
#include <map>
#include <memory>
#include <set>

#include "base/parse.h"
#include "compress/codec.h"

namespace coinfer {
namespace {

// A setting's value in a point's resolved settings ("" if absent).
std::string Setting(const std::string& settings, const std::string& key) {
  for (const std::string& line : SplitFields(settings, '\n'))
    if (line.rfind(key + " = ", 0) == 0) return line.substr(key.size() + 3);
  return "";
}

Status ReadEntries(const std::string& path, const std::set<std::string>& models,
                   std::vector<RateAccuracyEntry>* entries) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, sqlite3_close);
  if (rc != SQLITE_OK) return Status::IoError(path + ": cannot open: " + sqlite3_errmsg(raw));
  sqlite3_busy_timeout(raw, 10000);  // a run may be measuring into it
  sqlite3_stmt* stmt = nullptr;
  // The entries runs use (compress/catalog.cc): this codec version's, with
  // their validation measured; older ones are measured again by the next run.
  if (sqlite3_prepare_v2(raw,
                         "SELECT model, substr(weights_sha256, 1, 8), dataset, split_index, codec, "
                         "samples, bytes_mean, accuracy FROM catalog "
                         "WHERE codec_version = ? AND length(validation_correct) > 0 "
                         "ORDER BY model, weights_sha256, dataset, split_index, bytes_mean, codec",
                         -1, &stmt, nullptr) != SQLITE_OK)
    return Status::InvalidInput(
        path, "",
        std::string("not a compression catalog of this coinfer (") + sqlite3_errmsg(raw) + ")");
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> owner(stmt, sqlite3_finalize);
  sqlite3_bind_int64(stmt, 1, kCodecVersion);
  auto text = [stmt](int c) {
    const unsigned char* t = sqlite3_column_text(stmt, c);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  int step;
  while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
    RateAccuracyEntry e;
    e.model = text(0);
    if (!models.count(e.model)) continue;
    e.weights = text(1);
    e.dataset = text(2);
    e.split = sqlite3_column_int64(stmt, 3);
    e.codec = text(4);
    e.samples = sqlite3_column_int64(stmt, 5);
    e.bytes_mean = sqlite3_column_double(stmt, 6);
    e.accuracy = sqlite3_column_double(stmt, 7);
    entries->push_back(std::move(e));
  }
  if (step != SQLITE_DONE) return Status::IoError(path + ": " + sqlite3_errmsg(raw));
  return Status::Ok();
}

}  // namespace

Status ReadRateAccuracy(const std::string& catalog, Report* report, RateAccuracy* out) {
  *out = RateAccuracy();
  std::set<std::string> models, catalogs;
  for (const ReportPoint& p : report->points) {
    if (Setting(p.settings, "compression.codec").empty() &&
        Setting(p.settings, "compression.menu").empty())
      continue;
    models.insert(Setting(p.settings, "model"));
    catalogs.insert(Setting(p.settings, "compression.catalog"));
  }
  if (catalog.empty()) {
    if (models.empty()) return Status::Ok();  // nothing compressed: no curves to draw
    if (catalogs.size() != 1 || !std::filesystem::is_regular_file(*catalogs.begin())) {
      report->notes.push_back(
          "rate–accuracy curves: the runs' compression catalog (" +
          Join(std::vector<std::string>(catalogs.begin(), catalogs.end()), ", ") +
          ") is not found from here; --catalog FILE names it");
      return Status::Ok();
    }
    out->catalog = *catalogs.begin();
  } else {
    if (!std::filesystem::is_regular_file(catalog))
      return Status::InvalidInput(catalog, "", "no such compression catalog");
    out->catalog = catalog;
    if (models.empty())  // runs without compression: every model the runs used
      for (const ReportPoint& p : report->points) models.insert(Setting(p.settings, "model"));
  }
  const Status read = ReadEntries(out->catalog, models, &out->entries);
  if (!read.ok()) {
    out->entries.clear();
    if (!catalog.empty()) return read;  // the user named it: their error
    report->notes.push_back("rate–accuracy curves: the runs' compression catalog cannot be read: " +
                            read.message());
    return Status::Ok();
  }
  std::set<std::string> missing = models;
  for (const RateAccuracyEntry& e : out->entries) missing.erase(e.model);
  if (!missing.empty())
    report->notes.push_back("rate–accuracy curves: " + out->catalog + " has no entry for " +
                            Join(std::vector<std::string>(missing.begin(), missing.end()), ", "));
  return Status::Ok();
}

void WriteRateAccuracyMarkdown(const RateAccuracy& rate, std::ostream& os) {
  if (rate.entries.empty()) return;
  os << "\n## Rate–accuracy\n\nEvery codec measured at every split point, from the compression "
        "catalog "
     << rate.catalog
     << ": encoded bytes per sample and top-1 through the codec, over the test samples.\n\n"
        "| model | weights | dataset | split | codec | samples | bytes/sample | top-1 % |\n"
        "|---|---|---|---|---|---|---|---|\n";
  for (const RateAccuracyEntry& e : rate.entries)
    os << "| " << e.model << " | " << e.weights << " | " << e.dataset << " | " << e.split << " | "
       << e.codec << " | " << e.samples << " | " << std::fixed << std::setprecision(1)
       << e.bytes_mean << " | " << std::setprecision(2) << 100 * e.accuracy << " |\n"
       << std::defaultfloat;
}

void WriteRateAccuracyCsv(const RateAccuracy& rate, std::ostream& os) {
  os << std::setprecision(std::numeric_limits<double>::max_digits10)
     << "model,weights,dataset,split,codec,samples,bytes_mean,accuracy\n";
  for (const RateAccuracyEntry& e : rate.entries)
    os << CsvField(e.model) << "," << CsvField(e.weights) << "," << CsvField(e.dataset) << ","
       << e.split << "," << CsvField(e.codec) << "," << e.samples << "," << e.bytes_mean << ","
       << e.accuracy << "\n";
}

}  // namespace coinfer
