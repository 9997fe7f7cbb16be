// The public Store API, calls from the host into wasm (argument packing, stack limits, the trap
// landing) and host functions called from wasm.
#include "runtime/store.h"

#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "platform/trap_handler.h"
#include "runtime/code_registry.h"
#include "runtime/const_expr.h"
#include "runtime/store_impl.h"

namespace keel {
namespace runtime {
namespace {

// Native stack kept free below wasm frames for helpers, keel_rt_trap and host functions.
constexpr uintptr_t kStackSafetyMargin = 256 * 1024;

thread_local Activation* t_activation = nullptr;

Value load_value(const uint64_t* area, uint32_t offset, ValType type) {
  Value v = Value::zero(type);
  const auto* p = reinterpret_cast<const uint8_t*>(area) + offset;
  switch (type) {
    case ValType::kI32:
    case ValType::kF32:
      std::memcpy(&v.i32, p, 4);
      break;
    case ValType::kV128:
      std::memcpy(v.v128, p, 16);
      break;
    default:
      std::memcpy(&v.i64, p, 8);
      break;
  }
  return v;
}

void store_value(uint64_t* area, uint32_t offset, const Value& v) {
  auto* p = reinterpret_cast<uint8_t*>(area) + offset;
  std::memcpy(p, v.v128, vm::area_value_size(v.type));
}

bool run_protected(Activation& activation, runtime::EntryTrampoline entry, vm::VMFuncRef* ref,
                   uint64_t* area, uint32_t bytes) {
  if (sigsetjmp(activation.landing, 0) != 0) return false;
  entry(ref, area, bytes);
  return true;
}

TrapInfo host_trap(vm::TrapCode code, const HostCall& call) {
  TrapInfo info;
  info.code = code;
  info.message = code == vm::TrapCode::kHostError ? call.message : vm::trap_message(code);
  info.exit_status = call.exit_status;
  return info;
}

}  // namespace

Activation* Activation::current() {
  return t_activation;
}
void Activation::set_current(Activation* activation) {
  t_activation = activation;
}

const ThreadStack& thread_stack() {
  thread_local ThreadStack stack = [] {
    ThreadStack s;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* addr = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
        s.bottom = reinterpret_cast<uintptr_t>(addr);
        s.top = s.bottom + size;
      }
      pthread_attr_destroy(&attr);
    }
    return s;
  }();
  return stack;
}

vm::TrapCode host_callback(vm::VMHostFunc* self, vm::VMContext* caller, uint64_t* area) {
  auto* record = static_cast<HostFuncRecord*>(self->data);
  const FuncType& type = record->type;
  std::vector<Value> args, results;
  args.reserve(type.params.size());
  uint32_t offset = 0;
  for (ValType t : type.params) {
    args.push_back(load_value(area, offset, t));
    offset += vm::area_value_size(t);
  }
  for (ValType t : type.results) results.push_back(Value::zero(t));
  HostCall call{args, results, caller ? caller->memory : nullptr, {}, 0};
  vm::TrapCode code;
  try {
    code = record->fn(call);
  } catch (...) {  // nothing may unwind through compiled frames
    code = vm::TrapCode::kHostError;
    call.message = "host function threw an exception";
  }
  if (code != vm::TrapCode::kNone) {
    if (Activation* a = Activation::current()) {
      a->host_message = std::move(call.message);
      a->host_exit_status = call.exit_status;
    }
    return code;
  }
  offset = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    results[i].type = type.results[i];
    store_value(area, offset, results[i]);
    offset += vm::area_value_size(type.results[i]);
  }
  return vm::TrapCode::kNone;
}

}  // namespace runtime

// ---- Imports ----------------------------------------------------------------------------------

void Imports::add(std::string module, std::string name, Extern value) {
  map_[{std::move(module), std::move(name)}] = std::move(value);
}

void Imports::add_instance(std::string module, const Instance& instance) {
  for (auto& [name, value] : instance.exports()) add(module, name, value);
}

const Extern* Imports::find(std::string_view module, std::string_view name) const {
  auto it = map_.find(std::pair<std::string, std::string>(module, name));
  return it == map_.end() ? nullptr : &it->second;
}

// ---- Store ------------------------------------------------------------------------------------

struct Store::Impl : runtime::StoreState {
  using StoreState::StoreState;
};

vm::VMGlobal* runtime::StoreState::new_global_storage() {
  globals.push_back(std::make_unique<vm::VMGlobal>());
  std::memset(globals.back()->v128, 0, 16);
  return globals.back().get();
}

void runtime::StoreState::add_context(vm::VMContext* ctx) {
  std::lock_guard lock(contexts_mutex);
  contexts.push_back(ctx);
  ctx->stack_limit = stack_limit;
  if (interrupted.load()) ctx->attention.store(1, std::memory_order_release);
}

Result<std::vector<Value>> runtime::StoreState::call(vm::VMFuncRef* ref, const FuncType& type,
                                                     std::span<const Value> args) {
  using namespace runtime;
  if (!ref) return make_error(ErrorKind::kTrap, vm::trap_message(vm::TrapCode::kNullReference));
  if (args.size() != type.params.size())
    return make_error(ErrorKind::kUsage, "expected " + std::to_string(type.params.size()) +
                                             " arguments, got " + std::to_string(args.size()));
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].type != type.params[i])
      return make_error(ErrorKind::kUsage, "argument " + std::to_string(i) + " has type " +
                                               val_type_name(args[i].type) + ", expected " +
                                               val_type_name(type.params[i]));

  if (HostFuncRecord* host = as_host_function(ref)) {
    std::vector<Value> results;
    for (ValType t : host->type.results) results.push_back(Value::zero(t));
    HostCall call{args, results, nullptr, {}, 0};
    vm::TrapCode code;
    try {
      code = host->fn(call);
    } catch (...) {
      code = vm::TrapCode::kHostError;
      call.message = "host function threw an exception";
    }
    if (code != vm::TrapCode::kNone) {
      last_trap = host_trap(code, call);
      return make_error(ErrorKind::kTrap, last_trap.message);
    }
    for (size_t i = 0; i < results.size(); ++i) results[i].type = host->type.results[i];
    return results;
  }

  uint32_t bytes = vm::call_area_bytes(type);
  std::vector<uint64_t> area(bytes / 8 + 2, 0);
  uint32_t offset = 0;
  for (const Value& v : args) {
    runtime::store_value(area.data(), offset, v);
    offset += vm::area_value_size(v.type);
  }

  platform::install_trap_handler(reinterpret_cast<platform::TrapEntry>(&keel_rt_trap),
                                 &runtime::trap_site_code);
  platform::ensure_alt_signal_stack();

  // The outermost entry into this store on this thread sets the stack limit of every context;
  // nested entries (wasm -> host -> wasm) share the budget the outermost one set.
  bool nested = false;
  for (Activation* a = Activation::current(); a; a = a->prev) nested |= a->store == this;
  if (!nested) {
    uintptr_t sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    const ThreadStack& stack = thread_stack();
    uintptr_t limit = sp > config.max_wasm_stack ? sp - config.max_wasm_stack : 0;
    if (stack.bottom && limit < stack.bottom + kStackSafetyMargin)
      limit = stack.bottom + kStackSafetyMargin;
    std::lock_guard lock(contexts_mutex);
    stack_limit = limit;
    for (vm::VMContext* ctx : contexts) ctx->stack_limit = limit;
  }

  Activation activation;
  activation.prev = Activation::current();
  activation.store = this;
  Activation::set_current(&activation);
  bool ok = run_protected(activation, config.compiler->stubs().entry, ref, area.data(),
                          (bytes + 7) & ~7u);
  Activation::set_current(activation.prev);
  if (!ok) {
    last_trap = std::move(activation.trap);
    return make_error(ErrorKind::kTrap, last_trap.message);
  }
  std::vector<Value> results;
  offset = 0;
  for (ValType t : type.results) {
    results.push_back(runtime::load_value(area.data(), offset, t));
    offset += vm::area_value_size(t);
  }
  return results;
}

Store::Store(const EngineConfig& config) : impl_(std::make_unique<Impl>(config)) {
  // An embedder's mistake, not the guest's: nothing in a store can run without a compiler.
  if (!config.compiler) {
    std::fprintf(stderr, "keel: Store made without EngineConfig::compiler\n");
    std::abort();
  }
}
Store::~Store() = default;

Result<Instance*> Store::instantiate(const std::shared_ptr<LoadedModule>& module,
                                     const Imports& imports) {
  auto impl = std::dynamic_pointer_cast<runtime::ModuleImpl>(module);
  if (!impl) return make_error(ErrorKind::kUsage, "not a module loaded by LoadedModule::load");
  return impl_->instantiate(impl, imports);
}

Result<std::vector<Value>> Store::call(const Extern& func, std::span<const Value> args) {
  if (func.kind != ExternKind::kFunc) return make_error(ErrorKind::kUsage, "not a function");
  return impl_->call(static_cast<vm::VMFuncRef*>(func.handle), func.func_type, args);
}

const TrapInfo& Store::last_trap() const {
  return impl_->last_trap;
}

Extern Store::host_function(FuncType type, HostFunction fn) {
  auto record = std::make_unique<runtime::HostFuncRecord>();
  record->type = type;
  record->fn = std::move(fn);
  record->host.callback = &runtime::host_callback;
  record->host.data = record.get();
  record->code.store(impl_->config.compiler->stubs().host_thunk, std::memory_order_relaxed);
  record->ref.code = &record->code;
  record->ref.ctx = &record->host;
  record->ref.type_id = vm::canonical_type_id(type);
  record->ref.func_index = 0;
  Extern e;
  e.kind = ExternKind::kFunc;
  e.handle = &record->ref;
  e.func_type = std::move(type);
  impl_->host_funcs.push_back(std::move(record));
  return e;
}

Result<Extern> Store::new_memory(MemoryType type) {
  auto memory = runtime::LinearMemory::create(type, impl_->config.max_memory_size);
  if (!memory) return std::move(memory).error();
  Extern e;
  e.kind = ExternKind::kMemory;
  e.handle = (*memory)->vm();
  e.memory_type = type;
  impl_->memories.push_back(std::move(memory.value()));
  return e;
}

Result<Extern> Store::new_table(TableType type, void* init) {
  auto table = runtime::TableInstance::create(type, init, impl_->config.max_table_elements);
  if (!table) return std::move(table).error();
  Extern e;
  e.kind = ExternKind::kTable;
  e.handle = (*table)->vm();
  e.table_type = type;
  impl_->tables.push_back(std::move(table.value()));
  return e;
}

Extern Store::new_global(GlobalType type, Value value) {
  vm::VMGlobal* storage = impl_->new_global_storage();
  value.type = type.type;
  runtime::write_vm_global(*storage, value);
  Extern e;
  e.kind = ExternKind::kGlobal;
  e.handle = storage;
  e.global_type = type;
  return e;
}

Value Store::read_global(const Extern& global) const {
  return runtime::read_vm_global(*static_cast<vm::VMGlobal*>(global.handle),
                                 global.global_type.type);
}

void Store::interrupt() {
  std::lock_guard lock(impl_->contexts_mutex);
  impl_->interrupted.store(true, std::memory_order_release);
  for (vm::VMContext* ctx : impl_->contexts) ctx->attention.store(1, std::memory_order_release);
}

const EngineConfig& Store::config() const {
  return impl_->config;
}

}  // namespace keel
