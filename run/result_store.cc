#include "run/result_store.h"

#include <chrono>
#include <ctime>

#include "base/sqlite_db.h"

namespace coinfer {
namespace {

const char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  run_id INTEGER PRIMARY KEY,
  scenario_path TEXT NOT NULL,
  scenario_text TEXT NOT NULL,
  resolved_settings TEXT NOT NULL,
  seed INTEGER NOT NULL,
  coinfer_version TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  run_key TEXT,
  mode TEXT NOT NULL DEFAULT 'simulation'
);
CREATE INDEX IF NOT EXISTS runs_by_key ON runs (run_key);
CREATE TABLE IF NOT EXISTS policy_runs (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  policy TEXT NOT NULL,
  events INTEGER NOT NULL,
  simulated_s REAL NOT NULL,
  wall_s REAL NOT NULL,
  probes INTEGER,
  probe_bytes INTEGER,
  probe_energy_j REAL,
  PRIMARY KEY (run_id, policy)
);
CREATE TABLE IF NOT EXISTS requests (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  policy TEXT NOT NULL,
  request_id INTEGER NOT NULL,
  arrival_s REAL NOT NULL,
  decision_wall_us REAL NOT NULL,
  decision_device_us REAL NOT NULL,
  split INTEGER NOT NULL,
  bytes_sent INTEGER NOT NULL,
  uplink_estimate_mbps REAL NOT NULL,
  uplink_capacity_mbps REAL,
  predicted_ms REAL NOT NULL,
  actual_ms REAL,
  completed INTEGER NOT NULL,
  end_wait_ms REAL NOT NULL,
  end_compute_ms REAL NOT NULL,
  transfer_ms REAL NOT NULL,
  cloud_wait_ms REAL NOT NULL,
  cloud_compute_ms REAL NOT NULL,
  end_energy_j REAL,
  sample INTEGER,
  correct INTEGER,
  codec TEXT,
  requirement_met INTEGER,
  variant TEXT,
  edge_wait_ms REAL,
  edge_compute_ms REAL,
  device_wait_ms REAL,
  device_compute_ms REAL,
  PRIMARY KEY (run_id, policy, request_id)
);
CREATE TABLE IF NOT EXISTS sites (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  site INTEGER NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  device TEXT NOT NULL,
  cores INTEGER NOT NULL,
  load REAL NOT NULL,
  host_slowdown REAL,
  PRIMARY KEY (run_id, site)
);
CREATE TABLE IF NOT EXISTS stages (
  run_id INTEGER NOT NULL,
  policy TEXT NOT NULL,
  request_id INTEGER NOT NULL,
  stage INTEGER NOT NULL,
  kind TEXT NOT NULL,
  site TEXT NOT NULL,
  to_site TEXT,
  layers TEXT,
  bytes INTEGER,
  predicted_ms REAL NOT NULL,
  ready_s REAL,
  start_s REAL,
  end_s REAL,
  measured INTEGER,
  rows TEXT,
  codec TEXT,
  PRIMARY KEY (run_id, policy, request_id, stage)
);
)sql";

// The stages table's kind (docs/formats.md).
const char* StageKindText(const Stage& s) {
  if (s.kind == Stage::Kind::kTransfer) return s.result ? "result" : "transfer";
  switch (s.work) {
    case Stage::Work::kEncode:
      return "encode";
    case Stage::Work::kDecode:
      return "decode";
    case Stage::Work::kLayers:
      break;
  }
  return "compute";
}

}  // namespace

std::string UtcNow() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

Status ResultStore::Open(const std::string& path, std::unique_ptr<ResultStore>* out) {
  sqlite3* db = nullptr;
  // Version 2 had no measured-compression columns, version 3 no edge and
  // cluster-device totals, no strip rows and no sites table, version 4 no run
  // keys, version 5 no probe figures, version 6 no sites' slowdowns: they are
  // added, NULL in old rows (and the sites table empty for old runs).
  static const std::map<int, std::string> kUpgrades = {
      {2,
       "ALTER TABLE requests ADD COLUMN sample INTEGER;"
       "ALTER TABLE requests ADD COLUMN correct INTEGER;"
       "ALTER TABLE requests ADD COLUMN codec TEXT;"
       "ALTER TABLE requests ADD COLUMN requirement_met INTEGER;"
       "ALTER TABLE requests ADD COLUMN variant TEXT;"},
      {3,
       "ALTER TABLE requests ADD COLUMN edge_wait_ms REAL;"
       "ALTER TABLE requests ADD COLUMN edge_compute_ms REAL;"
       "ALTER TABLE requests ADD COLUMN device_wait_ms REAL;"
       "ALTER TABLE requests ADD COLUMN device_compute_ms REAL;"
       "ALTER TABLE stages ADD COLUMN rows TEXT;"
       "ALTER TABLE stages ADD COLUMN codec TEXT;"
       // The sites table as version 4 made it, for the upgrades after it.
       "CREATE TABLE sites (run_id INTEGER NOT NULL REFERENCES runs(run_id), site INTEGER NOT "
       "NULL, name TEXT NOT NULL, role TEXT NOT NULL, device TEXT NOT NULL, cores INTEGER NOT "
       "NULL, load REAL NOT NULL, PRIMARY KEY (run_id, site));"},
      {4, "ALTER TABLE runs ADD COLUMN run_key TEXT;"},
      {5,
       "ALTER TABLE policy_runs ADD COLUMN probes INTEGER;"
       "ALTER TABLE policy_runs ADD COLUMN probe_bytes INTEGER;"
       "ALTER TABLE policy_runs ADD COLUMN probe_energy_j REAL;"},
      {6, "ALTER TABLE sites ADD COLUMN host_slowdown REAL;"},
      {7, "ALTER TABLE runs ADD COLUMN mode TEXT NOT NULL DEFAULT 'simulation';"}};
  COINFER_RETURN_IF_ERROR(OpenVersionedDatabase(path, "results database", "runs", kSchema,
                                                kSchemaVersion, &db, kUpgrades));
  out->reset(new ResultStore(db));
  return Status::Ok();
}

ResultStore::~ResultStore() {
  AbortRun();
  sqlite3_close(db_);
}

Status ResultStore::Exec(const std::string& sql) { return ExecSql(db_, sql); }

Status ResultStore::BeginRun(const RunInfo& info, int64_t* run_id) {
  COINFER_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  in_run_ = true;
  Statement insert(db_,
                   "INSERT INTO runs (scenario_path, scenario_text, resolved_settings, seed, "
                   "coinfer_version, started_at, run_key, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  insert.Bind(1, info.scenario_path)
      .Bind(2, info.scenario_text)
      .Bind(3, info.resolved_settings)
      .Bind(4, static_cast<int64_t>(info.seed))
      .Bind(5, info.coinfer_version)
      .Bind(6, info.started_at.empty() ? UtcNow() : info.started_at);
  if (info.run_key.empty()) {
    insert.BindNull(7);
  } else {
    insert.Bind(7, info.run_key);
  }
  insert.Bind(8, info.mode);
  COINFER_RETURN_IF_ERROR(insert.Step());
  *run_id = sqlite3_last_insert_rowid(db_);
  site_names_.clear();
  Statement site(db_,
                 "INSERT INTO sites (run_id, site, name, role, device, cores, load, host_slowdown) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (const Site& s : info.sites) {
    site.Bind(1, *run_id)
        .Bind(2, static_cast<int64_t>(site_names_.size()))
        .Bind(3, s.name)
        .Bind(4, std::string(SiteRoleName(s.role)))
        .Bind(5, s.device ? s.device->name() : std::string())
        .Bind(6, static_cast<int64_t>(s.device ? s.device->cores() : 0))
        .Bind(7, s.load)
        .Bind(8, s.host_slowdown);
    COINFER_RETURN_IF_ERROR(site.Step());
    site_names_.push_back(s.name);
  }
  return Status::Ok();
}

Status ResultStore::AddRequests(int64_t run_id, const std::string& policy,
                                const std::vector<RequestRecord>& records, const RunStats& stats) {
  Statement run(db_,
                "INSERT INTO policy_runs (run_id, policy, events, simulated_s, wall_s, probes, "
                "probe_bytes, probe_energy_j) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  run.Bind(1, run_id)
      .Bind(2, policy)
      .Bind(3, static_cast<int64_t>(stats.events))
      .Bind(4, stats.simulated_s)
      .Bind(5, stats.wall_s)
      .Bind(6, static_cast<int64_t>(stats.probes))
      .Bind(7, static_cast<int64_t>(stats.probe_bytes))
      .BindOptional(8, stats.probe_energy_j, stats.probe_energy_j >= 0);
  COINFER_RETURN_IF_ERROR(run.Step());

  Statement req(
      db_,
      "INSERT INTO requests (run_id, policy, request_id, arrival_s, decision_wall_us, split, "
      "bytes_sent, uplink_estimate_mbps, uplink_capacity_mbps, predicted_ms, actual_ms, completed, "
      "end_wait_ms, end_compute_ms, transfer_ms, cloud_wait_ms, cloud_compute_ms, end_energy_j, "
      "decision_device_us, sample, correct, codec, requirement_met, variant, edge_wait_ms, "
      "edge_compute_ms, device_wait_ms, device_compute_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?)");
  Statement stage(db_,
                  "INSERT INTO stages (run_id, policy, request_id, stage, kind, site, to_site, "
                  "layers, bytes, predicted_ms, ready_s, start_s, end_s, measured, rows, codec) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const RequestRecord& r : records) {
    req.Bind(1, run_id)
        .Bind(2, policy)
        .Bind(3, static_cast<int64_t>(r.id))
        .Bind(4, r.arrival_s)
        .Bind(5, r.decision_wall_us)
        .Bind(6, static_cast<int64_t>(r.split))
        .Bind(7, r.bytes_sent)
        .Bind(8, r.uplink_estimate_mbps)
        .BindOptional(9, r.uplink_capacity_mbps, r.uplink_capacity_mbps >= 0)
        .Bind(10, r.predicted_ms)
        .BindOptional(11, r.actual_ms, r.completed)
        .Bind(12, static_cast<int64_t>(r.completed))
        .Bind(13, r.on(SiteRole::kEndDevice).wait_ms)
        .Bind(14, r.on(SiteRole::kEndDevice).compute_ms)
        .Bind(15, r.transfer_ms)
        .Bind(16, r.on(SiteRole::kCloud).wait_ms)
        .Bind(17, r.on(SiteRole::kCloud).compute_ms)
        .BindOptional(18, r.end_energy_j, r.end_energy_j >= 0)
        .Bind(19, r.decision_device_us)
        .BindOptional(20, int64_t{r.sample}, r.sample >= 0)
        .BindOptional(21, int64_t{r.correct}, r.correct >= 0);
    if (r.codec.empty()) {
      req.BindNull(22);
    } else {
      req.Bind(22, r.codec);
    }
    req.BindOptional(23, int64_t{r.requirement_met}, r.requirement_met >= 0);
    if (r.variant.empty()) {
      req.BindNull(24);
    } else {
      req.Bind(24, r.variant);
    }
    req.Bind(25, r.on(SiteRole::kEdge).wait_ms)
        .Bind(26, r.on(SiteRole::kEdge).compute_ms)
        .Bind(27, r.on(SiteRole::kClusterDevice).wait_ms)
        .Bind(28, r.on(SiteRole::kClusterDevice).compute_ms);
    COINFER_RETURN_IF_ERROR(req.Step());
    for (size_t i = 0; i < r.stages.size(); ++i) {
      const StageRecord& s = r.stages[i];
      const bool transfer = s.stage.kind == Stage::Kind::kTransfer;
      stage.Bind(1, run_id)
          .Bind(2, policy)
          .Bind(3, static_cast<int64_t>(r.id))
          .Bind(4, static_cast<int64_t>(i))
          .Bind(5, std::string(StageKindText(s.stage)))
          .Bind(6, SiteName(s.stage.site));
      if (transfer) {
        stage.Bind(7, SiteName(s.stage.to)).BindNull(8).Bind(9, s.stage.bytes).BindNull(14);
      } else {
        // A codec's work (its tensor named by its codec) has no layers, and
        // its time is the catalog's, neither profiled nor extrapolated.
        const bool layers = s.stage.work == Stage::Work::kLayers;
        stage.BindNull(7).BindNull(9);
        if (layers) {
          stage.Bind(8, LayersText(s.stage.layers)).Bind(14, static_cast<int64_t>(s.measured));
        } else {
          stage.BindNull(8).BindNull(14);
        }
      }
      stage.Bind(10, s.stage.predicted_ms)
          .BindOptional(11, s.ready_s, s.ready_s >= 0)
          .BindOptional(12, s.start_s, s.start_s >= 0)
          .BindOptional(13, s.end_s, s.end_s >= 0);
      if (s.stage.rows.empty()) {
        stage.BindNull(15);
      } else {
        stage.Bind(15, std::to_string(s.stage.rows.begin) + "-" + std::to_string(s.stage.rows.end));
      }
      if (s.codec.empty()) {
        stage.BindNull(16);
      } else {
        stage.Bind(16, s.codec);
      }
      COINFER_RETURN_IF_ERROR(stage.Step());
    }
  }
  return Status::Ok();
}

std::string ResultStore::SiteName(SiteId site) const {
  return site >= 0 && site < static_cast<int>(site_names_.size()) ? site_names_[site]
                                                                  : std::to_string(site);
}

Status ResultStore::FindRun(const std::string& run_key, int64_t* run_id) {
  Statement find(db_, "SELECT IFNULL(MIN(run_id), 0) FROM runs WHERE run_key = ?");
  find.Bind(1, run_key);
  // One row always: anything else (busy, I/O) is an error, never "not stored".
  if (!find.ok() || !find.NextRow())
    return Status::IoError(std::string("sqlite: ") + sqlite3_errmsg(db_));
  *run_id = find.ColumnInt(0);
  return Status::Ok();
}

Status ResultStore::CommitRun(int64_t run_id) {
  Statement done(db_, "UPDATE runs SET finished_at = ? WHERE run_id = ?");
  done.Bind(1, UtcNow()).Bind(2, run_id);
  COINFER_RETURN_IF_ERROR(done.Step());
  COINFER_RETURN_IF_ERROR(Exec("COMMIT"));
  in_run_ = false;
  return Status::Ok();
}

void ResultStore::AbortRun() {
  if (!in_run_) return;
  Exec("ROLLBACK");
  in_run_ = false;
}

}  // namespace coinfer
