#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "ipfs_kit/routing/index.h"

namespace ipfs_kit::routing {
namespace {

std::string TempDir(const std::string& name) {
  std::string d = "/tmp/ipfs-kit-routing-" + std::to_string(::getpid()) + "-" + name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

BackendRow Backend(const std::string& name, const std::string& state, double p50, int prio,
                   int64_t free_bytes, int64_t pins) {
  BackendRow b;
  b.name = name;
  b.type = "s3";
  b.state = state;
  b.latency_ms_p50 = p50;
  b.priority = prio;
  b.bytes_free = free_bytes;
  b.pin_count = pins;
  return b;
}

TEST(Routing, LookupOrdersBestFirstAndSuggestFilters) {
  std::string dir = TempDir("basic");
  std::vector<BackendRow> backends = {
      Backend("slow", "healthy", 50, 1, 1000, 5), Backend("fast", "healthy", 5, 0, 10, 1),
      Backend("down", "unhealthy", 1, 9, 1 << 30, 0), Backend("big", "healthy", 5, 3, 1 << 30, 1)};
  std::vector<PinRow> pins;
  std::vector<LocationRow> locs;
  for (int i = 0; i < 1000; ++i) {
    PinRow p;
    p.cid = "bafy" + std::to_string(100000 + i);
    p.size_bytes = i;
    pins.push_back(p);
    for (const char* b : {"slow", "fast", "down", "big"})
      locs.push_back({p.cid, b, "pinned", i, std::nullopt});
  }
  IndexWriterOptions o;
  o.rows_per_group = 64;  // many row groups, each holding whole CIDs
  IndexWriter w(dir, o);
  auto gen = w.Publish(pins, locs, backends);
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  EXPECT_EQ(*gen, 1u);
  auto r = RouteReader::Open(dir + "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (int i : {0, 1, 17, 500, 999}) {
    auto routes = (*r)->Lookup("bafy" + std::to_string(100000 + i));
    ASSERT_TRUE(routes.ok()) << routes.status().ToString();
    ASSERT_EQ(routes->size(), 4u);
    // healthy first, then latency, then priority: big (5ms, prio 3), fast (5ms, prio 0), slow, down
    EXPECT_EQ((*routes)[0].location.backend, "big");
    EXPECT_EQ((*routes)[1].location.backend, "fast");
    EXPECT_EQ((*routes)[2].location.backend, "slow");
    EXPECT_EQ((*routes)[3].location.backend, "down");
    auto pin = (*r)->GetPin("bafy" + std::to_string(100000 + i));
    ASSERT_TRUE(pin.ok());
    ASSERT_TRUE(pin->has_value());
    EXPECT_EQ((*pin)->size_bytes, i);
  }
  for (const char* absent : {"bafy0", "bafy100500x", "zzz", ""}) {
    auto routes = (*r)->Lookup(absent);
    ASSERT_TRUE(routes.ok());
    EXPECT_TRUE(routes->empty()) << absent;
  }
  auto s = (*r)->Suggest(100, 10);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 2u);  // "fast" lacks space, "down" is unhealthy
  EXPECT_EQ((*s)[0].name, "big");
  EXPECT_EQ((*s)[1].name, "slow");
  auto st = (*r)->Stats();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->size(), 4u);
  std::filesystem::remove_all(dir);
}

TEST(Routing, ReaderPicksUpNewGenerationsAndOldOnesAreRemoved) {
  std::string dir = TempDir("gens");
  ASSERT_TRUE(GenerateSyntheticIndex(dir, 200, 3, 5, 1).ok());
  RouteReader::Options ro;
  ro.recheck_ms = 0;
  auto r = RouteReader::Open(dir, ro);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->generation(), 1u);
  for (uint32_t g = 2; g <= 6; ++g) ASSERT_TRUE(GenerateSyntheticIndex(dir, 200, 3, 5, g).ok());
  (void)(*r)->Suggest(0, 1);
  EXPECT_EQ((*r)->generation(), 6u);
  size_t files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir))
    files += e.path().extension() == ".parquet";
  EXPECT_EQ(files, 9u);  // generations 4, 5, 6
  std::filesystem::remove_all(dir);
}

// A writer publishes generations in a tight loop while reader processes look
// CIDs up: each lookup must see one whole generation (every location of the
// CID carries the same generation stamp, the one the pin row has too when
// read from the same snapshot), and no lookup may fail.
TEST(Routing, ConcurrentPublishAndLookupSeeWholeGenerations) {
  std::string dir = TempDir("concurrent");
  const int kPins = 300;
  auto publish = [&](int64_t gen) {
    std::vector<PinRow> pins;
    std::vector<LocationRow> locs;
    std::vector<BackendRow> backends = {Backend("a", "healthy", 1, 0, 1, 0),
                                        Backend("b", "healthy", 2, 0, 1, 0)};
    for (int i = 0; i < kPins; ++i) {
      PinRow p;
      p.cid = "bafy" + std::to_string(1000 + i);
      p.size_bytes = gen;
      pins.push_back(p);
      // The number of locations changes with the generation too.
      for (int k = 0; k < 1 + gen % 2; ++k)
        locs.push_back({p.cid, k ? "b" : "a", "pinned", gen, std::nullopt});
    }
    IndexWriterOptions o;
    o.rows_per_group = 50;
    o.keep_generations = 1;
    return IndexWriter(dir, o).Publish(pins, locs, backends);
  };
  ASSERT_TRUE(publish(1).ok());
  const int kReaders = 3;
  std::vector<pid_t> readers;
  for (int rdr = 0; rdr < kReaders; ++rdr) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int bad = 0;
      RouteReader::Options ro;
      ro.recheck_ms = 0;  // check for a new generation on every lookup
      ro.cached_groups = 2;
      auto r = RouteReader::Open(dir, ro);
      if (!r.ok()) ::_exit(10);
      auto stop = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      uint64_t seen = 0, first = 0;
      for (int i = 0; std::chrono::steady_clock::now() < stop; ++i) {
        auto routes = (*r)->Lookup("bafy" + std::to_string(1000 + (i * 7 + rdr) % kPins));
        if (!routes.ok() || routes->empty()) {
          ++bad;
          continue;
        }
        int64_t gen = (*routes)[0].location.size_bytes;
        if (routes->size() != static_cast<size_t>(1 + gen % 2)) ++bad;
        for (const auto& x : *routes) bad += x.location.size_bytes != gen;
        if (static_cast<uint64_t>(gen) < seen) ++bad;  // never goes back in time
        seen = static_cast<uint64_t>(gen);
        if (first == 0) first = seen;
        // Also reopen from scratch now and then: a fresh reader must always
        // find a complete generation even while files are being replaced.
        if (i % 50 == 0) {
          auto fresh = RouteReader::Open(dir, ro);
          if (!fresh.ok()) ++bad;
        }
      }
      // The test is only meaningful if this reader saw generations change.
      if (bad == 0 && seen == first) ::_exit(3);
      ::_exit(bad == 0 ? 0 : 1);
    }
    readers.push_back(pid);
  }
  int published = 1;
  auto stop = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < stop) {
    ASSERT_TRUE(publish(++published).ok());
  }
  for (pid_t pid : readers) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "a reader saw a mixed generation or an error";
  }
  EXPECT_GT(published, 5);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ipfs_kit::routing

namespace ipfs_kit::routing {
namespace {

// PublishSorted pulls small batches; row groups of 4 rows; one CID with 6
// locations straddles the cut and must land in one group.
TEST(Routing, StreamedPublishKeepsACidInOneGroupAndRefusesUnsortedRows) {
  std::string dir = TempDir("stream");
  std::vector<LocationRow> locs;
  std::vector<PinRow> pins;
  for (int i = 0; i < 10; ++i) {
    std::string cid = "cid" + std::to_string(100 + i);
    PinRow p;
    p.cid = cid;
    pins.push_back(p);
    int n = i == 1 ? 6 : 1;
    for (int k = 0; k < n; ++k) {
      LocationRow l;
      l.cid = cid;
      l.backend = "b" + std::to_string(k);
      locs.push_back(l);
    }
  }
  auto batches = [](const auto& rows) {
    return [&rows, pos = size_t{0}](auto* out) mutable -> Result<bool> {
      for (size_t k = 0; k < 3 && pos < rows.size(); ++k) out->push_back(rows[pos++]);
      return pos < rows.size();
    };
  };
  IndexWriterOptions o;
  o.rows_per_group = 4;
  IndexWriter w(dir, o);
  auto gen = w.PublishSorted(batches(pins), batches(locs), {});
  ASSERT_TRUE(gen.ok()) << gen.status().ToString();
  auto reader = RouteReader::Open(dir);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto routes = (*reader)->Lookup("cid101");
  ASSERT_TRUE(routes.ok());
  EXPECT_EQ(routes->size(), 6u);
  for (int i = 0; i < 10; ++i) {
    auto r = (*reader)->Lookup("cid" + std::to_string(100 + i));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->size(), i == 1 ? 6u : 1u) << i;
    auto p = (*reader)->GetPin("cid" + std::to_string(100 + i));
    ASSERT_TRUE(p.ok() && p->has_value()) << i;
  }
  std::swap(locs[0], locs[8]);
  auto bad = w.PublishSorted(batches(pins), batches(locs), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("not sorted"), std::string::npos)
      << bad.status().ToString();
  EXPECT_EQ((*reader)->generation(), *gen);  // nothing published
}

}  // namespace
}  // namespace ipfs_kit::routing
