#include <gtest/gtest.h>

#include "runtime/linear_memory.h"
#include "runtime_test_util.h"

namespace keel::test {
namespace {

TEST(Linking, UnknownImport) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.import_func("env", "f", t);
  Store store(test_config());
  auto result = store.instantiate(load(b), Imports{});
  EXPECT_TRUE(FailedWith(result, ErrorKind::kUnlinkable, "unknown import"));
}

TEST(Linking, FunctionTypeMustBeEqual) {
  WasmBuilder b;
  uint32_t t = b.type({ValType::kI32}, {});
  b.import_func("env", "f", t);
  auto module = load(b);
  Store store(test_config());
  Imports wrong;
  wrong.add("env", "f", store.host_function(func_type({ValType::kI64}, {}), [](HostCall&) {
    return vm::TrapCode::kNone;
  }));
  EXPECT_TRUE(FailedWith(store.instantiate(module, wrong), ErrorKind::kUnlinkable,
                         "incompatible import type"));
  Imports right;
  right.add("env", "f", store.host_function(func_type({ValType::kI32}, {}), [](HostCall&) {
    return vm::TrapCode::kNone;
  }));
  EXPECT_TRUE(Succeeded(store.instantiate(module, right)));
}

TEST(Linking, KindMustMatch) {
  WasmBuilder b;
  b.import_memory("env", "m", 1);
  Store store(test_config());
  Imports imports;
  imports.add("env", "m", store.new_global({ValType::kI32, false}, Value::from_i32(0)));
  EXPECT_TRUE(FailedWith(store.instantiate(load(b), imports), ErrorKind::kUnlinkable,
                         "incompatible import type"));
}

TEST(Linking, GlobalTypeAndMutability) {
  WasmBuilder b;
  b.import_global("env", "g", ValType::kI32, true);
  auto module = load(b);
  Store store(test_config());
  Imports immutable;
  immutable.add("env", "g", store.new_global({ValType::kI32, false}, Value::from_i32(1)));
  EXPECT_TRUE(FailedWith(store.instantiate(module, immutable), ErrorKind::kUnlinkable,
                         "incompatible import type"));
  Imports other_type;
  other_type.add("env", "g", store.new_global({ValType::kI64, true}, Value::from_i64(1)));
  EXPECT_TRUE(FailedWith(store.instantiate(module, other_type), ErrorKind::kUnlinkable,
                         "incompatible import type"));
  Imports right;
  right.add("env", "g", store.new_global({ValType::kI32, true}, Value::from_i32(1)));
  EXPECT_TRUE(Succeeded(store.instantiate(module, right)));
}

struct LimitsCase {
  uint32_t offered_min;
  std::optional<uint32_t> offered_max;
  uint32_t expected_min;
  std::optional<uint32_t> expected_max;
  bool links;
};

const LimitsCase kLimitsCases[] = {
    {1, std::nullopt, 1, std::nullopt, true},
    {2, std::nullopt, 1, std::nullopt, true},
    {1, std::nullopt, 2, std::nullopt, false},  // too small
    {1, 5, 1, std::nullopt, true},
    {1, std::nullopt, 1, 5, false},  // no maximum where one is required
    {1, 5, 1, 5, true},
    {1, 4, 1, 5, true},
    {1, 6, 1, 5, false},  // maximum too large
    {3, 3, 2, 3, true},
};

TEST(Linking, MemoryLimitsSubtyping) {
  for (const LimitsCase& c : kLimitsCases) {
    WasmBuilder b;
    b.import_memory("env", "m", c.expected_min, c.expected_max);
    Store store(test_config());
    Imports imports;
    MemoryType type;
    type.limits.min = c.offered_min;
    type.limits.max = c.offered_max;
    auto memory = store.new_memory(type);
    ASSERT_TRUE(Succeeded(memory));
    imports.add("env", "m", *memory);
    auto result = store.instantiate(load(b), imports);
    EXPECT_EQ(result.ok(), c.links) << c.offered_min << " " << c.expected_min;
    if (!c.links) {
      EXPECT_TRUE(FailedWith(result, ErrorKind::kUnlinkable, "incompatible import type"));
    }
  }
}

TEST(Linking, TableLimitsSubtypingAndElementType) {
  for (const LimitsCase& c : kLimitsCases) {
    WasmBuilder b;
    b.import_table("env", "t", ValType::kFuncRef, c.expected_min, c.expected_max);
    Store store(test_config());
    Imports imports;
    TableType type;
    type.limits.min = c.offered_min;
    type.limits.max = c.offered_max;
    auto table = store.new_table(type, nullptr);
    ASSERT_TRUE(Succeeded(table));
    imports.add("env", "t", *table);
    EXPECT_EQ(store.instantiate(load(b), imports).ok(), c.links);
  }
  WasmBuilder b;
  b.import_table("env", "t", ValType::kFuncRef, 1);
  Store store(test_config());
  TableType externs;
  externs.element = ValType::kExternRef;
  externs.limits.min = 1;
  Imports imports;
  imports.add("env", "t", *store.new_table(externs, nullptr));
  EXPECT_TRUE(FailedWith(store.instantiate(load(b), imports), ErrorKind::kUnlinkable,
                         "incompatible import type"));
}

TEST(Linking, GrownMemoryLinksAtItsCurrentSize) {
  Store store(test_config());
  MemoryType type;
  type.limits.min = 1;
  auto memory = store.new_memory(type);
  ASSERT_TRUE(Succeeded(memory));
  WasmBuilder b;
  b.import_memory("env", "m", 2);
  Imports imports;
  imports.add("env", "m", *memory);
  auto module = load(b);
  EXPECT_FALSE(store.instantiate(module, imports).ok());
  auto* linear = runtime::LinearMemory::from_vm(static_cast<vm::VMMemory*>(memory->handle));
  EXPECT_EQ(linear->grow(1), 1);
  EXPECT_TRUE(Succeeded(store.instantiate(module, imports)));
}

TEST(Linking, ExportsAndRegisteredInstances) {
  WasmBuilder a;
  a.memory(1, 3);
  a.global(ValType::kI64, false, expr(i64_const(7)));
  a.table(ValType::kFuncRef, 2);
  a.export_("mem", ExternKind::kMemory, 0);
  a.export_("g", ExternKind::kGlobal, 0);
  a.export_("tab", ExternKind::kTable, 0);
  Store store(test_config());
  auto first = store.instantiate(load(a), {});
  ASSERT_TRUE(Succeeded(first));
  auto exports = (*first)->exports();
  ASSERT_EQ(exports.size(), 3u);
  auto g = (*first)->get_export("g");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(store.read_global(*g).i64, 7u);
  EXPECT_EQ((*first)->get_export("mem")->memory_type.limits.min, 1u);
  EXPECT_FALSE((*first)->get_export("nope").has_value());

  WasmBuilder b;
  b.import_memory("a", "mem", 1, 3);
  b.import_global("a", "g", ValType::kI64, false);
  b.import_table("a", "tab", ValType::kFuncRef, 2);
  b.global(ValType::kI64, false, expr(global_get(0), i64_const(1), 0x7c));  // extended const
  b.export_("h", ExternKind::kGlobal, 1);
  Imports imports;
  imports.add_instance("a", **first);
  EngineConfig config = test_config();
  config.features.extended_const = true;
  auto second = store.instantiate(load(b, config), imports);
  ASSERT_TRUE(Succeeded(second));
  EXPECT_EQ(store.read_global(*(*second)->get_export("h")).i64, 8u);
}

}  // namespace
}  // namespace keel::test
