// Errors as values: Result<T> carries either a T or an Error. Exceptions never cross engine or JIT
// boundaries; every fallible engine call returns one of these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace keel {

// The phase that rejected the input. The spec distinguishes malformed (binary decoding) from
// invalid (validation); later phases add linking and traps.
enum class ErrorKind : uint8_t { kMalformed, kInvalid, kUnlinkable, kTrap, kIo, kUsage };

const char* error_kind_name(ErrorKind kind);

inline constexpr size_t kNoOffset = static_cast<size_t>(-1);
inline constexpr uint32_t kNoFunction = UINT32_MAX;

struct Error {
  ErrorKind kind = ErrorKind::kMalformed;
  std::string message;         // spec-suite wording where the spec has one, e.g. "type mismatch"
  size_t offset = kNoOffset;   // byte offset in the module, where known
  uint32_t function = kNoFunction;  // function index (imports included), where known

  // "offset 0x1a2b: function 12: invalid: type mismatch"
  std::string to_string() const;
};

inline Error make_error(ErrorKind kind, std::string message, size_t offset = kNoOffset,
                        uint32_t function = kNoFunction) {
  return Error{kind, std::move(message), offset, function};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace keel

// Propagates an error from an expression yielding Result<...>.
#define KEEL_TRY(expr)                                  \
  do {                                                  \
    auto keel_try_result_ = (expr);                     \
    if (!keel_try_result_.ok()) return std::move(keel_try_result_).error(); \
  } while (0)
