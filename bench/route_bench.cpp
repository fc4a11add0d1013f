// Routing index benchmark (issue: routing index; DESIGN §10). Driven by bench/route_bench.sh,
// which adds the same-run references (DuckDB on the same files) and prints the table.
//
//   route_bench --dir INDEX_DIR [--pins N] [--locations-per-pin K] [--backends B]
//               [--lookups M] [--absent A] [--seed S] [--opens R] [--cached-groups G]
//               [--skip-write]
//     Writes a synthetic index with GenerateSyntheticIndex (timed, in a child process), opens it with
//     RouteReader::Open (timed, then R more opens for a median), times the first lookup after
//     the first open, then M hot lookups of random existing CIDs (the CID list is read from
//     the pins Parquet file with ipfs_kit::parquet::FileReader outside the timed region), M hot
//     GetPin calls and A lookups of absent CIDs. Prints `key value` lines.
//
//   route_bench --time-process RUNS [--warmup W] -- CMD ARGS...
//     Runs CMD RUNS times as a fresh process each time (posix_spawnp, stdout and stderr to
//     /dev/null) and prints the wall time of each whole process (spawn to exit) as `key value`
//     lines: proc_first_ms (the first run after the warmups), proc_min_ms, proc_p50_ms,
//     proc_mean_ms, proc_p90_ms. Fails if any run exits non-zero.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "ipfs_kit/parquet/file_reader.h"
#include "ipfs_kit/routing/index.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double Us(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }
double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "route_bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Check(ipfs_kit::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

// Percentile (nearest rank) of a sorted vector.
double Pct(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()));
  return sorted[std::min(i, sorted.size() - 1)];
}

double Mean(const std::vector<double>& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

void Put(const char* key, double v) { std::printf("%s %.3f\n", key, v); }
void PutInt(const char* key, long long v) { std::printf("%s %lld\n", key, v); }

void PutDist(const std::string& prefix, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  Put((prefix + "_p50_us").c_str(), Pct(v, 50));
  Put((prefix + "_p99_us").c_str(), Pct(v, 99));
  Put((prefix + "_mean_us").c_str(), Mean(v));
  Put((prefix + "_max_us").c_str(), v.empty() ? 0 : v.back());
}

long long FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
}

double PeakRssMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

// ---------------------------------------------------------------- --time-process

int TimeProcess(int runs, int warmup, char** argv) {
  if (runs < 1) Die("--time-process needs RUNS >= 1");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<double> ms;
  for (int i = 0; i < warmup + runs; ++i) {
    auto t0 = Clock::now();
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv, environ);
    if (rc != 0) Die(std::string("spawn ") + argv[0] + ": " + std::strerror(rc));
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) Die("waitpid failed");
    auto t1 = Clock::now();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      Die(std::string(argv[0]) + " exited with status " + std::to_string(WEXITSTATUS(status)));
    }
    if (i >= warmup) ms.push_back(Ms(t1 - t0));
  }
  posix_spawn_file_actions_destroy(&fa);
  double first = ms.front();
  std::sort(ms.begin(), ms.end());
  PutInt("proc_runs", runs);
  Put("proc_first_ms", first);
  Put("proc_min_ms", ms.front());
  Put("proc_p50_ms", Pct(ms, 50));
  Put("proc_mean_ms", Mean(ms));
  Put("proc_p90_ms", Pct(ms, 90));
  return 0;
}

// ---------------------------------------------------------------- index benchmark

struct Args {
  std::string dir;
  size_t pins = 1000000;
  size_t locations_per_pin = 3;
  size_t backends = 8;
  size_t lookups = 100000;
  size_t absent = 10000;
  uint32_t seed = 1;
  int opens = 5;
  size_t cached_groups = 0;  // 0: the reader's default
  bool skip_write = false;
};

std::vector<std::string> ReadCids(const std::string& pins_path) {
  namespace pq = ipfs_kit::parquet;
  auto file = Check(pq::FileReader::Open(pins_path), "open pins file");
  auto col = file->schema().Find("cid");
  if (!col) Die(pins_path + ": no cid column");
  std::vector<std::string> cids;
  cids.reserve(static_cast<size_t>(file->num_rows()));
  for (size_t rg = 0; rg < file->num_row_groups(); ++rg) {
    auto values = Check(file->ReadColumn(rg, *col), "read cid column");
    for (auto& s : values.bytes) cids.push_back(std::move(s));
  }
  return cids;
}

int RunIndexBench(const Args& a) {
  namespace rt = ipfs_kit::routing;
  std::printf("pins %zu\nlocations_per_pin %zu\nbackends %zu\n", a.pins, a.locations_per_pin,
              a.backends);

  if (!a.skip_write) {
    // The write runs in a child process: a reader opens the index in another process (the
    // daemon writes it), and freeing the writer's ~1 GB of small rows would otherwise be
    // charged to the first open here (malloc_consolidate on the next large allocation).
    std::error_code ec;
    std::filesystem::create_directories(a.dir, ec);
    if (ec) Die("cannot create " + a.dir + ": " + ec.message());
    std::fflush(stdout);
    int fds[2];
    if (pipe(fds) != 0) Die("pipe failed");
    auto t0 = Clock::now();
    pid_t pid = fork();
    if (pid < 0) Die("fork failed");
    if (pid == 0) {
      close(fds[0]);
      auto gen = rt::GenerateSyntheticIndex(a.dir, a.pins, a.locations_per_pin, a.backends, a.seed);
      if (!gen.ok()) {
        std::fprintf(stderr, "route_bench: GenerateSyntheticIndex: %s\n",
                     gen.status().ToString().c_str());
        _exit(1);
      }
      auto t1 = Clock::now();  // before the rows are freed at exit
      char buf[128];
      int n = std::snprintf(buf, sizeof buf, "%llu %.3f %.3f\n",
                            static_cast<unsigned long long>(*gen), Ms(t1 - t0), PeakRssMiB());
      if (write(fds[1], buf, static_cast<size_t>(n)) != n) _exit(1);
      _exit(0);
    }
    close(fds[1]);
    char buf[128] = {};
    ssize_t got = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) Die("the writer failed");
    unsigned long long gen = 0;
    double write_ms = 0, rss = 0;
    if (std::sscanf(buf, "%llu %lf %lf", &gen, &write_ms, &rss) != 3) Die("bad writer report");
    PutInt("write_generation", static_cast<long long>(gen));
    Put("write_ms", write_ms);
    Put("write_peak_rss_mib", rss);
  }

  rt::RouteReader::Options ro;
  if (a.cached_groups) ro.cached_groups = a.cached_groups;

  // First open (files are in the page cache: the writer just wrote them, or the script ran
  // before), then the first lookup on it: "open and load".
  auto t0 = Clock::now();
  auto reader = Check(rt::RouteReader::Open(a.dir, ro), "RouteReader::Open");
  auto t1 = Clock::now();
  Put("open_first_ms", Ms(t1 - t0));

  uint64_t gen = reader->generation();
  std::string pins_path = a.dir + "/pins-" + std::to_string(gen) + ".parquet";
  std::string locs_path = a.dir + "/locations-" + std::to_string(gen) + ".parquet";
  std::string backs_path = a.dir + "/backends-" + std::to_string(gen) + ".parquet";
  PutInt("generation", static_cast<long long>(gen));
  PutInt("pins_file_bytes", FileSize(pins_path));
  PutInt("locations_file_bytes", FileSize(locs_path));
  PutInt("backends_file_bytes", FileSize(backs_path));
  std::printf("pins_file %s\nlocations_file %s\n", pins_path.c_str(), locs_path.c_str());

  // Outside any timed region: the CIDs to look up.
  std::vector<std::string> cids = ReadCids(pins_path);
  if (cids.empty()) Die("no pins in " + pins_path);
  PutInt("pins_read", static_cast<long long>(cids.size()));
  std::mt19937_64 rng(a.seed * 7919ULL + 17);
  std::uniform_int_distribution<size_t> pick(0, cids.size() - 1);
  std::vector<size_t> order(a.lookups);
  for (auto& i : order) i = pick(rng);
  // A CID for the shell script's process and DuckDB rows (also looked up first here).
  const std::string& sample = cids[pick(rng)];
  std::printf("sample_cid %s\n", sample.c_str());

  auto t2 = Clock::now();
  auto first = Check(reader->Lookup(sample), "first Lookup");
  auto t3 = Clock::now();
  Put("first_lookup_ms", Ms(t3 - t2));
  Put("open_and_first_lookup_ms", Ms(t1 - t0) + Ms(t3 - t2));
  PutInt("sample_routes", static_cast<long long>(first.size()));

  // More opens, for a median that is less at the mercy of the shared machine.
  {
    std::vector<double> ms;
    for (int i = 0; i < a.opens; ++i) {
      auto s = Clock::now();
      auto r = Check(rt::RouteReader::Open(a.dir, ro), "RouteReader::Open");
      auto e = Clock::now();
      ms.push_back(Ms(e - s));
    }
    std::sort(ms.begin(), ms.end());
    if (!ms.empty()) {
      Put("open_min_ms", ms.front());
      Put("open_p50_ms", Pct(ms, 50));
    }
    std::vector<double> ol;
    for (int i = 0; i < a.opens; ++i) {
      const std::string& c = cids[pick(rng)];
      auto s = Clock::now();
      auto r = Check(rt::RouteReader::Open(a.dir, ro), "RouteReader::Open");
      auto routes = Check(r->Lookup(c), "Lookup");
      auto e = Clock::now();
      ol.push_back(Ms(e - s));
    }
    std::sort(ol.begin(), ol.end());
    if (!ol.empty()) {
      Put("open_and_lookup_min_ms", ol.front());
      Put("open_and_lookup_p50_ms", Pct(ol, 50));
    }
  }

  // Hot lookups: one pass to warm whatever the reader caches, then the timed pass.
  size_t empty = 0, routes_total = 0;
  std::vector<double> us;
  us.reserve(order.size());
  for (int pass = 0; pass < 2; ++pass) {
    us.clear();
    empty = routes_total = 0;
    auto all0 = Clock::now();
    for (size_t i : order) {
      auto s = Clock::now();
      auto r = reader->Lookup(cids[i]);
      auto e = Clock::now();
      if (!r.ok()) Die("Lookup: " + r.status().ToString());
      if (r->empty()) ++empty;
      routes_total += r->size();
      us.push_back(Us(e - s));
    }
    auto all1 = Clock::now();
    if (pass == 1) {
      Put("lookup_total_ms", Ms(all1 - all0));
      Put("lookups_per_s", static_cast<double>(order.size()) / (Ms(all1 - all0) / 1000.0));
    }
  }
  PutInt("lookups", static_cast<long long>(order.size()));
  PutInt("lookup_empty", static_cast<long long>(empty));
  Put("routes_per_lookup", order.empty() ? 0 : static_cast<double>(routes_total) / order.size());
  PutDist("lookup", us);

  // GetPin, same CIDs.
  us.clear();
  for (size_t i : order) {
    auto s = Clock::now();
    auto r = reader->GetPin(cids[i]);
    auto e = Clock::now();
    if (!r.ok()) Die("GetPin: " + r.status().ToString());
    if (!r->has_value()) Die("GetPin: pin missing: " + cids[i]);
    us.push_back(Us(e - s));
  }
  PutDist("getpin", us);

  // Absent CIDs: an existing CID with one character changed in the middle (inside the key
  // range: statistics cannot prune it, the bloom filter or the search must), and CIDs past the
  // last key (statistics prune them).
  us.clear();
  size_t found_absent = 0;
  std::vector<double> past;
  for (size_t k = 0; k < a.absent; ++k) {
    std::string c = cids[pick(rng)];
    size_t pos = c.size() / 2;
    c[pos] = c[pos] == 'a' ? 'b' : 'a';
    auto s = Clock::now();
    auto r = reader->Lookup(c);
    auto e = Clock::now();
    if (!r.ok()) Die("Lookup absent: " + r.status().ToString());
    if (!r->empty()) ++found_absent;  // a mutated CID that happens to exist
    us.push_back(Us(e - s));
    std::string z = "zz" + c;
    s = Clock::now();
    auto r2 = reader->Lookup(z);
    e = Clock::now();
    if (!r2.ok()) Die("Lookup absent: " + r2.status().ToString());
    past.push_back(Us(e - s));
  }
  PutInt("absent_lookups", static_cast<long long>(a.absent));
  PutInt("absent_found", static_cast<long long>(found_absent));
  PutDist("absent", us);
  PutDist("absent_past_end", past);

  // Suggest and Stats, once each (cold on this reader) and hot.
  {
    auto s = Clock::now();
    auto st = Check(reader->Stats(), "Stats");
    auto e = Clock::now();
    Put("stats_ms", Ms(e - s));
    s = Clock::now();
    auto sg = Check(reader->Suggest(1 << 20, 3), "Suggest");
    e = Clock::now();
    Put("suggest_ms", Ms(e - s));
  }
  Put("peak_rss_mib", PeakRssMiB());
  return 0;
}

size_t ParseSize(const char* flag, const char* v) {
  char* end = nullptr;
  unsigned long long x = std::strtoull(v, &end, 10);
  if (!v[0] || *end) Die(std::string(flag) + ": not a number: " + v);
  return static_cast<size_t>(x);
}

void Usage() {
  std::fprintf(stderr,
               "usage: route_bench --dir INDEX_DIR [--pins N] [--locations-per-pin K] "
               "[--backends B] [--lookups M] [--absent A] [--seed S] [--opens R] "
               "[--cached-groups G] [--skip-write]\n"
               "       route_bench --time-process RUNS [--warmup W] -- CMD ARGS...\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line as it is measured
  Args a;
  int time_runs = -1, warmup = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view f = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) Usage();
      return argv[++i];
    };
    if (f == "--") {
      if (time_runs < 0 || i + 1 >= argc) Usage();
      return TimeProcess(time_runs, warmup, argv + i + 1);
    } else if (f == "--time-process") {
      time_runs = static_cast<int>(ParseSize("--time-process", next()));
    } else if (f == "--warmup") {
      warmup = static_cast<int>(ParseSize("--warmup", next()));
    } else if (f == "--dir") {
      a.dir = next();
    } else if (f == "--pins") {
      a.pins = ParseSize("--pins", next());
    } else if (f == "--locations-per-pin") {
      a.locations_per_pin = ParseSize("--locations-per-pin", next());
    } else if (f == "--backends") {
      a.backends = ParseSize("--backends", next());
    } else if (f == "--lookups") {
      a.lookups = ParseSize("--lookups", next());
    } else if (f == "--absent") {
      a.absent = ParseSize("--absent", next());
    } else if (f == "--seed") {
      a.seed = static_cast<uint32_t>(ParseSize("--seed", next()));
    } else if (f == "--opens") {
      a.opens = static_cast<int>(ParseSize("--opens", next()));
    } else if (f == "--cached-groups") {
      a.cached_groups = ParseSize("--cached-groups", next());
    } else if (f == "--skip-write") {
      a.skip_write = true;
    } else {
      Usage();
    }
  }
  if (time_runs >= 0) Usage();  // --time-process without `-- CMD`
  if (a.dir.empty()) Usage();
  return RunIndexBench(a);
}
