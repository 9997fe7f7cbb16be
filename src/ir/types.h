// Value, reference, function and extern types of the Wasm 2.0 type system (plus what the enabled
// proposals add). Value types use their binary encodings so decoding is a range check.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace keel {

enum class ValType : uint8_t {
  kI32 = 0x7f,
  kI64 = 0x7e,
  kF32 = 0x7d,
  kF64 = 0x7c,
  kV128 = 0x7b,
  kFuncRef = 0x70,
  kExternRef = 0x6f,
  // Not encodable: the validator's "unknown" operand on a polymorphic (unreachable) stack.
  kBottom = 0x00,
};

inline bool is_num_type(ValType t) {
  return t == ValType::kI32 || t == ValType::kI64 || t == ValType::kF32 || t == ValType::kF64;
}
inline bool is_ref_type(ValType t) { return t == ValType::kFuncRef || t == ValType::kExternRef; }
inline bool is_defaultable(ValType t) { return t != ValType::kBottom; }

const char* val_type_name(ValType t);

// Binary value-type decoding; nullopt for bytes that are not a value type.
std::optional<ValType> val_type_from_byte(uint8_t byte, bool simd_enabled);

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;

  bool operator==(const FuncType&) const = default;
  std::string to_string() const;  // "(i32, i64) -> (f32)"
};

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool shared = false;  // threads proposal
  bool is64 = false;    // memory64 proposal: i64 addresses
};

struct TableType {
  ValType element = ValType::kFuncRef;
  Limits limits;
};

struct MemoryType {
  Limits limits;  // in 64 KiB pages
};

struct GlobalType {
  ValType type = ValType::kI32;
  bool is_mutable = false;
};

// Exception-handling proposal: a tag's signature is a function type with no results.
struct TagType {
  uint32_t type_index = 0;
};

enum class ExternKind : uint8_t { kFunc = 0, kTable = 1, kMemory = 2, kGlobal = 3, kTag = 4 };

const char* extern_kind_name(ExternKind kind);

inline constexpr uint64_t kPageSize = 65536;
inline constexpr uint64_t kMaxPages32 = 65536;           // 4 GiB
inline constexpr uint64_t kMaxPages64 = uint64_t{1} << 48;  // 2^64 bytes

}  // namespace keel
