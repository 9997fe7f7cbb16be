#include "runtime/const_expr.h"

#include <cstring>
#include <vector>

#include "base/reader.h"

namespace keel::runtime {

Value read_vm_global(const vm::VMGlobal& global, ValType type) {
  Value v = Value::zero(type);
  switch (type) {
    case ValType::kI32:
    case ValType::kF32:
      v.i32 = global.i32;
      break;
    case ValType::kI64:
    case ValType::kF64:
      v.i64 = global.i64;
      break;
    case ValType::kV128:
      std::memcpy(v.v128, global.v128, 16);
      break;
    default:
      v.ref = global.ref;
      break;
  }
  return v;
}

void write_vm_global(vm::VMGlobal& global, const Value& value) {
  std::memset(global.v128, 0, 16);
  std::memcpy(global.v128, value.v128, 16);
}

void mark_ref_funcs(const Module& module, const ConstExpr& expr, std::vector<uint8_t>& marks) {
  Reader r(module.bytes(expr.bytes), expr.bytes.offset);
  while (r.ok() && !r.at_end()) {
    switch (r.read_u8()) {
      case 0x41:
        r.read_s32();
        break;
      case 0x42:
        r.read_s64();
        break;
      case 0x43:
        r.read_fixed_u32();
        break;
      case 0x44:
        r.read_fixed_u64();
        break;
      case 0xd0:
        r.read_u8();
        break;
      case 0x23:
        r.read_u32();
        break;
      case 0xfd:
        r.read_u32(), r.read_bytes(16);
        break;
      case 0xd2: {
        uint32_t f = r.read_u32();
        if (r.ok() && f < marks.size()) marks[f] = 1;
        break;
      }
      case 0x0b:
      case 0x6a:
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        break;
      default:
        return;  // validated already: not reached
    }
  }
}

Result<Value> evaluate_const_expr(const Module& module, const ConstExpr& expr, ValType type,
                                  const ConstEnv& env) {
  Reader r(module.bytes(expr.bytes), expr.bytes.offset);
  std::vector<Value> stack;
  auto fail = [&](const char* what) { return make_error(ErrorKind::kInvalid, what, r.offset()); };
  auto binary = [&](ValType t, auto op) -> bool {
    if (stack.size() < 2 || stack.back().type != t) return false;
    Value b = stack.back();
    stack.pop_back();
    Value& a = stack.back();
    if (t == ValType::kI32)
      a.i32 = static_cast<uint32_t>(op(uint64_t{a.i32}, uint64_t{b.i32}));
    else
      a.i64 = op(a.i64, b.i64);
    return true;
  };
  while (r.ok() && !r.at_end()) {
    uint8_t opcode = r.read_u8();
    bool ok = true;
    switch (opcode) {
      case 0x0b:  // end
        if (stack.size() != 1 || stack.back().type != type)
          return fail("type mismatch in constant expression");
        return stack.back();
      case 0x41:
        stack.push_back(Value::from_i32(static_cast<uint32_t>(r.read_s32())));
        break;
      case 0x42:
        stack.push_back(Value::from_i64(static_cast<uint64_t>(r.read_s64())));
        break;
      case 0x43:
        stack.push_back(Value::from_f32_bits(r.read_fixed_u32()));
        break;
      case 0x44:
        stack.push_back(Value::from_f64_bits(r.read_fixed_u64()));
        break;
      case 0xd0: {  // ref.null t
        ValType t = static_cast<ValType>(r.read_u8());
        stack.push_back(Value::from_ref(t, nullptr));
        break;
      }
      case 0xd2: {  // ref.func f
        uint32_t f = r.read_u32();
        if (f >= env.funcs.size()) return fail("unknown function");
        stack.push_back(Value::from_ref(ValType::kFuncRef, env.funcs[f]));
        break;
      }
      case 0x23: {  // global.get g
        uint32_t g = r.read_u32();
        if (g >= env.globals.size() || g >= module.globals.size()) return fail("unknown global");
        stack.push_back(read_vm_global(*env.globals[g], module.globals[g].type.type));
        break;
      }
      case 0x6a:
        ok = binary(ValType::kI32, [](uint64_t a, uint64_t b) { return a + b; });
        break;
      case 0x6b:
        ok = binary(ValType::kI32, [](uint64_t a, uint64_t b) { return a - b; });
        break;
      case 0x6c:
        ok = binary(ValType::kI32, [](uint64_t a, uint64_t b) { return a * b; });
        break;
      case 0x7c:
        ok = binary(ValType::kI64, [](uint64_t a, uint64_t b) { return a + b; });
        break;
      case 0x7d:
        ok = binary(ValType::kI64, [](uint64_t a, uint64_t b) { return a - b; });
        break;
      case 0x7e:
        ok = binary(ValType::kI64, [](uint64_t a, uint64_t b) { return a * b; });
        break;
      case 0xfd: {  // v128.const
        if (r.read_u32() != 12) return fail("constant expression required");
        auto bytes = r.read_bytes(16);
        if (!r.ok()) break;
        Value v = Value::zero(ValType::kV128);
        std::memcpy(v.v128, bytes.data(), 16);
        stack.push_back(v);
        break;
      }
      default:
        return fail("constant expression required");
    }
    if (!ok) return fail("type mismatch in constant expression");
  }
  if (!r.ok()) return r.take_error();
  return fail("unexpected end of constant expression");
}

}  // namespace keel::runtime
