#include "decode/name_section.h"

#include <string>
#include <string_view>

#include "base/reader.h"

namespace keel {
namespace {

enum : uint8_t { kModuleNames = 0, kFunctionNames = 1, kLocalNames = 2 };

// A vector of (index, entry) pairs with strictly increasing indices; `read_entry(index)` reads
// each entry after its index, `on_count(n)` hears the length first.
template <class OnCount, class ReadEntry>
void read_indexed(Reader& r, OnCount on_count, ReadEntry read_entry) {
  uint32_t n = r.read_count(2);  // an index and at least a length byte
  on_count(n);
  uint32_t previous = 0;
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    size_t at = r.offset();
    uint32_t index = r.read_u32();
    if (i > 0 && index <= previous && r.ok()) {
      r.fail(ErrorKind::kMalformed, "name section indices out of order", at);
      return;
    }
    previous = index;
    read_entry(index);
  }
}

template <class Map>
void read_name_map(Reader& r, Map& out) {
  auto reserve = [&](uint32_t n) {
    if constexpr (requires { out.reserve(n); }) out.reserve(out.size() + n);
  };
  read_indexed(r, reserve, [&](uint32_t index) {
    std::string_view name = r.read_name();
    if (r.ok()) out.emplace_hint(out.end(), index, name);
  });
}

}  // namespace

Status decode_name_section(std::span<const uint8_t> contents, size_t base_offset,
                           NameSection& names) {
  Reader r(contents, base_offset);
  r.set_eof_message("unexpected end of name section");
  int last_id = -1;
  while (r.ok() && !r.at_end()) {
    size_t id_at = r.offset();
    uint8_t id = r.read_u8();
    if (id <= last_id) {
      r.fail(ErrorKind::kMalformed, "name subsections out of order", id_at);
      break;
    }
    last_id = id;
    uint32_t size = r.read_u32();
    size_t start = r.offset();
    Reader sub(r.read_bytes(size), start);
    if (!r.ok()) break;
    sub.set_eof_message("unexpected end of name subsection");
    switch (id) {
      case kModuleNames:
        names.module_name = sub.read_name();
        break;
      case kFunctionNames:
        read_name_map(sub, names.functions);
        break;
      case kLocalNames:
        read_indexed(
            sub, [&](uint32_t n) { names.locals.reserve(names.locals.size() + n); },
            [&](uint32_t func_index) { read_name_map(sub, names.locals[func_index]); });
        break;
      default:
        sub.skip(size);
        break;
    }
    if (sub.ok() && !sub.at_end()) {
      sub.fail(ErrorKind::kMalformed, "name subsection size mismatch");
    }
    if (!sub.ok()) return sub.take_error();
  }
  if (!r.ok()) return r.take_error();
  return {};
}

}  // namespace keel
