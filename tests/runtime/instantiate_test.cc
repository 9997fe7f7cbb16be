#include <gtest/gtest.h>

#include "ir/opcodes.h"
#include "runtime/const_expr.h"
#include "runtime/store_impl.h"
#include "runtime_test_util.h"

namespace keel::test {
namespace {

uint8_t* memory_base(const Extern& memory) {
  return static_cast<vm::VMMemory*>(memory.handle)->base;
}
void** table_elements(const Extern& table) {
  return static_cast<vm::VMTable*>(table.handle)->elements;
}

TEST(Instantiate, GlobalInitialisers) {
  WasmBuilder b;
  b.import_global("env", "base", ValType::kI32, false);
  uint32_t t = b.type({}, {});
  uint32_t f = b.func(t, {});
  b.global(ValType::kI32, false, expr(i32_const(-5)));
  b.global(ValType::kI64, true, expr(i64_const(int64_t{1} << 40)));
  b.global(ValType::kF32, false, cat(op::kF32Const, 0x00, 0x00, 0xc0, 0x3f, op::kEnd));
  b.global(ValType::kI32, false, expr(global_get(0)));
  b.global(ValType::kFuncRef, false, expr(ref_func(f)));
  b.global(ValType::kExternRef, false, expr(ref_null(ValType::kExternRef)));
  b.global(ValType::kI32, false, expr(global_get(0), i32_const(10), 0x6c, i32_const(3), 0x6b));
  for (uint32_t g = 1; g <= 7; ++g) b.export_("g" + std::to_string(g), ExternKind::kGlobal, g);
  b.export_("f", ExternKind::kFunc, f);
  EngineConfig config = test_config();
  config.features.extended_const = true;
  Store store(config);
  Imports imports;
  imports.add("env", "base", store.new_global({ValType::kI32, false}, Value::from_i32(4)));
  auto instance = store.instantiate(load(b, config), imports);
  ASSERT_TRUE(Succeeded(instance));
  auto read = [&](const char* name) { return store.read_global(*(*instance)->get_export(name)); };
  EXPECT_EQ(read("g1").i32, static_cast<uint32_t>(-5));
  EXPECT_EQ(read("g2").i64, uint64_t{1} << 40);
  EXPECT_EQ(read("g3").f32_bits, 0x3fc00000u);
  EXPECT_EQ(read("g4").i32, 4u);
  EXPECT_EQ(read("g5").ref, (*instance)->get_export("f")->handle);
  EXPECT_EQ(read("g6").ref, nullptr);
  EXPECT_EQ(read("g7").i32, 37u);
  EXPECT_EQ(read("g4").to_string(), "i32:4");
}

// The evaluator handles every instruction the opcode table admits to constant expressions: one
// global per admitted instruction, its operands constants of the signature's types.
TEST(Instantiate, EveryConstantInstructionOfTheTableEvaluates) {
  WasmBuilder b;
  b.import_global("env", "base", ValType::kI32, false);
  uint32_t f = b.func(b.type({}, {}), {});
  auto encode = [](Op op) {
    const OpInfo& info = op_info(op);
    return info.prefix == 0 ? Bytes{static_cast<uint8_t>(info.code)}
                            : cat(info.prefix, u32(info.code));
  };
  auto operand = [](ValType t) {
    switch (t) {
      case ValType::kI32:
        return i32_const(7);
      case ValType::kI64:
        return i64_const(7);
      default:
        ADD_FAILURE() << "no constant operand of this type";
        return Bytes{};
    }
  };
  struct Global {
    Op op;
    ValType type;
  };
  std::vector<Global> globals;
  for (size_t i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    const OpInfo& info = op_info(op);
    if (!info.const_expr.allowed || op == Op::kEnd) continue;
    Bytes code;
    ValType type = info.sig.result;
    switch (op) {
      case Op::kGlobalGet:
        code = global_get(0), type = ValType::kI32;
        break;
      case Op::kRefNull:
        code = ref_null(ValType::kExternRef), type = ValType::kExternRef;
        break;
      case Op::kRefFunc:
        code = ref_func(f), type = ValType::kFuncRef;
        break;
      case Op::kI32Const:
      case Op::kI64Const:
      case Op::kF32Const:
      case Op::kF64Const:
      case Op::kV128Const:
        code = cat(encode(op), Bytes(type == ValType::kV128  ? 16
                                     : type == ValType::kF64 ? 8
                                     : type == ValType::kF32 ? 4
                                                             : 1,
                                     0x05));
        break;
      default:
        ASSERT_FALSE(info.sig.polymorphic) << op_text(op);
        for (int k = 0; k < info.sig.num_params; ++k) code = cat(code, operand(info.sig.params[k]));
        code = cat(code, encode(op));
        break;
    }
    SCOPED_TRACE(op_text(op));
    b.global(type, false, expr(code));
    globals.push_back({op, type});
  }
  for (size_t g = 0; g < globals.size(); ++g)
    b.export_("g" + std::to_string(g), ExternKind::kGlobal, static_cast<uint32_t>(g + 1));
  EngineConfig config = test_config();
  config.features.extended_const = true;
  Store store(config);
  Imports imports;
  imports.add("env", "base", store.new_global({ValType::kI32, false}, Value::from_i32(4)));
  auto instance = store.instantiate(load(b, config), imports);
  ASSERT_TRUE(Succeeded(instance));
  EXPECT_EQ(globals.size(), 14u);  // all of them but end
  for (size_t g = 0; g < globals.size(); ++g) {
    SCOPED_TRACE(op_text(globals[g].op));
    Value v = store.read_global(*(*instance)->get_export("g" + std::to_string(g)));
    EXPECT_EQ(v.type, globals[g].type);
    std::string_view text = op_text(globals[g].op);
    if (v.type != ValType::kI32 && v.type != ValType::kI64) continue;
    uint64_t bits = v.type == ValType::kI32 ? v.i32 : v.i64;
    uint64_t expected = text.ends_with(".add")   ? 7 + 7
                        : text.ends_with(".sub") ? 7 - 7
                        : text.ends_with(".mul") ? 7 * 7
                        : text == "global.get"   ? 4
                                                 : 5;  // the t.const immediates
    EXPECT_EQ(bits, expected);
  }
}

// Module A owns a memory and a table; B writes to both through active segments, the second of
// which is out of bounds.
struct SegmentFixture {
  Store store{test_config()};
  Instance* exporter = nullptr;
  Imports imports;
  SegmentFixture() {
    WasmBuilder a;
    a.memory(1);
    a.table(ValType::kFuncRef, 4);
    a.export_("mem", ExternKind::kMemory, 0);
    a.export_("tab", ExternKind::kTable, 0);
    exporter = *store.instantiate(load(a), {});
    imports.add_instance("a", *exporter);
  }
};

TEST(Instantiate, DataSegmentsAndPartialInitialisation) {
  SegmentFixture fx;
  WasmBuilder b;
  b.import_memory("a", "mem", 1);
  b.data_active(expr(i32_const(10)), {1, 2, 3});
  b.data_active(expr(i32_const(65535)), {4, 5});  // one byte too far
  auto result = fx.store.instantiate(load(b), fx.imports);
  EXPECT_TRUE(FailedWith(result, ErrorKind::kTrap, "out of bounds memory access"));
  uint8_t* mem = memory_base(*fx.exporter->get_export("mem"));
  EXPECT_EQ(mem[10], 1);
  EXPECT_EQ(mem[12], 3);
  EXPECT_EQ(mem[65535], 0);  // nothing of the failing segment

  WasmBuilder edge;
  edge.import_memory("a", "mem", 1);
  edge.data_active(expr(i32_const(65536)), {});  // empty at the end: fine
  edge.data_active(expr(i32_const(65534)), {7, 8});
  EXPECT_TRUE(Succeeded(fx.store.instantiate(load(edge), fx.imports)));
  EXPECT_EQ(mem[65535], 8);
}

TEST(Instantiate, ElementSegmentsAndTheirTrap) {
  SegmentFixture fx;
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.import_table("a", "tab", ValType::kFuncRef, 4);
  uint32_t f = b.func(t, {});
  b.elem_active(expr(i32_const(1)), {f, f});
  b.elem_active(expr(i32_const(3)), {f, f});  // 3 + 2 > 4
  b.data_count(0);
  auto result = fx.store.instantiate(load(b), fx.imports);
  EXPECT_TRUE(FailedWith(result, ErrorKind::kTrap, "out of bounds table access"));
  void** elements = table_elements(*fx.exporter->get_export("tab"));
  EXPECT_EQ(elements[0], nullptr);
  ASSERT_NE(elements[1], nullptr);
  EXPECT_EQ(elements[2], elements[1]);
  EXPECT_EQ(elements[3], nullptr);
  // The funcref stays usable: the failed instance is kept alive by the store.
  auto* ref = static_cast<vm::VMFuncRef*>(elements[1]);
  EXPECT_EQ(ref->func_index, f);
  EXPECT_EQ(ref->type_id, vm::canonical_type_id(func_type({}, {})));
}

TEST(Instantiate, DataSegmentsComeAfterAllElementSegments) {
  SegmentFixture fx;
  WasmBuilder b;
  b.import_memory("a", "mem", 1);
  b.import_table("a", "tab", ValType::kFuncRef, 4);
  b.elem_active(expr(i32_const(5)), {});  // 5 > 4: traps even when empty
  b.data_active(expr(i32_const(100)), {9});
  EXPECT_TRUE(FailedWith(fx.store.instantiate(load(b), fx.imports), ErrorKind::kTrap,
                         "out of bounds table access"));
  EXPECT_EQ(memory_base(*fx.exporter->get_export("mem"))[100], 0);
}

TEST(Instantiate, PassiveAndDeclarativeSegments) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.memory(1);
  b.table(ValType::kFuncRef, 2);
  uint32_t f = b.func(t, {});
  b.elem_declarative({f});
  b.elem_raw(cat(0x01, 0x00, vec_u32({f, f})));  // passive, elemkind funcref
  b.data_passive({1, 2, 3});
  Store store(test_config());
  auto instance = store.instantiate(load(b), {});
  ASSERT_TRUE(Succeeded(instance));
  auto* impl = static_cast<runtime::InstanceImpl*>(*instance);
  EXPECT_EQ(impl->elem_dropped[0], 1);  // declarative: dropped at once
  EXPECT_EQ(impl->elem_dropped[1], 0);
  EXPECT_EQ(impl->elem_refs[1].size(), 2u);
  EXPECT_EQ(impl->data_dropped[0], 0);
}

TEST(Instantiate, TablesStartNullAndMemoriesZero) {
  WasmBuilder b;
  b.memory(2);
  b.table(ValType::kExternRef, 3, 5);
  b.export_("m", ExternKind::kMemory, 0);
  b.export_("t", ExternKind::kTable, 0);
  Store store(test_config());
  auto instance = store.instantiate(load(b), {});
  ASSERT_TRUE(Succeeded(instance));
  auto table = *(*instance)->get_export("t");
  EXPECT_EQ(table.table_type.limits.min, 3u);
  EXPECT_EQ(table.table_type.element, ValType::kExternRef);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(table_elements(table)[i], nullptr);
  auto memory = *(*instance)->get_export("m");
  EXPECT_EQ(memory.memory_type.limits.min, 2u);
  EXPECT_EQ(memory_base(memory)[2 * kPageSize - 1], 0);
}

}  // namespace
}  // namespace keel::test
