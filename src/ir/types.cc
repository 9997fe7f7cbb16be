#include "ir/types.h"

#include "ir/module.h"

namespace keel {

const char* val_type_name(ValType t) {
  switch (t) {
    case ValType::kI32: return "i32";
    case ValType::kI64: return "i64";
    case ValType::kF32: return "f32";
    case ValType::kF64: return "f64";
    case ValType::kV128: return "v128";
    case ValType::kFuncRef: return "funcref";
    case ValType::kExternRef: return "externref";
    case ValType::kBottom: return "<unknown>";
  }
  return "<bad type>";
}

std::optional<ValType> val_type_from_byte(uint8_t byte, bool simd_enabled) {
  switch (byte) {
    case 0x7f: case 0x7e: case 0x7d: case 0x7c: case 0x70: case 0x6f:
      return static_cast<ValType>(byte);
    case 0x7b:
      if (simd_enabled) return ValType::kV128;
      return std::nullopt;
  }
  return std::nullopt;
}

std::string FuncType::to_string() const {
  std::string s = "(";
  for (size_t i = 0; i < params.size(); ++i) s += (i ? ", " : ""), s += val_type_name(params[i]);
  s += ") -> (";
  for (size_t i = 0; i < results.size(); ++i) s += (i ? ", " : ""), s += val_type_name(results[i]);
  return s + ")";
}

const char* extern_kind_name(ExternKind kind) {
  switch (kind) {
    case ExternKind::kFunc: return "func";
    case ExternKind::kTable: return "table";
    case ExternKind::kMemory: return "memory";
    case ExternKind::kGlobal: return "global";
    case ExternKind::kTag: return "tag";
  }
  return "unknown";
}

std::string Module::function_name(uint32_t func_index) const {
  auto it = names.functions.find(func_index);
  if (it != names.functions.end()) return "$" + it->second;
  return "#" + std::to_string(func_index);
}

}  // namespace keel
