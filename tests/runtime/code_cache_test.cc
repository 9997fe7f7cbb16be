// The code cache and precompiled modules (runtime/code_cache.h, runtime/artifact.h): position-
// independent code, hits and misses, a miss for every part of the key, damaged files ignored and
// replaced, an unwritable directory, eviction, and precompiled modules' round trip and refusals.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "base/hash.h"
#include "runtime/artifact.h"
#include "runtime/code_cache.h"
#include "runtime/module_impl.h"
#include "runtime_test_util.h"

namespace keel::test {
namespace {

namespace fs = std::filesystem;

// A fresh directory, removed afterwards.
struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/keel-cache-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string path;
};

// The files in `dir` named *`extension`: the cache's entries, or its index entries.
std::vector<fs::path> entries(const std::string& dir, const char* extension = ".keelcache") {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == extension) out.push_back(e.path());
  return out;
}

std::vector<uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// add(a, b); grow(n) = memory.grow; load(p) traps out of bounds past the one page; count(n) loops.
// `salt` changes the module's bytes without changing what it does.
WasmBuilder module_of(int32_t salt = 0) {
  WasmBuilder b;
  b.memory(1, 4);
  uint32_t t2 = b.type({ValType::kI32, ValType::kI32}, {ValType::kI32});
  uint32_t t1 = b.type({ValType::kI32}, {ValType::kI32});
  uint32_t add = b.func(t2, cat(local_get(0), local_get(1), op::kI32Add, i32_const(salt),
                                op::kI32Add, i32_const(salt), uint8_t{0x6b} /* i32.sub */));
  uint32_t grow = b.func(t1, cat(local_get(0), op::kMemoryGrow, 0x00));
  uint32_t load = b.func(t1, cat(local_get(0), op::kI32Load, memarg(2)));
  Bytes loop_body = cat(local_get(1), local_get(0), op::kI32Add, op::kLocalSet, 0x01, local_get(0),
                        i32_const(-1), op::kI32Add, op::kLocalTee, 0x00, op::kBrIf, 0x00);
  uint32_t count = b.func(t1, cat(op::kLoop, op::kBlockEmpty, loop_body, op::kEnd, local_get(1)),
                          {{1, ValType::kI32}});
  b.export_("add", ExternKind::kFunc, add);
  b.export_("grow", ExternKind::kFunc, grow);
  b.export_("load", ExternKind::kFunc, load);
  b.export_("count", ExternKind::kFunc, count);
  return b;
}

EngineConfig cached(const std::string& dir) {
  EngineConfig c = test_config();
  c.engine_id = "keel test";
  c.code_cache.enabled = true;
  c.code_cache.dir = dir;
  return c;
}

const runtime::ModuleImpl& impl(const std::shared_ptr<LoadedModule>& m) {
  return static_cast<const runtime::ModuleImpl&>(*m);
}

// Loads `b` with `config`, calls every export (each is compiled), checks the results and the
// trap, and writes the cache back. Returns how many functions came from the cache.
uint32_t run_all(std::shared_ptr<LoadedModule> module, const EngineConfig& config) {
  if (!module) return UINT32_MAX;
  uint32_t from_cache = module->cached_functions();
  {
    Store store(config);
    auto instance = store.instantiate(module, {});
    EXPECT_TRUE(Succeeded(instance));
    if (!instance) return UINT32_MAX;
    auto call = [&](const char* name, std::vector<Value> args) {
      return store.call(*(*instance)->get_export(name), args);
    };
    auto sum = call("add", {Value::from_i32(40), Value::from_i32(2)});
    EXPECT_TRUE(Succeeded(sum));
    if (sum) {
      EXPECT_EQ((*sum)[0].i32, 42u);
    }
    auto grown = call("grow", {Value::from_i32(1)});
    EXPECT_TRUE(Succeeded(grown));
    if (grown) {
      EXPECT_EQ((*grown)[0].i32, 1u);
    }
    auto counted = call("count", {Value::from_i32(100)});
    EXPECT_TRUE(Succeeded(counted));
    if (counted) {
      EXPECT_EQ((*counted)[0].i32, 5050u);
    }
    // Out of bounds: the fault becomes a trap only through the function's trap sites.
    auto trapped = call("load", {Value::from_i32(3 << 16)});
    EXPECT_FALSE(trapped.ok());
    EXPECT_EQ(store.last_trap().code, vm::TrapCode::kMemoryOutOfBounds);
    EXPECT_FALSE(store.last_trap().backtrace.empty());
    if (!store.last_trap().backtrace.empty()) {
      EXPECT_TRUE(store.last_trap().backtrace[0].module_offset.has_value());
    }
  }
  EXPECT_TRUE(Succeeded(module->save_to_code_cache()));
  return from_cache;
}
uint32_t run_all(const WasmBuilder& b, const EngineConfig& config) {
  return run_all(load(b, config), config);
}
// The same with the module read from `path`, as `keel run` reads it (mapped, so it has a file
// identity and the cache's index is used).
uint32_t run_file(const fs::path& path, const EngineConfig& config) {
  auto bytes = ByteBuffer::from_file(path);
  EXPECT_TRUE(Succeeded(bytes));
  if (!bytes) return UINT32_MAX;
  auto module = LoadedModule::load(*bytes, config);
  EXPECT_TRUE(Succeeded(module));
  return run_all(module ? *module : nullptr, config);
}

std::vector<fs::path> index_entries(const std::string& dir) {
  return entries(dir, ".keelindex");
}

// What the index says of the module at `path` now.
std::optional<runtime::CacheKeys> indexed(const std::string& dir, const fs::path& path,
                                          const EngineConfig& config) {
  auto bytes = ByteBuffer::from_file(path);
  if (!bytes || !(*bytes)->file_identity()) return std::nullopt;
  return runtime::cache_index_lookup(dir, runtime::ModuleImpl::identity_for(config),
                                     *(*bytes)->file_identity(), (*bytes)->bytes());
}

runtime::CacheKeys keys_of(const std::vector<uint8_t>& bytes, const EngineConfig& config) {
  runtime::CacheKeys keys;
  keys.module_hash = Sha256::of(bytes);
  keys.key = runtime::cache_key(keys.module_hash, runtime::ModuleImpl::identity_for(config));
  return keys;
}

// That the index maps the file at `wasm` to the keys of `bytes`, and a run of it hits.
void expect_indexed(const std::string& cache, const fs::path& wasm,
                    const std::vector<uint8_t>& bytes, const EngineConfig& config) {
  auto keys = indexed(cache, wasm, config);
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->key, keys_of(bytes, config).key);
  EXPECT_EQ(keys->module_hash, keys_of(bytes, config).module_hash);
  EXPECT_EQ(run_file(wasm, config), 4u);
}

TEST(Hash, Sha256PublishedVectors) {
  auto hex = [](std::string_view s) {
    return to_hex(Sha256::of({reinterpret_cast<const uint8_t*>(s.data()), s.size()}));
  };
  EXPECT_EQ(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

// Compiled code reaches the runtime only through VMContext::builtins: no helper's address
// appears in it, so its bytes are the same in any process (cli/code_cache_test.sh compares two).
TEST(PositionIndependentCode, NoHelperAddressInCompiledCode) {
  for (runtime::Tier tier : {runtime::Tier::kBaseline, runtime::Tier::kOptimizing}) {
    EngineConfig config = test_config();
    config.tier = tier;
    config.compile_mode = CompileMode::kEager;
    auto module = load(module_of(), config);
    ASSERT_TRUE(module);
    std::vector<uint8_t> artifact = module->precompiled();
    auto view = runtime::parse_artifact(artifact);
    ASSERT_TRUE(Succeeded(view));
    vm::VMContext ctx{};
    ASSERT_GE(view->code.size(), 8u);
    for (const void* helper : ctx.builtins) {
      auto address = reinterpret_cast<uintptr_t>(helper);
      for (size_t i = 0; i + 8 <= view->code.size(); ++i) {
        uintptr_t word;
        std::memcpy(&word, view->code.data() + i, 8);
        ASSERT_NE(word, address) << "tier " << static_cast<int>(tier) << " offset " << i;
      }
    }
    // And compiling again gives the same bytes.
    auto again = load(module_of(), config);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->precompiled(), artifact);
  }
}

TEST(CodeCache, MissThenHit) {
  TempDir dir;
  EngineConfig config = cached(dir.path);
  EXPECT_EQ(run_all(module_of(), config), 0u);
  ASSERT_EQ(entries(dir.path).size(), 1u);
  EXPECT_EQ(run_all(module_of(), config), 4u);  // every function, and the same results
  EXPECT_EQ(entries(dir.path).size(), 1u);
}

TEST(CodeCache, EagerModulesAndTheOptimizingTier) {
  TempDir dir;
  EngineConfig config = cached(dir.path);
  config.tier = runtime::Tier::kOptimizing;
  config.compile_mode = CompileMode::kEager;
  EXPECT_EQ(run_all(module_of(), config), 0u);
  EXPECT_EQ(run_all(module_of(), config), 4u);
}

TEST(CodeCache, TieredRunsStartWithTheirTier2Code) {
  TempDir dir;
  EngineConfig config = cached(dir.path);
  config.tiering.enabled = true;
  config.tiering.budget = 0;
  config.tiering.synchronous = true;
  EXPECT_EQ(run_all(module_of(), config), 0u);
  auto module = load(module_of(), config);
  ASSERT_TRUE(module);
  EXPECT_EQ(module->cached_functions(), 4u);
  const std::vector<uint8_t> artifact = module->precompiled();
  auto view = runtime::parse_artifact(artifact);
  ASSERT_TRUE(Succeeded(view));
  for (const auto& f : view->functions) EXPECT_EQ(f.tier, 2) << "every function reached tier 2";
  // Nothing is queued for tier 2 again.
  Store store(config);
  auto instance = store.instantiate(module, {});
  ASSERT_TRUE(Succeeded(instance));
  auto sum = store.call(*(*instance)->get_export("count"), std::vector<Value>{Value::from_i32(10)});
  ASSERT_TRUE(Succeeded(sum));
  EXPECT_EQ((*sum)[0].i32, 55u);
  EXPECT_EQ(module->tier_up_counts().queued, 0u);
  EXPECT_EQ(run_all(module_of(), config), 4u);
}

TEST(CodeCache, EveryPartOfTheKeyMisses) {
  TempDir dir;
  EngineConfig base = cached(dir.path);
  EXPECT_EQ(run_all(module_of(), base), 0u);
  EXPECT_EQ(run_all(module_of(), base), 4u);
  EXPECT_EQ(run_all(module_of(7), base), 0u) << "other module bytes";
  EngineConfig c = base;
  c.engine_id = "keel other";
  EXPECT_EQ(run_all(module_of(), c), 0u) << "another engine";
  c = base;
  c.tier = runtime::Tier::kOptimizing;
  EXPECT_EQ(run_all(module_of(), c), 0u) << "another tier";
  c = base;
  c.tiering.enabled = true;
  EXPECT_EQ(run_all(module_of(), c), 0u) << "tiered";
  c.tiering.osr = false;
  EXPECT_EQ(run_all(module_of(), c), 0u) << "tiered without OSR";
  c = base;
  c.interrupt_checks = false;
  EXPECT_EQ(run_all(module_of(), c), 0u) << "no interrupt checks";
  c = base;
  c.features.threads = true;
  EXPECT_EQ(run_all(module_of(), c), 0u) << "other features";
  EXPECT_EQ(entries(dir.path).size(), 8u);
  // (The CPU features are process-wide: cli/code_cache_test.sh varies KEEL_CPU_FEATURES.)
  runtime::ArtifactIdentity a, b;
  b.cpu_features = 1;
  EXPECT_NE(runtime::cache_key({}, a), runtime::cache_key({}, b));
}

TEST(CodeCache, DamagedEntriesAreIgnoredAndReplaced) {
  TempDir dir;
  EngineConfig config = cached(dir.path);
  EXPECT_EQ(run_all(module_of(), config), 0u);
  fs::path entry = entries(dir.path).at(0);
  const std::vector<uint8_t> good = read_file(entry);
  std::vector<std::vector<uint8_t>> damaged;
  damaged.push_back({});                                               // empty
  damaged.emplace_back(good.begin(), good.begin() + 20);               // inside the header
  damaged.emplace_back(good.begin(), good.begin() + good.size() / 2);  // truncated
  damaged.push_back(good);
  damaged.back().push_back(0);  // trailing byte
  for (size_t at : {size_t{0}, size_t{9}, size_t{30}, size_t{100}, good.size() - 1}) {
    damaged.push_back(good);
    damaged.back()[at] ^= 0x40;  // one flipped bit anywhere
  }
  for (size_t i = 0; i < damaged.size(); ++i) {
    write_file(entry, damaged[i]);
    EXPECT_EQ(run_all(module_of(), config), 0u) << "damage " << i;
    EXPECT_EQ(read_file(entry), good) << "damage " << i << ": the entry was written again";
  }
  // Another module's entry under this module's name: a miss too.
  EXPECT_EQ(run_all(module_of(3), config), 0u);
  for (const fs::path& p : entries(dir.path))
    if (p != entry) fs::copy_file(p, entry, fs::copy_options::overwrite_existing);
  EXPECT_EQ(run_all(module_of(), config), 0u);
  EXPECT_EQ(run_all(module_of(), config), 4u);
}

TEST(CodeCache, AMissingDirectoryIsMadeAndAnUnwritableOneIsNoError) {
  TempDir dir;
  EngineConfig config = cached(dir.path + "/a/b");
  EXPECT_EQ(run_all(module_of(), config), 0u);
  EXPECT_EQ(run_all(module_of(), config), 4u);
  // A path beneath a regular file can never be a directory (unlike permissions, even for root).
  write_file(dir.path + "/file", {1});
  config = cached(dir.path + "/file/cache");
  auto module = load(module_of(), config);
  ASSERT_TRUE(module);
  Store store(config);
  auto instance = store.instantiate(module, {});
  ASSERT_TRUE(Succeeded(instance));
  auto sum = store.call(*(*instance)->get_export("add"),
                        std::vector<Value>{Value::from_i32(1), Value::from_i32(2)});
  ASSERT_TRUE(Succeeded(sum));
  EXPECT_FALSE(module->save_to_code_cache().ok());
}

TEST(CodeCache, EvictsTheLeastRecentlyUsed) {
  TempDir dir;
  EngineConfig config = cached(dir.path);
  std::vector<fs::path> made;
  for (int salt = 1; salt <= 3; ++salt) {
    EXPECT_EQ(run_all(module_of(salt), config), 0u);
    for (const fs::path& p : entries(dir.path))
      if (std::find(made.begin(), made.end(), p) == made.end()) made.push_back(p);
    // Modification times a second apart, oldest first.
    timespec times[2] = {{0, UTIME_OMIT}, {1'000'000 + salt, 0}};
    utimensat(AT_FDCWD, made.back().c_str(), times, 0);
  }
  ASSERT_EQ(made.size(), 3u);
  uint64_t size = fs::file_size(made[0]);
  // Using the first makes the second the least recently used.
  EXPECT_EQ(run_all(module_of(1), config), 4u);
  runtime::cache_evict(dir.path, 2 * size + size / 2);
  EXPECT_TRUE(fs::exists(made[0]));
  EXPECT_FALSE(fs::exists(made[1]));
  EXPECT_TRUE(fs::exists(made[2]));
  runtime::cache_evict(dir.path, 0);
  EXPECT_TRUE(entries(dir.path).empty());
}

TEST(CodeCacheIndex, AModuleFileIsFoundByItsIdentity) {
  TempDir dir;
  const std::string cache = dir.path + "/cache";
  EngineConfig config = cached(cache);
  const fs::path wasm = dir.path + "/m.wasm";
  const std::vector<uint8_t> bytes = module_of().build();
  write_file(wasm, bytes);
  EXPECT_EQ(run_file(wasm, config), 0u);
  ASSERT_EQ(index_entries(cache).size(), 1u);
  expect_indexed(cache, wasm, bytes, config);
  // Another configuration has an index entry of its own.
  EngineConfig other = config;
  other.tier = runtime::Tier::kOptimizing;
  EXPECT_FALSE(indexed(cache, wasm, other));
  EXPECT_EQ(run_file(wasm, other), 0u);
  EXPECT_EQ(index_entries(cache).size(), 2u);
  // Bytes from memory have no identity: they hash their bytes, and hit the same entry.
  EXPECT_EQ(run_all(module_of(), config), 4u);
}

TEST(CodeCacheIndex, AModifiedFileIsAMissEvenWithItsOldModificationTime) {
  TempDir dir;
  const std::string cache = dir.path + "/cache";
  EngineConfig config = cached(cache);
  const fs::path wasm = dir.path + "/m.wasm";
  write_file(wasm, module_of(1).build());
  EXPECT_EQ(run_file(wasm, config), 0u);
  struct stat before;
  ASSERT_EQ(stat(wasm.c_str(), &before), 0);
  // Other bytes of the same size, written in place, with the old modification time put back:
  // the change time still differs, so the old index entry is not this file's.
  // (Past the coarse clock's tick, so the change time does differ.)
  usleep(20'000);
  const std::vector<uint8_t> changed = module_of(2).build();
  ASSERT_EQ(changed.size(), module_of(1).build().size());
  write_file(wasm, changed);
  timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, wasm.c_str(), times, 0), 0);
  EXPECT_FALSE(indexed(cache, wasm, config));
  EXPECT_EQ(run_file(wasm, config), 0u) << "module_of(1)'s code is not used for module_of(2)";
  expect_indexed(cache, wasm, changed, config);
}

TEST(CodeCacheIndex, AnEntryForOtherBytesIsNeverUsed) {
  // As if the file changed without its identity changing (a file system with coarse or no
  // change times): the index entry names module_of(1), the file holds module_of(2).
  TempDir dir;
  const std::string cache = dir.path + "/cache";
  EngineConfig config = cached(cache);
  const fs::path first = dir.path + "/first.wasm", wasm = dir.path + "/m.wasm";
  const std::vector<uint8_t> old_bytes = module_of(1).build(), bytes = module_of(2).build();
  write_file(first, old_bytes);
  EXPECT_EQ(run_file(first, config), 0u);  // module_of(1)'s code is in the cache
  write_file(wasm, bytes);
  auto mapped = ByteBuffer::from_file(wasm);
  ASSERT_TRUE(Succeeded(mapped));
  const FileIdentity identity = *(*mapped)->file_identity();
  ASSERT_TRUE(
      Succeeded(runtime::cache_index_store(cache, runtime::ModuleImpl::identity_for(config),
                                           identity, old_bytes, keys_of(old_bytes, config))));
  EXPECT_FALSE(indexed(cache, wasm, config)) << "the bytes' XXH3-128 differs";
  EXPECT_EQ(run_file(wasm, config), 0u) << "a miss: module_of(1)'s code is not used";
  expect_indexed(cache, wasm, bytes, config);  // the entry was written again
}

TEST(CodeCacheIndex, DamagedIndexEntriesAreIgnoredAndReplaced) {
  TempDir dir;
  const std::string cache = dir.path + "/cache";
  EngineConfig config = cached(cache);
  const fs::path wasm = dir.path + "/m.wasm";
  write_file(wasm, module_of().build());
  EXPECT_EQ(run_file(wasm, config), 0u);
  const fs::path index = index_entries(cache).at(0);
  const std::vector<uint8_t> good = read_file(index);
  std::vector<std::vector<uint8_t>> damaged;
  damaged.push_back({});
  damaged.emplace_back(good.begin(), good.end() - 1);
  damaged.push_back(good);
  damaged.back().push_back(0);
  for (size_t at = 0; at < good.size(); at += 7) {
    damaged.push_back(good);
    damaged.back()[at] ^= 0x10;
  }
  for (size_t i = 0; i < damaged.size(); ++i) {
    write_file(index, damaged[i]);
    EXPECT_FALSE(indexed(cache, wasm, config)) << "damage " << i;
    // The artifact is still found (by hashing the bytes), and the entry is written again.
    EXPECT_EQ(run_file(wasm, config), 4u) << "damage " << i;
    EXPECT_EQ(read_file(index), good) << "damage " << i;
  }
  // Eviction counts index entries too.
  runtime::cache_evict(cache, 0);
  EXPECT_TRUE(index_entries(cache).empty());
}

TEST(Precompiled, RoundTrip) {
  for (runtime::Tier tier : {runtime::Tier::kBaseline, runtime::Tier::kOptimizing}) {
    EngineConfig config = test_config();
    config.engine_id = "keel test";
    config.tier = tier;
    config.compile_mode = CompileMode::kEager;
    auto module = load(module_of(), config);
    ASSERT_TRUE(module);
    std::vector<uint8_t> file = module->precompiled();
    EngineConfig run = test_config();
    run.engine_id = "keel test";
    auto loaded = LoadedModule::load_precompiled(ByteBuffer::copy_of(file), run);
    ASSERT_TRUE(Succeeded(loaded));
    EXPECT_EQ((*loaded)->cached_functions(), 4u);
    EXPECT_EQ(impl(*loaded).config().tier, tier);
    Store store(impl(*loaded).config());
    auto instance = store.instantiate(*loaded, {});
    ASSERT_TRUE(Succeeded(instance));
    auto sum =
        store.call(*(*instance)->get_export("count"), std::vector<Value>{Value::from_i32(10)});
    ASSERT_TRUE(Succeeded(sum));
    EXPECT_EQ((*sum)[0].i32, 55u);
  }
}

// A precompiled module's function bodies are not validated when it loads (its code is in the
// file); one the file has no code for is validated as it compiles, so an invalid one is an error.
TEST(Precompiled, AFunctionWithoutCodeIsValidatedAsItCompiles) {
  WasmBuilder b;
  uint32_t t = b.type({}, {ValType::kI32});
  b.export_("bad", ExternKind::kFunc, b.func(t, cat(op::kI32Add)));  // pops an empty stack
  b.export_("good", ExternKind::kFunc, b.func(t, i32_const(7)));
  const Bytes bytes = b.build();
  EngineConfig config = test_config();
  config.engine_id = "keel test";
  runtime::ArtifactWriter writer(2);  // no code for either function
  std::vector<uint8_t> file =
      writer.finish(runtime::ArtifactKind::kPrecompiled, runtime::ModuleImpl::identity_for(config),
                    {}, Sha256::of(bytes), bytes);
  auto loaded = LoadedModule::load_precompiled(ByteBuffer::copy_of(file), config);
  ASSERT_TRUE(Succeeded(loaded));
  Store store(impl(*loaded).config());
  auto instance = store.instantiate(*loaded, {});
  ASSERT_TRUE(Succeeded(instance));
  auto good = store.call(*(*instance)->get_export("good"), {});
  ASSERT_TRUE(Succeeded(good));
  EXPECT_EQ((*good)[0].i32, 7u);
  EXPECT_FALSE(store.call(*(*instance)->get_export("bad"), {}).ok());
}

TEST(Precompiled, Refusals) {
  EngineConfig config = test_config();
  config.engine_id = "keel test";
  config.compile_mode = CompileMode::kEager;
  auto module = load(module_of(), config);
  ASSERT_TRUE(module);
  const std::vector<uint8_t> file = module->precompiled();
  auto load_bytes = [&](const std::vector<uint8_t>& bytes, const std::string& engine) {
    EngineConfig run = test_config();
    run.engine_id = engine;
    return LoadedModule::load_precompiled(ByteBuffer::copy_of(bytes), run);
  };
  auto other = load_bytes(file, "keel other");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("compiled by keel test, but this is keel other"),
            std::string::npos)
      << other.error().message;
  // For a CPU feature this one lacks (if it lacks one): the checksum made right again.
  uint32_t host = runtime::cpu_feature_bits(platform::host_cpu_features());
  for (uint32_t bit = 1; bit < (1u << 9); bit <<= 1) {
    if (host & bit) continue;
    std::vector<uint8_t> changed = file;
    auto* h = reinterpret_cast<runtime::ArtifactHeader*>(changed.data());
    h->cpu_features |= bit;
    Xxh128Digest sum = xxh3_128(std::span(changed).subspan(runtime::kChecksummedFrom));
    std::memcpy(h->checksum, sum.data(), sum.size());
    auto refused = load_bytes(changed, "keel test");
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("this one lacks " + runtime::cpu_feature_names(bit)),
              std::string::npos)
        << refused.error().message;
    break;
  }
  // A cache entry is no precompiled module; a wasm module neither.
  auto plain = load_bytes(module_of().build(), "keel test");
  EXPECT_FALSE(plain.ok());
  // Every truncation and every flipped byte is an error, never a crash.
  for (size_t n = 0; n < file.size(); n += 1 + n / 16)
    EXPECT_FALSE(load_bytes({file.begin(), file.begin() + n}, "keel test").ok()) << n;
  for (size_t at = 0; at < file.size(); at += 1 + at / 8) {
    std::vector<uint8_t> flipped = file;
    flipped[at] ^= 0x01;
    EXPECT_FALSE(load_bytes(flipped, "keel test").ok()) << at;
  }
  EXPECT_TRUE(load_bytes(file, "keel test").ok());
}

}  // namespace
}  // namespace keel::test
