#include "disasm/disassembler.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/reader.h"
#include "decode/immediates.h"

namespace keel {
namespace {

// " <v>" in decimal.
template <class Int>
void append_int(std::string& s, Int v) {
  s += ' ';
  s += std::to_string(v);
}

// Instruction bytes shown per line; longer encodings continue on lines of their own.
constexpr size_t kBytesPerLine = 9;

// Lowercase hex of `v`, zero-padded to `min_digits`. Hand-rolled: listings of big modules run to
// millions of lines, and formatting is most of their cost.
void append_hex(std::string& s, uint64_t v, int min_digits) {
  char digits[16];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[v & 0xf];
    v >>= 4;
  } while (v != 0);
  for (int i = n; i < min_digits; ++i) s += '0';
  while (n > 0) s += digits[--n];
}

// Appends " 00001a: 41 c4 08                   | <indent>text" and a newline.
void append_line(std::string& out, size_t offset, std::span<const uint8_t> bytes, int depth,
                 std::string_view text) {
  for (size_t i = 0; i == 0 || i < bytes.size(); i += kBytesPerLine) {
    out += ' ';
    append_hex(out, offset + i, 6);
    out += ": ";
    size_t column = out.size();
    for (size_t j = i; j < i + kBytesPerLine && j < bytes.size(); ++j) {
      append_hex(out, bytes[j], 2);
      out += ' ';
    }
    out.append(column + 3 * kBytesPerLine - out.size(), ' ');
    out += "| ";
    if (i == 0) out.append(2 * static_cast<size_t>(depth), ' ') += text;
    out += '\n';
  }
}

// NaNs print as wat writes them: "nan" for the canonical payload, else "nan:0x<payload>".
template <class Float, class Bits>
void append_float(std::string& s, Float v, Bits payload_mask, Bits canonical, int digits) {
  Bits bits;
  std::memcpy(&bits, &v, sizeof bits);
  s += std::signbit(v) ? " -" : " ";
  if (std::isnan(v)) {
    s += "nan";
    uint64_t payload = bits & payload_mask;
    if (payload != canonical) {
      s += ":0x";
      append_hex(s, payload, 1);
    }
    return;
  }
  if (std::isinf(v)) {
    s += "inf";
    return;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, static_cast<double>(std::fabs(v)));
  s += buf;
}

void append_function_ref(std::string& s, const Module& module, uint32_t index) {
  append_int(s, index);
  if (module.names.functions.count(index)) s += " <" + module.function_name(index) + ">";
}

void append_memarg(std::string& s, const MemArgImm& imm, ImmKind kind) {
  if (imm.memory) append_int(s, imm.memory);
  if (imm.offset) s += " offset=" + std::to_string(imm.offset);
  if (imm.align_log2 != natural_alignment_log2(kind)) {
    s += imm.align_log2 < 64 ? " align=" + std::to_string(uint64_t{1} << imm.align_log2)
                             : " align=2**" + std::to_string(imm.align_log2);
  }
}

// Reads the immediates of `op` and appends them to `s` much as wat writes them; a zero memory or
// table index that wat would leave out is left out.
void append_immediates(Reader& r, Op op, const Module& module, std::string& s) {
  const Features& f = module.features;
  ImmKind kind = op_info(op).imm;
  switch (kind) {
    case ImmKind::None:
      return;
    case ImmKind::BlockType: {
      BlockTypeImm imm = read_block_type(r, f);
      if (imm.kind == BlockTypeImm::Kind::kValue)
        s += std::string(" (result ") + val_type_name(imm.type) + ")";
      if (imm.kind == BlockTypeImm::Kind::kTypeIndex)
        s += " (type " + std::to_string(imm.type_index) + ")";
      return;
    }
    case ImmKind::Label:
    case ImmKind::Local:
    case ImmKind::Global:
    case ImmKind::Table:
    case ImmKind::Data:
    case ImmKind::Elem:
    case ImmKind::Tag:
      append_int(s, r.read_u32());
      return;
    case ImmKind::Lane16:
    case ImmKind::Lane8:
    case ImmKind::Lane4:
    case ImmKind::Lane2:
      append_int(s, read_lane_index(r));
      return;
    case ImmKind::Func:
      append_function_ref(s, module, r.read_u32());
      return;
    case ImmKind::BrTable: {
      uint32_t n = r.read_count();
      for (uint32_t i = 0; i <= n && r.ok(); ++i) append_int(s, r.read_u32());
      return;
    }
    case ImmKind::CallIndirect: {
      uint32_t type_index = r.read_u32();
      uint32_t table = r.read_u32();
      if (table) append_int(s, table);
      s += " (type " + std::to_string(type_index) + ")";
      return;
    }
    case ImmKind::Memory: {
      uint32_t memory = read_memory_index(r, f);
      if (memory) append_int(s, memory);
      return;
    }
    case ImmKind::MemArg8:
    case ImmKind::MemArg16:
    case ImmKind::MemArg32:
    case ImmKind::MemArg64:
    case ImmKind::MemArg128:
      append_memarg(s, read_memarg(r, f), kind);
      return;
    case ImmKind::MemLane8:
    case ImmKind::MemLane16:
    case ImmKind::MemLane32:
    case ImmKind::MemLane64: {
      append_memarg(s, read_memarg(r, f), kind);
      append_int(s, read_lane_index(r));
      return;
    }
    case ImmKind::I32:
      append_int(s, r.read_s32());
      return;
    case ImmKind::I64:
      append_int(s, r.read_s64());
      return;
    case ImmKind::F32:
      append_float(s, read_f32_bits(r), uint32_t{0x7fffff}, uint32_t{0x400000}, 9);
      return;
    case ImmKind::F64:
      append_float(s, read_f64_bits(r), uint64_t{0xfffffffffffff}, uint64_t{1} << 51, 17);
      return;
    case ImmKind::V128: {
      V128Imm imm = read_v128(r);
      s += " i32x4";
      for (int i = 0; i < 4; ++i) {
        uint32_t lane;
        std::memcpy(&lane, imm.bytes + 4 * i, 4);
        s += " 0x";
        append_hex(s, lane, 8);
      }
      return;
    }
    case ImmKind::Shuffle: {
      V128Imm imm = read_v128(r);
      for (uint8_t lane : imm.bytes) append_int(s, lane);
      return;
    }
    case ImmKind::SelectT: {
      uint32_t n = r.read_count();
      s += " (result";
      for (uint32_t i = 0; i < n && r.ok(); ++i) {
        s += ' ';
        s += val_type_name(read_val_type(r, f));
      }
      s += ')';
      return;
    }
    case ImmKind::RefType: {
      ValType t = read_ref_type(r);
      s += t == ValType::kExternRef ? " extern" : " func";
      return;
    }
    case ImmKind::MemoryInit: {
      uint32_t data = r.read_u32();
      uint32_t memory = read_memory_index(r, f);
      if (memory) append_int(s, memory);
      append_int(s, data);
      return;
    }
    case ImmKind::MemoryCopy: {
      uint32_t dst = read_memory_index(r, f);
      uint32_t src = read_memory_index(r, f);
      if (dst || src) {
        append_int(s, dst);
        append_int(s, src);
      }
      return;
    }
    case ImmKind::TableInit: {
      uint32_t elem = r.read_u32();
      uint32_t table = r.read_u32();
      if (table) append_int(s, table);
      append_int(s, elem);
      return;
    }
    case ImmKind::TableCopy: {
      uint32_t dst = r.read_u32();
      uint32_t src = r.read_u32();
      if (dst || src) {
        append_int(s, dst);
        append_int(s, src);
      }
      return;
    }
    case ImmKind::Zero:
    // Wasm 3.0's (opcodes.def) never decode yet: no enabled feature admits them.
    case ImmKind::Type:
    case ImmKind::TypeField:
    case ImmKind::TypeType:
    case ImmKind::TypeData:
    case ImmKind::TypeElem:
    case ImmKind::TypeCount:
    case ImmKind::HeapType:
    case ImmKind::BrOnCast:
    case ImmKind::TryTable:
      skip_immediates(r, op, f);
      return;
  }
}

}  // namespace

Status disassemble_function(const Module& module, uint32_t func_index, std::ostream& out) {
  if (func_index >= module.functions.size() || module.functions[func_index].imported)
    return make_error(ErrorKind::kUsage, "function " + std::to_string(func_index) + " has no body");
  const Function& func = module.functions[func_index];
  const FuncType* type =
      func.type_index < module.types.size() ? &module.types[func.type_index] : nullptr;

  // The listing is built in a buffer and written out in large pieces; partial output is kept on
  // error so the lines before the bad instruction still show.
  std::string listing;
  auto flush = [&] {
    out << listing;
    listing.clear();
  };
  append_hex(listing, func.body.offset, 6);
  listing += " func[" + std::to_string(func_index) + "]";
  if (module.names.functions.count(func_index))
    listing += " <" + module.function_name(func_index) + ">";
  if (type) listing += " " + type->to_string();
  listing += ":\n";

  Reader r(module.bytes(func.body), func.body.offset);
  r.set_eof_message("unexpected end of section or function");
  auto fail = [&]() -> Status {
    flush();
    Error e = r.take_error();
    e.function = func_index;
    return e;
  };

  // Local declarations: runs of (count, type); each run takes at least two bytes.
  std::string text;
  uint64_t next_local = type ? type->params.size() : 0;
  uint32_t runs = r.read_count(2);
  for (uint32_t i = 0; i < runs && r.ok(); ++i) {
    size_t at = r.offset();
    const uint8_t* start = r.position();
    uint32_t count = r.read_u32();
    ValType t = read_val_type(r, module.features);
    if (!r.ok()) break;
    text = "local[";
    if (count > 0) text += std::to_string(next_local);
    if (count > 1) text += ".." + std::to_string(next_local + count - 1);
    text += std::string("] type=") + val_type_name(t);
    append_line(listing, at, {start, r.position()}, 0, text);
    next_local += count;
  }
  if (!r.ok()) return fail();

  constexpr size_t kFlushSize = 1 << 16;
  int depth = 0;
  while (!r.at_end()) {
    size_t at = r.offset();
    const uint8_t* start = r.position();
    Op op = read_opcode(r, module.features);
    if (!r.ok()) break;
    text = op_text(op);
    append_immediates(r, op, module, text);
    if (!r.ok()) break;
    int indent = depth;
    switch (op) {
      case Op::kBlock:
      case Op::kLoop:
      case Op::kIf:
      case Op::kTry:
        ++depth;
        break;
      case Op::kElse:
      case Op::kCatch:
      case Op::kCatchAll:
        indent = depth > 0 ? depth - 1 : 0;
        break;
      case Op::kEnd:
      case Op::kDelegate:
        indent = depth = depth > 0 ? depth - 1 : 0;
        break;
      default:
        break;
    }
    append_line(listing, at, {start, r.position()}, indent, text);
    if (listing.size() >= kFlushSize) flush();
  }
  if (!r.ok()) return fail();
  flush();
  return {};
}

Status disassemble_module(const Module& module, std::ostream& out) {
  for (uint32_t i = module.num_imported_functions; i < module.functions.size(); ++i) {
    if (i > module.num_imported_functions) out << '\n';
    KEEL_TRY(disassemble_function(module, i, out));
  }
  return {};
}

}  // namespace keel
