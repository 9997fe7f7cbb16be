// A small binary-module builder for unit tests: LEB128 encoders, sections with size prefixes and a
// WasmBuilder that lays sections out in the spec's order. Everything is plain bytes, so a test can
// also splice in deliberately broken encodings (wrong counts, sizes, ids, truncated bodies).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/byte_buffer.h"
#include "base/result.h"
#include "ir/features.h"
#include "ir/module.h"
#include "ir/types.h"

namespace keel::test {

using Bytes = std::vector<uint8_t>;

// ---- Encoders ---------------------------------------------------------------------------------

inline Bytes u64(uint64_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v != 0) b |= 0x80;
    out.push_back(b);
  } while (v != 0);
  return out;
}
inline Bytes u32(uint32_t v) {
  return u64(v);
}

inline Bytes s64(int64_t v) {
  Bytes out;
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7;  // arithmetic shift
    bool done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
    if (!done) b |= 0x80;
    out.push_back(b);
    if (done) return out;
  }
}
inline Bytes s32(int32_t v) {
  return s64(v);
}

// An unsigned LEB128 padded with continuation bytes to exactly `width` bytes (legal while width is
// within the type's maximum length).
inline Bytes u32_padded(uint32_t v, size_t width) {
  Bytes out;
  for (size_t i = 0; i < width; ++i) {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (i + 1 < width) b |= 0x80;
    out.push_back(b);
  }
  return out;
}

namespace detail {
inline void append(Bytes& out, const Bytes& b) {
  out.insert(out.end(), b.begin(), b.end());
}
inline void append(Bytes& out, std::string_view s) {
  out.insert(out.end(), s.begin(), s.end());
}
inline void append(Bytes& out, ValType t) {
  out.push_back(static_cast<uint8_t>(t));
}
template <class T>
requires std::is_integral_v<T>
void append(Bytes& out, T byte) {
  out.push_back(static_cast<uint8_t>(byte));
}
}  // namespace detail

// Concatenates bytes (integers), byte vectors, value types and raw strings:
//   cat(0x41, s32(-1), 0x1a)
template <class... Parts>
Bytes cat(const Parts&... parts) {
  Bytes out;
  (detail::append(out, parts), ...);
  return out;
}

// A length-prefixed name (bytes taken as they are, so invalid UTF-8 can be written).
inline Bytes name(std::string_view s) {
  return cat(u32(static_cast<uint32_t>(s.size())), s);
}

// A vector: count then the concatenated items.
inline Bytes vec(const std::vector<Bytes>& items) {
  Bytes out = u32(static_cast<uint32_t>(items.size()));
  for (const Bytes& item : items) detail::append(out, item);
  return out;
}
inline Bytes vec_u32(const std::vector<uint32_t>& items) {
  Bytes out = u32(static_cast<uint32_t>(items.size()));
  for (uint32_t item : items) detail::append(out, u32(item));
  return out;
}
inline Bytes vec_types(const std::vector<ValType>& types) {
  Bytes out = u32(static_cast<uint32_t>(types.size()));
  for (ValType t : types) out.push_back(static_cast<uint8_t>(t));
  return out;
}

// A section: id, u32 size of `contents`, contents.
inline Bytes section(uint8_t id, const Bytes& contents) {
  return cat(id, u32(static_cast<uint32_t>(contents.size())), contents);
}
inline Bytes section(SectionId id, const Bytes& contents) {
  return section(static_cast<uint8_t>(id), contents);
}
// A section whose size field says `size` whatever the contents are.
inline Bytes section_with_size(uint8_t id, uint32_t size, const Bytes& contents) {
  return cat(id, u32(size), contents);
}
inline Bytes custom_section(std::string_view section_name, const Bytes& payload) {
  return section(SectionId::kCustom, cat(name(section_name), payload));
}

inline Bytes header() {
  return {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
}

// Header followed by the given raw sections (or any other bytes).
template <class... Parts>
Bytes module_bytes(const Parts&... parts) {
  return cat(header(), parts...);
}

// Limits: flag 0 (min) or 1 (min, max).
inline Bytes limits(uint32_t min, std::optional<uint32_t> max = std::nullopt) {
  return max ? cat(0x01, u32(min), u32(*max)) : cat(0x00, u32(min));
}

// ---- Instructions -----------------------------------------------------------------------------

namespace op {
inline constexpr uint8_t kUnreachable = 0x00, kNop = 0x01, kBlock = 0x02, kLoop = 0x03, kIf = 0x04,
                         kElse = 0x05, kEnd = 0x0b, kBr = 0x0c, kBrIf = 0x0d, kBrTable = 0x0e,
                         kReturn = 0x0f, kCall = 0x10, kCallIndirect = 0x11, kDrop = 0x1a,
                         kSelect = 0x1b, kSelectT = 0x1c, kLocalGet = 0x20, kLocalSet = 0x21,
                         kLocalTee = 0x22, kGlobalGet = 0x23, kGlobalSet = 0x24, kTableGet = 0x25,
                         kTableSet = 0x26, kI32Load = 0x28, kI64Load = 0x29, kI32Load8U = 0x2d,
                         kI64Load8U = 0x31, kI32Store = 0x36, kI64Store = 0x37, kMemorySize = 0x3f,
                         kMemoryGrow = 0x40, kI32Const = 0x41, kI64Const = 0x42, kF32Const = 0x43,
                         kF64Const = 0x44, kI32Eqz = 0x45, kI32Add = 0x6a, kI32Ctz = 0x68,
                         kI64Add = 0x7c, kF32Neg = 0x8c, kRefNull = 0xd0, kRefIsNull = 0xd1,
                         kRefFunc = 0xd2, kPrefixFC = 0xfc, kPrefixFD = 0xfd;
inline constexpr uint8_t kBlockEmpty = 0x40;
}  // namespace op

inline Bytes i32_const(int32_t v) {
  return cat(op::kI32Const, s32(v));
}
inline Bytes i64_const(int64_t v) {
  return cat(op::kI64Const, s64(v));
}
inline Bytes f32_const() {
  return cat(op::kF32Const, 0, 0, 0, 0);
}
inline Bytes f64_const() {
  return cat(op::kF64Const, 0, 0, 0, 0, 0, 0, 0, 0);
}
inline Bytes v128_const() {
  return cat(op::kPrefixFD, 0x0c, Bytes(16, 0));
}
inline Bytes local_get(uint32_t i) {
  return cat(op::kLocalGet, u32(i));
}
inline Bytes global_get(uint32_t i) {
  return cat(op::kGlobalGet, u32(i));
}
inline Bytes global_set(uint32_t i) {
  return cat(op::kGlobalSet, u32(i));
}
inline Bytes call(uint32_t f) {
  return cat(op::kCall, u32(f));
}
inline Bytes br(uint32_t depth) {
  return cat(op::kBr, u32(depth));
}
inline Bytes ref_func(uint32_t f) {
  return cat(op::kRefFunc, u32(f));
}
inline Bytes ref_null(ValType t) {
  return cat(op::kRefNull, t);
}
// Prefixed instruction: prefix byte, then the u32 code, then immediates.
template <class... Imm>
Bytes fc(uint32_t code, const Imm&... imm) {
  return cat(op::kPrefixFC, u32(code), imm...);
}
template <class... Imm>
Bytes fd(uint32_t code, const Imm&... imm) {
  return cat(op::kPrefixFD, u32(code), imm...);
}
// A memory instruction's memarg: alignment (log2), offset.
inline Bytes memarg(uint32_t align_log2, uint32_t offset = 0) {
  return cat(u32(align_log2), u32(offset));
}
// A constant expression: instructions then `end`.
template <class... Parts>
Bytes expr(const Parts&... parts) {
  return cat(parts..., op::kEnd);
}

// ---- Module builder ---------------------------------------------------------------------------

// Collects entries per section and lays them out in the spec's order: type, import, function,
// table, memory, global, export, start, element, data count, code, data. Raw sections (custom or
// broken ones) can be placed after any section id, or before everything with after = kCustom.
class WasmBuilder {
 public:
  using Locals = std::vector<std::pair<uint32_t, ValType>>;

  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    types_.push_back(cat(0x60, vec_types(params), vec_types(results)));
    return static_cast<uint32_t>(types_.size() - 1);
  }
  // Any raw bytes as a type-section entry (e.g. a broken form byte).
  void type_raw(Bytes entry) { types_.push_back(std::move(entry)); }

  uint32_t import_func(std::string_view module, std::string_view field, uint32_t type_index) {
    imports_.push_back(cat(name(module), name(field), 0x00, u32(type_index)));
    return num_funcs_++;
  }
  uint32_t import_table(std::string_view module, std::string_view field, ValType element,
                        uint32_t min, std::optional<uint32_t> max = std::nullopt) {
    imports_.push_back(cat(name(module), name(field), 0x01, element, limits(min, max)));
    return num_tables_++;
  }
  uint32_t import_memory(std::string_view module, std::string_view field, uint32_t min,
                         std::optional<uint32_t> max = std::nullopt) {
    imports_.push_back(cat(name(module), name(field), 0x02, limits(min, max)));
    return num_memories_++;
  }
  uint32_t import_global(std::string_view module, std::string_view field, ValType type,
                         bool is_mutable) {
    imports_.push_back(cat(name(module), name(field), 0x03, type, is_mutable ? 1 : 0));
    return num_globals_++;
  }
  void import_raw(Bytes entry) { imports_.push_back(std::move(entry)); }

  // A defined function: `code` is the instruction sequence without the final `end`, which is
  // appended.
  uint32_t func(uint32_t type_index, const Bytes& code, const Locals& locals = {}) {
    Bytes body = u32(static_cast<uint32_t>(locals.size()));
    for (auto& [count, t] : locals) detail::append(body, cat(u32(count), t));
    detail::append(body, code);
    body.push_back(op::kEnd);
    return func_raw(type_index, std::move(body));
  }
  // A defined function whose body (locals and instructions, after the size) is exactly `body`.
  uint32_t func_raw(uint32_t type_index, Bytes body) {
    functions_.push_back(u32(type_index));
    codes_.push_back(cat(u32(static_cast<uint32_t>(body.size())), body));
    return num_funcs_++;
  }

  uint32_t table(ValType element, uint32_t min, std::optional<uint32_t> max = std::nullopt) {
    tables_.push_back(cat(element, limits(min, max)));
    return num_tables_++;
  }
  uint32_t memory(uint32_t min, std::optional<uint32_t> max = std::nullopt) {
    memories_.push_back(limits(min, max));
    return num_memories_++;
  }
  // `init` is a constant expression including its `end` (see expr()).
  uint32_t global(ValType type, bool is_mutable, const Bytes& init) {
    globals_.push_back(cat(type, is_mutable ? 1 : 0, init));
    return num_globals_++;
  }
  void export_(std::string_view export_name, ExternKind kind, uint32_t index) {
    exports_.push_back(cat(name(export_name), static_cast<uint8_t>(kind), u32(index)));
  }
  void start(uint32_t func_index) { start_ = func_index; }

  // Element segments, encoding 0 (active, table 0, function indices), or any raw segment.
  void elem_active(const Bytes& offset_expr, const std::vector<uint32_t>& funcs) {
    elems_.push_back(cat(0x00, offset_expr, vec_u32(funcs)));
  }
  void elem_declarative(const std::vector<uint32_t>& funcs) {
    elems_.push_back(cat(0x03, 0x00, vec_u32(funcs)));
  }
  void elem_raw(Bytes segment) { elems_.push_back(std::move(segment)); }

  void data_active(const Bytes& offset_expr, const Bytes& init) {
    datas_.push_back(cat(0x00, offset_expr, u32(static_cast<uint32_t>(init.size())), init));
  }
  void data_passive(const Bytes& init) {
    datas_.push_back(cat(0x01, u32(static_cast<uint32_t>(init.size())), init));
  }
  void data_raw(Bytes segment) { datas_.push_back(std::move(segment)); }
  void data_count(uint32_t n) { data_count_ = n; }

  // A fully formed section (see section(), custom_section()) emitted after the section `after`
  // (whether or not that one is present); kCustom puts it first, right after the header.
  void raw_section(Bytes bytes, SectionId after = SectionId::kData) {
    raw_.push_back({after, std::move(bytes)});
  }
  void custom(std::string_view section_name, const Bytes& payload,
              SectionId after = SectionId::kData) {
    raw_section(custom_section(section_name, payload), after);
  }
  // Bytes appended after everything else.
  void trailing(Bytes bytes) { trailing_ = std::move(bytes); }

  // Replaces the count written for a section's vector (to declare more or fewer entries than
  // given).
  void override_count(SectionId id, uint32_t count) { counts_.push_back({id, count}); }

  Bytes build() const {
    Bytes out = header();
    emit_raw(out, SectionId::kCustom);
    emit_vec(out, SectionId::kType, types_);
    emit_vec(out, SectionId::kImport, imports_);
    emit_vec(out, SectionId::kFunction, functions_);
    emit_vec(out, SectionId::kTable, tables_);
    emit_vec(out, SectionId::kMemory, memories_);
    emit_vec(out, SectionId::kGlobal, globals_);
    emit_vec(out, SectionId::kExport, exports_);
    if (start_) detail::append(out, section(SectionId::kStart, u32(*start_)));
    emit_raw(out, SectionId::kStart);
    emit_vec(out, SectionId::kElement, elems_);
    if (data_count_) detail::append(out, section(SectionId::kDataCount, u32(*data_count_)));
    emit_raw(out, SectionId::kDataCount);
    emit_vec(out, SectionId::kCode, codes_);
    emit_vec(out, SectionId::kData, datas_);
    detail::append(out, trailing_);
    return out;
  }

 private:
  void emit_vec(Bytes& out, SectionId id, const std::vector<Bytes>& items) const {
    std::optional<uint32_t> count;
    for (auto& [which, n] : counts_)
      if (which == id) count = n;
    if (!items.empty() || count) {
      Bytes contents = u32(count.value_or(static_cast<uint32_t>(items.size())));
      for (const Bytes& item : items) detail::append(contents, item);
      detail::append(out, section(id, contents));
    }
    emit_raw(out, id);
  }
  void emit_raw(Bytes& out, SectionId after) const {
    for (auto& [where, bytes] : raw_)
      if (where == after) detail::append(out, bytes);
  }

  std::vector<Bytes> types_, imports_, functions_, tables_, memories_, globals_, exports_, elems_,
      codes_, datas_;
  std::optional<uint32_t> start_, data_count_;
  std::vector<std::pair<SectionId, Bytes>> raw_;
  std::vector<std::pair<SectionId, uint32_t>> counts_;
  Bytes trailing_;
  uint32_t num_funcs_ = 0, num_tables_ = 0, num_memories_ = 0, num_globals_ = 0;
};

inline std::shared_ptr<const ByteBuffer> buffer_of(const Bytes& bytes) {
  return ByteBuffer::copy_of(std::span<const uint8_t>(bytes));
}

}  // namespace keel::test
