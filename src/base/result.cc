#include "base/result.h"

#include <cstdio>

namespace keel {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kMalformed: return "malformed";
    case ErrorKind::kInvalid: return "invalid";
    case ErrorKind::kUnlinkable: return "unlinkable";
    case ErrorKind::kTrap: return "trap";
    case ErrorKind::kIo: return "i/o error";
    case ErrorKind::kUsage: return "usage error";
  }
  return "error";
}

std::string Error::to_string() const {
  std::string out;
  char buf[64];
  if (offset != kNoOffset) {
    std::snprintf(buf, sizeof buf, "offset 0x%zx: ", offset);
    out += buf;
  }
  if (function != kNoFunction) {
    std::snprintf(buf, sizeof buf, "function %u: ", function);
    out += buf;
  }
  out += error_kind_name(kind);
  out += ": ";
  out += message;
  return out;
}

}  // namespace keel
