// Linking (the spec's import matching) and instantiation in the Wasm 2.0 order: globals, tables,
// memories, element segments, data segments, start function.
#include <cstring>

#include "runtime/const_expr.h"
#include "runtime/store_impl.h"

namespace keel {
namespace runtime {
namespace {

Error unlinkable(const char* message) {
  return make_error(ErrorKind::kUnlinkable, message);
}

// Limits subtyping: `actual` (what is offered, min = its current size) may stand in for
// `expected` if it is at least as large and promises a maximum no larger.
bool limits_match(const Limits& actual, const Limits& expected) {
  if (actual.is64 != expected.is64 || actual.shared != expected.shared) return false;
  if (actual.min < expected.min) return false;
  if (!expected.max) return true;
  return actual.max && *actual.max <= *expected.max;
}

Status check_import(const Module& m, const Import& import, const Extern& offered,
                    const std::vector<uint32_t>& type_ids) {
  if (offered.kind != import.kind) return unlinkable("incompatible import type");
  switch (import.kind) {
    case ExternKind::kFunc: {
      auto* ref = static_cast<vm::VMFuncRef*>(offered.handle);
      if (ref->type_id != type_ids[m.functions[import.index].type_index])
        return unlinkable("incompatible import type");
      return {};
    }
    case ExternKind::kTable: {
      TableType actual =
          TableInstance::from_vm(static_cast<vm::VMTable*>(offered.handle))->current_type();
      const TableType& expected = m.tables[import.index].type;
      if (actual.element != expected.element || !limits_match(actual.limits, expected.limits))
        return unlinkable("incompatible import type");
      return {};
    }
    case ExternKind::kMemory: {
      MemoryType actual =
          LinearMemory::from_vm(static_cast<vm::VMMemory*>(offered.handle))->current_type();
      if (!limits_match(actual.limits, m.memories[import.index].type.limits))
        return unlinkable("incompatible import type");
      return {};
    }
    case ExternKind::kGlobal: {
      const GlobalType& expected = m.globals[import.index].type;
      if (offered.global_type.type != expected.type ||
          offered.global_type.is_mutable != expected.is_mutable)
        return unlinkable("incompatible import type");
      return {};
    }
    case ExternKind::kTag:
      return unlinkable("incompatible import type");
  }
  return {};
}

Error trap_error(vm::TrapCode code) {
  return make_error(ErrorKind::kTrap, vm::trap_message(code));
}

}  // namespace

Extern InstanceImpl::extern_for(ExternKind kind, uint32_t index) const {
  Extern e;
  e.kind = kind;
  const Module& m = module();
  switch (kind) {
    case ExternKind::kFunc:
      e.handle = funcs[index];
      e.func_type = m.function_type(index);
      break;
    case ExternKind::kTable:
      e.handle = tables[index];
      e.table_type = TableInstance::from_vm(tables[index])->current_type();
      break;
    case ExternKind::kMemory:
      e.handle = memories[index];
      e.memory_type = LinearMemory::from_vm(memories[index])->current_type();
      break;
    case ExternKind::kGlobal:
      e.handle = globals[index];
      e.global_type = m.globals[index].type;
      break;
    case ExternKind::kTag:
      break;
  }
  return e;
}

std::optional<Extern> InstanceImpl::get_export(std::string_view name) const {
  for (const Export& e : module().exports)
    if (e.name == name) return extern_for(e.kind, e.index);
  return std::nullopt;
}

std::vector<std::pair<std::string, Extern>> InstanceImpl::exports() const {
  std::vector<std::pair<std::string, Extern>> out;
  for (const Export& e : module().exports) out.emplace_back(e.name, extern_for(e.kind, e.index));
  return out;
}

}  // namespace runtime

Result<Instance*> runtime::StoreState::instantiate(
    const std::shared_ptr<runtime::ModuleImpl>& loaded, const Imports& imports) {
  using namespace runtime;
  const Module& m = loaded->module();
  if (!m.tags.empty()) return make_error(ErrorKind::kUnlinkable, "tags are not supported");

  // Link first: nothing is allocated for a module that cannot be linked.
  std::vector<const Extern*> resolved;
  resolved.reserve(m.imports.size());
  for (const Import& import : m.imports) {
    const Extern* offered = imports.find(import.module, import.name);
    if (!offered) return make_error(ErrorKind::kUnlinkable, "unknown import");
    KEEL_TRY(check_import(m, import, *offered, loaded->type_ids()));
    resolved.push_back(offered);
  }

  auto owned = std::make_unique<InstanceImpl>();
  InstanceImpl* inst = owned.get();
  inst->loaded = loaded;
  inst->store = this;
  inst->funcs.resize(m.functions.size());
  inst->tables.resize(m.tables.size());
  inst->memories.resize(m.memories.size());
  inst->globals.resize(m.globals.size());
  for (size_t i = 0; i < m.imports.size(); ++i) {
    const Import& import = m.imports[i];
    void* handle = resolved[i]->handle;
    switch (import.kind) {
      case ExternKind::kFunc:
        inst->funcs[import.index] = static_cast<vm::VMFuncRef*>(handle);
        break;
      case ExternKind::kTable:
        inst->tables[import.index] = static_cast<vm::VMTable*>(handle);
        break;
      case ExternKind::kMemory:
        inst->memories[import.index] = static_cast<vm::VMMemory*>(handle);
        break;
      case ExternKind::kGlobal:
        inst->globals[import.index] = static_cast<vm::VMGlobal*>(handle);
        break;
      case ExternKind::kTag:
        break;
    }
  }

  // Function references exist before anything is evaluated: ref.func may name any function.
  uint32_t first_defined = m.num_imported_functions;
  size_t defined = m.functions.size() - first_defined;
  inst->own_funcs = std::make_unique<vm::VMFuncRef[]>(defined);
  for (size_t i = 0; i < defined; ++i) {
    auto f = static_cast<uint32_t>(first_defined + i);
    vm::VMFuncRef& ref = inst->own_funcs[i];
    ref.code = loaded->code_slot(f);
    ref.ctx = &inst->ctx;
    ref.type_id = loaded->type_ids()[m.functions[f].type_index];
    ref.func_index = f;
    inst->funcs[f] = &ref;
  }

  // Globals, in order: an initialiser may read imported and earlier globals.
  for (size_t g = m.num_imported_globals; g < m.globals.size(); ++g) {
    ConstEnv env{std::span(inst->globals.data(), g), inst->funcs};
    auto value = evaluate_const_expr(m, m.globals[g].init, m.globals[g].type.type, env);
    if (!value) return std::move(value).error();
    vm::VMGlobal* storage = new_global_storage();
    write_vm_global(*storage, *value);
    inst->globals[g] = storage;
  }
  ConstEnv env{inst->globals, inst->funcs};

  for (size_t t = m.num_imported_tables; t < m.tables.size(); ++t) {
    void* init = nullptr;
    if (m.tables[t].init) {
      auto value = evaluate_const_expr(m, *m.tables[t].init, m.tables[t].type.element, env);
      if (!value) return std::move(value).error();
      init = value->ref;
    }
    auto table = TableInstance::create(m.tables[t].type, init, config.max_table_elements);
    if (!table) return std::move(table).error();
    inst->tables[t] = (*table)->vm();
    tables.push_back(std::move(table.value()));
  }
  for (size_t i = m.num_imported_memories; i < m.memories.size(); ++i) {
    auto memory = LinearMemory::create(m.memories[i].type, config.max_memory_size);
    if (!memory) return std::move(memory).error();
    inst->memories[i] = (*memory)->vm();
    memories.push_back(std::move(memory.value()));
  }

  inst->ctx.memory = inst->memories.empty() ? nullptr : inst->memories[0];
  inst->ctx.memory_base = inst->ctx.memory ? inst->ctx.memory->base : nullptr;
  inst->ctx.stack_limit = 0;
  inst->ctx.attention.store(interrupted.load() ? 1 : 0, std::memory_order_relaxed);
  inst->ctx.funcs = inst->funcs.data();
  inst->ctx.tables = inst->tables.data();
  inst->ctx.globals = inst->globals.data();
  inst->ctx.type_ids = loaded->type_ids().data();
  inst->ctx.instance = inst;
  inst->ctx.code_slots = loaded->code_slots();
  inst->ctx.register_slots = loaded->register_slots();
  inst->ctx.tier_budgets = loaded->tier_budgets();

  // Element segments are evaluated up front (their refs are values of this instance).
  inst->elem_refs.resize(m.elems.size());
  inst->elem_dropped.assign(m.elems.size(), 0);
  for (size_t s = 0; s < m.elems.size(); ++s) {
    const ElemSegment& seg = m.elems[s];
    auto& refs = inst->elem_refs[s];
    if (seg.uses_expressions) {
      for (const ConstExpr& e : seg.expressions) {
        auto value = evaluate_const_expr(m, e, seg.element_type, env);
        if (!value) return std::move(value).error();
        refs.push_back(value->ref);
      }
    } else {
      for (uint32_t f : seg.functions) refs.push_back(inst->funcs[f]);
    }
  }
  inst->data_dropped.assign(m.datas.size(), 0);

  // From here on the instance may become visible to others (its funcrefs in imported tables),
  // so the store keeps it even if initialisation traps.
  instances.push_back(std::move(owned));
  add_context(&inst->ctx);

  for (size_t s = 0; s < m.elems.size(); ++s) {
    const ElemSegment& seg = m.elems[s];
    if (seg.mode == SegmentMode::kActive) {
      auto offset = evaluate_const_expr(m, seg.offset, ValType::kI32, env);
      if (!offset) return std::move(offset).error();
      auto* table = TableInstance::from_vm(inst->tables[seg.table_index]);
      const auto& refs = inst->elem_refs[s];
      if (uint64_t{offset->i32} + refs.size() > table->size())
        return trap_error(vm::TrapCode::kTableOutOfBounds);
      std::copy(refs.begin(), refs.end(), table->elements() + offset->i32);
    }
    if (seg.mode != SegmentMode::kPassive) {
      inst->elem_dropped[s] = 1;
      inst->elem_refs[s].clear();
    }
  }
  for (size_t s = 0; s < m.datas.size(); ++s) {
    const DataSegment& seg = m.datas[s];
    if (seg.mode != SegmentMode::kActive) continue;
    auto offset = evaluate_const_expr(m, seg.offset, ValType::kI32, env);
    if (!offset) return std::move(offset).error();
    auto* memory = LinearMemory::from_vm(inst->memories[seg.memory_index]);
    if (uint64_t{offset->i32} + seg.bytes.size > memory->size_bytes())
      return trap_error(vm::TrapCode::kMemoryOutOfBounds);
    auto bytes = m.bytes(seg.bytes);
    if (!bytes.empty()) std::memcpy(memory->vm()->base + offset->i32, bytes.data(), bytes.size());
    inst->data_dropped[s] = 1;
  }

  if (m.start) {
    auto results = call(inst->funcs[*m.start], m.function_type(*m.start), {});
    if (!results) return std::move(results).error();
  }
  return static_cast<Instance*>(inst);
}

}  // namespace keel
