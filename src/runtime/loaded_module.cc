#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "decode/body_scanner.h"
#include "platform/code_memory.h"
#include "platform/cpu_features.h"
#include "platform/virtual_memory.h"
#include "runtime/code_registry.h"
#include "runtime/const_expr.h"
#include "runtime/module_impl.h"
#include "validate/validator.h"

namespace keel {

Result<std::shared_ptr<LoadedModule>> LoadedModule::load(std::shared_ptr<const ByteBuffer> bytes,
                                                         const EngineConfig& config) {
  auto module = runtime::ModuleImpl::create(std::move(bytes), config);
  if (!module) return std::move(module).error();
  return std::shared_ptr<LoadedModule>(std::move(module.value()));
}

namespace runtime {
namespace {

// The stubs are installed one per code-memory install, whose tail CodeMemory fills with int3:
// a stub ends at its last byte that is not 0xcc (none of them ends with one).
void perfmap_write_stubs(const RuntimeStubs& s) {
  static std::once_flag once;
  std::call_once(once, [&] {
    auto write = [](const void* stub, const char* name) {
      auto* p = static_cast<const uint8_t*>(stub);
      size_t page = platform::page_size();
      size_t end = page - (reinterpret_cast<uintptr_t>(p) & (page - 1));
      while (end > 0 && p[end - 1] == 0xcc) --end;
      perfmap_write(reinterpret_cast<uintptr_t>(p), end, name);
    };
    write(reinterpret_cast<const void*>(s.entry), "keel::stub::entry");
    write(s.host_thunk, "keel::stub::host_thunk");
    write(s.lazy_compile, "keel::stub::lazy_compile");
  });
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

ModuleImpl::ModuleImpl(Module module, const EngineConfig& config)
    : module_(std::move(module)),
      config_(config),
      lazy_stub_(config.compiler->stubs().lazy_compile) {
  validation_ = std::make_unique<ValidationContext>(module_);
  // C.refs, as validation computed it: functions named outside function bodies.
  auto& refs = validation_->declared_functions;
  for (const Global& g : module_.globals)
    if (!g.imported) mark_ref_funcs(module_, g.init, refs);
  for (const Table& t : module_.tables)
    if (t.init) mark_ref_funcs(module_, *t.init, refs);
  for (const ElemSegment& seg : module_.elems) {
    for (uint32_t f : seg.functions) refs[f] = 1;
    for (const ConstExpr& e : seg.expressions) mark_ref_funcs(module_, e, refs);
  }
  for (const Export& e : module_.exports)
    if (e.kind == ExternKind::kFunc) refs[e.index] = 1;
  type_ids_.reserve(module_.types.size());
  for (const FuncType& t : module_.types) type_ids_.push_back(vm::canonical_type_id(t));
  size_t defined = module_.functions.size() - module_.num_imported_functions;
  code_ = std::make_unique<vm::CodeSlot[]>(defined);
  source_maps_ = std::make_unique<std::vector<SourceMapEntry>[]>(defined);
  trap_sites_ = std::make_unique<std::vector<TrapSite>[]>(defined);
  for (size_t i = 0; i < defined; ++i) code_[i].store(lazy_stub_, std::memory_order_relaxed);
}

ModuleImpl::~ModuleImpl() {
  // The code stays in code memory (it is never freed); only its names go.
  CodeRegistry::global().remove_module(&module_);
}

Result<std::shared_ptr<ModuleImpl>> ModuleImpl::create(std::shared_ptr<const ByteBuffer> bytes,
                                                       const EngineConfig& config) {
  if (!config.compiler)
    return make_error(ErrorKind::kUsage, "no compiler: EngineConfig::compiler is not set");
  KEEL_TRY(config.compiler->tier_available(config.tier));
  auto module = load_module(std::move(bytes), config.features);
  if (!module) return std::move(module).error();
  const platform::CpuFeatures& cpu = platform::host_cpu_features();
  if (!cpu.sse41 && uses_simd(*module)) {
    // Like other features this runtime cannot provide (memory64): the module cannot run here.
    return make_error(ErrorKind::kUnlinkable,
                      "SIMD needs a CPU with SSE4.1; this one has: " + cpu.to_string());
  }
  std::shared_ptr<ModuleImpl> impl(new ModuleImpl(std::move(module.value()), config));
  if (config.perfmap) perfmap_write_stubs(config.compiler->stubs());
  if (config.compile_mode == CompileMode::kEager) KEEL_TRY(impl->compile_all());
  return impl;
}

double ModuleImpl::compile_seconds() const {
  std::lock_guard lock(stats_mutex_);
  return compile_seconds_;
}

void ModuleImpl::add_compile_time(double seconds, uint64_t body_bytes) {
  {
    std::lock_guard lock(stats_mutex_);
    compile_seconds_ += seconds;
  }
  body_bytes_.fetch_add(body_bytes, std::memory_order_relaxed);
}

CompileOptions ModuleImpl::compile_options() const {
  CompileOptions options;
  options.tier = config_.tier;
  options.cpu = platform::host_cpu_features();
  options.interrupt_checks = config_.interrupt_checks;
  options.validated = true;  // create() loaded the module with load_module
  return options;
}

void ModuleImpl::publish(uint32_t func_index, const uint8_t* code, CompiledFunction& compiled) {
  uint32_t defined = func_index - module_.num_imported_functions;
  size_t size = compiled.code.size();
  source_maps_[defined] = std::move(compiled.source_map);
  trap_sites_[defined] = std::move(compiled.trap_sites);
  auto begin = reinterpret_cast<uintptr_t>(code);
  CodeRegistry::global().add(
      {begin, begin + size, &module_, func_index, &source_maps_[defined], &trap_sites_[defined]});
  if (config_.perfmap) {
    std::string name = "wasm";
    if (!module_.names.module_name.empty()) name += "[" + module_.names.module_name + "]";
    perfmap_write(begin, size, name + "::" + module_.function_name(func_index));
  }
  code_[defined].store(code, std::memory_order_release);  // the one store every caller sees
}

const void* ModuleImpl::compile(uint32_t func_index, std::string* error) {
  if (const void* done = code(func_index)) return done;
  std::lock_guard lock(compile_locks_[func_index % kCompileLocks]);
  if (const void* done = code(func_index)) return done;  // another thread won
  auto start = std::chrono::steady_clock::now();
  auto compiled = config_.compiler->compile(*validation_, func_index, compile_options());
  if (!compiled) {
    if (error) *error = compiled.error().to_string();
    return nullptr;
  }
  auto installed = platform::CodeMemory::global().install(compiled->code);
  if (!installed) {
    if (error) *error = installed.error().to_string();
    return nullptr;
  }
  add_compile_time(seconds_since(start), module_.functions[func_index].body.size);
  publish(func_index, *installed, *compiled);
  return *installed;
}

Status ModuleImpl::compile_all() {
  uint32_t first = module_.num_imported_functions;
  auto total = static_cast<uint32_t>(module_.functions.size());
  if (first == total) return {};
  auto start = std::chrono::steady_clock::now();
  unsigned threads = config_.compile_threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<unsigned>(threads, total - first);

  // Each thread claims functions one at a time (bodies vary wildly in size) and appends them to
  // its own buffer, installed at once: one mprotect per thread instead of one per function.
  struct Batch {
    std::vector<uint8_t> code;
    std::vector<std::pair<uint32_t, uint32_t>> placed;  // function, offset in `code`
    std::vector<CompiledFunction> functions;
    uint32_t error_function = UINT32_MAX;  // the first failing function this thread saw
    std::optional<Error> error;
  };
  std::vector<Batch> batches(threads);
  std::atomic<uint32_t> next{first};
  auto work = [&](Batch& batch) {
    CompileOptions options = compile_options();
    for (;;) {
      uint32_t f = next.fetch_add(1, std::memory_order_relaxed);
      if (f >= total) return;
      auto compiled = config_.compiler->compile(*validation_, f, options);
      if (!compiled) {
        if (f < batch.error_function) {
          batch.error_function = f;
          batch.error = compiled.error();
          if (batch.error->function == kNoFunction) batch.error->function = f;
        }
        continue;
      }
      size_t offset = (batch.code.size() + 15) & ~size_t{15};
      batch.code.resize(offset, 0xcc);  // int3 padding between functions
      batch.code.insert(batch.code.end(), compiled->code.begin(), compiled->code.end());
      batch.placed.emplace_back(f, static_cast<uint32_t>(offset));
      batch.functions.push_back(std::move(compiled.value()));
    }
  };
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back(work, std::ref(batches[i]));
  work(batches[0]);
  for (auto& t : pool) t.join();

  const Batch* failed = nullptr;
  for (auto& b : batches)
    if (b.error && (!failed || b.error_function < failed->error_function)) failed = &b;
  if (failed) return *failed->error;

  for (auto& batch : batches) {
    if (batch.code.empty()) continue;
    auto installed = platform::CodeMemory::global().install(batch.code);
    if (!installed) return std::move(installed).error();
    for (size_t i = 0; i < batch.placed.size(); ++i) {
      auto [f, offset] = batch.placed[i];
      auto& compiled = batch.functions[i];
      publish(f, *installed + offset, compiled);
    }
  }
  uint64_t body_bytes = 0;
  for (uint32_t f = first; f < total; ++f) body_bytes += module_.functions[f].body.size;
  add_compile_time(seconds_since(start), body_bytes);
  return {};
}

}  // namespace runtime
}  // namespace keel
