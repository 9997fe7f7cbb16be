// The bulk memory and table helpers compiled code calls. Every bounds check happens before the
// first write (Wasm 2.0: an out-of-bounds operation changes nothing), and a dropped segment
// behaves as one of length 0.
#include <algorithm>
#include <cstring>
#include <string>

#include "runtime/store_impl.h"

using keel::runtime::InstanceImpl;
using keel::runtime::LinearMemory;
using keel::runtime::TableInstance;
using keel::vm::TrapCode;
using keel::vm::VMContext;

namespace {

constexpr uint32_t kOk = 0;
constexpr uint32_t kMemoryOob = static_cast<uint32_t>(TrapCode::kMemoryOutOfBounds);
constexpr uint32_t kTableOob = static_cast<uint32_t>(TrapCode::kTableOutOfBounds);

InstanceImpl* instance_of(VMContext* ctx) {
  return InstanceImpl::from_context(ctx);
}
LinearMemory* memory_of(VMContext* ctx, uint32_t index) {
  return LinearMemory::from_vm(instance_of(ctx)->memories[index]);
}
TableInstance* table_of(VMContext* ctx, uint32_t index) {
  return TableInstance::from_vm(instance_of(ctx)->tables[index]);
}
bool in_bounds(uint32_t start, uint32_t n, uint64_t size) {
  return uint64_t{start} + n <= size;
}

bool trap_on_grow_failure(VMContext* ctx) {
  return instance_of(ctx)->store->config.trap_on_grow_failure;
}

// -W trap-on-grow-failure: a failed grow traps, with the wasm frames of the code that asked (the
// helper's caller: its return address and frame pointer). Nothing with a destructor is live.
[[noreturn]] void grow_failed(VMContext* ctx, const char* what, uintptr_t pc, uintptr_t fp) {
  if (keel::runtime::Activation* activation = keel::runtime::Activation::current())
    activation->host_message = std::string(what) + " failed (-W trap-on-grow-failure)";
  keel_rt_trap(ctx, static_cast<uint32_t>(TrapCode::kHostError), pc, fp);
  __builtin_unreachable();
}

}  // namespace

extern "C" {

// The caller's frame pointer: __builtin_frame_address(0) makes these helpers keep a frame, whose
// first word is the caller's rbp.
#define KEEL_CALLER_PC reinterpret_cast<uintptr_t>(__builtin_return_address(0))
#define KEEL_CALLER_FP (*reinterpret_cast<const uintptr_t*>(__builtin_frame_address(0)))

uint32_t keel_rt_memory_grow(VMContext* ctx, uint32_t memory, uint32_t delta_pages) {
  int64_t old = memory_of(ctx, memory)->grow(delta_pages);
  if (old < 0 && trap_on_grow_failure(ctx))
    grow_failed(ctx, "memory.grow", KEEL_CALLER_PC, KEEL_CALLER_FP);
  return static_cast<uint32_t>(old);
}

uint32_t keel_rt_memory_init(VMContext* ctx, uint32_t memory, uint32_t data, uint32_t dst,
                             uint32_t src, uint32_t n) {
  InstanceImpl* instance = instance_of(ctx);
  const keel::Module& m = instance->module();
  const keel::DataSegment& segment = m.datas[data];
  uint32_t length = instance->data_dropped[data] ? 0 : segment.bytes.size;
  LinearMemory* mem = LinearMemory::from_vm(instance->memories[memory]);
  if (!in_bounds(src, n, length) || !in_bounds(dst, n, mem->size_bytes())) return kMemoryOob;
  if (n) std::memcpy(mem->vm()->base + dst, m.bytes(segment.bytes).data() + src, n);
  return kOk;
}

void keel_rt_data_drop(VMContext* ctx, uint32_t data) {
  instance_of(ctx)->data_dropped[data] = 1;
}

uint32_t keel_rt_memory_copy(VMContext* ctx, uint32_t dst_memory, uint32_t src_memory, uint32_t dst,
                             uint32_t src, uint32_t n) {
  LinearMemory* to = memory_of(ctx, dst_memory);
  LinearMemory* from = memory_of(ctx, src_memory);
  if (!in_bounds(src, n, from->size_bytes()) || !in_bounds(dst, n, to->size_bytes()))
    return kMemoryOob;
  if (n) std::memmove(to->vm()->base + dst, from->vm()->base + src, n);
  return kOk;
}

uint32_t keel_rt_memory_fill(VMContext* ctx, uint32_t memory, uint32_t dst, uint32_t value,
                             uint32_t n) {
  LinearMemory* mem = memory_of(ctx, memory);
  if (!in_bounds(dst, n, mem->size_bytes())) return kMemoryOob;
  if (n) std::memset(mem->vm()->base + dst, static_cast<int>(value & 0xff), n);
  return kOk;
}

uint32_t keel_rt_table_grow(VMContext* ctx, uint32_t table, void* init, uint32_t delta) {
  int64_t old = table_of(ctx, table)->grow(delta, init);
  if (old < 0 && trap_on_grow_failure(ctx))
    grow_failed(ctx, "table.grow", KEEL_CALLER_PC, KEEL_CALLER_FP);
  return static_cast<uint32_t>(old);
}

uint32_t keel_rt_table_fill(VMContext* ctx, uint32_t table, uint32_t dst, void* value, uint32_t n) {
  TableInstance* t = table_of(ctx, table);
  if (!in_bounds(dst, n, t->size())) return kTableOob;
  std::fill_n(t->elements() + dst, n, value);
  return kOk;
}

uint32_t keel_rt_table_copy(VMContext* ctx, uint32_t dst_table, uint32_t src_table, uint32_t dst,
                            uint32_t src, uint32_t n) {
  TableInstance* to = table_of(ctx, dst_table);
  TableInstance* from = table_of(ctx, src_table);
  if (!in_bounds(src, n, from->size()) || !in_bounds(dst, n, to->size())) return kTableOob;
  if (n) std::memmove(to->elements() + dst, from->elements() + src, n * sizeof(void*));
  return kOk;
}

uint32_t keel_rt_table_init(VMContext* ctx, uint32_t table, uint32_t elem, uint32_t dst,
                            uint32_t src, uint32_t n) {
  InstanceImpl* instance = instance_of(ctx);
  const auto& refs = instance->elem_refs[elem];  // emptied when dropped
  TableInstance* t = TableInstance::from_vm(instance->tables[table]);
  if (!in_bounds(src, n, refs.size()) || !in_bounds(dst, n, t->size())) return kTableOob;
  if (n) std::memcpy(t->elements() + dst, refs.data() + src, n * sizeof(void*));
  return kOk;
}

void keel_rt_elem_drop(VMContext* ctx, uint32_t elem) {
  InstanceImpl* instance = instance_of(ctx);
  instance->elem_dropped[elem] = 1;
  instance->elem_refs[elem].clear();
}

}  // extern "C"
