// Helpers for the daemon benchmark (bench/daemon_bench.sh, DESIGN §10). Each mode prints
// `key value` lines; the script turns them into the table.
//
//   daemon_bench_tool cids --n N [--seed S]
//     N distinct CIDv1 raw sha2-256 CIDs (base32), one a line: the blocks do not exist anywhere,
//     so a daemon can only queue their pins.
//
//   daemon_bench_tool fill --db STATE_DB --pins N [--batch B] [--seed S]
//     Stores N pin requests (distinct raw CIDs, replication 1/1) through state::Store::AddPins,
//     B per call (one transaction each), each request with its own created_ms (1 ms apart, as if
//     they had arrived over time). Prints fill_ms and the store's counts.
//
//   daemon_bench_tool post --port P --token T --cids FILE [--conns C] [--seconds D | --once]
//     A keep-alive HTTP/1.1 load client (one thread, epoll, C connections): POST /pins
//     {"cid": ...} with the next CID of FILE on each connection as soon as the previous answer
//     came. With --seconds it stops *sending* after D seconds and waits for every answer still
//     due, so the 202s it counts are exactly the requests the daemon acknowledged; with --once
//     each CID of FILE is posted exactly once. Prints the answers by status, the rate of 202s
//     over the whole run (first send to last answer) and the answer latency.
//
//   daemon_bench_tool fsync --dir DIR [--seconds D]
//     The disk's durable-commit limit, the reference for durable pin submissions: appends of
//     4 KiB to a new file in DIR, each followed by fdatasync (what one SQLite WAL commit with
//     synchronous=FULL costs at least), for D seconds. Prints fsyncs_per_s.
//
//   daemon_bench_tool index-cids --index DIR --n N [--seed S]
//     N random CIDs of the index's pins file, one a line (for wrk's routing.lua).
//
//   daemon_bench_tool routes --index DIR --port P [--lookups M] [--seed S]
//     The same M random CIDs of the index (read from its pins file) looked up in-process with
//     RouteReader::Lookup (one warm pass, then a timed pass) and through the daemon with
//     GET /routing/{cid} on one keep-alive connection (warm pass, timed pass), then as many
//     GET /health on that connection (the HTTP round-trip floor). Prints the distributions.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "ipfs_kit/multiformats/cid.h"
#include "ipfs_kit/parquet/file_reader.h"
#include "ipfs_kit/routing/index.h"
#include "ipfs_kit/state/store.h"

namespace {

using Clock = std::chrono::steady_clock;

double Us(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }
double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "daemon_bench_tool: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Check(ipfs_kit::Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

double Pct(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()));
  return sorted[std::min(i, sorted.size() - 1)];
}

void Put(const std::string& key, double v) { std::printf("%s %.3f\n", key.c_str(), v); }
void PutInt(const std::string& key, long long v) { std::printf("%s %lld\n", key.c_str(), v); }

void PutDist(const std::string& prefix, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  double mean = v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  Put(prefix + "_p50_us", Pct(v, 50));
  Put(prefix + "_p90_us", Pct(v, 90));
  Put(prefix + "_p99_us", Pct(v, 99));
  Put(prefix + "_mean_us", mean);
}

std::string RawCid(uint32_t seed, size_t i) {
  std::string data = "ipfs-kit daemon bench " + std::to_string(seed) + " " + std::to_string(i);
  return ipfs_kit::multiformats::Cid::Sha256(1, ipfs_kit::multiformats::kCodecRaw,
                                             ipfs_kit::AsBytes(data))
      .ToString();
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// ---------------------------------------------------------------- cids, fill

int Cids(size_t n, uint32_t seed) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += RawCid(seed, i);
    out += '\n';
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int Fill(const std::string& db, size_t n, size_t batch, uint32_t seed) {
  namespace st = ipfs_kit::state;
  auto store = Check(st::Store::Open(db), "Store::Open");
  int64_t base = st::NowMs() - static_cast<int64_t>(n);
  auto t0 = Clock::now();
  for (size_t i = 0; i < n;) {
    std::vector<st::PinRecord> pins;
    size_t end = std::min(n, i + batch);
    pins.reserve(end - i);
    for (; i < end; ++i) {
      st::PinRecord p;
      p.cid = RawCid(seed, i);
      p.created_ms = base + static_cast<int64_t>(i);
      p.source = "bench";
      pins.push_back(std::move(p));
    }
    Check(store->AddPins(std::move(pins)), "AddPins");
  }
  auto t1 = Clock::now();
  auto c = Check(store->GetCounts(), "GetCounts");
  Put("fill_ms", Ms(t1 - t0));
  PutInt("fill_pins", c.pins);
  PutInt("fill_cids", c.cids);
  PutInt("fill_queued", c.queued);
  return 0;
}

// ---------------------------------------------------------------- HTTP

int Connect(int port, bool nonblocking) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) Die("socket failed");
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
    Die("connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
  }
  return fd;
}

// One response at the start of `buf`: its status and total length, or 0 while incomplete.
// The daemon answers with Content-Length (no chunked bodies).
size_t ParseResponse(const std::string& buf, int* status, bool* close) {
  size_t end = buf.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  if (buf.size() < 12 || buf.compare(0, 5, "HTTP/") != 0) Die("bad response: " + buf.substr(0, 80));
  *status = std::atoi(buf.c_str() + 9);
  size_t len = 0;
  *close = false;
  size_t pos = buf.find("\r\n") + 2;
  while (pos < end) {
    size_t eol = buf.find("\r\n", pos);
    std::string_view line(buf.data() + pos, eol - pos);
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (name == "content-length") len = std::strtoull(std::string(value).c_str(), nullptr, 10);
      if (name == "connection" && (value == "close" || value == "Close")) *close = true;
      if (name == "transfer-encoding") Die("chunked responses are not handled");
    }
    pos = eol + 2;
  }
  size_t total = end + 4 + len;
  return buf.size() >= total ? total : 0;
}

std::string PostPin(int port, const std::string& token, const std::string& cid) {
  std::string body = "{\"cid\":\"" + cid + "\"}";
  return "POST /pins HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

struct Conn {
  int fd = -1;
  std::string out;  // unsent bytes of the current request
  std::string in;
  bool busy = false;  // a request is out, its answer not read yet
  Clock::time_point sent;
};

int Post(int port, const std::string& token, const std::vector<std::string>& cids, int conns,
         double seconds, bool once) {
  if (cids.empty()) Die("no CIDs");
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<Conn> cs(static_cast<size_t>(conns));
  size_t next = 0;
  std::map<int, long long> by_status;
  std::vector<double> lat;
  long long sent = 0, answered = 0, reconnects = 0;
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  Clock::time_point last_answer = t0;
  bool sending = true;

  auto open = [&](size_t i) {
    cs[i].fd = Connect(port, true);
    cs[i].in.clear();
    epoll_event e{};
    e.events = EPOLLIN | EPOLLOUT;
    e.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &e);
  };
  auto want_out = [&](size_t i, bool out) {
    epoll_event e{};
    e.events = EPOLLIN | (out ? static_cast<uint32_t>(EPOLLOUT) : 0u);
    e.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_MOD, cs[i].fd, &e);
  };
  auto flush = [&](size_t i) {
    Conn& c = cs[i];
    while (!c.out.empty()) {
      ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINPROGRESS || errno == ENOTCONN) {
          want_out(i, true);
          return;
        }
        Die(std::string("send: ") + std::strerror(errno));
      }
      c.out.erase(0, static_cast<size_t>(n));
    }
    want_out(i, false);
  };
  auto start_next = [&](size_t i) {
    Conn& c = cs[i];
    if (!sending || c.busy) return;
    if (once ? next >= cids.size() : Clock::now() >= deadline) {
      sending = false;
      return;
    }
    c.out = PostPin(port, token, cids[next % cids.size()]);
    ++next;
    c.busy = true;
    c.sent = Clock::now();
    ++sent;
    flush(i);
  };
  for (size_t i = 0; i < cs.size(); ++i) open(i);
  for (size_t i = 0; i < cs.size(); ++i) start_next(i);

  std::vector<epoll_event> evs(cs.size());
  char buf[65536];
  for (;;) {
    long long busy = 0;
    for (auto& c : cs) busy += c.busy ? 1 : 0;
    if (busy == 0 && !sending) break;
    if (busy == 0 && sending) {
      for (size_t i = 0; i < cs.size(); ++i) start_next(i);
      continue;
    }
    int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 1000);
    if (n < 0 && errno != EINTR) Die("epoll_wait failed");
    if (Clock::now() > deadline + std::chrono::seconds(60) && !once) Die("answers still due 60 s after the end");
    for (int k = 0; k < n; ++k) {
      size_t i = evs[k].data.u64;
      Conn& c = cs[i];
      if (evs[k].events & EPOLLOUT) flush(i);
      if (!(evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      bool closed = false;
      for (;;) {
        ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
        if (r > 0) {
          c.in.append(buf, static_cast<size_t>(r));
          continue;
        }
        if (r == 0) closed = true;
        else if (errno != EAGAIN) closed = true;
        break;
      }
      for (;;) {
        int status = 0;
        bool close_after = false;
        size_t len = ParseResponse(c.in, &status, &close_after);
        if (!len) break;
        c.in.erase(0, len);
        auto now = Clock::now();
        if (c.busy) {
          lat.push_back(Us(now - c.sent));
          c.busy = false;
        }
        ++answered;
        ++by_status[status];
        last_answer = now;
        if (close_after) closed = true;
      }
      if (closed) {
        if (c.busy) Die("connection closed with a request unanswered (status unknown)");
        ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
        ++reconnects;
        open(i);
      }
      start_next(i);
    }
  }
  for (auto& c : cs) ::close(c.fd);
  ::close(ep);
  double secs = Ms(last_answer - t0) / 1000.0;
  PutInt("post_sent", sent);
  PutInt("post_answered", answered);
  for (auto [s, k] : by_status) PutInt("post_status_" + std::to_string(s), k);
  PutInt("post_202", by_status[202]);
  PutInt("post_reconnects", reconnects);
  Put("post_seconds", secs);
  Put("post_202_per_s", secs > 0 ? by_status[202] / secs : 0);
  PutDist("post_latency", lat);
  return 0;
}

// ---------------------------------------------------------------- routes

class BlockingClient {
 public:
  explicit BlockingClient(int port) : port_(port), fd_(Connect(port, false)) {}
  ~BlockingClient() { ::close(fd_); }
  // Sends a GET and reads the whole answer; returns the status.
  int Get(const std::string& path, std::string* body) {
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n\r\n";
    size_t off = 0;
    while (off < req.size()) {
      ssize_t n = ::send(fd_, req.data() + off, req.size() - off, MSG_NOSIGNAL);
      if (n <= 0) Die(std::string("send: ") + std::strerror(errno));
      off += static_cast<size_t>(n);
    }
    char buf[65536];
    for (;;) {
      int status = 0;
      bool close_after = false;
      size_t len = ParseResponse(in_, &status, &close_after);
      if (len) {
        if (body) *body = in_.substr(in_.find("\r\n\r\n") + 4, len - in_.find("\r\n\r\n") - 4);
        in_.erase(0, len);
        if (close_after) Die("the server closed the keep-alive connection");
        return status;
      }
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) Die("connection closed while reading an answer");
      in_.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int port_;
  int fd_;
  std::string in_;
};

std::vector<std::string> ReadCidColumn(const std::string& pins_path) {
  namespace pq = ipfs_kit::parquet;
  auto file = Check(pq::FileReader::Open(pins_path), "open pins file");
  auto col = file->schema().Find("cid");
  if (!col) Die(pins_path + ": no cid column");
  std::vector<std::string> cids;
  for (size_t rg = 0; rg < file->num_row_groups(); ++rg) {
    auto values = Check(file->ReadColumn(rg, *col), "read cid column");
    for (auto& s : values.bytes) cids.push_back(std::move(s));
  }
  return cids;
}

int Routes(const std::string& dir, int port, size_t lookups, uint32_t seed) {
  namespace rt = ipfs_kit::routing;
  auto reader = Check(rt::RouteReader::Open(dir), "RouteReader::Open");
  uint64_t gen = reader->generation();
  auto cids = ReadCidColumn(dir + "/pins-" + std::to_string(gen) + ".parquet");
  if (cids.empty()) Die("no pins in the index");
  std::mt19937_64 rng(seed * 7919ULL + 17);
  std::uniform_int_distribution<size_t> pick(0, cids.size() - 1);
  std::vector<size_t> order(lookups);
  for (auto& i : order) i = pick(rng);
  PutInt("routes_index_pins", static_cast<long long>(cids.size()));
  PutInt("routes_generation", static_cast<long long>(gen));
  PutInt("routes_lookups", static_cast<long long>(lookups));

  // In-process: a warm pass (decodes every row group it touches), then the timed pass.
  std::vector<double> us;
  size_t routes = 0;
  for (int pass = 0; pass < 2; ++pass) {
    us.clear();
    routes = 0;
    for (size_t i : order) {
      auto s = Clock::now();
      auto r = reader->Lookup(cids[i]);
      auto e = Clock::now();
      if (!r.ok()) Die("Lookup: " + r.status().ToString());
      routes += r->size();
      us.push_back(Us(e - s));
    }
  }
  Put("inproc_routes_per_lookup", static_cast<double>(routes) / lookups);
  PutDist("inproc_lookup", us);
  reader.reset();

  // Through the daemon, one keep-alive connection, same CIDs, same order.
  BlockingClient http(port);
  std::string body;
  size_t with_locations = 0;
  for (int pass = 0; pass < 2; ++pass) {
    us.clear();
    with_locations = 0;
    auto all0 = Clock::now();
    for (size_t i : order) {
      auto s = Clock::now();
      int status = http.Get("/routing/" + cids[i], &body);
      auto e = Clock::now();
      if (status != 200) Die("GET /routing/" + cids[i] + ": HTTP " + std::to_string(status) + " " + body);
      if (body.find("\"backend\"") != std::string::npos) ++with_locations;
      us.push_back(Us(e - s));
    }
    auto all1 = Clock::now();
    if (pass == 1) Put("http_lookups_per_s", lookups / (Ms(all1 - all0) / 1000.0));
  }
  PutInt("http_answers_with_locations", static_cast<long long>(with_locations));
  PutDist("http_lookup", us);
  // The HTTP floor on the same connection: GET /health (no lookup, a constant body).
  for (int pass = 0; pass < 2; ++pass) {
    us.clear();
    for (size_t k = 0; k < lookups; ++k) {
      auto s = Clock::now();
      int status = http.Get("/health", nullptr);
      auto e = Clock::now();
      if (status != 200) Die("GET /health: HTTP " + std::to_string(status));
      us.push_back(Us(e - s));
    }
  }
  PutDist("http_health", us);
  std::printf("http_sample_body %s", body.c_str());
  return 0;
}

int Fsync(const std::string& dir, double seconds) {
  std::string path = dir + "/fsync-probe.bin";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) Die("cannot create " + path);
  std::string block(4096, 'x');
  long long n = 0;
  off_t off = 0;
  auto t0 = Clock::now();
  auto end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < end) {
    if (::pwrite(fd, block.data(), block.size(), off) != static_cast<ssize_t>(block.size()))
      Die("pwrite failed");
    if (::fdatasync(fd) != 0) Die("fdatasync failed");
    off += static_cast<off_t>(block.size());
    ++n;
  }
  double secs = Ms(Clock::now() - t0) / 1000.0;
  ::close(fd);
  ::unlink(path.c_str());
  PutInt("fsyncs", n);
  Put("fsyncs_per_s", n / secs);
  return 0;
}

int IndexCids(const std::string& dir, size_t n, uint32_t seed) {
  auto reader = Check(ipfs_kit::routing::RouteReader::Open(dir), "RouteReader::Open");
  auto cids = ReadCidColumn(dir + "/pins-" + std::to_string(reader->generation()) + ".parquet");
  if (cids.empty()) Die("no pins in the index");
  std::mt19937_64 rng(seed * 104729ULL + 3);
  std::uniform_int_distribution<size_t> pick(0, cids.size() - 1);
  for (size_t i = 0; i < n; ++i) std::printf("%s\n", cids[pick(rng)].c_str());
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
               "usage: daemon_bench_tool cids --n N [--seed S]\n"
               "       daemon_bench_tool fill --db STATE_DB --pins N [--batch B] [--seed S]\n"
               "       daemon_bench_tool post --port P --token T --cids FILE [--conns C] "
               "[--seconds D | --once]\n"
               "       daemon_bench_tool fsync --dir DIR [--seconds D]\n"
               "       daemon_bench_tool index-cids --index DIR --n N [--seed S]\n"
               "       daemon_bench_tool routes --index DIR --port P [--lookups M] [--seed S]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (argc < 2) Usage();
  std::string mode = argv[1];
  size_t n = 0, batch = 10000, lookups = 20000;
  uint32_t seed = 1;
  int port = 0, conns = 64;
  double seconds = 10;
  bool once = false;
  std::string db, token, cids_file, index, dir;
  for (int i = 2; i < argc; ++i) {
    std::string_view f = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) Usage();
      return argv[++i];
    };
    if (f == "--n" || f == "--pins") n = ParseSize("--n", next());
    else if (f == "--seed") seed = static_cast<uint32_t>(ParseSize("--seed", next()));
    else if (f == "--batch") batch = std::max<size_t>(1, ParseSize("--batch", next()));
    else if (f == "--db") db = next();
    else if (f == "--port") port = static_cast<int>(ParseSize("--port", next()));
    else if (f == "--token") token = next();
    else if (f == "--cids") cids_file = next();
    else if (f == "--conns") conns = std::max(1, static_cast<int>(ParseSize("--conns", next())));
    else if (f == "--seconds") seconds = std::atof(next());
    else if (f == "--once") once = true;
    else if (f == "--index") index = next();
    else if (f == "--dir") dir = next();
    else if (f == "--lookups") lookups = std::max<size_t>(1, ParseSize("--lookups", next()));
    else Usage();
  }
  if (mode == "cids") return Cids(n, seed);
  if (mode == "fill") {
    if (db.empty() || n == 0) Usage();
    return Fill(db, n, batch, seed);
  }
  if (mode == "post") {
    if (!port || token.empty() || cids_file.empty()) Usage();
    return Post(port, token, ReadLines(cids_file), conns, seconds, once);
  }
  if (mode == "fsync") {
    if (dir.empty()) Usage();
    return Fsync(dir, seconds);
  }
  if (mode == "index-cids") {
    if (index.empty() || n == 0) Usage();
    return IndexCids(index, n, seed);
  }
  if (mode == "routes") {
    if (index.empty() || !port) Usage();
    return Routes(index, port, lookups, seed);
  }
  Usage();
}
