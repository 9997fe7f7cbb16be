// GoogleTest assertions for Result values. Error messages are compared as the spec suite compares
// them: the engine's message must start with the spec's expected text.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace keel::test {

inline std::string describe(const Error& e) {
  return e.to_string();
}

// "00 61 73 6d ..." for failure messages.
inline std::string hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    if (!out.empty()) out += ' ';
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

template <class T>
::testing::AssertionResult Succeeded(const Result<T>& r) {
  if (r.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected success, got " << describe(r.error());
}

inline ::testing::AssertionResult ErrorIs(const Error& e, ErrorKind kind,
                                          std::string_view message_prefix) {
  bool kind_ok = e.kind == kind;
  bool message_ok = std::string_view(e.message).substr(0, message_prefix.size()) == message_prefix;
  if (kind_ok && message_ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << error_kind_name(kind) << ": \""
                                       << message_prefix << "\", got " << describe(e);
}

template <class T>
::testing::AssertionResult FailedWith(const Result<T>& r, ErrorKind kind,
                                      std::string_view message_prefix) {
  if (r.ok()) {
    return ::testing::AssertionFailure()
           << "expected " << error_kind_name(kind) << ": \"" << message_prefix << "\", got success";
  }
  return ErrorIs(r.error(), kind, message_prefix);
}

}  // namespace keel::test
