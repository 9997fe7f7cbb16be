// The keel_rt_* helpers, called as compiled code would, with an instance's context.
#include <gtest/gtest.h>

#include "runtime/store_impl.h"
#include "runtime_test_util.h"

namespace keel::test {
namespace {

constexpr uint32_t kMemOob = static_cast<uint32_t>(vm::TrapCode::kMemoryOutOfBounds);
constexpr uint32_t kTabOob = static_cast<uint32_t>(vm::TrapCode::kTableOutOfBounds);

struct HelperFixture : ::testing::Test {
  Store store{test_config()};
  runtime::InstanceImpl* instance = nullptr;
  vm::VMContext* ctx = nullptr;
  uint8_t* mem = nullptr;

  void SetUp() override {
    WasmBuilder b;
    uint32_t t = b.type({}, {});
    b.memory(1, 2);
    b.table(ValType::kFuncRef, 4, 6);
    b.func(t, {});
    b.func(t, {});
    b.elem_raw(cat(0x01, 0x00, vec_u32({0, 1, 0})));  // passive
    b.data_passive({1, 2, 3, 4});
    b.data_count(1);
    auto result = store.instantiate(load(b), {});
    ASSERT_TRUE(Succeeded(result));
    instance = static_cast<runtime::InstanceImpl*>(*result);
    ctx = &instance->ctx;
    mem = ctx->memory_base;
  }
  void** table() { return instance->tables[0]->elements; }
};

TEST_F(HelperFixture, MemoryGrow) {
  EXPECT_EQ(keel_rt_memory_grow(ctx, 0, 1), 1u);
  EXPECT_EQ(keel_rt_memory_grow(ctx, 0, 1), 0xffffffffu);
  EXPECT_EQ(ctx->memory->size.load(), 2 * kPageSize);
  EXPECT_EQ(ctx->memory_base, ctx->memory->base);
}

TEST_F(HelperFixture, MemoryInitChecksBoundsFirstAndDropMeansEmpty) {
  EXPECT_EQ(keel_rt_memory_init(ctx, 0, 0, 100, 1, 3), 0u);
  EXPECT_EQ(mem[100], 2);
  EXPECT_EQ(mem[102], 4);
  EXPECT_EQ(keel_rt_memory_init(ctx, 0, 0, 200, 2, 3), kMemOob);  // source too short
  EXPECT_EQ(mem[200], 0);
  EXPECT_EQ(keel_rt_memory_init(ctx, 0, 0, 65534, 0, 4), kMemOob);  // nothing written
  EXPECT_EQ(mem[65534], 0);
  EXPECT_EQ(keel_rt_memory_init(ctx, 0, 0, 65536, 4, 0), 0u);  // empty at both ends
  keel_rt_data_drop(ctx, 0);
  EXPECT_EQ(keel_rt_memory_init(ctx, 0, 0, 0, 0, 0), 0u);
  EXPECT_EQ(keel_rt_memory_init(ctx, 0, 0, 0, 0, 1), kMemOob);
}

TEST_F(HelperFixture, MemoryCopyAndFill) {
  EXPECT_EQ(keel_rt_memory_fill(ctx, 0, 10, 0x1ab, 4), 0u);
  EXPECT_EQ(mem[10], 0xab);
  EXPECT_EQ(mem[13], 0xab);
  EXPECT_EQ(mem[14], 0);
  EXPECT_EQ(keel_rt_memory_copy(ctx, 0, 0, 12, 10, 4), 0u);  // overlapping
  EXPECT_EQ(mem[15], 0xab);
  EXPECT_EQ(mem[16], 0);
  EXPECT_EQ(keel_rt_memory_fill(ctx, 0, 65535, 1, 2), kMemOob);
  EXPECT_EQ(mem[65535], 0);
  EXPECT_EQ(keel_rt_memory_copy(ctx, 0, 0, 0, 65535, 2), kMemOob);
  EXPECT_EQ(keel_rt_memory_copy(ctx, 0, 0, 0xffffffffu, 0, 2), kMemOob);
  EXPECT_EQ(keel_rt_memory_fill(ctx, 0, 65536, 1, 0), 0u);
  EXPECT_EQ(keel_rt_memory_fill(ctx, 0, 65537, 1, 0), kMemOob);
}

TEST_F(HelperFixture, TableInitCopyFillGrow) {
  EXPECT_EQ(keel_rt_table_init(ctx, 0, 0, 1, 0, 3), 0u);
  EXPECT_EQ(table()[0], nullptr);
  EXPECT_EQ(table()[1], instance->funcs[0]);
  EXPECT_EQ(table()[2], instance->funcs[1]);
  EXPECT_EQ(keel_rt_table_init(ctx, 0, 0, 2, 0, 3), kTabOob);
  EXPECT_EQ(table()[3], instance->funcs[0]);  // from the first init only
  EXPECT_EQ(keel_rt_table_copy(ctx, 0, 0, 0, 1, 2), 0u);
  EXPECT_EQ(table()[0], instance->funcs[0]);
  EXPECT_EQ(table()[1], instance->funcs[1]);
  EXPECT_EQ(keel_rt_table_copy(ctx, 0, 0, 3, 0, 2), kTabOob);
  EXPECT_EQ(keel_rt_table_fill(ctx, 0, 2, nullptr, 2), 0u);
  EXPECT_EQ(table()[3], nullptr);
  EXPECT_EQ(keel_rt_table_fill(ctx, 0, 4, nullptr, 1), kTabOob);
  EXPECT_EQ(keel_rt_table_grow(ctx, 0, instance->funcs[1], 2), 4u);
  EXPECT_EQ(table()[5], instance->funcs[1]);
  EXPECT_EQ(keel_rt_table_grow(ctx, 0, nullptr, 1), 0xffffffffu);
  keel_rt_elem_drop(ctx, 0);
  EXPECT_EQ(keel_rt_table_init(ctx, 0, 0, 0, 0, 0), 0u);
  EXPECT_EQ(keel_rt_table_init(ctx, 0, 0, 0, 0, 1), kTabOob);
}

TEST_F(HelperFixture, InterruptSetsAttentionAndTrapsOnce) {
  EXPECT_EQ(ctx->attention.load(), 0u);
  store.interrupt();
  EXPECT_EQ(ctx->attention.load(), 1u);
  EXPECT_EQ(keel_rt_attention(ctx, 0), static_cast<uint32_t>(vm::TrapCode::kInterrupted));
  EXPECT_EQ(ctx->attention.load(), 0u);
  ctx->attention.store(1);  // e.g. a later tier-up request
  EXPECT_EQ(keel_rt_attention(ctx, 0), 0u);
  EXPECT_EQ(ctx->attention.load(), 0u);
}

TEST(CanonicalTypes, EqualSignaturesShareAnId) {
  uint32_t a = vm::canonical_type_id(func_type({ValType::kI32}, {ValType::kI64}));
  uint32_t b = vm::canonical_type_id(func_type({ValType::kI32}, {ValType::kI64}));
  uint32_t c = vm::canonical_type_id(func_type({ValType::kI32, ValType::kI64}, {}));
  uint32_t d = vm::canonical_type_id(func_type({}, {ValType::kI32, ValType::kI64}));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(c, d);
  EXPECT_NE(a, 0u);
}

TEST(Values, ToString) {
  EXPECT_EQ(Value::from_i32(42).to_string(), "i32:42");
  EXPECT_EQ(Value::from_i32(0xffffffffu).to_string(), "i32:-1");
  EXPECT_EQ(Value::from_i64(7).to_string(), "i64:7");
  EXPECT_EQ(Value::from_f64_bits(0x3ff0000000000000ull).to_string(), "f64:0x1p+0");
  EXPECT_EQ(Value::from_f32_bits(0x7fc00000u).to_string(), "f32:nan:0x400000");
  EXPECT_EQ(Value::from_f32_bits(0xff800000u).to_string(), "f32:-inf");
  EXPECT_EQ(Value::from_ref(ValType::kFuncRef, nullptr).to_string(), "funcref:null");
}

}  // namespace
}  // namespace keel::test
