// SQLite implementation of state::Store. Schema and migrations: kMigrations
// below, documented in docs/formats/state.md. Every public mutation is one
// transaction (BEGIN IMMEDIATE ... COMMIT) with synchronous=FULL, so it is
// durable when the call returns.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>

#include "ipfs_kit/state/store.h"
#include "sqlite.h"

namespace ipfs_kit::state {
namespace {

// Migration N (1-based) takes the schema from version N-1 to N. Append only.
const char* const kMigrations[] = {
    // 1: the first schema.
    R"sql(
CREATE TABLE pins(
  request_id TEXT PRIMARY KEY,
  cid TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  origins TEXT NOT NULL DEFAULT '[]',
  meta TEXT NOT NULL DEFAULT '{}',
  replication_min INTEGER NOT NULL,
  replication_max INTEGER NOT NULL,
  backends TEXT NOT NULL DEFAULT '[]',
  created_ms INTEGER NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT UNIQUE
);
CREATE INDEX pins_cid ON pins(cid);
CREATE INDEX pins_created ON pins(created_ms);
CREATE TABLE cids(
  cid TEXT PRIMARY KEY,
  replication_min INTEGER NOT NULL,
  replication_max INTEGER NOT NULL,
  backends TEXT NOT NULL DEFAULT '[]',
  origins TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL DEFAULT 'queued',
  error TEXT NOT NULL DEFAULT '',
  size_bytes INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  dirty INTEGER NOT NULL DEFAULT 1,
  dirty_since_ms INTEGER NOT NULL DEFAULT 0,
  updated_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cids_due ON cids(dirty, next_attempt_ms);
CREATE INDEX cids_status ON cids(status);
CREATE TABLE locations(
  cid TEXT NOT NULL,
  backend TEXT NOT NULL,
  state TEXT NOT NULL,
  size_bytes INTEGER NOT NULL DEFAULT 0,
  verified_ms INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  updated_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(cid, backend)
) WITHOUT ROWID;
CREATE INDEX locations_backend ON locations(backend);
CREATE INDEX locations_verified ON locations(state, verified_ms);
CREATE TABLE backends(
  name TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  added_ms INTEGER NOT NULL
);
CREATE TABLE health(
  id INTEGER PRIMARY KEY,
  backend TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  latency_ms REAL NOT NULL DEFAULT 0,
  ok INTEGER NOT NULL DEFAULT 0,
  bytes_used INTEGER NOT NULL DEFAULT -1,
  bytes_free INTEGER NOT NULL DEFAULT -1,
  pin_count INTEGER NOT NULL DEFAULT -1
);
CREATE INDEX health_backend ON health(backend, id);
-- Replication jobs are the location rows still in motion: a copy to a backend
-- (pinning), a trim (removing), or a failure waiting for its retry.
CREATE VIEW jobs AS
  SELECT cid, backend, CASE state WHEN 'removing' THEN 'trim' ELSE 'copy' END AS kind,
         state, attempts, next_attempt_ms, error, updated_ms
  FROM locations WHERE state IN ('pinning', 'removing', 'failed');
)sql",
    // 2: paging pins by (created_ms, request_id) — ForEachPin and GET /pins —
    // walks an index instead of sorting the table for every page.
    R"sql(
DROP INDEX pins_created;
CREATE INDEX pins_created_id ON pins(created_ms, request_id);
)sql",
    // 3: every mark for reconcile bumps `mark`; the reconciler clears `dirty`
    // only if no mark came after it read the row (a new request for the CID
    // while it was deciding must not be lost).
    R"sql(
ALTER TABLE cids ADD COLUMN mark INTEGER NOT NULL DEFAULT 0;
)sql",
    // 4: pins paged in CID order (the streamed index publish).
    R"sql(
DROP INDEX pins_cid;
CREATE INDEX pins_cid_id ON pins(cid, request_id);
)sql",
};
constexpr int kSchemaVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

const char* kPinColumns =
    "p.request_id, p.cid, p.name, p.origins, p.meta, p.replication_min, p.replication_max, "
    "p.backends, "
    "COALESCE(c.status, 'queued'), p.created_ms, p.source, COALESCE(p.idempotency_key, '')";

PinRecord ReadPin(const Stmt& s) {
  PinRecord p;
  p.request_id = s.Text(0);
  p.cid = s.Text(1);
  p.name = s.Text(2);
  p.origins_json = s.Text(3);
  p.meta_json = s.Text(4);
  p.replication_min = static_cast<int>(s.Int(5));
  p.replication_max = static_cast<int>(s.Int(6));
  p.backends_json = s.Text(7);
  p.status = s.Text(8);
  p.created_ms = s.Int(9);
  p.source = s.Text(10);
  p.idempotency_key = s.Text(11);
  return p;
}

const char* kCidColumns =
    "cid, replication_min, replication_max, backends, origins, status, error, size_bytes, "
    "attempts, "
    "next_attempt_ms, updated_ms, mark";

CidRecord ReadCid(const Stmt& s) {
  CidRecord c;
  c.cid = s.Text(0);
  c.replication_min = static_cast<int>(s.Int(1));
  c.replication_max = static_cast<int>(s.Int(2));
  c.backends_json = s.Text(3);
  c.origins_json = s.Text(4);
  c.status = s.Text(5);
  c.error = s.Text(6);
  c.size_bytes = s.Int(7);
  c.attempts = static_cast<int>(s.Int(8));
  c.next_attempt_ms = s.Int(9);
  c.updated_ms = s.Int(10);
  c.mark = s.Int(11);
  return c;
}

const char* kLocationColumns =
    "cid, backend, state, size_bytes, verified_ms, attempts, next_attempt_ms, error, updated_ms";

LocationRecord ReadLocation(const Stmt& s) {
  LocationRecord l;
  l.cid = s.Text(0);
  l.backend = s.Text(1);
  l.state = s.Text(2);
  l.size_bytes = s.Int(3);
  l.verified_ms = s.Int(4);
  l.attempts = static_cast<int>(s.Int(5));
  l.next_attempt_ms = s.Int(6);
  l.error = s.Text(7);
  l.updated_ms = s.Int(8);
  return l;
}

class SqliteStore : public Store {
 public:
  Status Init(const std::string& path) {
    RETURN_IF_ERROR(db_.Open(path));
    sqlite3_busy_timeout(db_.raw(), 10000);
    Status s =
        db_.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;");
    if (!s.ok()) return s.WithContext(path);
    RETURN_IF_ERROR(
        db_.Exec("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)"));
    ASSIGN_OR_RETURN(Stmt q, db_.Prepare("SELECT version FROM schema_version"));
    ASSIGN_OR_RETURN(bool has, q.Step());
    int version = has ? static_cast<int>(q.Int(0)) : 0;
    q = Stmt();
    if (version > kSchemaVersion) {
      return Status::Corruption(path + " has schema version " + std::to_string(version) +
                                ", newer than this build's " + std::to_string(kSchemaVersion));
    }
    for (int v = version; v < kSchemaVersion; ++v) {
      RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
      Status m = db_.Exec(kMigrations[v]);
      if (m.ok()) {
        m = db_.Exec(v == 0 ? "INSERT INTO schema_version(version) VALUES (1)"
                            : "UPDATE schema_version SET version = " + std::to_string(v + 1));
      }
      if (m.ok()) m = db_.Exec("COMMIT");
      if (!m.ok()) {
        (void)db_.Exec("ROLLBACK");
        return m.WithContext(path + ": migration to schema " + std::to_string(v + 1));
      }
    }
    version_ = kSchemaVersion;
    return Status::Ok();
  }

  int schema_version() override { return version_; }

  Result<std::vector<PinRecord>> AddPins(std::vector<PinRecord> pins) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Txn<std::vector<PinRecord>>([&]() -> Result<std::vector<PinRecord>> {
      int64_t now = NowMs();
      for (auto& p : pins) {
        if (!p.idempotency_key.empty()) {
          ASSIGN_OR_RETURN(auto seen, FindByKey(p.idempotency_key));
          if (seen) {
            p = *seen;
            continue;
          }
        }
        if (p.request_id.empty()) p.request_id = NewRequestId();
        if (p.created_ms == 0) p.created_ms = now;
        RETURN_IF_ERROR(InsertPin(p));
        RETURN_IF_ERROR(RecomputeCid(p.cid, now));
      }
      // Report each request with its CID's current status.
      for (auto& p : pins) {
        ASSIGN_OR_RETURN(auto c, GetCidLocked(p.cid));
        if (c) p.status = c->status;
      }
      return pins;
    });
  }

  Result<std::optional<PinRecord>> GetPin(const std::string& request_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(
        Stmt s,
        db_.Prepare(std::string("SELECT ") + kPinColumns +
                    " FROM pins p LEFT JOIN cids c ON c.cid = p.cid WHERE p.request_id = ?"));
    s.Bind(1, request_id);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<PinRecord>();
    return std::optional<PinRecord>(ReadPin(s));
  }

  Status DeletePin(const std::string& request_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto r = Txn<bool>([&]() -> Result<bool> {
      RETURN_IF_ERROR(DeletePinLocked(request_id));
      return true;
    });
    return r.status();
  }

  Result<PinRecord> ReplacePin(const std::string& request_id, PinRecord pin) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Txn<PinRecord>([&]() -> Result<PinRecord> {
      RETURN_IF_ERROR(DeletePinLocked(request_id));
      int64_t now = NowMs();
      pin.request_id = NewRequestId();
      pin.created_ms = now;
      pin.idempotency_key.clear();
      RETURN_IF_ERROR(InsertPin(pin));
      RETURN_IF_ERROR(RecomputeCid(pin.cid, now));
      ASSIGN_OR_RETURN(auto c, GetCidLocked(pin.cid));
      if (c) pin.status = c->status;
      return pin;
    });
  }

  Result<PinPage> ListPins(const PinQuery& q) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string where = " WHERE 1";
    std::vector<std::string> binds;
    auto in_list = [&](const char* column, const std::vector<std::string>& values) {
      where += std::string(" AND ") + column + " IN (";
      for (size_t i = 0; i < values.size(); ++i) {
        where += i ? ",?" : "?";
        binds.push_back(values[i]);
      }
      where += ")";
    };
    if (!q.cids.empty()) in_list("p.cid", q.cids);
    if (!q.statuses.empty()) in_list("COALESCE(c.status, 'queued')", q.statuses);
    if (!q.name.empty()) {
      if (q.match == "exact") {
        where += " AND p.name = ?";
      } else if (q.match == "iexact") {
        where += " AND lower(p.name) = lower(?)";
      } else if (q.match == "partial") {
        where += " AND instr(p.name, ?) > 0";
      } else if (q.match == "ipartial") {
        where += " AND instr(lower(p.name), lower(?)) > 0";
      } else {
        return Status::InvalidArgument("match must be exact, iexact, partial or ipartial, not " +
                                       q.match);
      }
      binds.push_back(q.name);
    }
    if (q.before_ms) where += " AND p.created_ms < " + std::to_string(*q.before_ms);
    if (q.after_ms) where += " AND p.created_ms > " + std::to_string(*q.after_ms);
    for (const auto& [k, v] : q.meta) {
      where += " AND json_extract(p.meta, ?) = ?";
      binds.push_back("$.\"" + k + "\"");
      binds.push_back(v);
    }
    const std::string from = " FROM pins p LEFT JOIN cids c ON c.cid = p.cid";
    PinPage page;
    {
      ASSIGN_OR_RETURN(Stmt s, db_.Prepare("SELECT count(*)" + from + where));
      for (size_t i = 0; i < binds.size(); ++i) s.Bind(static_cast<int>(i + 1), binds[i]);
      ASSIGN_OR_RETURN(bool row, s.Step());
      page.count = row ? s.Int(0) : 0;
    }
    ASSIGN_OR_RETURN(Stmt s, db_.Prepare(std::string("SELECT ") + kPinColumns + from + where +
                                         " ORDER BY p.created_ms DESC, p.request_id DESC LIMIT " +
                                         std::to_string(q.limit)));
    for (size_t i = 0; i < binds.size(); ++i) s.Bind(static_cast<int>(i + 1), binds[i]);
    ASSIGN_OR_RETURN(page.results, Rows(s, ReadPin));
    return page;
  }

  Status ForEachPin(const std::function<bool(const PinRecord&)>& fn) override {
    // Pages of 1000 by (created_ms, request_id) so the lock is not held while
    // the caller works, and a large table is never in memory at once.
    int64_t after_created = -1;
    std::string after_id;
    for (;;) {
      std::vector<PinRecord> batch;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ASSIGN_OR_RETURN(Stmt s, db_.Prepare(std::string("SELECT ") + kPinColumns +
                                             " FROM pins p LEFT JOIN cids c ON c.cid = p.cid"
                                             " WHERE (p.created_ms, p.request_id) > (?, ?)"
                                             " ORDER BY p.created_ms, p.request_id LIMIT 1000"));
        s.Bind(1, after_created).Bind(2, after_id);
        ASSIGN_OR_RETURN(batch, Rows(s, ReadPin));
      }
      if (batch.empty()) return Status::Ok();
      for (const auto& p : batch) {
        if (!fn(p)) return Status::Ok();
      }
      after_created = batch.back().created_ms;
      after_id = batch.back().request_id;
    }
  }

  Result<std::vector<PinRecord>> PinsByCid(const std::string& after_cid,
                                           const std::string& after_id, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(
        Stmt s,
        db_.Prepare(std::string("SELECT ") + kPinColumns +
                    ", (SELECT count(*) FROM locations l WHERE l.cid = p.cid AND "
                    "l.state IN ('pinned', 'removing')), "
                    "(SELECT COALESCE(max(size_bytes), 0) FROM locations l WHERE l.cid = p.cid)"
                    " FROM pins p LEFT JOIN cids c ON c.cid = p.cid"
                    " WHERE (p.cid, p.request_id) > (?, ?)"
                    " ORDER BY p.cid, p.request_id LIMIT ?"));
    s.Bind(1, after_cid).Bind(2, after_id).Bind(3, limit);
    std::vector<PinRecord> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      PinRecord p = ReadPin(s);
      p.replicas = static_cast<int>(s.Int(12));
      p.size_bytes = s.Int(13);
      out.push_back(std::move(p));
    }
    return out;
  }

  Result<std::vector<LocationRecord>> LocationsAfter(const std::string& after_cid,
                                                     const std::string& after_backend,
                                                     int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(Stmt s, db_.Prepare(std::string("SELECT ") + kLocationColumns +
                                         " FROM locations WHERE (cid, backend) > (?, ?)"
                                         " ORDER BY cid, backend LIMIT ?"));
    s.Bind(1, after_cid).Bind(2, after_backend).Bind(3, limit);
    return Rows(s, ReadLocation);
  }

  Result<std::optional<CidRecord>> GetCid(const std::string& cid) override {
    std::lock_guard<std::mutex> lock(mu_);
    return GetCidLocked(cid);
  }

  Result<std::vector<CidRecord>> DueCids(int64_t now_ms, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(Stmt s, db_.Prepare(std::string("SELECT ") + kCidColumns +
                                         " FROM cids WHERE dirty = 1 AND next_attempt_ms <= ?"
                                         " ORDER BY dirty_since_ms LIMIT ?"));
    s.Bind(1, now_ms).Bind(2, limit);
    return Rows(s, ReadCid);
  }

  Status MarkDirty(const std::vector<std::string>& cids) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto r = Txn<bool>([&]() -> Result<bool> {
      ASSIGN_OR_RETURN(
          Stmt s,
          db_.Prepare(
              "UPDATE cids SET dirty = 1, mark = mark + 1, next_attempt_ms = 0, dirty_since_ms = "
              "CASE dirty WHEN 1 THEN dirty_since_ms ELSE ? END WHERE cid = ?"));
      int64_t now = NowMs();
      for (const auto& c : cids) {
        s.Reset();
        s.Bind(1, now).Bind(2, c);
        RETURN_IF_ERROR(s.Run());
      }
      return true;
    });
    return r.status();
  }

  Status MarkUnsettled(const std::vector<std::string>& known_backends) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string known;
    for (size_t i = 0; i < known_backends.size(); ++i) known += i ? ",?" : "?";
    ASSIGN_OR_RETURN(
        Stmt s,
        db_.Prepare("UPDATE cids SET dirty = 1, mark = mark + 1, next_attempt_ms = 0, "
                    "dirty_since_ms = ?1 WHERE dirty = 0 AND (status != 'pinned' OR EXISTS "
                    "(SELECT 1 FROM locations l WHERE l.cid = cids.cid AND (l.state != 'pinned' "
                    "OR l.backend NOT IN (" +
                    known + "))))"));
    s.Bind(1, NowMs());
    for (size_t i = 0; i < known_backends.size(); ++i)
      s.Bind(static_cast<int>(i + 2), known_backends[i]);
    return s.Run();
  }

  Status UpdateCid(const CidRecord& c, bool clear_dirty) override {
    return UpdateCids({{c, clear_dirty}});
  }

  Status UpdateCids(const std::vector<std::pair<CidRecord, bool>>& updates) override {
    if (updates.empty()) return Status::Ok();
    std::lock_guard<std::mutex> lock(mu_);
    auto r = Txn<bool>([&]() -> Result<bool> {
      // `dirty` is cleared only when no mark came after the reconciler read
      // the row (mark unchanged); otherwise the CID stays due at once.
      ASSIGN_OR_RETURN(
          Stmt s,
          db_.Prepare("UPDATE cids SET status = ?1, error = ?2, size_bytes = ?3, attempts = ?4, "
                      "updated_ms = ?6, "
                      "next_attempt_ms = CASE WHEN mark = ?8 THEN ?5 ELSE 0 END, "
                      "dirty = CASE WHEN ?7 AND mark = ?8 THEN 0 ELSE 1 END WHERE cid = ?9"));
      int64_t now = NowMs();
      for (const auto& [c, clear] : updates) {
        s.Reset();
        s.Bind(1, c.status)
            .Bind(2, c.error)
            .Bind(3, c.size_bytes)
            .Bind(4, c.attempts)
            .Bind(5, c.next_attempt_ms);
        s.Bind(6, now).Bind(7, clear ? 1 : 0).Bind(8, c.mark).Bind(9, c.cid);
        RETURN_IF_ERROR(s.Run());
      }
      return true;
    });
    return r.status();
  }

  Status DropCidIfUnused(const std::string& cid) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(
        Stmt s,
        db_.Prepare("DELETE FROM cids WHERE cid = ?1 AND NOT EXISTS (SELECT 1 FROM pins "
                    "WHERE cid = ?1) AND NOT EXISTS (SELECT 1 FROM locations WHERE cid = ?1)"));
    s.Bind(1, cid);
    return s.Run();
  }

  Result<std::vector<LocationRecord>> Locations(const std::string& cid) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(Stmt s, db_.Prepare(std::string("SELECT ") + kLocationColumns +
                                         " FROM locations WHERE cid = ? ORDER BY backend"));
    s.Bind(1, cid);
    return Rows(s, ReadLocation);
  }

  Result<bool> PutLocation(const LocationRecord& l, bool only_if_absent) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string sql = std::string(only_if_absent ? "INSERT OR IGNORE" : "INSERT OR REPLACE") +
                      " INTO locations(" + kLocationColumns + ") VALUES (?,?,?,?,?,?,?,?,?)";
    ASSIGN_OR_RETURN(Stmt s, db_.Prepare(sql));
    s.Bind(1, l.cid)
        .Bind(2, l.backend)
        .Bind(3, l.state)
        .Bind(4, l.size_bytes)
        .Bind(5, l.verified_ms);
    s.Bind(6, l.attempts)
        .Bind(7, l.next_attempt_ms)
        .Bind(8, l.error)
        .Bind(9, l.updated_ms ? l.updated_ms : NowMs());
    RETURN_IF_ERROR(s.Run());
    return db_.Changes() > 0;
  }

  Status DeleteLocation(const std::string& cid, const std::string& backend) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(Stmt s, db_.Prepare("DELETE FROM locations WHERE cid = ? AND backend = ?"));
    s.Bind(1, cid).Bind(2, backend);
    return s.Run();
  }

  Status ForEachLocation(const std::function<bool(const LocationRecord&)>& fn) override {
    std::string after_cid, after_backend;
    for (;;) {
      std::vector<LocationRecord> batch;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ASSIGN_OR_RETURN(Stmt s, db_.Prepare(std::string("SELECT ") + kLocationColumns +
                                             " FROM locations WHERE (cid, backend) > (?, ?)"
                                             " ORDER BY cid, backend LIMIT 1000"));
        s.Bind(1, after_cid).Bind(2, after_backend);
        ASSIGN_OR_RETURN(batch, Rows(s, ReadLocation));
      }
      if (batch.empty()) return Status::Ok();
      for (const auto& l : batch) {
        if (!fn(l)) return Status::Ok();
      }
      after_cid = batch.back().cid;
      after_backend = batch.back().backend;
    }
  }

  Result<std::vector<std::string>> CidsOnBackend(const std::string& backend) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(Stmt s, db_.Prepare("SELECT cid FROM locations WHERE backend = ?"));
    s.Bind(1, backend);
    return Rows(s, [](const Stmt& r) { return r.Text(0); });
  }

  Result<std::vector<LocationRecord>> LocationsInState(const std::string& state,
                                                       int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(Stmt s,
                     db_.Prepare(std::string("SELECT ") + kLocationColumns +
                                 " FROM locations WHERE state = ? ORDER BY verified_ms LIMIT ?"));
    s.Bind(1, state).Bind(2, limit);
    return Rows(s, ReadLocation);
  }

  Result<std::vector<std::tuple<std::string, int64_t, int64_t>>> LocationTotals() override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(Stmt s, db_.Prepare("SELECT backend, count(*), sum(size_bytes) FROM locations "
                                         "WHERE state = 'pinned' GROUP BY backend"));
    return Rows(s, [](const Stmt& r) {
      return std::tuple<std::string, int64_t, int64_t>(r.Text(0), r.Int(1), r.Int(2));
    });
  }

  Status PutBackend(const BackendRecord& b) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(
        Stmt s,
        db_.Prepare("INSERT OR REPLACE INTO backends(name, config, added_ms) VALUES (?,?,?)"));
    s.Bind(1, b.name).Bind(2, b.config_json).Bind(3, b.added_ms ? b.added_ms : NowMs());
    return s.Run();
  }

  Status DeleteBackend(const std::string& name) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(Stmt s, db_.Prepare("DELETE FROM backends WHERE name = ?"));
    s.Bind(1, name);
    RETURN_IF_ERROR(s.Run());
    if (db_.Changes() == 0) return Status::NotFound("no backend named " + name);
    return Status::Ok();
  }

  Result<std::vector<BackendRecord>> Backends() override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(Stmt s,
                     db_.Prepare("SELECT name, config, added_ms FROM backends ORDER BY name"));
    return Rows(s, [](const Stmt& r) { return BackendRecord{r.Text(0), r.Text(1), r.Int(2)}; });
  }

  Status AddHealth(const HealthRecord& h, int keep) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto r = Txn<bool>([&]() -> Result<bool> {
      ASSIGN_OR_RETURN(
          Stmt s, db_.Prepare("INSERT INTO health(backend, at_ms, state, reason, latency_ms, ok, "
                              "bytes_used, bytes_free, pin_count) VALUES (?,?,?,?,?,?,?,?,?)"));
      s.Bind(1, h.backend)
          .Bind(2, h.at_ms)
          .Bind(3, h.state)
          .Bind(4, h.reason)
          .Bind(5, h.latency_ms);
      s.Bind(6, h.ok ? 1 : 0).Bind(7, h.bytes_used).Bind(8, h.bytes_free).Bind(9, h.pin_count);
      RETURN_IF_ERROR(s.Run());
      ASSIGN_OR_RETURN(
          Stmt d,
          db_.Prepare("DELETE FROM health WHERE backend = ?1 AND id <= (SELECT id FROM health "
                      "WHERE backend = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)"));
      d.Bind(1, h.backend).Bind(2, keep);
      RETURN_IF_ERROR(d.Run());
      return true;
    });
    return r.status();
  }

  Result<std::vector<HealthRecord>> Health(const std::string& backend, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(
        Stmt s, db_.Prepare("SELECT backend, at_ms, state, reason, latency_ms, ok, bytes_used, "
                            "bytes_free, pin_count FROM health WHERE backend = ? ORDER BY id DESC "
                            "LIMIT ?"));
    s.Bind(1, backend).Bind(2, limit);
    std::vector<HealthRecord> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      HealthRecord h;
      h.backend = s.Text(0);
      h.at_ms = s.Int(1);
      h.state = s.Text(2);
      h.reason = s.Text(3);
      h.latency_ms = s.Double(4);
      h.ok = s.Int(5) != 0;
      h.bytes_used = s.Int(6);
      h.bytes_free = s.Int(7);
      h.pin_count = s.Int(8);
      out.push_back(std::move(h));
    }
    return out;
  }

  Result<Counts> GetCounts() override {
    std::lock_guard<std::mutex> lock(mu_);
    Counts c;
    ASSIGN_OR_RETURN(Stmt p, db_.Prepare("SELECT count(*) FROM pins"));
    ASSIGN_OR_RETURN(bool row, p.Step());
    if (row) c.pins = p.Int(0);
    ASSIGN_OR_RETURN(Stmt s, db_.Prepare("SELECT status, count(*) FROM cids GROUP BY status"));
    for (;;) {
      ASSIGN_OR_RETURN(bool r, s.Step());
      if (!r) break;
      std::string st = s.Text(0);
      int64_t n = s.Int(1);
      c.cids += n;
      if (st == "queued") c.queued = n;
      if (st == "pinning") c.pinning = n;
      if (st == "pinned") c.pinned = n;
      if (st == "failed") c.failed = n;
    }
    ASSIGN_OR_RETURN(Stmt l, db_.Prepare("SELECT count(*) FROM locations"));
    ASSIGN_OR_RETURN(bool lr, l.Step());
    if (lr) c.locations = l.Int(0);
    ASSIGN_OR_RETURN(
        Stmt u,
        db_.Prepare("SELECT count(*) FROM cids c WHERE c.replication_min > (SELECT count(*) "
                    "FROM locations l WHERE l.cid = c.cid AND l.state = 'pinned')"));
    ASSIGN_OR_RETURN(bool ur, u.Step());
    if (ur) c.under_replicated = u.Int(0);
    return c;
  }

 private:
  // Runs fn inside BEGIN IMMEDIATE / COMMIT (ROLLBACK on any error). The
  // caller holds mu_.
  template <typename T, typename Fn>
  Result<T> Txn(Fn fn) {
    RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    Result<T> r = fn();
    if (!r.ok()) {
      (void)db_.Exec("ROLLBACK");
      return r;
    }
    Status c = db_.Exec("COMMIT");
    if (!c.ok()) {
      (void)db_.Exec("ROLLBACK");
      return c;
    }
    return r;
  }

  Result<std::optional<PinRecord>> FindByKey(const std::string& key) {
    ASSIGN_OR_RETURN(
        Stmt s,
        db_.Prepare(std::string("SELECT ") + kPinColumns +
                    " FROM pins p LEFT JOIN cids c ON c.cid = p.cid WHERE p.idempotency_key = ?"));
    s.Bind(1, key);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<PinRecord>();
    return std::optional<PinRecord>(ReadPin(s));
  }

  Status InsertPin(const PinRecord& p) {
    ASSIGN_OR_RETURN(
        Stmt s,
        db_.Prepare("INSERT INTO pins(request_id, cid, name, origins, meta, replication_min, "
                    "replication_max, backends, created_ms, source, idempotency_key) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    s.Bind(1, p.request_id)
        .Bind(2, p.cid)
        .Bind(3, p.name)
        .Bind(4, p.origins_json)
        .Bind(5, p.meta_json);
    s.Bind(6, p.replication_min)
        .Bind(7, p.replication_max)
        .Bind(8, p.backends_json)
        .Bind(9, p.created_ms);
    s.Bind(10, p.source);
    if (p.idempotency_key.empty()) {
      s.BindNull(11);
    } else {
      s.Bind(11, p.idempotency_key);
    }
    return s.Run();
  }

  Status DeletePinLocked(const std::string& request_id) {
    ASSIGN_OR_RETURN(Stmt f, db_.Prepare("SELECT cid FROM pins WHERE request_id = ?"));
    f.Bind(1, request_id);
    ASSIGN_OR_RETURN(bool row, f.Step());
    if (!row) return Status::NotFound("no pin request " + request_id);
    std::string cid = f.Text(0);
    ASSIGN_OR_RETURN(Stmt d, db_.Prepare("DELETE FROM pins WHERE request_id = ?"));
    d.Bind(1, request_id);
    RETURN_IF_ERROR(d.Run());
    return RecomputeCid(cid, NowMs());
  }

  // The CID's policy is the largest of its live requests; with none left it
  // is 0/0 (the reconciler trims every location, then drops the row).
  Status RecomputeCid(const std::string& cid, int64_t now) {
    ASSIGN_OR_RETURN(
        Stmt a, db_.Prepare("SELECT max(replication_min), max(replication_max), count(*) FROM pins "
                            "WHERE cid = ?"));
    a.Bind(1, cid);
    ASSIGN_OR_RETURN(bool row, a.Step());
    int rmin = row ? static_cast<int>(a.Int(0)) : 0, rmax = row ? static_cast<int>(a.Int(1)) : 0;
    if (rmax < rmin) rmax = rmin;
    // Backends and origins: the newest request's that names any.
    std::string backends = "[]", origins = "[]";
    ASSIGN_OR_RETURN(Stmt b,
                     db_.Prepare("SELECT backends FROM pins WHERE cid = ? AND backends != '[]' "
                                 "ORDER BY created_ms DESC LIMIT 1"));
    b.Bind(1, cid);
    ASSIGN_OR_RETURN(bool brow, b.Step());
    if (brow) backends = b.Text(0);
    ASSIGN_OR_RETURN(Stmt o,
                     db_.Prepare("SELECT origins FROM pins WHERE cid = ? AND origins != '[]' "
                                 "ORDER BY created_ms DESC LIMIT 1"));
    o.Bind(1, cid);
    ASSIGN_OR_RETURN(bool orow, o.Step());
    if (orow) origins = o.Text(0);
    ASSIGN_OR_RETURN(
        Stmt u,
        db_.Prepare(
            "INSERT INTO cids(cid, replication_min, replication_max, backends, origins, status, "
            "dirty, dirty_since_ms, next_attempt_ms, attempts, updated_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, 'queued', 1, ?6, 0, 0, ?6) "
            "ON CONFLICT(cid) DO UPDATE SET replication_min = ?2, replication_max = ?3, "
            "backends = ?4, origins = ?5, next_attempt_ms = 0, attempts = 0, updated_ms = ?6, "
            "status = CASE WHEN status = 'failed' THEN 'queued' ELSE status END, "
            "dirty_since_ms = CASE dirty WHEN 1 THEN dirty_since_ms ELSE ?6 END, dirty = 1, "
            "mark = mark + 1"));
    u.Bind(1, cid).Bind(2, rmin).Bind(3, rmax).Bind(4, backends).Bind(5, origins).Bind(6, now);
    return u.Run();
  }

  Result<std::optional<CidRecord>> GetCidLocked(const std::string& cid) {
    ASSIGN_OR_RETURN(
        Stmt s, db_.Prepare(std::string("SELECT ") + kCidColumns + " FROM cids WHERE cid = ?"));
    s.Bind(1, cid);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<CidRecord>();
    return std::optional<CidRecord>(ReadCid(s));
  }

  Db db_;
  std::mutex mu_;
  int version_ = 0;
};

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewRequestId() {
  unsigned char b[16] = {};
  ssize_t got = -1;
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    got = ::read(fd, b, sizeof b);
    ::close(fd);
  }
  if (got != static_cast<ssize_t>(sizeof b)) {
    std::random_device rd;  // no /dev/urandom: fall back to the C++ source
    for (auto& c : b) c = static_cast<unsigned char>(rd());
  }
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  auto s = std::make_unique<SqliteStore>();
  RETURN_IF_ERROR(s->Init(path));
  return std::unique_ptr<Store>(std::move(s));
}

}  // namespace ipfs_kit::state
