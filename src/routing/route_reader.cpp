// RouteReader: point lookups straight from the Parquet files. A lookup finds
// the one row group whose [min, max] CID statistics contain the CID (the
// files are sorted, so groups are disjoint), asks its bloom filter when the
// group is not decoded yet, and binary-searches the decoded group, which
// stays in a small cache. Newer generations are picked up by swapping an
// immutable snapshot; lookups in flight keep the old one (its files stay
// mapped even after the writer removes them).
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "ipfs_kit/parquet/file_reader.h"
#include "ipfs_kit/routing/index.h"
#include "manifest.h"
#include "schemas.h"

namespace ipfs_kit::routing {
namespace {

// Per-file view: the reader plus each row group's CID range.
struct FileIndex {
  std::unique_ptr<parquet::FileReader> reader;
  std::vector<std::string> min, max;

  Status Init(const std::string& path) {
    ASSIGN_OR_RETURN(reader, parquet::FileReader::Open(path));
    if (reader->schema().columns.empty() || reader->schema().columns[0].name != "cid") {
      return Status::Corruption(path + ": first column is not cid");
    }
    for (size_t g = 0; g < reader->num_row_groups(); ++g) {
      const auto& st = reader->row_group(g).columns[0].stats;
      if (!st.min || !st.max) return Status::Corruption(path + ": row group " + std::to_string(g) + " has no cid statistics");
      min.push_back(*st.min);
      max.push_back(*st.max);
    }
    for (size_t g = 1; g < min.size(); ++g) {
      if (!(max[g - 1] <= min[g])) {
        return Status::Corruption(path + ": row groups are not sorted by cid");
      }
    }
    return Status::Ok();
  }

  // The row group that may hold `cid`, if any.
  std::optional<size_t> GroupFor(const std::string& cid) const {
    auto it = std::lower_bound(max.begin(), max.end(), cid);
    if (it == max.end()) return std::nullopt;
    size_t g = static_cast<size_t>(it - max.begin());
    if (cid < min[g]) return std::nullopt;
    return g;
  }
};

// A decoded row group: its rows (sorted by cid) and an open-addressing hash
// table from CID to the first row with it, so a hot lookup touches a couple of
// cache lines instead of binary-searching scattered strings.
template <typename Row>
struct DecodedGroup {
  std::vector<Row> rows;
  // Open addressing: (first row + 1) in the low 32 bits, the number of rows
  // with that CID in the high 32; 0 = empty. Knowing the count means a hit
  // reads one CID string (to confirm) instead of one per row.
  std::vector<uint64_t> slots;
  uint64_t mask = 0;

  static uint64_t HashOf(std::string_view s) { return std::hash<std::string_view>{}(s); }

  explicit DecodedGroup(std::vector<Row> r) : rows(std::move(r)) {
    size_t cap = 16;
    while (cap < rows.size() * 2) cap <<= 1;
    slots.assign(cap, 0);
    mask = cap - 1;
    for (size_t i = 0; i < rows.size();) {
      size_t j = i + 1;
      while (j < rows.size() && rows[j].cid == rows[i].cid) ++j;
      uint64_t h = HashOf(rows[i].cid) & mask;
      while (slots[h] != 0) h = (h + 1) & mask;
      slots[h] = (static_cast<uint64_t>(j - i) << 32) | static_cast<uint64_t>(i + 1);
      i = j;
    }
  }

  // [first, last) rows with this CID (empty when absent).
  std::pair<size_t, size_t> Find(std::string_view cid) const {
    for (uint64_t h = HashOf(cid) & mask;; h = (h + 1) & mask) {
      uint64_t s = slots[h];
      if (s == 0) return {0, 0};
      size_t i = static_cast<size_t>(s & 0xffffffffu) - 1;
      if (rows[i].cid == cid) return {i, i + static_cast<size_t>(s >> 32)};
    }
  }
};

// A tiny cache of decoded row groups (least recently used goes first).
template <typename Row>
class GroupCache {
 public:
  using Ptr = std::shared_ptr<const DecodedGroup<Row>>;
  explicit GroupCache(size_t cap) : cap_(cap == 0 ? SIZE_MAX : cap) {}
  Ptr Get(size_t g) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(g);
    if (it == map_.end()) return nullptr;
    if (cap_ != SIZE_MAX) it->second.used = ++tick_;  // recency matters only when evicting
    return it->second.rows;
  }
  void Put(size_t g, Ptr rows) {
    std::lock_guard<std::mutex> lock(mu_);
    if (map_.size() >= cap_) {
      auto victim = std::min_element(map_.begin(), map_.end(), [](const auto& a, const auto& b) {
        return a.second.used < b.second.used;
      });
      map_.erase(victim);
    }
    map_[g] = Entry{std::move(rows), ++tick_};
  }

 private:
  struct Entry {
    Ptr rows;
    uint64_t used = 0;
  };
  size_t cap_;
  std::mutex mu_;
  uint64_t tick_ = 0;
  std::unordered_map<size_t, Entry> map_;
};

struct Snapshot {
  Manifest manifest;
  FileIndex pins, locations;
  std::vector<BackendRow> backends;
  std::unordered_map<std::string, size_t> backend_by_name;
  GroupCache<PinRow> pin_cache;
  GroupCache<LocationRow> loc_cache;
  explicit Snapshot(size_t cap) : pin_cache(cap), loc_cache(cap) {}
};

Result<std::shared_ptr<Snapshot>> LoadSnapshot(const std::string& dir, size_t cache) {
  Status last;
  // The writer may remove the files of an old generation between our reading
  // the manifest and opening them: read the manifest again and retry.
  for (int attempt = 0; attempt < 10; ++attempt) {
    ASSIGN_OR_RETURN(Manifest m, ReadManifest(dir));
    auto snap = std::make_shared<Snapshot>(cache);
    snap->manifest = m;
    Status s = snap->pins.Init(dir + "/" + m.pins);
    if (s.ok()) s = snap->locations.Init(dir + "/" + m.locations);
    std::unique_ptr<parquet::FileReader> b;
    if (s.ok()) {
      auto r = parquet::FileReader::Open(dir + "/" + m.backends);
      if (r.ok()) {
        auto rows = ReadBackends(**r);
        if (rows.ok()) {
          snap->backends = std::move(rows).value();
        } else {
          s = rows.status();
        }
      } else {
        s = r.status();
      }
    }
    if (s.ok()) {
      for (size_t i = 0; i < snap->backends.size(); ++i) snap->backend_by_name[snap->backends[i].name] = i;
      return snap;
    }
    last = s;
    if (s.code() != StatusCode::kIOError) break;  // corrupt, not vanished
    std::this_thread::sleep_for(std::chrono::milliseconds(1 << std::min(attempt, 5)));
  }
  return last;
}

bool Healthy(const std::shared_ptr<const BackendRow>& b) { return b && b->state == "healthy"; }

}  // namespace

struct RouteReader::Impl {
  std::string dir;
  Options options;
  std::mutex mu;  // guards `current` and `next_check`
  std::shared_ptr<Snapshot> current;
  std::chrono::steady_clock::time_point next_check;
  std::mutex reload_mu;

  std::shared_ptr<Snapshot> Current() {
    auto now = std::chrono::steady_clock::now();
    std::shared_ptr<Snapshot> snap;
    bool check = false;
    {
      std::lock_guard<std::mutex> lock(mu);
      snap = current;
      if (now >= next_check) {
        next_check = now + std::chrono::milliseconds(options.recheck_ms);
        check = true;
      }
    }
    if (!check) return snap;
    MaybeReload(snap);
    std::lock_guard<std::mutex> lock(mu);
    return current;
  }

  void MaybeReload(const std::shared_ptr<Snapshot>& snap) {
    std::unique_lock<std::mutex> reload(reload_mu, std::try_to_lock);
    if (!reload.owns_lock()) return;  // someone else is reloading
    auto m = ReadManifest(dir);
    if (!m.ok() || m->generation == snap->manifest.generation) return;
    auto fresh = LoadSnapshot(dir, options.cached_groups);
    if (!fresh.ok()) return;  // keep serving the generation we have
    std::lock_guard<std::mutex> lock(mu);
    if ((*fresh)->manifest.generation > current->manifest.generation) current = *fresh;
  }
};

RouteReader::RouteReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RouteReader::~RouteReader() = default;

Result<std::unique_ptr<RouteReader>> RouteReader::Open(const std::string& index_dir,
                                                       Options options) {
  auto impl = std::make_unique<Impl>();
  impl->dir = index_dir;
  impl->options = options;
  ASSIGN_OR_RETURN(impl->current, LoadSnapshot(index_dir, options.cached_groups));
  impl->next_check = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.recheck_ms);
  return std::unique_ptr<RouteReader>(new RouteReader(std::move(impl)));
}

uint64_t RouteReader::generation() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->current->manifest.generation;
}

namespace {

template <typename Row, typename ReadFn>
Result<typename GroupCache<Row>::Ptr> Group(const FileIndex& f, GroupCache<Row>& cache,
                                            const std::string& cid, ReadFn read) {
  using Ptr = typename GroupCache<Row>::Ptr;
  auto g = f.GroupFor(cid);
  if (!g) return Ptr();
  if (auto rows = cache.Get(*g)) return rows;
  // Not decoded yet: the bloom filter can save decoding the group.
  ASSIGN_OR_RETURN(bool maybe, f.reader->BloomMayContain(*g, 0, AsBytes(cid)));
  if (!maybe) return Ptr();
  ASSIGN_OR_RETURN(auto rows, read(*f.reader, *g));
  auto shared = std::make_shared<const DecodedGroup<Row>>(std::move(rows));
  cache.Put(*g, shared);
  return Ptr(shared);
}

}  // namespace

Result<std::vector<Route>> RouteReader::Lookup(const std::string& cid) {
  auto snap = impl_->Current();
  ASSIGN_OR_RETURN(auto group, Group<LocationRow>(snap->locations, snap->loc_cache, cid, ReadLocations));
  std::vector<Route> out;
  if (!group) return out;
  auto [first, last] = group->Find(cid);
  auto lo = group->rows.begin() + first, hi = group->rows.begin() + last;
  out.reserve(hi - lo);
  for (auto it = lo; it != hi; ++it) {
    Route r;
    // Every row here has this CID: take it from the query rather than
    // touching each row's own copy (one less cache miss per location).
    r.location.cid = cid;
    r.location.backend = it->backend;
    r.location.state = it->state;
    r.location.size_bytes = it->size_bytes;
    r.location.verified_at_ms = it->verified_at_ms;
    auto b = snap->backend_by_name.find(it->backend);
    if (b != snap->backend_by_name.end()) {
      r.backend = std::shared_ptr<const BackendRow>(snap, &snap->backends[b->second]);
    }
    out.push_back(std::move(r));
  }
  auto better = [](const Route& a, const Route& b) {
    // A location that holds the content comes before failed or pending ones.
    bool pa_ok = a.location.state == "pinned", pb_ok = b.location.state == "pinned";
    if (pa_ok != pb_ok) return pa_ok;
    bool ha = Healthy(a.backend), hb = Healthy(b.backend);
    if (ha != hb) return ha;
    double la = a.backend ? a.backend->latency_ms_p50 : 1e300;
    double lb = b.backend ? b.backend->latency_ms_p50 : 1e300;
    if (la != lb) return la < lb;
    int pa = a.backend ? a.backend->priority : INT32_MIN, pb = b.backend ? b.backend->priority : INT32_MIN;
    return pa > pb;
  };
  // Insertion sort: a CID has a handful of locations, and unlike
  // std::stable_sort this allocates nothing (this is the hot path).
  for (size_t i = 1; i < out.size(); ++i) {
    for (size_t j = i; j > 0 && better(out[j], out[j - 1]); --j) std::swap(out[j], out[j - 1]);
  }
  return out;
}

Result<std::optional<PinRow>> RouteReader::GetPin(const std::string& cid) {
  auto snap = impl_->Current();
  ASSIGN_OR_RETURN(auto group, Group<PinRow>(snap->pins, snap->pin_cache, cid, ReadPins));
  if (!group) return std::optional<PinRow>();
  auto [first, last] = group->Find(cid);
  if (first == last) return std::optional<PinRow>();
  return std::optional<PinRow>(group->rows[first]);
}

Result<std::vector<BackendRow>> RouteReader::Suggest(int64_t size, size_t n) {
  auto snap = impl_->Current();
  std::vector<BackendRow> out;
  for (const auto& b : snap->backends) {
    if (b.state == "healthy" && b.bytes_free >= size) out.push_back(b);
  }
  std::stable_sort(out.begin(), out.end(), [](const BackendRow& a, const BackendRow& b) {
    if (a.pin_count != b.pin_count) return a.pin_count < b.pin_count;
    if (a.bytes_used != b.bytes_used) return a.bytes_used < b.bytes_used;
    return a.priority > b.priority;
  });
  if (out.size() > n) out.resize(n);
  return out;
}

Result<std::vector<BackendStats>> RouteReader::Stats() {
  auto snap = impl_->Current();
  std::vector<BackendStats> out;
  for (const auto& b : snap->backends) out.push_back(BackendStats{b, b.pin_count, b.bytes_used});
  return out;
}

}  // namespace ipfs_kit::routing
