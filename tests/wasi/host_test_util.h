// A guest for the WASI host tests: a module with one exported memory that imports every WASI
// function of one flavour and exports a wrapper for each, so a test calls a host function exactly
// as compiled wasm does (HostCall::caller_memory set) and inspects memory around it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "runtime/store.h"
#include "support/engine_config.h"
#include "support/wasm_builder.h"
#include "wasi/host_context.h"
#include "wasi/wasi_host.h"

namespace keel::test {

class WasiGuest {
 public:
  // `pages` of memory; flavour picks the import module name.
  WasiGuest(const wasi::WasiConfig& config, wasi::Flavor flavor = wasi::Flavor::kPreview1,
            uint32_t pages = 1)
      : store_(test_config()) {
    auto host = wasi::WasiHost::create(config);
    EXPECT_TRUE(host.ok()) << (host.ok() ? "" : host.error().to_string());
    host_ = std::move(*host);
    const char* module_name =
        flavor == wasi::Flavor::kPreview1 ? "wasi_snapshot_preview1" : "wasi_unstable";
    WasmBuilder b;
    std::vector<std::pair<std::string, uint32_t>> wrappers;
    std::vector<uint32_t> type_of;
    std::vector<uint32_t> arity;
    std::vector<std::string> names;
    for (const auto& f : wasi::wasi_functions()) {
      if (flavor == wasi::Flavor::kPreview0 && !f.in_preview0) continue;
      std::vector<ValType> params;
      for (const char* p = f.params; *p; ++p)
        params.push_back(*p == 'I' ? ValType::kI64 : ValType::kI32);
      std::vector<ValType> results;
      if (std::string(f.name) != "proc_exit") results.push_back(ValType::kI32);
      uint32_t t = b.type(params, results);
      b.import_func(module_name, f.name, t);
      type_of.push_back(t);
      arity.push_back(static_cast<uint32_t>(params.size()));
      names.push_back(f.name);
    }
    for (size_t i = 0; i < names.size(); ++i) {
      Bytes code;
      for (uint32_t a = 0; a < arity[i]; ++a) code = cat(code, local_get(a));
      code = cat(code, test::call(static_cast<uint32_t>(i)));
      uint32_t f = b.func(type_of[i], code);
      b.export_(names[i], ExternKind::kFunc, f);
    }
    uint32_t mem = b.memory(pages);
    b.export_("memory", ExternKind::kMemory, mem);
    auto module = LoadedModule::load(buffer_of(b.build()), test_config());
    EXPECT_TRUE(module.ok()) << (module.ok() ? "" : module.error().to_string());
    Imports imports;
    host_->add_to_imports(store_, imports);
    auto instance = store_.instantiate(*module, imports);
    EXPECT_TRUE(instance.ok()) << (instance.ok() ? "" : instance.error().to_string());
    instance_ = *instance;
    memory_ = static_cast<vm::VMMemory*>(instance_->get_export("memory")->handle);
  }

  // Calls a WASI function through wasm; arguments are i32 unless passed as I64(...).
  struct Arg {
    Value v;
    Arg(uint32_t x) : v(Value::from_i32(x)) {}
    Arg(int x) : v(Value::from_i32(static_cast<uint32_t>(x))) {}
    static Arg i64(uint64_t x) {
      Arg a(0);
      a.v = Value::from_i64(x);
      return a;
    }
  };
  wasi::Errno call(const char* name, std::vector<Arg> args) {
    std::vector<Value> values;
    for (auto& a : args) values.push_back(a.v);
    auto r = store_.call(*instance_->get_export(name), values);
    if (!r.ok()) {
      ADD_FAILURE() << name << " trapped: " << r.error().to_string();
      return wasi::Errno::kIo;
    }
    return static_cast<wasi::Errno>((*r)[0].i32);
  }
  Result<std::vector<Value>> call_raw(const char* name, std::vector<Arg> args) {
    std::vector<Value> values;
    for (auto& a : args) values.push_back(a.v);
    return store_.call(*instance_->get_export(name), values);
  }
  Store& store() { return store_; }

  uint8_t* mem() { return memory_->base; }
  uint64_t mem_size() { return memory_->size.load(); }
  template <class T>
  T load(uint32_t at) {
    T v;
    std::memcpy(&v, mem() + at, sizeof v);
    return v;
  }
  template <class T>
  void store(uint32_t at, T v) {
    std::memcpy(mem() + at, &v, sizeof v);
  }
  void put(uint32_t at, std::string_view s) { std::memcpy(mem() + at, s.data(), s.size()); }
  std::string get(uint32_t at, size_t n) {
    return std::string(reinterpret_cast<char*>(mem() + at), n);
  }
  // An iovec {buf, len} at `at`.
  void iovec(uint32_t at, uint32_t buf, uint32_t len) {
    store<uint32_t>(at, buf);
    store<uint32_t>(at + 4, len);
  }

 private:
  Store store_;
  std::unique_ptr<wasi::WasiHost> host_;
  Instance* instance_ = nullptr;
  vm::VMMemory* memory_ = nullptr;
};

// A pipe whose ends close with the test.
struct Pipe {
  int read = -1, write = -1;
  Pipe() {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    read = fds[0];
    write = fds[1];
  }
  ~Pipe() {
    if (read >= 0) close(read);
    if (write >= 0) close(write);
  }
};

// A temporary directory removed (recursively) with the test.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/keel-wasi-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

}  // namespace keel::test
