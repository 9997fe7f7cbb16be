#include "decode/immediates.h"

namespace keel {

void skip_immediates(Reader& r, Op op, const Features& f) {
  switch (op_info(op).imm) {
    case ImmKind::None: return;
    case ImmKind::BlockType: read_block_type(r, f); return;
    case ImmKind::Label:
    case ImmKind::Func:
    case ImmKind::Local:
    case ImmKind::Global:
    case ImmKind::Table:
    case ImmKind::Data:
    case ImmKind::Elem:
    case ImmKind::Tag: r.read_u32(); return;
    case ImmKind::BrTable: {
      uint32_t n = r.read_count();
      for (uint32_t i = 0; i <= n && r.ok(); ++i) r.read_u32();
      return;
    }
    case ImmKind::CallIndirect:
    case ImmKind::TableInit:
    case ImmKind::TableCopy: r.read_u32(); r.read_u32(); return;
    case ImmKind::Memory: read_memory_index(r, f); return;
    case ImmKind::MemArg8:
    case ImmKind::MemArg16:
    case ImmKind::MemArg32:
    case ImmKind::MemArg64:
    case ImmKind::MemArg128: read_memarg(r, f); return;
    case ImmKind::MemLane8:
    case ImmKind::MemLane16:
    case ImmKind::MemLane32:
    case ImmKind::MemLane64: read_memarg(r, f); read_lane_index(r); return;
    case ImmKind::I32: r.read_s32(); return;
    case ImmKind::I64: r.read_s64(); return;
    case ImmKind::F32: r.skip(4); return;
    case ImmKind::F64: r.skip(8); return;
    case ImmKind::V128:
    case ImmKind::Shuffle: r.skip(16); return;
    case ImmKind::SelectT: {
      uint32_t n = r.read_count();
      for (uint32_t i = 0; i < n && r.ok(); ++i) read_val_type(r, f);
      return;
    }
    case ImmKind::RefType: read_ref_type(r); return;
    case ImmKind::MemoryInit: r.read_u32(); read_memory_index(r, f); return;
    case ImmKind::MemoryCopy: read_memory_index(r, f); read_memory_index(r, f); return;
    case ImmKind::Lane16:
    case ImmKind::Lane8:
    case ImmKind::Lane4:
    case ImmKind::Lane2: read_lane_index(r); return;
    case ImmKind::Zero: {
      size_t at = r.offset();
      if (r.read_u8() != 0 && r.ok()) r.fail(ErrorKind::kMalformed, "zero byte expected", at);
      return;
    }
    // Wasm 3.0 (opcodes.def): read for their extent, though no enabled feature admits them yet.
    case ImmKind::Type: r.read_u32(); return;
    case ImmKind::TypeField:
    case ImmKind::TypeType:
    case ImmKind::TypeData:
    case ImmKind::TypeElem:
    case ImmKind::TypeCount: r.read_u32(); r.read_u32(); return;
    case ImmKind::HeapType: r.read_s33(); return;
    case ImmKind::BrOnCast: r.read_u8(); r.read_u32(); r.read_s33(); r.read_s33(); return;
    case ImmKind::TryTable: {
      read_block_type(r, f);
      uint32_t n = r.read_count();
      for (uint32_t i = 0; i < n && r.ok(); ++i) {
        uint8_t kind = r.read_u8();
        if (kind < 2) r.read_u32();  // catch and catch_ref name a tag
        r.read_u32();
      }
      return;
    }
  }
}

}  // namespace keel
