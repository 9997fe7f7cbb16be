#include "decode/module_decoder.h"

#include <algorithm>
#include <utility>

#include "base/reader.h"
#include "decode/immediates.h"
#include "decode/name_section.h"

namespace keel {
namespace {

constexpr const char* kUnexpectedEnd = "unexpected end of section or function";

// Position of each section id in the required order (custom sections have none): the tag section
// sits between memory and global, the data count section before code.
constexpr uint8_t kSectionRank[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};

// Error wording follows the reference interpreter, which the spec tests quote. It reads every
// section from the whole byte stream and compares the section's extent afterwards, so reading past
// a section's end is reported by whatever the following bytes make of it ("section size
// mismatch", "length out of bounds", ...) and only the end of the file is "unexpected end". This
// decoder does the same: one reader over the file, and a size check after each section.
class ModuleDecoder {
 public:
  ModuleDecoder(std::shared_ptr<const ByteBuffer> buffer, const Features& features)
      : r_(buffer->bytes()), file_size_(buffer->bytes().size()), f_(features) {
    m_.buffer = std::move(buffer);
    m_.features = features;
  }

  Result<Module> decode() {
    if (!decode_header() || !decode_sections() || !check_counts()) return r_.take_error();
    decode_names();
    return std::move(m_);
  }

 private:
  bool fail(const char* message, size_t at) { return r_.fail(ErrorKind::kMalformed, message, at); }

  // A length or vector count, which may not exceed the bytes left in the file counted from where
  // the length itself starts (the reference interpreter's bound, quirk included).
  uint32_t read_length() {
    size_t at = r_.offset();
    uint32_t n = r_.read_u32();
    if (n > file_size_ - at) {
      fail("length out of bounds", at);
      return 0;
    }
    return n;
  }

  // Capacity for `n` elements of at least `min_size` bytes each that can still fit in the file.
  size_t capacity_for(uint32_t n, size_t min_size) const {
    return std::min<size_t>(n, r_.remaining() / min_size);
  }

  std::string read_name() { return std::string(r_.read_name()); }

  bool decode_header() {
    // Module offsets are 32-bit (ByteRange); no real module comes near this.
    if (file_size_ > UINT32_MAX) return fail("module larger than 4 GiB", 0);
    if (r_.read_fixed_u32() != 0x6d736100 && r_.ok()) return fail("magic header not detected", 0);
    if (r_.read_fixed_u32() != 1 && r_.ok()) return fail("unknown binary version", 4);
    r_.set_eof_message(kUnexpectedEnd);
    return r_.ok();
  }

  bool decode_sections() {
    uint8_t last_rank = 0;
    while (r_.ok() && !r_.at_end()) {
      size_t id_at = r_.offset();
      uint8_t byte = r_.read_u8();
      if (byte > static_cast<uint8_t>(SectionId::kTag) ||
          (byte == static_cast<uint8_t>(SectionId::kTag) && !f_.exceptions)) {
        return fail("malformed section id", id_at);
      }
      auto id = static_cast<SectionId>(byte);
      if (id != SectionId::kCustom) {
        uint8_t rank = kSectionRank[byte];
        // Duplicates and out-of-order sections both end the module as far as the spec's grammar
        // is concerned, hence the wording.
        if (rank <= last_rank) return fail("unexpected content after last section", id_at);
        last_rank = rank;
      }
      uint32_t size = read_length();
      size_t start = r_.offset();
      if (!r_.ok()) return false;
      decode_section(id, start, size);
      if (!r_.ok()) return false;
      if (r_.offset() != start + size) return fail("section size mismatch", start);
    }
    return r_.ok();
  }

  void decode_section(SectionId id, size_t start, uint32_t size) {
    switch (id) {
      case SectionId::kCustom:
        return decode_custom(start, size);
      case SectionId::kType:
        return decode_types();
      case SectionId::kImport:
        return decode_imports();
      case SectionId::kFunction:
        return decode_functions();
      case SectionId::kTable:
        return decode_tables();
      case SectionId::kMemory:
        return decode_memories();
      case SectionId::kTag:
        return decode_tags();
      case SectionId::kGlobal:
        return decode_globals();
      case SectionId::kExport:
        return decode_exports();
      case SectionId::kStart:
        m_.start = r_.read_u32();
        return;
      case SectionId::kElement:
        return decode_elems();
      case SectionId::kDataCount:
        m_.data_count = r_.read_u32();
        return;
      case SectionId::kCode:
        return decode_code(start, size);
      case SectionId::kData:
        return decode_datas();
    }
  }

  void decode_custom(size_t start, uint32_t size) {
    CustomSection custom;
    custom.name = read_name();
    size_t used = r_.offset() - start;
    if (!r_.ok()) return;
    if (used > size) {
      fail(kUnexpectedEnd, start + size);
      return;
    }
    custom.contents = {static_cast<uint32_t>(r_.offset()), static_cast<uint32_t>(size - used)};
    r_.skip(size - used);
    if (r_.ok()) m_.customs.push_back(std::move(custom));
  }

  void decode_types() {
    uint32_t n = read_length();
    m_.types.reserve(capacity_for(n, 3));
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      size_t at = r_.offset();
      uint8_t form = r_.read_u8();
      if (form != 0x60 && r_.ok()) {
        // The form is an s7 in the reference grammar: a continuation bit makes it too long.
        if (form & 0x80)
          fail("integer representation too long", at + 1);
        else
          fail("malformed function type", at);
        return;
      }
      FuncType type;
      read_result_type(type.params);
      read_result_type(type.results);
      m_.types.push_back(std::move(type));
    }
  }

  void read_result_type(std::vector<ValType>& out) {
    uint32_t n = read_length();
    out.reserve(capacity_for(n, 1));
    for (uint32_t i = 0; i < n && r_.ok(); ++i) out.push_back(read_val_type(r_, f_));
  }

  void decode_imports() {
    uint32_t n = read_length();
    m_.imports.reserve(capacity_for(n, 4));
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      Import import;
      import.module = read_name();
      import.name = read_name();
      size_t kind_at = r_.offset();
      uint8_t kind = r_.read_u8();
      if (!r_.ok()) return;
      switch (kind) {
        case 0x00:
          import.index = m_.num_imported_functions++;
          m_.functions.push_back({r_.read_u32(), true, {}});
          break;
        case 0x01:
          import.index = m_.num_imported_tables++;
          m_.tables.push_back({read_table_type(), true, std::nullopt});
          break;
        case 0x02:
          import.index = m_.num_imported_memories++;
          m_.memories.push_back({read_memory_type(), true});
          break;
        case 0x03:
          import.index = m_.num_imported_globals++;
          m_.globals.push_back({read_global_type(), true, {}});
          break;
        case 0x04:
          if (f_.exceptions) {
            import.index = m_.num_imported_tags++;
            m_.tags.push_back({read_tag_type(), true});
            break;
          }
          [[fallthrough]];
        default:
          fail("malformed import kind", kind_at);
          return;
      }
      import.kind = static_cast<ExternKind>(kind);
      m_.imports.push_back(std::move(import));
    }
  }

  void decode_functions() {
    uint32_t n = read_length();
    declared_functions_ = n;
    m_.functions.reserve(m_.functions.size() + capacity_for(n, 1));
    for (uint32_t i = 0; i < n && r_.ok(); ++i) m_.functions.push_back({r_.read_u32(), false, {}});
  }

  void decode_tables() {
    uint32_t n = read_length();
    m_.tables.reserve(m_.tables.size() + capacity_for(n, 3));
    for (uint32_t i = 0; i < n && r_.ok(); ++i) m_.tables.push_back({read_table_type(), false, {}});
  }

  void decode_memories() {
    uint32_t n = read_length();
    m_.memories.reserve(m_.memories.size() + capacity_for(n, 2));
    for (uint32_t i = 0; i < n && r_.ok(); ++i) m_.memories.push_back({read_memory_type(), false});
  }

  void decode_tags() {
    uint32_t n = read_length();
    m_.tags.reserve(m_.tags.size() + capacity_for(n, 2));
    for (uint32_t i = 0; i < n && r_.ok(); ++i) m_.tags.push_back({read_tag_type(), false});
  }

  void decode_globals() {
    uint32_t n = read_length();
    m_.globals.reserve(m_.globals.size() + capacity_for(n, 4));
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      GlobalType type = read_global_type();
      m_.globals.push_back({type, false, read_const_expr()});
    }
  }

  void decode_exports() {
    uint32_t n = read_length();
    m_.exports.reserve(capacity_for(n, 3));
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      Export e;
      e.name = read_name();
      size_t kind_at = r_.offset();
      uint8_t kind = r_.read_u8();
      if (!r_.ok()) return;
      if (kind > 0x04 || (kind == 0x04 && !f_.exceptions)) {
        fail("malformed export kind", kind_at);
        return;
      }
      e.kind = static_cast<ExternKind>(kind);
      e.index = r_.read_u32();
      m_.exports.push_back(std::move(e));
    }
  }

  void decode_elems() {
    uint32_t n = read_length();
    m_.elems.reserve(capacity_for(n, 3));
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      ElemSegment seg;
      seg.section_offset = static_cast<uint32_t>(r_.offset());
      size_t flags_at = r_.offset();
      uint32_t flags = r_.read_u32();
      if (!r_.ok()) return;
      if (flags > 7) {
        fail("malformed elements segment kind", flags_at);
        return;
      }
      // Bit 0: passive or declarative (bit 1 picks which); else active, with bit 1 meaning an
      // explicit table index. Bit 2: constant expressions instead of function indices.
      if (flags & 0x01) {
        seg.mode = (flags & 0x02) ? SegmentMode::kDeclarative : SegmentMode::kPassive;
      } else {
        seg.mode = SegmentMode::kActive;
        if (flags & 0x02) seg.table_index = r_.read_u32();
        seg.offset = read_const_expr();
      }
      seg.uses_expressions = (flags & 0x04) != 0;
      bool has_type = (flags & 0x03) != 0;
      if (seg.uses_expressions) {
        seg.element_type = has_type ? read_ref_type(r_) : ValType::kFuncRef;
        uint32_t count = read_length();
        seg.expressions.reserve(capacity_for(count, 2));
        for (uint32_t k = 0; k < count && r_.ok(); ++k)
          seg.expressions.push_back(read_const_expr());
      } else {
        if (has_type) {
          size_t kind_at = r_.offset();
          if (r_.read_u8() != 0x00 && r_.ok()) {
            fail("malformed element kind", kind_at);
            return;
          }
        }
        seg.element_type = ValType::kFuncRef;
        uint32_t count = read_length();
        seg.functions.reserve(capacity_for(count, 1));
        for (uint32_t k = 0; k < count && r_.ok(); ++k) seg.functions.push_back(r_.read_u32());
      }
      if (r_.ok()) m_.elems.push_back(std::move(seg));
    }
  }

  void decode_code(size_t start, uint32_t size) {
    m_.code_section = {static_cast<uint32_t>(start), size};
    uint32_t n = read_length();
    code_count_ = n;
    size_t first = m_.num_imported_functions;
    size_t stored = std::min<size_t>(n, m_.functions.size() - first);
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      uint32_t body_size = read_length();
      auto body_at = static_cast<uint32_t>(r_.offset());
      r_.skip(body_size);
      if (i < stored) m_.functions[first + i].body = {body_at, body_size};
    }
  }

  void decode_datas() {
    uint32_t n = read_length();
    data_section_count_ = n;
    m_.datas.reserve(capacity_for(n, 2));
    for (uint32_t i = 0; i < n && r_.ok(); ++i) {
      DataSegment seg;
      seg.section_offset = static_cast<uint32_t>(r_.offset());
      size_t flags_at = r_.offset();
      uint32_t flags = r_.read_u32();
      if (!r_.ok()) return;
      switch (flags) {
        case 0:
          seg.offset = read_const_expr();
          break;
        case 1:
          seg.mode = SegmentMode::kPassive;
          break;
        case 2:
          seg.memory_index = r_.read_u32();
          seg.offset = read_const_expr();
          break;
        default:
          fail("malformed data segment kind", flags_at);
          return;
      }
      uint32_t len = read_length();
      seg.bytes = {static_cast<uint32_t>(r_.offset()), len};
      r_.skip(len);
      if (r_.ok()) m_.datas.push_back(std::move(seg));
    }
  }

  // The extent of a constant expression, final `end` included. Its instructions are only skipped
  // here; the validator checks which are allowed.
  ConstExpr read_const_expr() {
    auto start = static_cast<uint32_t>(r_.offset());
    uint32_t depth = 0;
    while (r_.ok()) {
      Op op = read_opcode(r_, f_);
      if (!r_.ok()) break;
      skip_immediates(r_, op, f_);
      // The final `end` closes the expression itself; a stray `delegate` does not count below 0.
      if (op == Op::kEnd && depth == 0)
        return {{start, static_cast<uint32_t>(r_.offset()) - start}};
      if (nesting_change(op) > 0 || depth > 0) depth += nesting_change(op);
    }
    return {};
  }

  Limits read_limits(bool is_memory) {
    Limits limits;
    size_t at = r_.offset();
    uint8_t flags = r_.read_u8();
    uint8_t allowed = 0x01;
    if (is_memory && f_.threads) allowed |= 0x02;
    if (is_memory && f_.memory64) allowed |= 0x04;
    if ((flags & ~allowed) && r_.ok()) {
      // Wasm 2.0 reads the flag as a 1-bit LEB128; the proposals that add flags made it a byte.
      if (f_.threads || f_.memory64)
        fail("malformed limits flags", at);
      else if (flags & 0x7e)
        fail("integer too large", at);
      else
        fail("integer representation too long", at + 1);
      return limits;
    }
    limits.shared = (flags & 0x02) != 0;
    limits.is64 = (flags & 0x04) != 0;
    // memory64 widens every memory's bounds to u64 in the binary format; the validator checks
    // that a 32-bit memory's fit.
    bool wide = is_memory && f_.memory64;
    limits.min = wide ? r_.read_u64() : r_.read_u32();
    if (flags & 0x01) limits.max = wide ? r_.read_u64() : r_.read_u32();
    return limits;
  }

  TableType read_table_type() {
    TableType type;
    type.element = read_ref_type(r_);
    type.limits = read_limits(false);
    return type;
  }

  MemoryType read_memory_type() { return {read_limits(true)}; }

  GlobalType read_global_type() {
    GlobalType type;
    type.type = read_val_type(r_, f_);
    size_t at = r_.offset();
    uint8_t mut = r_.read_u8();
    if (mut > 1 && r_.ok()) fail("malformed mutability", at);
    type.is_mutable = mut == 1;
    return type;
  }

  TagType read_tag_type() {
    size_t at = r_.offset();
    if (r_.read_u8() != 0 && r_.ok()) fail("zero byte expected", at);  // the attribute: exception
    return {r_.read_u32()};
  }

  bool check_counts() {
    if (declared_functions_ != code_count_) {
      return fail("function and code section have inconsistent lengths", file_size_);
    }
    if (m_.data_count && *m_.data_count != data_section_count_) {
      return fail("data count and data section have inconsistent lengths", file_size_);
    }
    return true;
  }

  void decode_names() {
    for (const CustomSection& custom : m_.customs) {
      if (custom.name != "name") continue;
      Status status =
          decode_name_section(m_.bytes(custom.contents), custom.contents.offset, m_.names);
      if (!status) m_.names_error = status.error().to_string();
      return;  // only the first name section counts
    }
  }

  Reader r_;
  size_t file_size_;
  const Features& f_;
  Module m_;
  uint32_t declared_functions_ = 0;
  uint32_t code_count_ = 0;
  uint32_t data_section_count_ = 0;
};

}  // namespace

Result<Module> decode_module(std::shared_ptr<const ByteBuffer> buffer, const Features& features) {
  return ModuleDecoder(std::move(buffer), features).decode();
}

}  // namespace keel
