// HTTP client over libcurl easy handles.
//
// Connection reuse: each thread keeps one easy handle and resets it between
// requests (curl_easy_reset keeps the handle's connection and DNS caches), so
// a backend talking to one service reuses its keep-alive connections without
// any cross-thread locking. A Fetch made while the thread's handle is busy
// (from inside an on_body callback) gets a private handle instead.
#include "ipfs_kit/http/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace ipfs_kit::http {

std::optional<std::string_view> ClientResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(k[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return std::string_view(v);
  }
  return std::nullopt;
}

namespace {

// curl_global_init is not thread-safe in 7.88 and must run before any handle
// exists; call_once gives both.
void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};

struct ThreadHandle {
  EasyPtr handle;
  bool busy = false;
};
thread_local ThreadHandle t_handle;

// Takes the thread's cached handle, or a fresh one when it is in use (a
// nested Fetch). Gives it back on destruction.
class HandleLease {
 public:
  HandleLease() {
    if (!t_handle.busy) {
      if (!t_handle.handle) t_handle.handle.reset(curl_easy_init());
      t_handle.busy = true;
      cached_ = true;
      h_ = t_handle.handle.get();
      if (h_) curl_easy_reset(h_);
    } else {
      own_.reset(curl_easy_init());
      h_ = own_.get();
    }
  }
  ~HandleLease() {
    if (cached_) t_handle.busy = false;
  }
  HandleLease(const HandleLease&) = delete;
  HandleLease& operator=(const HandleLease&) = delete;
  CURL* get() const { return h_; }

 private:
  CURL* h_ = nullptr;
  bool cached_ = false;
  EasyPtr own_;
};

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) {
    --e;
  }
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool HasHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (Lower(k) == name) return true;
  }
  return false;
}

struct Transfer {
  CURL* h = nullptr;
  const ClientRequest* request = nullptr;
  ClientResponse* response = nullptr;
  size_t received = 0;
  bool too_large = false;
  bool aborted_by_callback = false;
};

size_t OnHeader(char* data, size_t size, size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  std::string_view line(data, size * n);
  // A new status line starts another response (100 Continue, a redirect):
  // only the last response's headers are reported.
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;  // the blank line
  t->response->headers.emplace_back(Lower(Trim(line.substr(0, colon))),
                                    Trim(line.substr(colon + 1)));
  return size * n;
}

size_t OnBody(char* data, size_t size, size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  size_t len = size * n;
  t->received += len;
  if (t->received > t->request->max_response_bytes) {
    t->too_large = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  long status = 0;
  curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &status);
  // Only a success body is streamed: an error answer is collected so the
  // caller can report what the server said.
  if (t->request->on_body && status >= 200 && status < 300) {
    if (!t->request->on_body(std::string_view(data, len))) {
      t->aborted_by_callback = true;
      return 0;
    }
    return len;
  }
  t->response->body.append(data, len);
  return len;
}

// Transfer failures that mean "the service did not answer properly".
bool IsUnavailable(CURLcode rc) {
  switch (rc) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_NOT_BUILT_IN:
    case CURLE_UNKNOWN_OPTION:
      return false;
    default:
      return true;
  }
}

}  // namespace

Result<ClientResponse> Fetch(const ClientRequest& request) {
  GlobalInit();
  const std::string what = request.method + " " + request.url;
  HandleLease lease;
  CURL* h = lease.get();
  if (h == nullptr) return Status::Internal(what + ": curl_easy_init failed");

  ClientResponse response;
  Transfer t;
  t.h = h;
  t.request = &request;
  t.response = &response;
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  // No signals: timeouts and DNS must not use SIGALRM in a threaded program.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  // Refuses an announced Content-Length over the limit before any byte is
  // read; unannounced sizes are caught in OnBody.
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(std::min<size_t>(request.max_response_bytes,
                                                            static_cast<size_t>(INT64_MAX))));

  std::unique_ptr<curl_mime, MimeDeleter> mime;
  const bool has_form = !request.form.empty();
  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (has_form) {
    mime.reset(curl_mime_init(h));
    for (const FormPart& p : request.form) {
      curl_mimepart* part = curl_mime_addpart(mime.get());
      curl_mime_name(part, p.name.c_str());
      if (!p.filename.empty()) curl_mime_filename(part, p.filename.c_str());
      if (!p.content_type.empty()) curl_mime_type(part, p.content_type.c_str());
      curl_mime_data(part, p.data.data(), p.data.size());
    }
    curl_easy_setopt(h, CURLOPT_MIMEPOST, mime.get());
    if (request.method != "POST")
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method == "POST" || request.method == "PUT" || request.method == "PATCH" ||
             !request.body.empty()) {
    // The body goes through POSTFIELDS even for PUT: curl's SigV4 signer
    // hashes only POSTFIELDS data, and a read-callback upload would be
    // signed as an empty payload.
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    if (request.method != "POST")
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  curl_slist* raw_headers = nullptr;
  for (const auto& [k, v] : request.headers) {
    // "Name;" is curl's spelling of a header with an empty value ("Name:"
    // would remove it).
    std::string line = v.empty() ? k + ";" : k + ": " + v;
    raw_headers = curl_slist_append(raw_headers, line.c_str());
  }
  if (!request.body.empty() && !has_form && !HasHeader(request.headers, "content-type")) {
    // curl would label a body application/x-www-form-urlencoded.
    raw_headers = curl_slist_append(raw_headers, "Content-Type: application/octet-stream");
  }
  if (!request.bearer_token.empty()) {
    std::string line = "Authorization: Bearer " + request.bearer_token;
    raw_headers = curl_slist_append(raw_headers, line.c_str());
  }
  std::unique_ptr<curl_slist, SlistDeleter> header_list(raw_headers);
  if (header_list) curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());

  if (request.sigv4) {
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, request.sigv4->provider.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, request.sigv4->access_key.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, request.sigv4->secret_key.c_str());
  }

  CURLcode rc = curl_easy_perform(h);
  // The handle's options point into this frame; drop them before the
  // handle goes back to the cache (the next request resets it anyway).
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);

  if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return Status::InvalidArgument(what + ": response larger than " +
                                   std::to_string(request.max_response_bytes) + " bytes");
  }
  if (t.aborted_by_callback) {
    return Status::InvalidArgument(what + ": transfer stopped by the body callback");
  }
  if (rc != CURLE_OK) {
    std::string reason = errbuf[0] ? std::string(errbuf) : curl_easy_strerror(rc);
    if (IsUnavailable(rc)) return Status::Unavailable(what + ": " + reason);
    return Status::InvalidArgument(what + ": " + reason);
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace ipfs_kit::http
