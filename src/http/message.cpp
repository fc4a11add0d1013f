#include "ipfs_kit/http/message.h"

namespace ipfs_kit::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Header names are case-insensitive (RFC 9110 §5.1).
bool NameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

template <typename List>
std::optional<std::string_view> FindFirst(const List& list, std::string_view name) {
  for (const auto& [k, v] : list) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> Request::Header(std::string_view name) const {
  return FindFirst(headers, name);
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  return FindFirst(query, name);
}

bool BodyStream::Write(std::string chunk) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return cancelled_ || buffered_ < max_buffered_; });
  if (cancelled_ || closed_ || aborted_) return false;
  if (chunk.empty()) return true;  // an empty chunk would end a chunked body
  buffered_ += chunk.size();
  chunks_.push_back(std::move(chunk));
  WakeLocked(lock);
  return true;
}

void BodyStream::Close() {
  std::unique_lock lock(mu_);
  if (closed_ || aborted_) return;
  closed_ = true;
  WakeLocked(lock);
}

void BodyStream::Abort() {
  std::unique_lock lock(mu_);
  if (closed_ || aborted_) return;
  aborted_ = true;
  WakeLocked(lock);
}

bool BodyStream::cancelled() const {
  std::lock_guard lock(mu_);
  return cancelled_;
}

void BodyStream::WakeLocked(std::unique_lock<std::mutex>& lock) {
  cv_.notify_all();
  if (!waker_) return;
  auto waker = std::move(waker_);
  waker_ = nullptr;
  lock.unlock();
  waker();
  lock.lock();
}

BodyStream::Pop BodyStream::TryPop(std::string* out) {
  std::lock_guard lock(mu_);
  if (!chunks_.empty()) {
    *out = std::move(chunks_.front());
    chunks_.pop_front();
    buffered_ -= out->size();
    cv_.notify_all();
    return Pop::kChunk;
  }
  if (aborted_) return Pop::kAborted;
  if (closed_) return Pop::kEnd;
  return Pop::kEmpty;
}

BodyStream::Pop BodyStream::WaitPop(std::string* out) {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !chunks_.empty() || closed_ || aborted_; });
  }
  return TryPop(out);
}

void BodyStream::SetWaker(std::function<void()> waker) {
  std::unique_lock lock(mu_);
  if (!chunks_.empty() || closed_ || aborted_) {
    lock.unlock();
    waker();
    return;
  }
  waker_ = std::move(waker);
}

void BodyStream::Cancel() {
  std::unique_lock lock(mu_);
  cancelled_ = true;
  chunks_.clear();
  buffered_ = 0;
  waker_ = nullptr;
  cv_.notify_all();
}

bool BodyStream::ReadAll(std::string* out) {
  std::string chunk;
  for (;;) {
    switch (WaitPop(&chunk)) {
      case Pop::kChunk:
        out->append(chunk);
        break;
      case Pop::kEnd:
        return true;
      case Pop::kAborted:
        return false;
      case Pop::kEmpty:
        break;
    }
  }
}

Response& Response::Set(std::string name, std::string value) {
  for (auto& [k, v] : headers) {
    if (NameEquals(k, name)) {
      v = std::move(value);
      return *this;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

Response Response::Text(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  // Most paths and parameters have nothing to decode: one copy then.
  size_t first = plus_is_space ? s.find_first_of("%+") : s.find('%');
  if (first == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  out.append(s.substr(0, first));
  for (size_t i = first; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string PercentEncode(std::string_view s, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/');
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    auto name = PercentDecode(part.substr(0, eq), true);
    auto value = PercentDecode(
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), true);
    if (!name || !value) return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

std::string MarkupEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace ipfs_kit::http
