// RouteReader: point lookups straight from the Parquet files. A lookup finds
// the one row group whose [min, max] CID statistics contain the CID (the
// files are sorted, so groups are disjoint), asks its bloom filter when the
// group is not decoded yet, and binary-searches the decoded group, which
// stays in a small cache. Newer generations are picked up by swapping an
// immutable snapshot; lookups in flight keep the old one (its files stay
// mapped even after the writer removes them).
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
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
// table over its distinct CIDs. The CIDs are also kept contiguous in one
// buffer, and each slot carries what a probe needs (a hash fingerprint, where
// the CID's bytes are, its first row and row count), so a hot lookup touches
// one slot, the CID's bytes and then the rows themselves.
template <typename Row>
struct DecodedGroup {
  struct Slot {
    uint32_t fingerprint = 0;  // high bits of the hash
    uint32_t key_offset = 0;   // into `keys`
    uint32_t first_row = 0;
    uint16_t key_size = 0;
    uint16_t rows = 0;  // 0 = empty slot; a CID has at most 65535 rows in a group
  };
  std::vector<Row> rows;
  // Location groups: each row's backend as an index into the snapshot's
  // backends (-1: not in the index), resolved once when the group is decoded.
  std::vector<int32_t> backend_of_row;
  std::string keys;
  std::vector<Slot> slots;
  uint64_t mask = 0;
  bool ok = true;  // false: a CID too long or too many rows for the compact slot

  static uint64_t HashOf(std::string_view s) { return std::hash<std::string_view>{}(s); }

  // `cid_of(row)` gives a row's CID.
  template <typename CidOf>
  DecodedGroup(std::vector<Row> r, CidOf cid_of) : rows(std::move(r)) {
    size_t distinct = 0, bytes = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i == 0 || cid_of(rows[i]) != cid_of(rows[i - 1])) {
        ++distinct;
        bytes += cid_of(rows[i]).size();
      }
    }
    size_t cap = 16;
    while (cap < distinct * 2) cap <<= 1;  // load factor <= 1/2
    slots.assign(cap, Slot{});
    mask = cap - 1;
    keys.reserve(bytes);
    for (size_t i = 0; i < rows.size();) {
      std::string_view cid = cid_of(rows[i]);
      size_t j = i + 1;
      while (j < rows.size() && cid_of(rows[j]) == cid) ++j;
      if (cid.size() > UINT16_MAX || j - i > UINT16_MAX || keys.size() + cid.size() > UINT32_MAX) {
        ok = false;
        return;
      }
      uint64_t hash = HashOf(cid);
      uint64_t h = hash & mask;
      while (slots[h].rows != 0) h = (h + 1) & mask;
      slots[h] = Slot{static_cast<uint32_t>(hash >> 32), static_cast<uint32_t>(keys.size()),
                      static_cast<uint32_t>(i), static_cast<uint16_t>(cid.size()),
                      static_cast<uint16_t>(j - i)};
      keys.append(cid);
      i = j;
    }
  }

  // [first, last) rows with this CID (empty when absent).
  std::pair<size_t, size_t> Find(std::string_view cid) const {
    uint64_t hash = HashOf(cid);
    uint32_t fp = static_cast<uint32_t>(hash >> 32);
    for (uint64_t h = hash & mask;; h = (h + 1) & mask) {
      const Slot& s = slots[h];
      if (s.rows == 0) return {0, 0};
      if (s.fingerprint == fp && s.key_size == cid.size() &&
          std::memcmp(keys.data() + s.key_offset, cid.data(), cid.size()) == 0) {
        return {s.first_row, s.first_row + s.rows};
      }
    }
  }
};

// Decoded row groups of one file. Unlimited (the default for long-lived
// readers): a group, once decoded, stays until the snapshot goes, so lookups
// read it through an atomic pointer without locking. Limited: least recently
// used goes first, and a lookup keeps its group alive with a shared_ptr.
template <typename Row>
class GroupCache {
 public:
  using Group = DecodedGroup<Row>;
  using Ptr = std::shared_ptr<const Group>;
  struct Handle {
    const Group* group = nullptr;
    Ptr keep;  // set when the cache may evict
  };
  GroupCache(size_t cap, size_t groups) : cap_(cap == 0 ? SIZE_MAX : cap), fast_(groups) {}
  Handle Get(size_t g) {
    if (cap_ == SIZE_MAX) return Handle{fast_[g].load(std::memory_order_acquire), nullptr};
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(g);
    if (it == map_.end()) return Handle{};
    it->second.used = ++tick_;
    return Handle{it->second.rows.get(), it->second.rows};
  }
  Handle Put(size_t g, Ptr rows) {
    std::lock_guard<std::mutex> lock(mu_);
    if (cap_ == SIZE_MAX) {
      // Two threads may decode the same group at once: the first one stays.
      if (const Group* have = fast_[g].load(std::memory_order_acquire)) return Handle{have, nullptr};
      owned_.push_back(rows);
      fast_[g].store(rows.get(), std::memory_order_release);
      return Handle{rows.get(), nullptr};
    }
    if (map_.size() >= cap_) {
      auto victim = std::min_element(map_.begin(), map_.end(), [](const auto& a, const auto& b) {
        return a.second.used < b.second.used;
      });
      map_.erase(victim);
    }
    map_[g] = Entry{rows, ++tick_};
    return Handle{rows.get(), rows};
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
  std::vector<std::atomic<const Group*>> fast_;
  std::vector<Ptr> owned_;
};

struct Snapshot {
  Manifest manifest;
  FileIndex pins, locations;
  std::vector<BackendRow> backends;
  std::unordered_map<std::string, size_t> backend_by_name;
  std::unique_ptr<GroupCache<PinRow>> pin_cache;
  std::unique_ptr<GroupCache<LocationRow>> loc_cache;
};

Result<std::shared_ptr<Snapshot>> LoadSnapshot(const std::string& dir, size_t cache) {
  Status last;
  // The writer may remove the files of an old generation between our reading
  // the manifest and opening them: read the manifest again and retry.
  for (int attempt = 0; attempt < 10; ++attempt) {
    ASSIGN_OR_RETURN(Manifest m, ReadManifest(dir));
    auto snap = std::make_shared<Snapshot>();
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
      snap->pin_cache = std::make_unique<GroupCache<PinRow>>(cache, snap->pins.reader->num_row_groups());
      snap->loc_cache =
          std::make_unique<GroupCache<LocationRow>>(cache, snap->locations.reader->num_row_groups());
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

// The decoded group of `f` that may hold `cid` (an empty handle when none
// can). `decode(reader, g)` returns the group's DecodedGroup.
template <typename Row, typename DecodeFn>
Result<typename GroupCache<Row>::Handle> Group(const FileIndex& f, GroupCache<Row>& cache,
                                               const std::string& cid, DecodeFn decode) {
  using Handle = typename GroupCache<Row>::Handle;
  auto g = f.GroupFor(cid);
  if (!g) return Handle{};
  if (auto h = cache.Get(*g); h.group) return h;
  // Not decoded yet: the bloom filter can save decoding the group.
  ASSIGN_OR_RETURN(bool maybe, f.reader->BloomMayContain(*g, 0, AsBytes(cid)));
  if (!maybe) return Handle{};
  ASSIGN_OR_RETURN(std::shared_ptr<DecodedGroup<Row>> group, decode(*f.reader, *g));
  if (!group->ok) {
    return Status::Corruption(f.reader->path() + ": row group " + std::to_string(*g) +
                              " has a CID longer than 65535 bytes or with more than 65535 rows");
  }
  return cache.Put(*g, std::move(group));
}

}  // namespace

Result<std::vector<Route>> RouteReader::Lookup(const std::string& cid) {
  auto snap = impl_->Current();
  auto decode = [&snap](const parquet::FileReader& f, size_t g) -> Result<std::shared_ptr<DecodedGroup<LocationRow>>> {
    ASSIGN_OR_RETURN(auto rows, ReadLocations(f, g));
    auto group = std::make_shared<DecodedGroup<LocationRow>>(
        std::move(rows), [](const LocationRow& r) -> std::string_view { return r.cid; });
    const auto& backends = snap->backends;
    group->backend_of_row.resize(group->rows.size(), -1);
    for (size_t i = 0; i < group->rows.size(); ++i) {
      // A handful of backends: a linear scan beats hashing the name.
      for (size_t k = 0; k < backends.size(); ++k) {
        if (backends[k].name == group->rows[i].backend) {
          group->backend_of_row[i] = static_cast<int32_t>(k);
          break;
        }
      }
    }
    return group;
  };
  ASSIGN_OR_RETURN(auto handle, Group<LocationRow>(snap->locations, *snap->loc_cache, cid, decode));
  std::vector<Route> out;
  if (!handle.group) return out;
  auto [first, last] = handle.group->Find(cid);
  out.resize(last - first);
  for (size_t i = first; i < last; ++i) {
    const LocationRow& row = handle.group->rows[i];
    Route& r = out[i - first];
    // Every row here has this CID: take it from the query rather than
    // touching each row's own copy (one less cache miss per location).
    r.location.cid = cid;
    r.location.backend = row.backend;
    r.location.state = row.state;
    r.location.size_bytes = row.size_bytes;
    r.location.verified_at_ms = row.verified_at_ms;
    int32_t b = handle.group->backend_of_row[i];
    if (b >= 0) r.backend = std::shared_ptr<const BackendRow>(snap, &snap->backends[b]);
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
  auto decode = [](const parquet::FileReader& f, size_t g) -> Result<std::shared_ptr<DecodedGroup<PinRow>>> {
    ASSIGN_OR_RETURN(auto rows, ReadPins(f, g));
    return std::make_shared<DecodedGroup<PinRow>>(std::move(rows),
                                                  [](const PinRow& r) -> std::string_view { return r.cid; });
  };
  ASSIGN_OR_RETURN(auto handle, Group<PinRow>(snap->pins, *snap->pin_cache, cid, decode));
  if (!handle.group) return std::optional<PinRow>();
  auto [first, last] = handle.group->Find(cid);
  if (first == last) return std::optional<PinRow>();
  return std::optional<PinRow>(handle.group->rows[first]);
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
