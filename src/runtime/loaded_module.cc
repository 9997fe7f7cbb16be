#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>

#include <spdlog/spdlog.h>
#include <thread>

#include "decode/body_scanner.h"
#include "decode/module_decoder.h"
#include "platform/code_memory.h"
#include "platform/cpu_features.h"
#include "platform/virtual_memory.h"
#include "runtime/artifact.h"
#include "runtime/code_cache.h"
#include "runtime/code_registry.h"
#include "runtime/const_expr.h"
#include "runtime/module_impl.h"
#include "runtime/tier_up.h"
#include "validate/validator.h"

namespace keel {

Result<std::shared_ptr<LoadedModule>> LoadedModule::load(std::shared_ptr<const ByteBuffer> bytes,
                                                         const EngineConfig& config) {
  auto module = runtime::ModuleImpl::create(std::move(bytes), config);
  if (!module) return std::move(module).error();
  return std::shared_ptr<LoadedModule>(std::move(module.value()));
}

Result<std::shared_ptr<LoadedModule>> LoadedModule::load_precompiled(
    std::shared_ptr<const ByteBuffer> file, const EngineConfig& config) {
  auto view = runtime::parse_artifact(file->bytes());
  if (!view) return std::move(view).error();
  if (view->kind != runtime::ArtifactKind::kPrecompiled)
    return make_error(ErrorKind::kMalformed, "a code cache entry, not a precompiled module");
  runtime::ArtifactIdentity host;
  host.engine = config.engine_id;
  host.cpu_features = runtime::cpu_feature_bits(platform::host_cpu_features());
  KEEL_TRY(runtime::check_identity(view->identity, host));
  EngineConfig c = config;
  runtime::CodegenSettings settings = runtime::codegen_settings(view->identity.codegen);
  c.tier = settings.tier;
  c.tiering.enabled = settings.tiering;
  c.tiering.osr = settings.osr;
  c.interrupt_checks = settings.interrupt_checks;
  c.features = runtime::wasm_features(view->identity.features);
  c.compile_mode = CompileMode::kLazy;  // what the file lacks compiles on first call
  c.code_cache.enabled = false;
  auto bytes = runtime::sub_buffer(file, view->module_bytes);
  auto module = runtime::ModuleImpl::create(std::move(bytes), c, &*view, file);
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
  register_code_ = std::make_unique<vm::CodeSlot[]>(defined);
  for (size_t t = 0; t < kTiers; ++t) {
    source_maps_[t] = std::make_unique<std::vector<SourceMapEntry>[]>(defined);
    trap_sites_[t] = std::make_unique<std::vector<TrapSite>[]>(defined);
    published_[t] = std::make_unique<Published[]>(defined);
  }
  for (size_t i = 0; i < defined; ++i) {
    code_[i].store(lazy_stub_, std::memory_order_relaxed);
    register_code_[i].store(nullptr, std::memory_order_relaxed);
  }
  if (config_.tiering.enabled) {
    osr_points_ = std::make_unique<std::vector<OsrPoint>[]>(defined);
    tier_budgets_ = std::make_unique<std::atomic<int32_t>[]>(defined);
    tier_states_ = std::make_unique<std::atomic<uint8_t>[]>(defined);
    for (size_t i = 0; i < defined; ++i) {
      tier_budgets_[i].store(config_.tiering.budget, std::memory_order_relaxed);
      tier_states_[i].store(kInTier1, std::memory_order_relaxed);
    }
  }
}

ModuleImpl::~ModuleImpl() {
  if (tier_states_) TierUpQueue::global().forget(this);
  // The code stays in code memory (it is never freed); only its names go.
  CodeRegistry::global().remove_module(&module_);
}

Result<std::shared_ptr<ModuleImpl>> ModuleImpl::create(std::shared_ptr<const ByteBuffer> bytes,
                                                       const EngineConfig& config,
                                                       const ArtifactView* precompiled,
                                                       std::shared_ptr<const ByteBuffer> file) {
  if (!config.compiler)
    return make_error(ErrorKind::kUsage, "no compiler: EngineConfig::compiler is not set");
  KEEL_TRY(config.compiler->tier_available(config.tier));
  if (config.tiering.enabled) {
    if (config.tier != Tier::kBaseline)
      return make_error(ErrorKind::kUsage,
                        "tiering starts in tier 1: EngineConfig::tier must be "
                        "baseline when tiering is enabled");
    KEEL_TRY(config.compiler->tier_available(Tier::kOptimizing));
  }
  const bool use_cache =
      !precompiled && config.code_cache.enabled && !config.code_cache.dir.empty();
  Sha256Digest module_hash{}, key{};
  std::shared_ptr<const ByteBuffer> entry;
  std::optional<ArtifactView> view;
  bool replace_entry = false;
  const std::string& dir = config.code_cache.dir;
  std::string entry_path;
  if (use_cache) {
    ArtifactIdentity id = identity_for(config);
    const FileIdentity* file = bytes->file_identity();
    std::optional<CacheKeys> keys;
    if (file) keys = cache_index_lookup(dir, id, *file, bytes->bytes());
    if (!keys) {
      keys.emplace();
      keys->module_hash = Sha256::of(bytes->bytes());
      keys->key = cache_key(keys->module_hash, id);
      if (file) {
        if (Status s = cache_index_store(dir, id, *file, bytes->bytes(), *keys); !s)
          spdlog::debug("code cache: no index entry written: {}", s.error().message);
      }
    }
    module_hash = keys->module_hash;
    key = keys->key;
    entry_path = cache_entry_path(dir, key);
    entry = cache_lookup(dir, key);
    if (!entry) {
      spdlog::debug("code cache: miss {}", entry_path);
    } else {
      auto parsed = parse_artifact(entry->bytes());
      std::string why;
      if (!parsed)
        why = parsed.error().message;
      else if (parsed->kind != ArtifactKind::kCacheEntry ||
               std::memcmp(parsed->header->key, key.data(), key.size()) != 0 ||
               std::memcmp(parsed->header->module_hash, module_hash.data(), module_hash.size()) !=
                   0 ||
               parsed->identity.engine != id.engine)
        why = "not the entry for this module";
      if (why.empty()) {
        view = *parsed;
      } else {
        spdlog::debug("code cache: ignoring {}: {}", entry_path, why);
        entry = nullptr;
        replace_entry = true;
      }
    }
  }
  // An entry exists only for bytes that validated under this build with these features: a hit
  // decodes them without validating again. A precompiled module's bytes are validated: they come
  // in the file itself, and the runtime indexes its tables by what they say (fuzz_artifact found
  // an element segment naming a function past the end), so bytes that are not a valid module
  // must be an error, never undefined behaviour. All but its function bodies, though: the code
  // of each is in the file (validating yosys's 28 MB of bodies was half of running it
  // precompiled), and one compiled from its body after all is validated as it is compiled.
  ValidateOptions validate;
  validate.bodies = !precompiled;
  auto module = view ? decode_module(std::move(bytes), config.features)
                     : load_module(std::move(bytes), config.features, validate);
  if (!module) return std::move(module).error();
  const platform::CpuFeatures& cpu = platform::host_cpu_features();
  if (!cpu.sse41 && uses_simd(*module)) {
    // Like other features this runtime cannot provide (memory64): the module cannot run here.
    return make_error(ErrorKind::kUnlinkable,
                      "SIMD needs a CPU with SSE4.1; this one has: " + cpu.to_string());
  }
  std::shared_ptr<ModuleImpl> impl(new ModuleImpl(std::move(module.value()), config));
  impl->bodies_validated_ = validate.bodies;
  if (config.perfmap) perfmap_write_stubs(config.compiler->stubs());
  if (precompiled) {
    std::memcpy(impl->module_hash_.data(), precompiled->header->module_hash,
                impl->module_hash_.size());
    KEEL_TRY(impl->install_artifact(*precompiled, std::move(file)));
  } else if (use_cache) {
    impl->module_hash_ = module_hash;
    impl->cache_key_ = key;
    impl->cache_keyed_ = true;
    if (view) {
      if (Status s = impl->install_artifact(*view, std::move(entry)); s) {
        spdlog::debug("code cache: hit {} ({} functions)", entry_path, impl->cached_functions_);
      } else {
        spdlog::debug("code cache: ignoring {}: {}", entry_path, s.error().message);
        replace_entry = true;
        KEEL_TRY(validate_module(impl->module_));
      }
    }
    // It is replaced when this process writes the entry back.
    if (replace_entry) impl->compiled_new_.store(true, std::memory_order_relaxed);
  }
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

LoadedModule::TierUpCounts ModuleImpl::tier_up_counts() const {
  return {
      tier_queued_.load(std::memory_order_relaxed), tier_compiled_.load(std::memory_order_relaxed),
      tier_failed_.load(std::memory_order_relaxed), osr_compiled_.load(std::memory_order_relaxed),
      osr_failed_.load(std::memory_order_relaxed),  osr_entered_.load(std::memory_order_relaxed)};
}

unsigned ModuleImpl::tier_up_threads() const {
  unsigned threads = config_.tiering.threads;
  return threads ? threads : std::max(1u, std::thread::hardware_concurrency() - 1);
}

CompileOptions ModuleImpl::compile_options(Tier tier) const {
  CompileOptions options;
  options.tier = tier;
  options.tier_up_counters = config_.tiering.enabled && tier == Tier::kBaseline;
  options.osr_points = options.tier_up_counters && config_.tiering.osr;
  options.cpu = platform::host_cpu_features();
  options.interrupt_checks = config_.interrupt_checks;
  // create() validated the module with load_module (all but a precompiled one's bodies).
  options.validated = bodies_validated_;
  return options;
}

void ModuleImpl::publish(uint32_t func_index, const uint8_t* code, CompiledFunction& compiled) {
  uint32_t defined = func_index - module_.num_imported_functions;
  size_t size = compiled.code.size();
  size_t tier = static_cast<size_t>(compiled.tier) - 1;
  auto& source_map = source_maps_[tier][defined];
  auto& trap_sites = trap_sites_[tier][defined];
  source_map = std::move(compiled.source_map);
  trap_sites = std::move(compiled.trap_sites);
  // Published before the code: a frame can only reach its OSR points by running it.
  if (osr_points_ && compiled.tier == Tier::kBaseline)
    osr_points_[defined] = std::move(compiled.osr_points);
  // Tiering publishes a function twice: perf tells the two apart.
  const char* label = !config_.tiering.enabled           ? ""
                      : compiled.tier == Tier::kBaseline ? " [tier1]"
                                                         : " [tier2]";
  register_code(func_index, code, size, source_map, trap_sites, label);
  if (compiled.register_entry != CompiledFunction::kNoRegisterEntry)
    register_code_[defined].store(code + compiled.register_entry, std::memory_order_release);
  Published& published = published_[tier][defined];
  published.size = static_cast<uint32_t>(size);
  published.register_entry = compiled.register_entry;
  published.source_map = source_map;
  published.trap_sites = trap_sites;
  published.code.store(code, std::memory_order_release);
  compiled_new_.store(true, std::memory_order_relaxed);
  code_[defined].store(code, std::memory_order_release);  // the one store every caller sees
}

ArtifactIdentity ModuleImpl::identity_for(const EngineConfig& config) {
  ArtifactIdentity id;
  id.engine = config.engine_id;
  id.cpu_features = cpu_feature_bits(platform::host_cpu_features());
  id.codegen =
      codegen_bits({config.tier, config.tiering.enabled,
                    config.tiering.enabled && config.tiering.osr, config.interrupt_checks});
  id.features = wasm_feature_bits(config.features);
  return id;
}

Status ModuleImpl::install_artifact(const ArtifactView& view,
                                    std::shared_ptr<const ByteBuffer> file) {
  uint32_t imports = module_.num_imported_functions;
  size_t defined = module_.functions.size() - imports;
  if (view.functions.size() != defined)
    return make_error(ErrorKind::kMalformed, "compiled code for another module");
  for (const ArtifactFunction& f : view.functions) {
    // Tier 2 in a tiered module is what tier-up would have published; else one tier.
    bool allowed = f.tier == 0 || f.tier == static_cast<uint8_t>(config_.tier) ||
                   (config_.tiering.enabled && f.tier == static_cast<uint8_t>(Tier::kOptimizing));
    if (!allowed) return make_error(ErrorKind::kMalformed, "compiled code of another tier");
  }
  artifact_ = std::move(file);
  if (view.code.empty()) return {};
  // One copy into code memory and one protection change for all of it.
  auto installed = platform::CodeMemory::global().install(view.code);
  if (!installed) return std::move(installed).error();
  for (size_t i = 0; i < defined; ++i) {
    const ArtifactFunction& f = view.functions[i];
    if (f.tier == 0) continue;
    auto tier = static_cast<Tier>(f.tier);
    auto func_index = static_cast<uint32_t>(imports + i);
    const uint8_t* code = *installed + f.code_offset;
    Published& p = published_[f.tier - 1][i];
    p.size = f.code_size;
    p.register_entry = f.register_entry;
    p.source_map = view.source_map_of(f);
    p.trap_sites = view.trap_sites_of(f);
    if (osr_points_ && tier == Tier::kBaseline) osr_points_[i] = view.osr_points_of(f);
    const char* label = !config_.tiering.enabled  ? ""
                        : tier == Tier::kBaseline ? " [tier1]"
                                                  : " [tier2]";
    register_code(func_index, code, f.code_size, p.source_map, p.trap_sites, label);
    p.code.store(code, std::memory_order_release);
    if (f.register_entry != CompiledFunction::kNoRegisterEntry)
      register_code_[i].store(code + f.register_entry, std::memory_order_release);
    if (tier_states_ && tier == Tier::kOptimizing) {
      tier_states_[i].store(kInTier2, std::memory_order_release);
      tier_budgets_[i].store(done_budget(), std::memory_order_relaxed);
    }
    code_[i].store(code, std::memory_order_release);
    ++cached_functions_;
  }
  return {};
}

std::vector<uint8_t> ModuleImpl::write_artifact(ArtifactKind kind) const {
  size_t defined = module_.functions.size() - module_.num_imported_functions;
  ArtifactWriter writer(static_cast<uint32_t>(defined));
  for (size_t i = 0; i < defined; ++i) {
    for (size_t t = kTiers; t-- > 0;) {  // the best tier there is
      const Published& p = published_[t][i];
      const uint8_t* code = p.code.load(std::memory_order_acquire);
      if (!code) continue;
      std::span<const OsrPoint> osr;
      if (t == 0 && osr_points_) osr = osr_points_[i];
      writer.add_function(static_cast<uint32_t>(i), static_cast<Tier>(t + 1), {code, p.size},
                          p.source_map, p.trap_sites, osr, p.register_entry);
      break;
    }
  }
  std::span<const uint8_t> bytes;
  if (kind == ArtifactKind::kPrecompiled) bytes = module_.bytes();
  return writer.finish(kind, identity(),
                       kind == ArtifactKind::kCacheEntry ? cache_key_ : Sha256Digest{},
                       module_hash_, bytes);
}

std::vector<uint8_t> ModuleImpl::precompiled() const {
  return write_artifact(ArtifactKind::kPrecompiled);
}

Status ModuleImpl::save_to_code_cache() {
  if (!cache_keyed_ || !compiled_new_.load(std::memory_order_relaxed)) return {};
  std::vector<uint8_t> bytes = write_artifact(ArtifactKind::kCacheEntry);
  Status s = cache_store(config_.code_cache.dir, config_.code_cache.max_bytes, cache_key_, bytes);
  if (s) {
    compiled_new_.store(false, std::memory_order_relaxed);
    spdlog::debug("code cache: wrote {} ({} bytes)",
                  cache_entry_path(config_.code_cache.dir, cache_key_), bytes.size());
  } else {
    spdlog::debug("code cache: not written: {}", s.error().message);
  }
  return s;
}

void ModuleImpl::register_code(uint32_t func_index, const uint8_t* code, size_t size,
                               std::span<const SourceMapEntry> source_map,
                               std::span<const TrapSite> trap_sites, const std::string& label) {
  auto begin = reinterpret_cast<uintptr_t>(code);
  CodeRegistry::global().add({begin, begin + size, &module_, func_index, source_map, trap_sites});
  if (config_.perfmap) {
    std::string name = "wasm";
    if (!module_.names.module_name.empty()) name += "[" + module_.names.module_name + "]";
    perfmap_write(begin, size, name + "::" + module_.function_name(func_index) + label);
  }
}

const void* ModuleImpl::compile(uint32_t func_index, std::string* error) {
  if (const void* done = code(func_index)) return done;
  std::lock_guard lock(compile_locks_[func_index % kCompileLocks]);
  if (const void* done = code(func_index)) return done;  // another thread won
  auto start = std::chrono::steady_clock::now();
  auto compiled =
      config_.compiler->compile(*validation_, func_index, compile_options(config_.tier));
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
  auto last_report = start;
  auto work = [&](Batch& batch) {
    CompileOptions options = compile_options(config_.tier);
    for (;;) {
      uint32_t f = next.fetch_add(1, std::memory_order_relaxed);
      if (f >= total) return;
      if (code(f)) continue;  // installed from a precompiled module or the code cache
      if (config_.compile_progress && &batch == &batches[0]) {
        auto now = std::chrono::steady_clock::now();
        if (now - last_report >= std::chrono::milliseconds(100)) {
          last_report = now;
          config_.compile_progress(f - first, total - first, seconds_since(start));
        }
      }
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
  if (config_.compile_progress)
    config_.compile_progress(total - first, total - first, seconds_since(start));

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

void ModuleImpl::tier_up(const std::shared_ptr<ModuleImpl>& self, uint32_t func_index) {
  uint32_t defined = func_index - module_.num_imported_functions;
  std::atomic<int32_t>& budget = tier_budgets_[defined];
  std::atomic<uint8_t>& state = tier_states_[defined];
  // While it waits, each further run-out makes it hotter.
  const int32_t waiting_budget = config_.tiering.budget;
  uint8_t now = state.load(std::memory_order_acquire);
  if (now == kInTier1 && state.compare_exchange_strong(now, kQueued)) {
    tier_queued_.fetch_add(1, std::memory_order_relaxed);
    TierUpQueue::global().queued.fetch_add(1, std::memory_order_relaxed);
    budget.store(waiting_budget, std::memory_order_relaxed);
    tier_up_log().trace("queued {} ({} bytes)", module_.function_name(func_index),
                        module_.functions[func_index].body.size);
    if (config_.tiering.synchronous) {
      compile_tier2(func_index, 0);
      return;
    }
    TierUpQueue::global().enqueue(self, func_index, tier_up_threads());
    return;
  }
  if (now == kQueued || now == kCompiling) {
    if (now == kQueued) TierUpQueue::global().bump(this, func_index);
    budget.store(waiting_budget, std::memory_order_relaxed);
    return;
  }
  // In tier 2 (or tier 2 failed): a tier-1 frame that was already running. With OSR it may be in
  // a loop that keeps it there, so its loop headers keep checking; else stop counting.
  budget.store(done_budget(), std::memory_order_relaxed);
}

int32_t ModuleImpl::done_budget() const {
  return config_.tiering.osr ? config_.tiering.budget : INT32_MAX;
}

const void* ModuleImpl::tier_up_loop(const std::shared_ptr<ModuleImpl>& self, vm::VMContext* ctx,
                                     uint32_t func_index, uint32_t point, uintptr_t frame) {
  tier_up(self, func_index);
  uint32_t defined = func_index - module_.num_imported_functions;
  // An OSR entry is a whole tier-2 compile of its own: worth it only for a frame that is still in
  // tier 1 once its function's tier-2 code exists (new calls run that). Until then the loop only
  // makes its function hotter, as a call would.
  if (tier_states_[defined].load(std::memory_order_acquire) != kInTier2) return nullptr;
  const std::vector<OsrPoint>& points = osr_points_[defined];
  if (point >= points.size()) return nullptr;
  const OsrPoint& osr = points[point];
  const auto key = std::make_pair(func_index, osr.loop_offset);
  const void* code = nullptr;
  bool requested = false;
  {
    std::lock_guard lock(osr_mutex_);
    auto [entry, inserted] = osr_entries_.try_emplace(key);
    requested = inserted;
    if (entry->second.state == OsrEntry::kReady) code = entry->second.code;
  }
  // Not under osr_mutex_: the queue's lock comes before it (stop(), then compile_osr).
  if (requested && !config_.tiering.synchronous)
    TierUpQueue::global().enqueue(self, func_index, tier_up_threads(), osr.loop_offset);
  if (requested && config_.tiering.synchronous) {
    compile_osr(func_index, osr.loop_offset, 0);
    std::lock_guard lock(osr_mutex_);
    if (osr_entries_[key].state == OsrEntry::kReady) code = osr_entries_[key].code;
  }
  if (!code) {
    // Not there yet: this header keeps asking until it is (or until tier 2 gives up on it).
    tier_budgets_[defined].store(config_.tiering.budget, std::memory_order_relaxed);
    return nullptr;
  }
  // The entry reads these in its first block, before anything can run on this thread.
  thread_local std::vector<uint8_t> buffer;
  buffer.assign(16 * osr.values.size(), 0);
  for (size_t k = 0; k < osr.values.size(); ++k) {
    const OsrPoint::Value& v = osr.values[k];
    std::memcpy(buffer.data() + 16 * k, reinterpret_cast<const uint8_t*>(frame) + v.offset,
                v.bytes);
  }
  ctx->osr_buffer = buffer.data();
  osr_entered_.fetch_add(1, std::memory_order_relaxed);
  TierUpQueue::global().osr_entered.fetch_add(1, std::memory_order_relaxed);
  return code;
}

void ModuleImpl::compile_osr(uint32_t func_index, uint32_t loop_offset, double queued_seconds) {
  auto start = std::chrono::steady_clock::now();
  CompileOptions options = compile_options(Tier::kOptimizing);
  options.osr_loop = loop_offset;
  auto compiled = config_.compiler->compile(*validation_, func_index, options);
  std::optional<Result<const uint8_t*>> installed;
  if (compiled) installed = platform::CodeMemory::global().install(compiled->code);
  double seconds = seconds_since(start);

  TierUpQueue::PublishLock lock(TierUpQueue::global());
  if (!lock) return;  // the process is exiting
  const std::string name = module_.function_name(func_index);
  std::lock_guard osr_lock(osr_mutex_);
  OsrEntry& entry = osr_entries_[{func_index, loop_offset}];
  if (!compiled || !*installed) {
    entry.state = OsrEntry::kFailed;
    osr_failed_.fetch_add(1, std::memory_order_relaxed);
    TierUpQueue::global().osr_failed.fetch_add(1, std::memory_order_relaxed);
    tier_up_log().warn("{}: no OSR entry for the loop at {:#x}: {}", name, loop_offset,
                       !compiled ? compiled.error().to_string() : installed->error().to_string());
    return;
  }
  add_compile_time(seconds, 0);  // the bytes were counted when tier 1 compiled them
  const uint8_t* code = **installed;
  entry.source_map = std::move(compiled->source_map);
  entry.trap_sites = std::move(compiled->trap_sites);
  char label[32];
  std::snprintf(label, sizeof label, " [osr %#x]", loop_offset);
  register_code(func_index, code, compiled->code.size(), entry.source_map, entry.trap_sites, label);
  entry.code = code;
  entry.state = OsrEntry::kReady;
  osr_compiled_.fetch_add(1, std::memory_order_relaxed);
  TierUpQueue::global().osr_compiled.fetch_add(1, std::memory_order_relaxed);
  tier_up_log().debug(
      "{}: OSR entry for the loop at {:#x} after {:.2f} ms in the queue, compiled "
      "in {:.2f} ms",
      name, loop_offset, queued_seconds * 1e3, seconds * 1e3);
}

void ModuleImpl::compile_tier2(uint32_t func_index, double queued_seconds) {
  uint32_t defined = func_index - module_.num_imported_functions;
  uint8_t expected = kQueued;
  if (!tier_states_[defined].compare_exchange_strong(expected, kCompiling)) return;
  auto start = std::chrono::steady_clock::now();
  auto compiled =
      config_.compiler->compile(*validation_, func_index, compile_options(Tier::kOptimizing));
  std::optional<Result<const uint8_t*>> installed;
  if (compiled) installed = platform::CodeMemory::global().install(compiled->code);
  double seconds = seconds_since(start);

  TierUpQueue::PublishLock lock(TierUpQueue::global());
  if (!lock) return;  // the process is exiting: the function stays in tier 1
  uint32_t body = module_.functions[func_index].body.size;
  const std::string name = module_.function_name(func_index);
  if (!compiled || !*installed) {
    tier_states_[defined].store(kTier2Failed, std::memory_order_release);
    tier_failed_.fetch_add(1, std::memory_order_relaxed);
    TierUpQueue::global().failed.fetch_add(1, std::memory_order_relaxed);
    tier_up_log().warn("{} ({} bytes) stays in tier 1: {}", name, body,
                       !compiled ? compiled.error().to_string() : installed->error().to_string());
  } else {
    add_compile_time(seconds, 0);  // the bytes were counted when tier 1 compiled them
    publish(func_index, **installed, *compiled);
    tier_states_[defined].store(kInTier2, std::memory_order_release);
    tier_compiled_.fetch_add(1, std::memory_order_relaxed);
    TierUpQueue::global().compiled.fetch_add(1, std::memory_order_relaxed);
    tier_up_log().debug("{} ({} bytes): tier 2 after {:.2f} ms in the queue, compiled in {:.2f} ms",
                        name, body, queued_seconds * 1e3, seconds * 1e3);
  }
  tier_budgets_[defined].store(done_budget(), std::memory_order_relaxed);
}

}  // namespace runtime
}  // namespace keel
