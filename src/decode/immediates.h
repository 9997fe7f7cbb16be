// Immediate operands of instructions, and the one place they are read from the byte stream. The
// function-body decoder, the constant-expression scanner and the disassembler all read through
// these, driven by the ImmKind column of the opcode table.
#pragma once

#include <cstdint>
#include <cstring>

#include "base/reader.h"
#include "ir/features.h"
#include "ir/opcodes.h"
#include "ir/types.h"

namespace keel {

struct BlockTypeImm {
  enum class Kind : uint8_t { kEmpty, kValue, kTypeIndex } kind = Kind::kEmpty;
  ValType type = ValType::kBottom;  // kValue
  uint32_t type_index = 0;          // kTypeIndex
};

struct MemArgImm {
  uint32_t align_log2 = 0;
  uint32_t memory = 0;
  uint64_t offset = 0;
};

struct V128Imm {
  uint8_t bytes[16];
};

// Reads a value type byte; "malformed value type" otherwise (the reference interpreter's wording
// for an unknown type byte in a type position).
inline ValType read_val_type(Reader& r, const Features& f) {
  size_t at = r.offset();
  uint8_t b = r.read_u8();
  if (!r.ok()) return ValType::kBottom;
  if (auto t = val_type_from_byte(b, f.simd)) {
    if (is_ref_type(*t) && !f.reference_types && *t != ValType::kFuncRef) {
      r.fail(ErrorKind::kMalformed, "malformed value type", at);
      return ValType::kBottom;
    }
    return *t;
  }
  r.fail(ErrorKind::kMalformed, "malformed value type", at);
  return ValType::kBottom;
}

inline ValType read_ref_type(Reader& r) {
  size_t at = r.offset();
  uint8_t b = r.read_u8();
  if (b == static_cast<uint8_t>(ValType::kFuncRef)) return ValType::kFuncRef;
  if (b == static_cast<uint8_t>(ValType::kExternRef)) return ValType::kExternRef;
  if (r.ok()) r.fail(ErrorKind::kMalformed, "malformed reference type", at);
  return ValType::kBottom;
}

inline BlockTypeImm read_block_type(Reader& r, const Features& f) {
  BlockTypeImm imm;
  uint8_t b = r.peek_u8();
  if (b == 0x40) {
    r.read_u8();
    return imm;
  }
  if ((b & 0xc0) == 0x40) {  // a negative one-byte s33 is a value type; longer ones are indices
    imm.kind = BlockTypeImm::Kind::kValue;
    imm.type = read_val_type(r, f);
    return imm;
  }
  size_t at = r.offset();
  int64_t index = r.read_s33();
  if (!r.ok()) return imm;
  if (index < 0 || index > UINT32_MAX) {
    r.fail(ErrorKind::kMalformed, "malformed block type", at);
    return imm;
  }
  imm.kind = BlockTypeImm::Kind::kTypeIndex;
  imm.type_index = static_cast<uint32_t>(index);
  return imm;
}

// A memory index where the pre-multi-memory encoding is a reserved zero byte.
inline uint32_t read_memory_index(Reader& r, const Features& f) {
  if (f.multi_memory) return r.read_u32();
  size_t at = r.offset();
  uint8_t b = r.read_u8();
  if (b != 0 && r.ok()) r.fail(ErrorKind::kMalformed, "zero byte expected", at);
  return 0;
}

[[gnu::always_inline]] inline MemArgImm read_memarg(Reader& r, const Features& f) {
  MemArgImm imm;
  uint32_t flags = r.read_u32();
  // With multi-memory, bit 6 of the alignment field says a memory index follows.
  if (f.multi_memory && (flags & 0x40)) {
    flags &= ~uint32_t{0x40};
    imm.memory = r.read_u32();
  }
  imm.align_log2 = flags;
  imm.offset = f.memory64 ? r.read_u64() : r.read_u32();
  return imm;
}

inline uint8_t read_lane_index(Reader& r) {
  return r.read_u8();
}

inline float read_f32_bits(Reader& r) {
  uint32_t bits = r.read_fixed_u32();
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}
inline double read_f64_bits(Reader& r) {
  uint64_t bits = r.read_fixed_u64();
  double v;
  std::memcpy(&v, &bits, 8);
  return v;
}
inline V128Imm read_v128(Reader& r) {
  V128Imm imm{};
  auto bytes = r.read_bytes(16);
  if (r.ok()) std::memcpy(imm.bytes, bytes.data(), 16);
  return imm;
}

// Reads the opcode at the reader: a byte, or a prefix byte and a u32 LEB128 code.
// Returns Op::kInvalid (and fails the reader with "illegal opcode") for unknown encodings and for
// instructions whose feature is not enabled.
inline Op read_opcode(Reader& r, const Features& f) {
  size_t at = r.offset();
  uint8_t b = r.read_u8();
  Op op;
  if (is_prefix_byte(b)) {
    uint32_t code = r.read_u32();
    if (!r.ok()) return Op::kInvalid;
    op = lookup_op(b, code);
  } else {
    op = kSingleByteOps[b];
  }
  if (!r.ok()) return Op::kInvalid;
  if (op == Op::kInvalid || !feature_enabled(f, op_info(op).feature)) {
    r.fail(ErrorKind::kMalformed, "illegal opcode", at);
    return Op::kInvalid;
  }
  return op;
}

// Reads and discards the immediates of `op`; used where only an instruction's extent matters.
void skip_immediates(Reader& r, Op op, const Features& f);

}  // namespace keel
