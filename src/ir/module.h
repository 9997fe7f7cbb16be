// A decoded module: every section's contents, with function bodies, constant expressions and data
// kept as ranges of the module's bytes. Index spaces (functions, tables, memories, globals, tags)
// list imports first, as the spec numbers them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/byte_buffer.h"
#include "ir/features.h"
#include "ir/types.h"

namespace keel {

// A range of the module's bytes: [offset, offset + size).
struct ByteRange {
  uint32_t offset = 0;
  uint32_t size = 0;
};

// A constant expression: its bytes, `end` included. Validated (and later evaluated) from there.
struct ConstExpr {
  ByteRange bytes;
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::kFunc;
  uint32_t index = 0;  // index in the index space of `kind` (imports come first)
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::kFunc;
  uint32_t index = 0;
};

struct Function {
  uint32_t type_index = 0;
  bool imported = false;
  ByteRange body;  // code-section entry after its size: locals then instructions (not for imports)
};

struct Table {
  TableType type;
  bool imported = false;
  std::optional<ConstExpr> init;  // function-references proposal form `0x40 0x00 type limits expr`
};

struct Memory {
  MemoryType type;
  bool imported = false;
};

struct Global {
  GlobalType type;
  bool imported = false;
  ConstExpr init;  // empty for imports
};

struct Tag {
  TagType type;
  bool imported = false;
};

enum class SegmentMode : uint8_t { kActive, kPassive, kDeclarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::kActive;
  uint32_t table_index = 0;
  ConstExpr offset;                 // active only
  ValType element_type = ValType::kFuncRef;
  bool uses_expressions = false;    // encodings 4-7: a vector of constant expressions
  std::vector<uint32_t> functions;  // encodings 0-3
  std::vector<ConstExpr> expressions;
  uint32_t section_offset = 0;      // where the segment starts, for error messages
};

struct DataSegment {
  SegmentMode mode = SegmentMode::kActive;  // never kDeclarative
  uint32_t memory_index = 0;
  ConstExpr offset;  // active only
  ByteRange bytes;
  uint32_t section_offset = 0;
};

struct CustomSection {
  std::string name;
  ByteRange contents;  // after the name
};

// The `name` custom section. Parsed leniently: a malformed name section is ignored, as the spec
// requires of custom sections, and `names_error` says why.
struct NameSection {
  std::string module_name;
  std::unordered_map<uint32_t, std::string> functions;
  std::unordered_map<uint32_t, std::map<uint32_t, std::string>> locals;
};

enum class SectionId : uint8_t {
  kCustom = 0,
  kType = 1,
  kImport = 2,
  kFunction = 3,
  kTable = 4,
  kMemory = 5,
  kGlobal = 6,
  kExport = 7,
  kStart = 8,
  kElement = 9,
  kCode = 10,
  kData = 11,
  kDataCount = 12,
  kTag = 13,  // exception-handling proposal; ordered between memory and global
};

struct Module {
  std::shared_ptr<const ByteBuffer> buffer;
  Features features;

  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<Function> functions;  // imports first
  std::vector<Table> tables;
  std::vector<Memory> memories;
  std::vector<Global> globals;
  std::vector<Tag> tags;
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count;
  std::vector<CustomSection> customs;
  NameSection names;
  std::string names_error;  // why the name section was ignored, if it was

  uint32_t num_imported_functions = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;
  uint32_t num_imported_tags = 0;
  ByteRange code_section;  // whole code section contents, for compile-speed figures

  std::span<const uint8_t> bytes() const { return buffer->bytes(); }
  std::span<const uint8_t> bytes(ByteRange r) const { return bytes().subspan(r.offset, r.size); }
  const FuncType& function_type(uint32_t func_index) const {
    return types[functions[func_index].type_index];
  }
  // "$name" from the name section, else "#index".
  std::string function_name(uint32_t func_index) const;
};

}  // namespace keel
