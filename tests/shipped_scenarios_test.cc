// Every shipped scenario's stored rows, as digests: a refactor that should
// change nothing must leave each policy's `requests` and `stages` rows
// identical, bit for bit (host times of decisions aside). The expected
// digests are tests/data/scenario_digests.txt; a change that moves results on
// purpose writes the new ones there (the failure message prints them) and
// says in its commit how the results moved.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "base/sha256.h"

namespace coinfer {
namespace {

namespace fs = std::filesystem;

const std::string kSource = COINFER_SOURCE_DIR;

// The request columns of schema version 3 but the host times of decisions,
// and every stage column but run_id: doubles as exact hexadecimal floats.
const char kRequestRows[] =
    "SELECT request_id, arrival_s, split, bytes_sent, uplink_estimate_mbps, uplink_capacity_mbps,"
    " predicted_ms, actual_ms, completed, end_wait_ms, end_compute_ms, transfer_ms,"
    " cloud_wait_ms, cloud_compute_ms, end_energy_j, sample, correct, codec, requirement_met,"
    " variant FROM requests WHERE policy = ?1 ORDER BY request_id";
const char kStageRows[] =
    "SELECT request_id, stage, kind, site, to_site, layers, bytes, predicted_ms, ready_s,"
    " start_s, end_s, measured FROM stages WHERE policy = ?1 ORDER BY request_id, stage";

std::string CellText(sqlite3_stmt* s, int c) {
  switch (sqlite3_column_type(s, c)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_FLOAT: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%a", sqlite3_column_double(s, c));
      return buf;
    }
    default:
      return reinterpret_cast<const char*>(sqlite3_column_text(s, c));
  }
}

void HashRows(sqlite3* db, const char* sql, const std::string& policy, Sha256* sha) {
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_bind_text(s, 1, policy.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(s) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(s); ++c) row += CellText(s, c) + "|";
    row += "\n";
    sha->Update(row);
  }
  sqlite3_finalize(s);
}

// policy -> SHA-256 (hex) of its request rows then its stage rows.
std::map<std::string, std::string> PolicyDigests(const std::string& db_path) {
  std::map<std::string, std::string> digests;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::vector<std::string> policies;
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT DISTINCT policy FROM requests ORDER BY policy", -1, &s, nullptr);
  while (sqlite3_step(s) == SQLITE_ROW)
    policies.push_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  sqlite3_finalize(s);
  for (const std::string& policy : policies) {
    Sha256 sha;
    HashRows(db, kRequestRows, policy, &sha);
    HashRows(db, kStageRows, policy, &sha);
    const std::string hex = sha.Hex();
    digests[policy] = hex;
  }
  sqlite3_close(db);
  return digests;
}

// scenario file name -> policy -> digest, from tests/data/scenario_digests.txt.
std::map<std::string, std::map<std::string, std::string>> ExpectedDigests() {
  std::map<std::string, std::map<std::string, std::string>> expected;
  std::ifstream in(kSource + "/tests/data/scenario_digests.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string scenario, policy, digest;
    fields >> scenario >> policy >> digest;
    expected[scenario][policy] = digest;
  }
  return expected;
}

class ScenarioDigestTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ScenarioDigestTest, RowsAreTheRecordedOnes) {
  const std::string name = GetParam();
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("coinfer_shipped_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string db = (dir / (name + ".sqlite")).string();
  // The catalog (and JMDC's pruned variant beside it) is measured once per
  // machine in the build tree, as a user's would be in theirs; one per
  // scenario, as ctest runs them in parallel.
  const std::string catalog =
      fs::absolute("shipped_scenarios/" + name + "/catalog.sqlite").string();
  auto run = [&](const std::string& output_db, const std::string& extra) {
    const std::string cmd = std::string(COINFER_BINARY) + " run " + kSource + "/scenarios/" + name +
                            " --set output.db=" + output_db +
                            " --set compression.catalog=" + catalog + extra + " > " +
                            (dir / "output.txt").string() + " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << std::ifstream(dir / "output.txt").rdbuf();
  };
  // Bytes and correctness are the same on every machine, but codec times are
  // this machine's wall clock: once the catalog is measured (a run of 1 ms;
  // a model without weights has none),
  // they are set to a fixed function of the tensor's size, so that the rows
  // pin the simulation and not the speed of the machine that measured them.
  std::stringstream text;
  text << std::ifstream(kSource + "/scenarios/" + name).rdbuf();
  if (text.str().find("[compression]") != std::string::npos)
    run((dir / "measure.sqlite").string(), " --set duration_s=0.001");
  if (fs::exists(catalog)) {  // none for sizes from shapes alone
    sqlite3* c = nullptr;
    ASSERT_EQ(sqlite3_open(catalog.c_str(), &c), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(c,
                           "UPDATE catalog SET encode_us = raw_bytes / 1000.0, "
                           "decode_us = raw_bytes / 2000.0",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(c);
    sqlite3_close(c);
  }
  run(db, "");

  const std::map<std::string, std::string> actual = PolicyDigests(db);
  const auto expected = ExpectedDigests();
  std::string lines;
  for (const auto& [policy, digest] : actual) lines += name + " " + policy + " " + digest + "\n";
  ASSERT_TRUE(expected.count(name)) << "no digests recorded for " << name << "; they are\n"
                                    << lines;
  EXPECT_EQ(actual, expected.at(name)) << "rows changed; the new digests are\n" << lines;
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioDigestTest,
                         ::testing::Values("default.ini", "step_drop.ini", "edge_cross_traffic.ini",
                                           "cic-decision.ini", "cic_throughput.ini",
                                           "compression.ini", "jmdc.ini", "cnnpc.ini",
                                           "cnnpc_resnet18.ini", "compare-all/scenario.ini",
                                           "edgedi.ini"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string id = info.param;
                           id = id.substr(0, id.find('.'));
                           for (char& c : id)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return id;
                         });

}  // namespace
}  // namespace coinfer
