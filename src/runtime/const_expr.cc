#include "runtime/const_expr.h"

#include <cstring>
#include <vector>

#include "base/reader.h"
#include "decode/immediates.h"

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
  const Features& f = module.features;
  Reader r(module.bytes(expr.bytes), expr.bytes.offset);
  while (r.ok() && !r.at_end()) {
    Op op = read_opcode(r, f);
    if (!r.ok()) return;  // validated already: not reached
    if (op == Op::kRefFunc) {
      uint32_t func = r.read_u32();
      if (r.ok() && func < marks.size()) marks[func] = 1;
    } else {
      skip_immediates(r, op, f);
    }
  }
}

Result<Value> evaluate_const_expr(const Module& module, const ConstExpr& expr, ValType type,
                                  const ConstEnv& env) {
  const Features& f = module.features;
  Reader r(module.bytes(expr.bytes), expr.bytes.offset);
  std::vector<Value> stack;
  auto fail = [&](const char* what) { return make_error(ErrorKind::kInvalid, what, r.offset()); };
  // The extended-const arithmetic, typed by the opcode table's signature.
  auto binary = [&](Op op, auto fn) -> bool {
    ValType t = op_info(op).sig.params[0];
    if (stack.size() < 2 || stack.back().type != t || stack[stack.size() - 2].type != t)
      return false;
    Value b = stack.back();
    stack.pop_back();
    Value& a = stack.back();
    if (t == ValType::kI32)
      a.i32 = static_cast<uint32_t>(fn(uint64_t{a.i32}, uint64_t{b.i32}));
    else
      a.i64 = fn(a.i64, b.i64);
    return true;
  };
  while (r.ok() && !r.at_end()) {
    Op op = read_opcode(r, f);
    if (!r.ok()) break;
    // Validation admitted only what the table allows; anything else is refused, never guessed at.
    if (!allowed_in_const_expr(op, f)) return fail("constant expression required");
    bool ok = true;
    switch (op) {
      case Op::kEnd:
        if (stack.size() != 1 || stack.back().type != type)
          return fail("type mismatch in constant expression");
        return stack.back();
      case Op::kI32Const:
        stack.push_back(Value::from_i32(static_cast<uint32_t>(r.read_s32())));
        break;
      case Op::kI64Const:
        stack.push_back(Value::from_i64(static_cast<uint64_t>(r.read_s64())));
        break;
      // Float constants are kept as their bits, so NaN payloads survive exactly.
      case Op::kF32Const:
        stack.push_back(Value::from_f32_bits(r.read_fixed_u32()));
        break;
      case Op::kF64Const:
        stack.push_back(Value::from_f64_bits(r.read_fixed_u64()));
        break;
      case Op::kV128Const: {
        V128Imm imm = read_v128(r);
        Value v = Value::zero(ValType::kV128);
        std::memcpy(v.v128, imm.bytes, 16);
        stack.push_back(v);
        break;
      }
      case Op::kRefNull:
        stack.push_back(Value::from_ref(read_ref_type(r), nullptr));
        break;
      case Op::kRefFunc: {
        uint32_t func = r.read_u32();
        if (!r.ok()) break;
        if (func >= env.funcs.size()) return fail("unknown function");
        stack.push_back(Value::from_ref(ValType::kFuncRef, env.funcs[func]));
        break;
      }
      case Op::kGlobalGet: {
        uint32_t g = r.read_u32();
        if (!r.ok()) break;
        if (g >= env.globals.size() || g >= module.globals.size()) return fail("unknown global");
        stack.push_back(read_vm_global(*env.globals[g], module.globals[g].type.type));
        break;
      }
      case Op::kI32Add:
      case Op::kI64Add:
        ok = binary(op, [](uint64_t a, uint64_t b) { return a + b; });
        break;
      case Op::kI32Sub:
      case Op::kI64Sub:
        ok = binary(op, [](uint64_t a, uint64_t b) { return a - b; });
        break;
      case Op::kI32Mul:
      case Op::kI64Mul:
        ok = binary(op, [](uint64_t a, uint64_t b) { return a * b; });
        break;
      default:
        // Admitted by the table but not evaluated here (instantiate_test.cc keeps them in step).
        return fail("constant expression required");
    }
    if (!ok) return fail("type mismatch in constant expression");
  }
  if (!r.ok()) return r.take_error();
  return fail("unexpected end of constant expression");
}

}  // namespace keel::runtime
