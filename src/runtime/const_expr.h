// Evaluation of constant expressions (global initialisers, segment offsets, element
// expressions) against an instance under construction. The module is validated, so the
// expression is well typed; evaluation still refuses anything it does not know.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "ir/module.h"
#include "runtime/value.h"
#include "runtime/vm_abi.h"

namespace keel::runtime {

struct ConstEnv {
  std::span<vm::VMGlobal* const> globals;  // the globals initialised so far, index space order
  std::span<vm::VMFuncRef* const> funcs;   // the instance's function index space
};

// Reads a value of `type` from a global's storage, and writes one.
Value read_vm_global(const vm::VMGlobal& global, ValType type);
void write_vm_global(vm::VMGlobal& global, const Value& value);

// Marks every function a ref.func in `expr` names (the spec's C.refs, which the compiler's
// ValidationContext needs: load_module keeps its own to itself).
void mark_ref_funcs(const Module& module, const ConstExpr& expr, std::vector<uint8_t>& marks);

Result<Value> evaluate_const_expr(const Module& module, const ConstExpr& expr, ValType type,
                                  const ConstEnv& env);

}  // namespace keel::runtime
