#include "decode/body_scanner.h"

#include "decode/immediates.h"

namespace keel {

Status scan_function_body(const Module& module, uint32_t func_index) {
  const Function& fn = module.functions[func_index];
  Reader r(module.bytes(fn.body), fn.body.offset);
  r.set_eof_message("unexpected end of section or function");
  auto malformed = [&](Error e) {
    e.function = func_index;
    return e;
  };
  uint64_t total = module.function_type(func_index).params.size();
  uint32_t groups = r.read_u32();
  for (uint32_t i = 0; i < groups && r.ok(); ++i) {
    size_t at = r.offset();
    total += r.read_u32();
    read_val_type(r, module.features);
    if (r.ok() && total > kMaxLocals)
      return malformed(make_error(ErrorKind::kMalformed, "too many locals", at));
  }
  int64_t depth = 1;
  while (r.ok() && depth > 0) {
    if (r.at_end())
      return malformed(make_error(ErrorKind::kMalformed, "END opcode expected", r.offset()));
    Op op = read_opcode(r, module.features);
    if (!r.ok()) break;
    skip_immediates(r, op, module.features);
    depth += nesting_change(op);
  }
  if (!r.ok()) return malformed(r.take_error());
  if (!r.at_end())
    return malformed(make_error(ErrorKind::kMalformed, "section size mismatch", r.offset()));
  return {};
}

bool uses_simd(const Module& module) {
  auto has_v128 = [](const std::vector<ValType>& types) {
    for (ValType t : types)
      if (t == ValType::kV128) return true;
    return false;
  };
  for (const FuncType& t : module.types)
    if (has_v128(t.params) || has_v128(t.results)) return true;
  for (const Global& g : module.globals)
    if (g.type.type == ValType::kV128) return true;
  for (const Function& fn : module.functions) {
    if (fn.imported) continue;
    Reader r(module.bytes(fn.body), fn.body.offset);
    uint32_t groups = r.read_u32();
    for (uint32_t i = 0; i < groups && r.ok(); ++i) {
      r.read_u32();
      if (read_val_type(r, module.features) == ValType::kV128) return true;
    }
    while (r.ok() && !r.at_end()) {
      Op op = read_opcode(r, module.features);
      if (!r.ok()) break;
      if (op_info(op).prefix == 0xfd) return true;
      skip_immediates(r, op, module.features);
    }
  }
  return false;
}

}  // namespace keel
