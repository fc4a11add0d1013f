#include "ipfs_kit/mcp/http_transport.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <optional>
#include <utility>

#include "ipfs_kit/base/worker_pool.h"

namespace ipfs_kit::mcp {
namespace {

using Clock = std::chrono::steady_clock;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return Lower(haystack).find(needle) != std::string::npos;
}

// "Host" or authority: "name:port", "[v6]:port", "name". The name is lower-cased.
void SplitHostPort(std::string_view host, std::string* name, std::string* port) {
  std::string h = Lower(host);
  name->clear();
  port->clear();
  if (!h.empty() && h[0] == '[') {
    size_t close = h.find(']');
    if (close == std::string::npos) {
      *name = h;
      return;
    }
    *name = h.substr(0, close + 1);
    if (close + 1 < h.size() && h[close + 1] == ':') *port = h.substr(close + 2);
    return;
  }
  size_t colon = h.rfind(':');
  if (colon == std::string::npos) {
    *name = h;
  } else {
    *name = h.substr(0, colon);
    *port = h.substr(colon + 1);
  }
}

bool IsLoopbackName(const std::string& name) {
  return name == "localhost" || name == "127.0.0.1" || name == "[::1]";
}

bool HostAllowed(std::string_view host, const HttpTransportOptions& o) {
  std::string name, port;
  SplitHostPort(host, &name, &port);
  if (IsLoopbackName(name)) return true;
  for (const auto& entry : o.allowed_hosts) {
    std::string ename, eport;
    SplitHostPort(entry, &ename, &eport);
    if (ename == name && (eport.empty() || eport == port)) return true;
  }
  return false;
}

bool OriginAllowed(std::string_view origin, const HttpTransportOptions& o, uint16_t bound_port) {
  std::string lower = Lower(origin);
  while (!lower.empty() && lower.back() == '/') lower.pop_back();
  for (const auto& entry : o.allowed_origins) {
    std::string e = Lower(entry);
    while (!e.empty() && e.back() == '/') e.pop_back();
    if (e == "*" || e == lower) return true;
  }
  // The server's own loopback origin: a page it served itself (the dashboard).
  std::string scheme;
  size_t sep = lower.find("://");
  if (sep == std::string::npos) return false;
  scheme = lower.substr(0, sep);
  if (scheme != "http" && scheme != "https") return false;
  std::string name, port;
  SplitHostPort(std::string_view(lower).substr(sep + 3), &name, &port);
  if (!IsLoopbackName(name)) return false;
  if (bound_port == 0) return true;
  if (port.empty()) port = scheme == "https" ? "443" : "80";
  return port == std::to_string(bound_port);
}

bool CheckHostAndOrigin(const http::Request& request, const HttpTransportOptions& options,
                        uint16_t port, std::string* why) {
  auto host = request.Header("host");
  if (!host || host->empty()) {
    if (why) *why = "missing Host header";
    return false;
  }
  if (!HostAllowed(*host, options)) {
    if (why) {
      *why = "Host '" + std::string(*host) +
             "' is not allowed (DNS rebinding protection; allow it with --allow-host)";
    }
    return false;
  }
  auto origin = request.Header("origin");
  if (origin && !OriginAllowed(*origin, options, port)) {
    if (why) {
      *why = "Origin '" + std::string(*origin) +
             "' is not allowed (DNS rebinding protection; allow it with --allow-origin)";
    }
    return false;
  }
  return true;
}

// Compares without an early exit, so the time taken says nothing about how
// much of a guessed token was right.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

// 128 random bits from the kernel, as 32 hex digits (visible ASCII, as the
// spec requires of a session id).
std::optional<std::string> RandomSessionId() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    got += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 15]);
  }
  return id;
}

http::Response JsonAnswer(int status, const Json& body) {
  return http::Response::Json(status, SerializeMessage(body));
}

// A transport-level refusal: an HTTP error status with a JSON-RPC error body.
http::Response Refuse(int status, int code, std::string message) {
  return JsonAnswer(status, ErrorMessage(nullptr, code, std::move(message)));
}

http::Response Accepted() {
  http::Response r;
  r.status = 202;
  return r;
}

std::string SseEvent(const Json& message) {
  return "event: message\ndata: " + SerializeMessage(message) + "\n\n";
}

http::Response SseAnswer(std::shared_ptr<http::BodyStream> stream) {
  http::Response r;
  r.status = 200;
  r.Set("Content-Type", "text/event-stream");
  r.Set("Cache-Control", "no-cache, no-transform");
  r.Set("X-Accel-Buffering", "no");
  r.stream = std::move(stream);
  return r;
}

constexpr int kRetryMs = 1000;                // the SSE retry field of resumable streams
constexpr size_t kChannelMaxEvents = 1024;    // kept per stream for a resume
constexpr size_t kChannelMaxBytes = 4 << 20;  // ditto, in bytes
constexpr size_t kChannelsKeptFinished = 32;  // finished streams kept per session

// "12-7" → {12, 7}.
std::optional<std::pair<uint64_t, uint64_t>> ParseEventId(std::string_view id) {
  size_t dash = id.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == id.size() || id.size() > 41) {
    return std::nullopt;
  }
  auto number = [](std::string_view digits) -> std::optional<uint64_t> {
    uint64_t v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9' || v > (UINT64_MAX - 9) / 10) return std::nullopt;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v;
  };
  auto a = number(id.substr(0, dash)), b = number(id.substr(dash + 1));
  if (!a || !b) return std::nullopt;
  return std::make_pair(*a, *b);
}

// The event stream answering one POST. When resumable (sessions of
// 2025-11-25 and later, SEP-1699), it starts with a priming event (an id,
// retry, empty data), every event carries an id "<channel>-<seq>", and the
// events are kept: a client whose stream ended before the answer (the
// connection dropped, or the handler called close_sse_stream) reconnects with
// GET + Last-Event-ID and gets the rest on the new stream. Older clients get
// plain events (empty data would confuse them).
//
// Writes happen under the channel's lock, so a resume never interleaves with
// a new event; a resume's replay goes into a stream sized to hold it, so it
// never waits for the consumer.
class SseChannel {
 public:
  SseChannel(uint64_t number, bool resumable, std::shared_ptr<http::BodyStream> live)
      : number_(number), resumable_(resumable), live_(std::move(live)) {
    if (resumable_) {
      std::lock_guard lock(mu_);
      Emit(0, "id: " + Id(0) + "\nretry: " + std::to_string(kRetryMs) + "\ndata: \n\n", false);
    }
  }

  // False when the message can never reach the client.
  bool Send(const Json& message) {
    std::lock_guard lock(mu_);
    if (finished_) return false;
    if (!resumable_)
      return WriteLive("event: message\ndata: " + SerializeMessage(message) + "\n\n");
    uint64_t seq = next_seq_++;
    Emit(seq, "id: " + Id(seq) + "\nevent: message\ndata: " + SerializeMessage(message) + "\n\n",
         true);
    return true;  // kept for a resume even if no stream is attached now
  }

  // Ends the current stream (the client resumes); only when resumable.
  void Detach() {
    std::lock_guard lock(mu_);
    if (!resumable_ || !live_) return;
    live_->Close();
    live_.reset();
  }

  void Finish() {
    std::lock_guard lock(mu_);
    finished_ = true;
    if (live_) live_->Close();
    live_.reset();
  }

  bool finished() const {
    std::lock_guard lock(mu_);
    return finished_;
  }

  // A stream for a GET resuming after event `after`: the kept events after it,
  // then live events until the answer (or at once closed when finished).
  std::shared_ptr<http::BodyStream> Resume(uint64_t after) {
    std::lock_guard lock(mu_);
    size_t bytes = 0;
    for (const auto& [seq, text] : events_) bytes += seq > after ? text.size() : 0;
    auto stream = std::make_shared<http::BodyStream>(bytes + (1 << 20));
    for (const auto& [seq, text] : events_) {
      if (seq > after) stream->Write(text);
    }
    if (live_) live_->Close();  // a client has one stream per request
    if (finished_) {
      stream->Close();
      live_.reset();
    } else {
      live_ = stream;
    }
    return stream;
  }

 private:
  std::string Id(uint64_t seq) const { return std::to_string(number_) + "-" + std::to_string(seq); }

  void Emit(uint64_t seq, std::string text, bool keep) {
    WriteLive(text);
    if (!keep) return;
    bytes_ += text.size();
    events_.emplace_back(seq, std::move(text));
    while (events_.size() > kChannelMaxEvents || bytes_ > kChannelMaxBytes) {
      bytes_ -= events_.front().second.size();
      events_.pop_front();
    }
  }

  bool WriteLive(const std::string& text) {
    if (!live_) return false;
    if (live_->Write(text)) return true;
    live_.reset();  // the client went away
    return false;
  }

  const uint64_t number_;
  const bool resumable_;
  mutable std::mutex mu_;
  std::shared_ptr<http::BodyStream> live_;
  std::deque<std::pair<uint64_t, std::string>> events_;
  size_t bytes_ = 0;
  uint64_t next_seq_ = 1;
  bool finished_ = false;
};

}  // namespace

bool HostAndOriginAllowed(const http::Request& request, const HttpTransportOptions& options,
                          std::string* why) {
  return CheckHostAndOrigin(request, options, options.port, why);
}

struct HttpTransport::SessionEntry {
  SessionEntry(const Registry& registry, const SessionOptions& options)
      : session(registry, options) {}
  std::string id;
  Session session;
  std::mutex mu;
  std::shared_ptr<http::BodyStream> standalone;  // the GET stream, if open
  Clock::time_point last_used = Clock::now();
  int active = 0;  // requests of this session being answered (under mu)
  std::map<uint64_t, std::shared_ptr<SseChannel>> channels;  // POST streams, for resumes
  uint64_t next_channel = 1;

  std::shared_ptr<SseChannel> NewChannel(bool resumable, std::shared_ptr<http::BodyStream> live) {
    std::lock_guard lock(mu);
    // Forget the oldest finished streams beyond a few.
    size_t finished = 0;
    for (auto& [n, c] : channels) finished += c->finished() ? 1 : 0;
    for (auto it = channels.begin(); it != channels.end() && finished > kChannelsKeptFinished;) {
      if (it->second->finished()) {
        it = channels.erase(it);
        --finished;
      } else {
        ++it;
      }
    }
    auto channel = std::make_shared<SseChannel>(next_channel, resumable, std::move(live));
    channels[next_channel++] = channel;
    return channel;
  }
  std::shared_ptr<SseChannel> FindChannel(uint64_t number) {
    std::lock_guard lock(mu);
    auto it = channels.find(number);
    return it == channels.end() ? nullptr : it->second;
  }

  void Touch(int delta) {
    std::lock_guard lock(mu);
    active += delta;
    last_used = Clock::now();
  }
  void CloseStandalone() {
    std::shared_ptr<http::BodyStream> s;
    {
      std::lock_guard lock(mu);
      s = std::move(standalone);
    }
    if (s) s->Close();
  }
};

HttpTransport::HttpTransport(const Registry& registry, HttpTransportOptions options)
    : registry_(registry),
      options_(std::move(options)),
      port_(options_.port),
      workers_(std::make_unique<WorkerPool>(options_.max_concurrent_calls,
                                                      options_.max_queued_calls)) {
  housekeeping_ = std::thread([this] { Housekeeping(); });
}

HttpTransport::~HttpTransport() { Shutdown(); }

void HttpTransport::set_port(uint16_t port) { port_ = port; }

size_t HttpTransport::session_count() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void HttpTransport::Log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

void HttpTransport::Handle(http::Request request, http::Responder respond) {
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return respond(Refuse(503, kServerError, "the MCP server is shutting down"));
  }
  std::string why;
  if (!CheckHostAndOrigin(request, options_, port_.load(), &why)) {
    Log("mcp: refused " + request.method + " from " + request.remote + ": " + why);
    return respond(Refuse(403, kServerError, "Forbidden: " + why));
  }
  if (!options_.bearer_token.empty()) {
    auto auth = request.Header("authorization");
    const std::string_view prefix = "Bearer ";
    bool ok = auth && auth->size() > prefix.size() &&
              Lower(auth->substr(0, prefix.size())) == "bearer " &&
              ConstantTimeEquals(auth->substr(prefix.size()), options_.bearer_token);
    if (!ok) {
      auto r = Refuse(401, kServerError, "Unauthorized: a valid bearer token is required");
      r.Set("WWW-Authenticate", "Bearer realm=\"ipfs-kit\"");
      return respond(std::move(r));
    }
  }
  if (request.method == "POST") return HandlePost(std::move(request), std::move(respond));
  if (request.method == "GET") return HandleGet(request, std::move(respond));
  if (request.method == "DELETE") return HandleDelete(request, std::move(respond));
  auto r = Refuse(405, kServerError, "Method not allowed: use POST, GET or DELETE");
  r.Set("Allow", "GET, POST, DELETE");
  respond(std::move(r));
}

std::shared_ptr<HttpTransport::SessionEntry> HttpTransport::FindSession(
    const http::Request& request, http::Response* refusal) {
  auto id = request.Header("mcp-session-id");
  if (!id || id->empty()) {
    *refusal = Refuse(400, kServerError, "Bad Request: Mcp-Session-Id header is required");
    return nullptr;
  }
  std::shared_ptr<SessionEntry> entry;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(std::string(*id));
    if (it != sessions_.end()) entry = it->second;
  }
  if (!entry) {
    *refusal = Refuse(404, kSessionNotFound, "Session not found (it ended or never existed)");
    return nullptr;
  }
  if (auto v = request.Header("mcp-protocol-version"); v && !IsSupportedProtocolVersion(*v)) {
    std::string list;
    for (const auto& s : SupportedProtocolVersions()) list += (list.empty() ? "" : ", ") + s;
    *refusal = Refuse(400, kServerError,
                      "Bad Request: unsupported MCP-Protocol-Version '" + std::string(*v) +
                          "' (supported: " + list + ")");
    return nullptr;
  }
  return entry;
}

std::shared_ptr<HttpTransport::SessionEntry> HttpTransport::NewSession() {
  auto id = RandomSessionId();
  if (!id) return nullptr;
  auto entry = std::make_shared<SessionEntry>(registry_, options_.session);
  entry->id = *id;
  // Messages related to no request go to the session's GET stream, if open.
  std::weak_ptr<SessionEntry> weak = entry;
  entry->session.SetUnrelatedSink([weak](const Json& message) {
    auto e = weak.lock();
    if (!e) return false;
    std::shared_ptr<http::BodyStream> s;
    {
      std::lock_guard lock(e->mu);
      s = e->standalone;
    }
    if (!s) return false;
    if (s->Write(SseEvent(message))) return true;
    std::lock_guard lock(e->mu);
    if (e->standalone == s) e->standalone.reset();
    return false;
  });
  return entry;
}

void HttpTransport::EndSession(const std::shared_ptr<SessionEntry>& entry) {
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(entry->id);
    if (it != sessions_.end() && it->second == entry) sessions_.erase(it);
  }
  entry->session.CancelAll();
  entry->CloseStandalone();
}

void HttpTransport::HandlePost(http::Request request, http::Responder respond) {
  auto content_type = request.Header("content-type");
  if (!content_type || Lower(*content_type).rfind("application/json", 0) != 0) {
    return respond(
        Refuse(415, kServerError, "Unsupported Media Type: Content-Type must be application/json"));
  }
  auto accept = request.Header("accept");
  const bool accepts_sse = accept && Contains(*accept, "text/event-stream");
  const bool accepts_json = !accept || Contains(*accept, "application/json") ||
                            Contains(*accept, "*/*") || Contains(*accept, "application/*");
  if (!accepts_sse && !accepts_json) {
    return respond(Refuse(406, kServerError,
                          "Not Acceptable: the client must accept application/json and "
                          "text/event-stream"));
  }
  auto parsed = ParseMessage(request.body);
  if (!parsed.ok()) {
    return respond(Refuse(400, kParseError, "Parse error: " + parsed.status().message()));
  }
  Json body = std::move(parsed).value();
  const bool batch = body.is_array();
  if (batch && body.empty())
    return respond(Refuse(400, kInvalidRequest, "Invalid Request: empty batch"));
  const Json messages = batch ? body : Json::array({body});

  bool has_initialize = false;
  for (const auto& m : messages) {
    if (m.is_object() && m.contains("method") && m["method"] == "initialize") has_initialize = true;
  }
  if (has_initialize) {
    if (batch) {
      return respond(
          Refuse(400, kInvalidRequest, "Invalid Request: initialize must not be part of a batch"));
    }
    auto entry = NewSession();
    if (!entry) return respond(Refuse(500, kInternalError, "cannot draw a random session id"));
    auto answer = entry->session.Handle(body, [](const Json&) { return false; });
    if (!answer) return respond(Accepted());
    http::Response r = JsonAnswer(200, *answer);
    if (answer->contains("result")) {
      std::shared_ptr<SessionEntry> evicted;
      {
        std::lock_guard lock(mu_);
        if (sessions_.size() >= std::max<size_t>(options_.max_sessions, 1)) {
          // Full: end the session unused the longest.
          Clock::time_point oldest = Clock::time_point::max();
          for (auto& [id, e] : sessions_) {
            std::lock_guard elock(e->mu);
            if (e->last_used < oldest) {
              oldest = e->last_used;
              evicted = e;
            }
          }
        }
        sessions_[entry->id] = entry;
      }
      if (evicted) {
        Log("mcp: session limit reached, ending the least recently used session");
        EndSession(evicted);
      }
      r.Set("Mcp-Session-Id", entry->id);
    }
    return respond(std::move(r));
  }

  http::Response refusal;
  auto entry = FindSession(request, &refusal);
  if (!entry) return respond(std::move(refusal));
  if (batch && !entry->session.AllowsBatches()) {
    return respond(Refuse(400, kInvalidRequest,
                          "Invalid Request: batches are not supported by protocol version " +
                              entry->session.protocol_version()));
  }

  size_t requests = 0;
  bool blocking = false;
  for (const auto& m : messages) {
    if (Classify(m) == MessageKind::kRequest) {
      ++requests;
      if (MayBlock(m["method"].get<std::string>())) blocking = true;
    }
  }
  auto none = [](const Json&) { return false; };
  if (requests == 0) {
    // Notifications and responses: taken in, nothing to answer. Messages that
    // are not JSON-RPC at all get their errors.
    entry->Touch(0);
    Json errors = Json::array();
    for (const auto& m : messages) {
      if (auto a = entry->session.Handle(m, none)) errors.push_back(std::move(*a));
    }
    if (errors.empty()) return respond(Accepted());
    return respond(JsonAnswer(400, batch ? errors : errors[0]));
  }

  // Answers every message in order; the related channel is `out`.
  auto answer_all = [messages, batch](Session& session, const Outbound& out,
                                      const std::function<void()>& close) -> std::optional<Json> {
    Json answers = Json::array();
    for (const auto& m : messages) {
      if (auto a = session.Handle(m, out, close)) answers.push_back(std::move(*a));
    }
    if (answers.empty()) return std::nullopt;
    return batch ? answers : answers[0];
  };

  if (!blocking) {
    entry->Touch(0);
    auto answers = answer_all(entry->session, none, {});
    return respond(answers ? JsonAnswer(200, *answers) : Accepted());
  }

  entry->Touch(+1);
  if (accepts_sse && !batch) {
    // The request may speak before it answers: open an event stream that
    // carries its notifications and server-to-client requests, then the answer.
    auto stream = std::make_shared<http::BodyStream>();
    auto channel = entry->NewChannel(entry->session.protocol_version() >= "2025-11-25", stream);
    bool queued = workers_->Submit([entry, channel, answer_all] {
      Outbound out = [channel](const Json& m) { return channel->Send(m); };
      std::function<void()> close = [channel] { channel->Detach(); };
      if (auto a = answer_all(entry->session, out, close)) channel->Send(*a);
      channel->Finish();
      entry->Touch(-1);
    });
    if (!queued) {
      channel->Finish();
      entry->Touch(-1);
      return respond(Refuse(503, kServerError, "Server busy: too many calls in progress"));
    }
    return respond(SseAnswer(std::move(stream)));
  }
  auto shared_respond = std::make_shared<http::Responder>(std::move(respond));
  bool queued = workers_->Submit([entry, shared_respond, answer_all, none] {
    auto answers = answer_all(entry->session, none, {});
    (*shared_respond)(answers ? JsonAnswer(200, *answers) : Accepted());
    entry->Touch(-1);
  });
  if (!queued) {
    entry->Touch(-1);
    (*shared_respond)(Refuse(503, kServerError, "Server busy: too many calls in progress"));
  }
}

void HttpTransport::HandleGet(const http::Request& request, http::Responder respond) {
  auto accept = request.Header("accept");
  if (!accept || !Contains(*accept, "text/event-stream")) {
    return respond(
        Refuse(406, kServerError, "Not Acceptable: a GET stream needs Accept: text/event-stream"));
  }
  http::Response refusal;
  auto entry = FindSession(request, &refusal);
  if (!entry) return respond(std::move(refusal));
  // A client resuming a POST stream (SEP-1699) names its last event.
  if (auto last = request.Header("last-event-id")) {
    auto id = ParseEventId(*last);
    auto channel = id ? entry->FindChannel(id->first) : nullptr;
    if (channel) {
      entry->Touch(0);
      return respond(SseAnswer(channel->Resume(id->second)));
    }
    // Unknown (or from a standalone stream, which keeps no events): a fresh
    // standalone stream.
  }
  auto stream = std::make_shared<http::BodyStream>();
  std::shared_ptr<http::BodyStream> previous;
  {
    std::lock_guard lock(entry->mu);
    previous = std::exchange(entry->standalone, stream);
    entry->last_used = Clock::now();
  }
  if (previous) previous->Close();
  respond(SseAnswer(std::move(stream)));
}

void HttpTransport::HandleDelete(const http::Request& request, http::Responder respond) {
  http::Response refusal;
  auto entry = FindSession(request, &refusal);
  if (!entry) return respond(std::move(refusal));
  EndSession(entry);
  http::Response r;
  r.status = 200;
  respond(std::move(r));
}

void HttpTransport::NotifyResourceUpdated(const std::string& uri) {
  std::vector<std::shared_ptr<SessionEntry>> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, e] : sessions_) all.push_back(e);
  }
  for (auto& e : all) e->session.NotifyResourceUpdated(uri);
}

void HttpTransport::Housekeeping() {
  const auto interval = std::chrono::milliseconds(std::max(options_.keepalive_interval_ms, 10));
  const auto idle_limit = std::chrono::milliseconds(std::max(options_.session_idle_timeout_ms, 1));
  std::unique_lock lock(mu_);
  while (!shut_down_) {
    housekeeping_cv_.wait_for(lock, interval);
    if (shut_down_) break;
    std::vector<std::shared_ptr<SessionEntry>> all;
    for (auto& [id, e] : sessions_) all.push_back(e);
    lock.unlock();
    const auto now = Clock::now();
    for (auto& e : all) {
      std::shared_ptr<http::BodyStream> s;
      bool idle = false;
      {
        std::lock_guard elock(e->mu);
        s = e->standalone;
        idle = e->active == 0 && now - e->last_used > idle_limit;
      }
      // A comment line keeps proxies from timing the stream out and tells us
      // when the client is gone.
      if (s && !s->Write(": keep-alive\n\n")) {
        std::lock_guard elock(e->mu);
        if (e->standalone == s) e->standalone.reset();
        s.reset();
      }
      if (idle && !s) EndSession(e);
    }
    lock.lock();
  }
}

void HttpTransport::Shutdown() {
  std::map<std::string, std::shared_ptr<SessionEntry>> sessions;
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
    sessions.swap(sessions_);
  }
  housekeeping_cv_.notify_all();
  if (housekeeping_.joinable()) housekeeping_.join();
  for (auto& [id, e] : sessions) {
    e->session.CancelAll();
    e->CloseStandalone();
  }
  workers_->Stop();
}

}  // namespace ipfs_kit::mcp
