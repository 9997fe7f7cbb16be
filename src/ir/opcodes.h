// Opcode enumeration and per-opcode facts, all expanded from opcodes.def.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "ir/features.h"
#include "ir/opcodes.def"
#include "ir/types.h"

namespace keel {

enum class Op : uint16_t {
#define KEEL_OP_ENUM(name, ...) k##name,
  KEEL_OPCODES(KEEL_OP_ENUM)
#undef KEEL_OP_ENUM
      kCount,
  kInvalid = kCount,
};

inline constexpr size_t kOpCount = static_cast<size_t>(Op::kCount);

enum class ImmKind : uint8_t {
  None,
  BlockType,     // block type: empty, value type or s33 type index
  Label,         // label depth
  BrTable,       // vector of depths, then default depth
  Func,          // function index
  CallIndirect,  // type index, table index
  Local,
  Global,
  Table,   // table index
  Memory,  // memory index (one zero byte without multi-memory)
  MemArg8,
  MemArg16,
  MemArg32,
  MemArg64,
  MemArg128,  // alignment, [memory], offset
  MemLane8,
  MemLane16,
  MemLane32,
  MemLane64,  // memarg then lane index
  I32,
  I64,
  F32,
  F64,
  V128,
  SelectT,     // vector of value types
  RefType,     // reference type of ref.null
  MemoryInit,  // data index, memory index
  Data,        // data index
  MemoryCopy,  // destination memory, source memory
  TableInit,   // element index, table index
  Elem,        // element index
  TableCopy,   // destination table, source table
  Lane16,
  Lane8,
  Lane4,
  Lane2,    // lane index below the count
  Shuffle,  // 16 lane indices below 32
  Tag,      // tag index
  Zero,     // one reserved zero byte
  // Wasm 3.0 (parsed by the text format only; see opcodes.def)
  Type,       // type index
  TypeField,  // type index, field index
  TypeType,   // two type indices (array.copy: destination, source)
  TypeData,   // type index, data index
  TypeElem,   // type index, element index
  TypeCount,  // type index, u32 operand count (array.new_fixed)
  HeapType,   // heap type (s33)
  BrOnCast,   // flags (bit 0, 1: the first, second type nullable), label, two heap types
  TryTable,   // block type, vector of catch clauses (kind, [tag], label)
};

// The fixed signature of a non-polymorphic instruction.
struct OpSig {
  bool polymorphic = false;
  uint8_t num_params = 0;
  uint8_t num_results = 0;
  ValType params[3] = {};
  ValType result = ValType::kBottom;
};

namespace detail {
constexpr ValType sig_letter(char c) {
  switch (c) {
    case 'i':
      return ValType::kI32;
    case 'l':
      return ValType::kI64;
    case 'f':
      return ValType::kF32;
    case 'd':
      return ValType::kF64;
    case 'v':
      return ValType::kV128;
  }
  return ValType::kBottom;
}
constexpr OpSig parse_sig(std::string_view s) {
  OpSig sig;
  if (s == "*") {
    sig.polymorphic = true;
    return sig;
  }
  size_t i = 0;
  for (; s[i] != ':'; ++i) sig.params[sig.num_params++] = sig_letter(s[i]);
  for (++i; i < s.size(); ++i) sig.result = sig_letter(s[i]), ++sig.num_results;
  return sig;
}
}  // namespace detail

// The Const column: whether an instruction may appear in a constant expression, and which feature
// (beyond the instruction's own) must be enabled for that.
struct ConstExprGate {
  bool allowed = false;
  Feature feature = Feature::kMvp;
};

// The Cmp column: the predicate of a comparison (of each lane, for SIMD). kEq and kNe serve
// integers and floats; the ordering predicates say their signedness for integers (kLtS, kLtU, ...)
// and are separate for floats (kLt..kGe: false when an operand is NaN).
enum class Cmp : uint8_t {
  kNone,
  kEqz,  // x == 0, the one unary comparison
  kEq,
  kNe,
  kLtS,
  kLtU,
  kGtS,
  kGtU,
  kLeS,
  kLeU,
  kGeS,
  kGeU,
  kLt,
  kGt,
  kLe,
  kGe,
};

namespace detail {
inline constexpr ConstExprGate kConstNo{false, Feature::kMvp};
inline constexpr ConstExprGate kConstYes{true, Feature::kMvp};
inline constexpr ConstExprGate kConstExtendedConst{true, Feature::kExtendedConst};
}  // namespace detail

struct OpInfo {
  uint8_t prefix;
  uint32_t code;
  std::string_view text;
  ImmKind imm;
  OpSig sig;
  Feature feature;
  ConstExprGate const_expr;
  Cmp cmp;
};

inline constexpr OpInfo kOpInfo[] = {
#define KEEL_OP_INFO(name, prefix, code, text, imm, sig, feature, const_expr, cmp) \
  {prefix,                                                                         \
   code,                                                                           \
   text,                                                                           \
   ImmKind::imm,                                                                   \
   detail::parse_sig(sig),                                                         \
   Feature::k##feature,                                                            \
   detail::kConst##const_expr,                                                     \
   Cmp::k##cmp},
    KEEL_OPCODES(KEEL_OP_INFO)
#undef KEEL_OP_INFO
};
static_assert(std::size(kOpInfo) == kOpCount);

constexpr const OpInfo& op_info(Op op) {
  return kOpInfo[static_cast<size_t>(op)];
}
constexpr std::string_view op_text(Op op) {
  return op_info(op).text;
}

// True if `op` may appear in a constant expression of a module with features `f`. The
// instruction's own Feature gate applies as well; decoding checks that one first.
inline bool allowed_in_const_expr(Op op, const Features& f) {
  const ConstExprGate& gate = op_info(op).const_expr;
  return gate.allowed && feature_enabled(f, gate.feature);
}

// Natural alignment (log2 of bytes) of a memory instruction, from its immediate kind.
constexpr uint32_t natural_alignment_log2(ImmKind imm) {
  switch (imm) {
    case ImmKind::MemArg8:
    case ImmKind::MemLane8:
      return 0;
    case ImmKind::MemArg16:
    case ImmKind::MemLane16:
      return 1;
    case ImmKind::MemArg32:
    case ImmKind::MemLane32:
      return 2;
    case ImmKind::MemArg64:
    case ImmKind::MemLane64:
      return 3;
    case ImmKind::MemArg128:
      return 4;
    default:
      return 0;
  }
}
// Bytes a memory instruction reads or writes: its natural alignment.
constexpr uint32_t access_bytes(Op op) {
  return 1u << natural_alignment_log2(op_info(op).imm);
}
constexpr bool is_memarg(ImmKind imm) {
  return imm >= ImmKind::MemArg8 && imm <= ImmKind::MemLane64;
}
constexpr bool is_mem_lane(ImmKind imm) {
  return imm >= ImmKind::MemLane8 && imm <= ImmKind::MemLane64;
}
constexpr uint32_t lane_count(ImmKind imm) {
  switch (imm) {
    case ImmKind::Lane16:
    case ImmKind::MemLane8:
      return 16;
    case ImmKind::Lane8:
    case ImmKind::MemLane16:
      return 8;
    case ImmKind::Lane4:
    case ImmKind::MemLane32:
      return 4;
    case ImmKind::Lane2:
    case ImmKind::MemLane64:
      return 2;
    default:
      return 0;
  }
}

// How an instruction changes block nesting: +1 opens a block (its `end` or `delegate` closes it).
constexpr int nesting_change(Op op) {
  switch (op) {
    case Op::kBlock:
    case Op::kLoop:
    case Op::kIf:
    case Op::kTry:
      return 1;
    case Op::kEnd:
    case Op::kDelegate:
      return -1;
    default:
      return 0;
  }
}

// Opcode lookup by encoding. Single-byte opcodes index a 256-entry table; prefixed ones index a
// table per prefix sized to the largest code in use.
namespace detail {
template <uint8_t kPrefix>
constexpr size_t prefixed_table_size() {
  uint32_t max = 0;
  for (const OpInfo& info : kOpInfo)
    if (info.prefix == kPrefix && info.code > max) max = info.code;
  return max + 1;
}
template <uint8_t kPrefix, size_t kSize>
constexpr std::array<Op, kSize> make_lookup() {
  std::array<Op, kSize> table{};
  for (auto& e : table) e = Op::kInvalid;
  for (size_t i = 0; i < kOpCount; ++i)
    if (kOpInfo[i].prefix == kPrefix) table[kOpInfo[i].code] = static_cast<Op>(i);
  return table;
}
}  // namespace detail

inline constexpr uint8_t kPrefixFB = 0xfb;
inline constexpr uint8_t kPrefixFC = 0xfc;
inline constexpr uint8_t kPrefixFD = 0xfd;
inline constexpr uint8_t kPrefixFE = 0xfe;

inline constexpr auto kSingleByteOps = detail::make_lookup<0, 256>();
inline constexpr auto kFbOps =
    detail::make_lookup<kPrefixFB, detail::prefixed_table_size<kPrefixFB>()>();
inline constexpr auto kFcOps =
    detail::make_lookup<kPrefixFC, detail::prefixed_table_size<kPrefixFC>()>();
inline constexpr auto kFdOps =
    detail::make_lookup<kPrefixFD, detail::prefixed_table_size<kPrefixFD>()>();
inline constexpr auto kFeOps =
    detail::make_lookup<kPrefixFE, detail::prefixed_table_size<kPrefixFE>()>();

constexpr bool is_prefix_byte(uint8_t b) {
  return b == kPrefixFB || b == kPrefixFC || b == kPrefixFD || b == kPrefixFE;
}

constexpr Op lookup_op(uint8_t prefix, uint32_t code) {
  switch (prefix) {
    case 0:
      return code < kSingleByteOps.size() ? kSingleByteOps[code] : Op::kInvalid;
    case kPrefixFB:
      return code < kFbOps.size() ? kFbOps[code] : Op::kInvalid;
    case kPrefixFC:
      return code < kFcOps.size() ? kFcOps[code] : Op::kInvalid;
    case kPrefixFD:
      return code < kFdOps.size() ? kFdOps[code] : Op::kInvalid;
    case kPrefixFE:
      return code < kFeOps.size() ? kFeOps[code] : Op::kInvalid;
  }
  return Op::kInvalid;
}

// Lane shape of a SIMD instruction: the shape its text name begins with (the spec names every
// lane-wise instruction shape.op, e.g. "i16x8.add"), kNone for v128.* and non-SIMD instructions.
enum class LaneShape : uint8_t { kNone, kI8x16, kI16x8, kI32x4, kI64x2, kF32x4, kF64x2 };

constexpr LaneShape lane_shape(Op op) {
  const OpInfo& info = op_info(op);
  if (info.prefix != kPrefixFD) return LaneShape::kNone;
  std::string_view t = info.text;
  if (t.starts_with("i8x16.")) return LaneShape::kI8x16;
  if (t.starts_with("i16x8.")) return LaneShape::kI16x8;
  if (t.starts_with("i32x4.")) return LaneShape::kI32x4;
  if (t.starts_with("i64x2.")) return LaneShape::kI64x2;
  if (t.starts_with("f32x4.")) return LaneShape::kF32x4;
  if (t.starts_with("f64x2.")) return LaneShape::kF64x2;
  return LaneShape::kNone;
}
// log2 of a lane's bytes: 0 for i8x16 up to 3 for i64x2 and f64x2.
constexpr uint32_t lane_size_log2(LaneShape shape) {
  switch (shape) {
    case LaneShape::kI8x16:
      return 0;
    case LaneShape::kI16x8:
      return 1;
    case LaneShape::kI32x4:
    case LaneShape::kF32x4:
      return 2;
    case LaneShape::kI64x2:
    case LaneShape::kF64x2:
      return 3;
    case LaneShape::kNone:
      break;
  }
  return 0;
}
// The lane-wise SIMD instruction that does to each lane of `shape` what the scalar `op` does
// (f64.add and f64x2, f64x2.add), found by the spec's naming rule: the same operation name
// after the shape. Op::kInvalid when there is none.
inline Op lane_wise_counterpart(Op op, LaneShape shape) {
  static constexpr std::string_view kShapeNames[] = {"",       "i8x16.", "i16x8.", "i32x4.",
                                                     "i64x2.", "f32x4.", "f64x2."};
  std::string_view scalar = op_text(op);
  size_t dot = scalar.find('.');
  if (dot == std::string_view::npos || shape == LaneShape::kNone) return Op::kInvalid;
  std::string_view operation = scalar.substr(dot + 1), prefix = kShapeNames[int(shape)];
  for (size_t i = 0; i < kOpCount; ++i) {
    std::string_view text = kOpInfo[i].text;
    if (text.size() == prefix.size() + operation.size() && text.starts_with(prefix) &&
        text.ends_with(operation))
      return static_cast<Op>(i);
  }
  return Op::kInvalid;
}
constexpr bool is_integer_shape(LaneShape shape) {
  return shape == LaneShape::kI8x16 || shape == LaneShape::kI16x8 || shape == LaneShape::kI32x4 ||
         shape == LaneShape::kI64x2;
}

}  // namespace keel
