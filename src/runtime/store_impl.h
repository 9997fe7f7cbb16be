// The runtime's internal view of a store and its instances, shared by the files that implement
// them (store.cc, instance.cc, trap.cc, helpers.cc). Not part of the public API.
#pragma once

#include <csetjmp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/linear_memory.h"
#include "runtime/module_impl.h"
#include "runtime/store.h"
#include "runtime/table_instance.h"

namespace keel {
namespace runtime {

struct StoreState;

struct HostFuncRecord {
  vm::VMHostFunc host;
  vm::CodeSlot code{nullptr};  // always the host thunk
  vm::VMFuncRef ref;
  FuncType type;
  HostFunction fn;
};

// The callback of every host function (VMHostFunc::callback); its address also marks a
// VMFuncRef as a host function's.
vm::TrapCode host_callback(vm::VMHostFunc* self, vm::VMContext* caller, uint64_t* area);
inline HostFuncRecord* as_host_function(vm::VMFuncRef* ref) {
  auto* host = static_cast<vm::VMHostFunc*>(ref->ctx);
  // A VMContext has its memory pointer at the callback's offset, never this function's address.
  return host->callback == &host_callback ? static_cast<HostFuncRecord*>(host->data) : nullptr;
}

class InstanceImpl final : public Instance {
 public:
  const Module& module() const override { return loaded->module(); }
  std::optional<Extern> get_export(std::string_view name) const override;
  std::vector<std::pair<std::string, Extern>> exports() const override;

  static InstanceImpl* from_context(vm::VMContext* ctx) {
    return static_cast<InstanceImpl*>(ctx->instance);
  }
  Extern extern_for(ExternKind kind, uint32_t index) const;

  std::shared_ptr<ModuleImpl> loaded;
  StoreState* store = nullptr;
  vm::VMContext ctx{};
  std::vector<vm::VMFuncRef*> funcs;
  std::unique_ptr<vm::VMFuncRef[]> own_funcs;
  std::vector<vm::VMTable*> tables;
  std::vector<vm::VMMemory*> memories;
  std::vector<vm::VMGlobal*> globals;
  std::vector<std::vector<void*>> elem_refs;  // evaluated at instantiation, as the spec says
  std::vector<uint8_t> elem_dropped;
  std::vector<uint8_t> data_dropped;
};

// One host-to-wasm entry on this thread's stack. Traps unwind (siglongjmp) to the innermost.
struct Activation {
  sigjmp_buf landing;
  Activation* prev = nullptr;
  StoreState* store = nullptr;
  TrapInfo trap;
  std::string host_message;  // kHostError: set by the host function before it returns the code
  int host_exit_status = 0;

  static Activation* current();
  static void set_current(Activation* activation);
};

// The calling thread's usable stack, [bottom, top), from pthread_getattr_np.
struct ThreadStack {
  uintptr_t bottom = 0;
  uintptr_t top = 0;
};
const ThreadStack& thread_stack();

// What a Store owns. Store::Impl (private to the public class) is this and nothing more.
struct StoreState {
  explicit StoreState(const EngineConfig& c) : config(c) {}

  Result<std::vector<Value>> call(vm::VMFuncRef* ref, const FuncType& type,
                                  std::span<const Value> args);
  Result<Instance*> instantiate(const std::shared_ptr<ModuleImpl>& module, const Imports& imports);
  vm::VMGlobal* new_global_storage();
  void add_context(vm::VMContext* ctx);

  EngineConfig config;
  std::vector<std::unique_ptr<InstanceImpl>> instances;
  std::vector<std::unique_ptr<LinearMemory>> memories;
  std::vector<std::unique_ptr<TableInstance>> tables;
  std::vector<std::unique_ptr<vm::VMGlobal>> globals;
  std::vector<std::unique_ptr<HostFuncRecord>> host_funcs;
  TrapInfo last_trap;

  // interrupt() may run on any thread.
  std::mutex contexts_mutex;
  std::vector<vm::VMContext*> contexts;
  std::atomic<bool> interrupted{false};
  // What the outermost running call set; contexts created during a call (a host function
  // instantiating a module) start with it.
  uintptr_t stack_limit = 0;
};

}  // namespace runtime

}  // namespace keel
