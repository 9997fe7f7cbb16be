// The executing spec engine: every script gets its own Store holding the `spectest` module, the
// script's instances (current and named) and the import names `register` gave them.
// KEEL_SPEC_CODE_CACHE=DIR turns the code cache on (ctest runs the suite twice against one).
#include <bit>
#include <cstdlib>
#include <map>

#include "base/byte_buffer.h"
#include "jit/engine/jit_compiler.h"
#include "platform/build_id.h"
#include "runtime/store.h"
#include "spec_engine.h"

namespace keel::spec {
namespace {

EngineConfig config_for(const Features& features, runtime::Tier tier,
                        const TieringConfig& tiering) {
  EngineConfig config;
  config.compiler = jit::jit_compiler();
  config.tier = tier;
  config.tiering = tiering;
  config.features = features;
  config.compile_mode = CompileMode::kLazy;  // most functions of a spec module are never called
  config.compile_threads = 1;                // the suite already runs one script per core
  if (const char* dir = std::getenv("KEEL_SPEC_CODE_CACHE"); dir && *dir) {
    config.code_cache.enabled = true;
    config.code_cache.dir = dir;
    config.engine_id = "keel-spec " + platform::executable_build_id();
  }
  return config;
}

class ExecutingEngine final : public SpecEngine {
 public:
  ExecutingEngine(const Features& features, runtime::Tier tier, const TieringConfig& tiering)
      : config_(config_for(features, tier, tiering)), store_(config_) {
    setup_ = add_spectest();
  }
  ~ExecutingEngine() override {
    // What the script compiled, for the next run (a cache that cannot be written is no error).
    for (const auto& module : loaded_) (void)module->save_to_code_cache();
  }

  bool supports(Capability capability) const override {
    return capability != Capability::kExceptions;
  }

  Status load(const ModuleBytes& bytes) override {
    auto module = LoadedModule::load(bytes, config_);
    if (!module) return std::move(module).error();
    return {};
  }

  Status instantiate(const ModuleBytes& bytes, const std::string& name) override {
    if (!setup_) return setup_;
    auto module = LoadedModule::load(bytes, config_);
    if (!module) return std::move(module).error();
    if (config_.code_cache.enabled) loaded_.push_back(*module);
    auto instance = store_.instantiate(*module, imports_);
    if (!instance) return std::move(instance).error();
    current_ = *instance;
    if (!name.empty()) named_[name] = *instance;
    return {};
  }

  Status register_module(const std::string& name, const std::string& as) override {
    auto instance = find(name);
    if (!instance) return std::move(instance).error();
    imports_.add_instance(as, **instance);
    return {};
  }

  Result<std::vector<Value>> invoke(const std::string& module, const std::string& field,
                                    std::span<const Value> args) override {
    auto func = find_export(module, field, ExternKind::kFunc);
    if (!func) return std::move(func).error();
    return store_.call(*func, args);
  }

  Result<Value> get_global(const std::string& module, const std::string& field) override {
    auto global = find_export(module, field, ExternKind::kGlobal);
    if (!global) return std::move(global).error();
    return store_.read_global(*global);
  }

 private:
  Result<const Instance*> find(const std::string& name) const {
    if (name.empty()) {
      if (!current_) return make_error(ErrorKind::kUsage, "no module instantiated yet");
      return current_;
    }
    auto it = named_.find(name);
    if (it == named_.end()) return make_error(ErrorKind::kUsage, "no module named " + name);
    return it->second;
  }

  Result<Extern> find_export(const std::string& module, const std::string& field,
                             ExternKind kind) const {
    auto instance = find(module);
    if (!instance) return std::move(instance).error();
    auto e = (*instance)->get_export(field);
    if (!e || e->kind != kind) {
      return make_error(ErrorKind::kUsage,
                        std::string("no ") + extern_kind_name(kind) + " export \"" + field + "\"");
    }
    return *e;
  }

  // The host module the spec scripts import from (see the spec interpreter's spectest).
  Status add_spectest() {
    auto ignore = [](HostCall&) { return vm::TrapCode::kNone; };
    auto print = [&](const char* name, std::vector<ValType> params) {
      imports_.add("spectest", name, store_.host_function(FuncType{std::move(params), {}}, ignore));
    };
    using enum ValType;
    print("print", {});
    print("print_i32", {kI32});
    print("print_i64", {kI64});
    print("print_f32", {kF32});
    print("print_f64", {kF64});
    print("print_i32_f32", {kI32, kF32});
    print("print_f64_f64", {kF64, kF64});
    auto global = [&](const char* name, Value value) {
      imports_.add("spectest", name, store_.new_global(GlobalType{value.type, false}, value));
    };
    global("global_i32", Value::from_i32(666));
    global("global_i64", Value::from_i64(666));
    global("global_f32", Value::from_f32_bits(std::bit_cast<uint32_t>(666.6f)));
    global("global_f64", Value::from_f64_bits(std::bit_cast<uint64_t>(666.6)));
    auto table = store_.new_table(TableType{kFuncRef, Limits{.min = 10, .max = 20}}, nullptr);
    if (!table) return std::move(table).error();
    imports_.add("spectest", "table", *table);
    auto memory = store_.new_memory(MemoryType{Limits{.min = 1, .max = 2}});
    if (!memory) return std::move(memory).error();
    imports_.add("spectest", "memory", *memory);
    return {};
  }

  EngineConfig config_;
  std::vector<std::shared_ptr<LoadedModule>>
      loaded_;  // with the code cache: written back at the end
  Store store_;
  Imports imports_;
  Status setup_;
  const Instance* current_ = nullptr;
  std::map<std::string, const Instance*> named_;
};

}  // namespace

std::unique_ptr<SpecEngine> make_executing_engine(const Features& features, runtime::Tier tier,
                                                  const TieringConfig& tiering) {
  return std::make_unique<ExecutingEngine>(features, tier, tiering);
}

Result<TierChoice> choose_tier(std::string_view name, bool background, bool osr) {
  TierChoice choice;
  if (name == "optimizing") {
    choice.tier = runtime::Tier::kOptimizing;
  } else if (name == "tiered") {
    choice.tiering.enabled = true;
    choice.tiering.budget = 0;
    choice.tiering.synchronous = !background;
    choice.tiering.osr = osr;
  } else if (name != "baseline") {
    return make_error(ErrorKind::kUsage, "unknown tier \"" + std::string(name) +
                                             "\" (expected baseline, optimizing or tiered)");
  }
  for (runtime::Tier needed :
       {choice.tier, choice.tiering.enabled ? runtime::Tier::kOptimizing : choice.tier}) {
    if (Status available = jit::jit_compiler()->tier_available(needed); !available)
      return std::move(available).error();
  }
  return choice;
}

}  // namespace keel::spec
