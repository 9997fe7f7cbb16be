// The test runtime behind jit_fixture.h: the instance set-up and weak keel_rt_* helpers, which the
// real runtime's definitions replace when it is linked in.
#include <algorithm>
#include <cstring>
#include <map>

#include "jit_fixture.h"

namespace keel::test {

namespace {
thread_local std::jmp_buf* t_landing = nullptr;
thread_local vm::TrapCode t_trap = vm::TrapCode::kNone;
// Kept apart from the caller's locals, which setjmp would otherwise make unreliable.
[[gnu::noinline]] vm::TrapCode run_guarded(vm::VMFuncRef* callee, uint64_t* area, uint32_t bytes) {
  std::jmp_buf landing;
  t_landing = &landing;
  t_trap = vm::TrapCode::kNone;
  if (setjmp(landing) == 0) jit::stubs().entry(callee, area, bytes);
  t_landing = nullptr;
  return t_trap;
}
constexpr uint64_t kReservation = uint64_t{8} << 30;  // 4 GiB of addresses plus 4 GiB of guard
}  // namespace

JitInstance*& current_instance() {
  static JitInstance* instance = nullptr;
  return instance;
}

JitInstance::JitInstance(const Bytes& bytes, vm::HostCallback host, CompileOptions options)
    : options_(options) {
  auto loaded = load_module(buffer_of(bytes));
  if (!loaded.ok()) {
    ADD_FAILURE() << "module does not load: " << loaded.error().to_string();
    module_ = std::make_unique<Module>();
    return;
  }
  module_ = std::make_unique<Module>(std::move(loaded).value());
  vctx_ = std::make_unique<ValidationContext>(*module_);
  // The module already passed validation; the runtime's context would list C.refs here.
  std::fill(vctx_->declared_functions.begin(), vctx_->declared_functions.end(), 1);
  const Module& m = *module_;

  std::vector<FuncType> distinct;
  for (const FuncType& t : m.types) {
    uint32_t id = 0;
    while (id < distinct.size() && !(distinct[id] == t)) ++id;
    if (id == distinct.size()) distinct.push_back(t);
    type_ids_.push_back(id + 100);
  }
  hosts_.resize(m.functions.size());
  compiled_.resize(m.functions.size());
  // Imports first, as in the index space: the defined functions' slots are the array the context
  // names.
  slots_ = std::make_unique<vm::CodeSlot[]>(m.functions.size());
  for (uint32_t i = 0; i < m.functions.size(); ++i) {
    auto ref = std::make_unique<vm::VMFuncRef>();
    ref->type_id = type_ids_[m.functions[i].type_index];
    ref->func_index = i;
    if (m.functions[i].imported) {
      hosts_[i].callback = host;
      ref->ctx = &hosts_[i];
      slots_[i].store(jit::stubs().host_thunk);
    } else {
      ref->ctx = &ctx_;
      slots_[i].store(jit::stubs().lazy_compile);
    }
    ref->code = &slots_[i];
    funcs_.push_back(ref.get());
    refs_.push_back(std::move(ref));
  }
  if (!m.memories.empty()) {
    reservation_ =
        mmap(nullptr, kReservation, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    memory_.base = static_cast<uint8_t*>(reservation_);
    uint64_t bytes_now = m.memories[0].type.limits.min * kPageSize;
    if (bytes_now) mprotect(memory_.base, bytes_now, PROT_READ | PROT_WRITE);
    memory_.size.store(bytes_now);
    memory_.max_size = m.memories[0].type.limits.max.value_or(kMaxPages32) * kPageSize;
    ctx_.memory_base = memory_.base;
    ctx_.memory = &memory_;
  }
  table_storage_.resize(m.tables.size());
  tables_.resize(m.tables.size());
  for (size_t i = 0; i < m.tables.size(); ++i) {
    table_storage_[i].assign(m.tables[i].type.limits.min, nullptr);
    tables_[i] = {table_storage_[i].data(), static_cast<uint32_t>(table_storage_[i].size()),
                  UINT32_MAX, m.tables[i].type.element};
    table_ptrs_.push_back(&tables_[i]);
  }
  globals_.resize(m.globals.size());
  for (auto& g : globals_) std::memset(&g, 0, sizeof g);
  for (auto& g : globals_) global_ptrs_.push_back(&g);
  ctx_.funcs = funcs_.data();
  ctx_.tables = table_ptrs_.data();
  ctx_.globals = global_ptrs_.data();
  ctx_.type_ids = type_ids_.data();
  ctx_.code_slots = slots_.get() + m.num_imported_functions;
}

JitInstance::~JitInstance() {
  if (reservation_) munmap(reservation_, kReservation);
}

const void* JitInstance::compile(vm::VMFuncRef* ref) {
  auto compiled = jit::compile_baseline(*vctx_, ref->func_index, options_);
  if (!compiled.ok()) {
    ADD_FAILURE() << "compile failed: " << compiled.error().to_string();
    return nullptr;
  }
  auto installed = platform::CodeMemory::global().install(compiled->code);
  if (!installed.ok()) return nullptr;
  compiled_[ref->func_index] = std::make_unique<CompiledFunction>(std::move(compiled).value());
  ref->code->store(*installed, std::memory_order_release);
  return *installed;
}

CallResult JitInstance::call(uint32_t func_index, std::vector<uint64_t> args) {
  CallResult out;
  if (!vctx_) {
    out.trap = vm::TrapCode::kHostError;
    return out;
  }
  const FuncType& type = module_->function_type(func_index);
  uint32_t bytes = vm::call_area_bytes(type);
  std::vector<uint64_t> area(bytes / 8 + 1, 0);
  for (size_t i = 0; i < args.size(); ++i) area[vm::value_offset(type.params, i) / 8] = args[i];
  // Leave room for the test runtime's helpers below the limit.
  // The frame address, not a local's: under ASan a local may live on a heap "fake stack".
  ctx_.stack_limit = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) - (1u << 20);
  current_instance() = this;
  out.trap = run_guarded(funcs_[func_index], area.data(), bytes);
  if (out.trap == vm::TrapCode::kNone)
    for (size_t j = 0; j < type.results.size(); ++j) {
      // 32-bit results leave the upper bytes of their slot unspecified.
      uint64_t v = area[vm::value_offset(type.results, j) / 8];
      ValType t = type.results[j];
      out.results.push_back(t == ValType::kI32 || t == ValType::kF32 ? v & 0xffffffffu : v);
    }
  return out;
}

}  // namespace keel::test

using keel::test::current_instance;
using keel::vm::VMContext;

extern "C" {

__attribute__((weak, noreturn)) void keel_rt_trap(VMContext*, uint32_t code, uintptr_t, uintptr_t) {
  keel::test::t_trap = static_cast<keel::vm::TrapCode>(code);
  std::longjmp(*keel::test::t_landing, 1);
}

__attribute__((weak)) uint32_t keel_rt_attention(VMContext*, uint32_t) {
  ++current_instance()->attention_calls;
  return current_instance()->attention_result;
}

__attribute__((weak)) uint32_t keel_rt_tier_up(VMContext*, uint32_t) {
  ++current_instance()->tier_up_calls;
  return 0;
}

__attribute__((weak)) const void* keel_rt_tier_up_loop(VMContext*, uint32_t, uint32_t, uintptr_t) {
  ++current_instance()->tier_up_calls;
  return nullptr;  // no OSR here: the loop goes on in tier 1
}

__attribute__((weak)) const void* keel_rt_compile_lazy(keel::vm::VMFuncRef* ref) {
  return current_instance()->compile(ref);
}

__attribute__((weak)) uint32_t keel_rt_memory_grow(VMContext* ctx, uint32_t, uint32_t delta) {
  keel::vm::VMMemory* m = ctx->memory;
  uint64_t old = m->size.load();
  uint64_t grown = old + uint64_t{delta} * keel::kPageSize;
  if (grown > m->max_size) return UINT32_MAX;
  if (grown > old) mprotect(m->base + old, grown - old, PROT_READ | PROT_WRITE);
  m->size.store(grown);
  return static_cast<uint32_t>(old / keel::kPageSize);
}

__attribute__((weak)) uint32_t keel_rt_memory_init(VMContext*, uint32_t, uint32_t, uint32_t,
                                                   uint32_t, uint32_t) {
  return 0;
}
__attribute__((weak)) void keel_rt_data_drop(VMContext*, uint32_t) {}
__attribute__((weak)) uint32_t keel_rt_memory_copy(VMContext* ctx, uint32_t, uint32_t, uint32_t dst,
                                                   uint32_t src, uint32_t n) {
  uint64_t size = ctx->memory->size.load();
  if (uint64_t{dst} + n > size || uint64_t{src} + n > size)
    return static_cast<uint32_t>(keel::vm::TrapCode::kMemoryOutOfBounds);
  std::memmove(ctx->memory_base + dst, ctx->memory_base + src, n);
  return 0;
}
__attribute__((weak)) uint32_t keel_rt_memory_fill(VMContext* ctx, uint32_t, uint32_t dst,
                                                   uint32_t value, uint32_t n) {
  if (uint64_t{dst} + n > ctx->memory->size.load())
    return static_cast<uint32_t>(keel::vm::TrapCode::kMemoryOutOfBounds);
  std::memset(ctx->memory_base + dst, static_cast<int>(value), n);
  return 0;
}
__attribute__((weak)) uint32_t keel_rt_table_grow(VMContext*, uint32_t, void*, uint32_t) {
  return UINT32_MAX;
}
__attribute__((weak)) uint32_t keel_rt_table_fill(VMContext* ctx, uint32_t table, uint32_t dst,
                                                  void* value, uint32_t n) {
  keel::vm::VMTable* t = ctx->tables[table];
  if (uint64_t{dst} + n > t->size)
    return static_cast<uint32_t>(keel::vm::TrapCode::kTableOutOfBounds);
  for (uint32_t i = 0; i < n; ++i) t->elements[dst + i] = value;
  return 0;
}
__attribute__((weak)) uint32_t keel_rt_table_copy(VMContext*, uint32_t, uint32_t, uint32_t,
                                                  uint32_t, uint32_t) {
  return 0;
}
__attribute__((weak)) uint32_t keel_rt_table_init(VMContext*, uint32_t, uint32_t, uint32_t,
                                                  uint32_t, uint32_t) {
  return 0;
}
__attribute__((weak)) void keel_rt_elem_drop(VMContext*, uint32_t) {}
}
