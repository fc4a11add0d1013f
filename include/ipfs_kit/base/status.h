// Status and Result: the error values returned across every ipfs-kit library.
//
// A function that can fail returns Status (no value) or Result<T> (a value or a
// Status). Errors carry a code, for callers that branch on the kind of failure,
// and a message naming what was wrong, for the person reading it. Exceptions are
// not used for input errors; they are reserved for programming errors and
// allocation failure.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ipfs_kit {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // malformed input: a bad CID, a bad flag value, corrupt bytes
  kNotFound,         // a block, file or path that does not exist
  kCorruption,       // stored or received bytes do not match their hash or format
  kIOError,          // the operating system refused a read or write
  kUnsupported,      // valid input that this build does not handle
  kAlreadyExists,
  kInternal,
  kUnavailable,     // a service (the daemon, a backend) did not answer: refused, timed out
  kPermissionDenied,  // refused by the other side: bad credentials, a missing token
};

class Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "not found: block bafy..." style text for logs and stderr.
  std::string ToString() const;
  // Returns a copy with "context: " put in front of the message.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

const char* StatusCodeName(StatusCode code);

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ipfs_kit

#define IPFS_KIT_CONCAT_INNER(a, b) a##b
#define IPFS_KIT_CONCAT(a, b) IPFS_KIT_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define RETURN_IF_ERROR(expr) RETURN_IF_ERROR_IMPL(IPFS_KIT_CONCAT(_status_, __LINE__), expr)
#define RETURN_IF_ERROR_IMPL(st, expr) \
  do {                                 \
    ::ipfs_kit::Status st = (expr);    \
    if (!st.ok()) return st;           \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F())` declares x from F()'s value or returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(IPFS_KIT_CONCAT(_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
