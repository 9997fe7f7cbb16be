// Tier 1 decodes a module that passed validation without validating it again
// (CompileOptions::validated). That mode must emit exactly the code of the validating one, and
// the validating one (the default) must still reject invalid bodies.
#include <dirent.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "decode/module_decoder.h"
#include "jit_fixture.h"
#include "wast_script.h"

namespace keel::test {
namespace {

constexpr ValType I32 = ValType::kI32, I64 = ValType::kI64, F64 = ValType::kF64,
                  V128 = ValType::kV128, FUNCREF = ValType::kFuncRef;

Bytes lget(uint32_t i) {
  return local_get(i);
}
Bytes ltee(uint32_t i) {
  return cat(op::kLocalTee, u32(i));
}
Bytes br_if(uint32_t d) {
  return cat(op::kBrIf, u32(d));
}
Bytes block_t(uint8_t kind, uint32_t type) {
  return cat(kind, s32(static_cast<int32_t>(type)));
}

// Compiles every defined function both ways; the code, the source maps and any error must be the
// same. `compiled` counts the functions that compiled.
::testing::AssertionResult same_code_both_ways(const Module& m, size_t* compiled = nullptr) {
  ValidationContext ctx(m);
  std::fill(ctx.declared_functions.begin(), ctx.declared_functions.end(), 1);
  CompileOptions checked = JitInstance::default_options();
  CompileOptions trusted = checked;
  trusted.validated = true;
  for (uint32_t f = m.num_imported_functions; f < m.functions.size(); ++f) {
    auto a = jit::compile_baseline(ctx, f, checked);
    auto b = jit::compile_baseline(ctx, f, trusted);
    if (a.ok() != b.ok())
      return ::testing::AssertionFailure()
             << "function " << f << ": "
             << (a.ok() ? "only the validating mode compiles" : "only the trusting mode compiles");
    if (!a.ok()) {
      if (a.error().message != b.error().message)
        return ::testing::AssertionFailure()
               << "function " << f << ": errors differ: " << a.error().message << " / "
               << b.error().message;
      continue;
    }
    if (a->code != b->code)
      return ::testing::AssertionFailure()
             << "function " << f << ": code differs (" << a->code.size() << " / " << b->code.size()
             << " bytes)";
    if (a->source_map.size() != b->source_map.size())
      return ::testing::AssertionFailure() << "function " << f << ": source maps differ in size";
    for (size_t i = 0; i < a->source_map.size(); ++i) {
      const jit::SourceMapEntry &x = a->source_map[i], &y = b->source_map[i];
      if (x.code_offset != y.code_offset || x.module_offset != y.module_offset)
        return ::testing::AssertionFailure() << "function " << f << ": source map entry " << i;
    }
    if (compiled) ++*compiled;
  }
  return ::testing::AssertionSuccess();
}

// One function per instruction family, with unreachable code and multi-value blocks.
Bytes many_families() {
  WasmBuilder b;
  uint32_t t_ii_i = b.type({I32, I32}, {I32});
  uint32_t t_i_i = b.type({I32}, {I32});
  uint32_t t_pair = b.type({I32}, {I32, I64});
  uint32_t t_v = b.type({}, {V128});
  uint32_t t_void_pair = b.type({}, {I32, I64});
  b.memory(1);
  b.table(FUNCREF, 4);
  uint32_t g = b.global(I64, true, expr(i64_const(3)));
  // Arithmetic, locals in registers, compare fused into br_if.
  b.func(t_ii_i,
         cat(lget(0), lget(1), op::kI32Add, ltee(2), lget(2), lget(1), uint8_t{0x48}, br_if(0),
             op::kDrop, lget(2), i32_const(7), uint8_t{0x6c}),
         {{1, I32}});
  // Loops and if/else with params.
  b.func(t_i_i,
         cat(i32_const(0), block_t(op::kLoop, t_i_i), lget(0), op::kI32Add, lget(0), i32_const(1),
             uint8_t{0x6b}, ltee(0), block_t(op::kIf, t_i_i), i32_const(2), uint8_t{0x6c},
             op::kElse, i32_const(1), op::kI32Add, op::kEnd, lget(0), br_if(0), op::kEnd));
  // br_table with a multi-value block, and unreachable code after it.
  b.func(t_pair,
         cat(block_t(op::kBlock, t_void_pair), lget(0), i64_const(9), lget(0), op::kBrTable,
             vec_u32({0, 0, 0, 0, 0, 0}), u32(0), op::kI32Add, op::kDrop, op::kEnd),
         {});
  // Calls, call_indirect, select, globals, memory and tables.
  b.func(t_i_i, cat(lget(0), i32_const(1), call(0), lget(0), i32_const(2), call(0), lget(0),
                    op::kSelect, lget(0), i32_const(0), op::kCallIndirect, u32(t_ii_i), u32(0),
                    i32_const(8), global_get(g), cat(op::kI64Store, memarg(3, 16)), i32_const(4),
                    cat(op::kI32Load, memarg(2, 4)), op::kI32Add, i32_const(1), op::kMemoryGrow, 0,
                    op::kI32Add, i32_const(1), cat(op::kTableGet, u32(0)), op::kRefIsNull,
                    op::kI32Add, i32_const(0), i32_const(0), i32_const(8), fc(11, 0), i32_const(0),
                    i32_const(8), i32_const(8), fc(10, 0, 0)));
  // SIMD through a block result.
  b.func(t_v, cat(block_t(op::kBlock, t_v), v128_const(), v128_const(), fd(0xae), op::kEnd,
                  i32_const(5), fd(0x11), fd(0xb5)));
  // Return in the middle, then dead code with every operand from the polymorphic bottom.
  b.func(t_ii_i, cat(lget(0), op::kReturn, op::kI32Add, f64_const(), op::kDrop, op::kUnreachable,
                     op::kSelect));
  b.func(b.type({F64}, {F64}), cat(lget(0), lget(0), uint8_t{0xa0}));
  return b.build();
}

TEST(DecoderModes, SameCodeForEveryInstructionFamily) {
  auto loaded = load_module(buffer_of(many_families()), Features{});
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  size_t compiled = 0;
  EXPECT_TRUE(same_code_both_ways(*loaded, &compiled));
  EXPECT_EQ(compiled, loaded->functions.size());
}

TEST(DecoderModes, ValidatingPathStillRejectsInvalidBodies) {
  WasmBuilder b;
  uint32_t t = b.type({}, {I32});
  b.func(t, cat(i32_const(1)));                                // valid
  b.func(t, cat(i64_const(1)));                                // result of the wrong type
  b.func(t, cat(lget(3)));                                     // unknown local
  b.func(t, cat(i32_const(0), cat(op::kI32Load, memarg(2))));  // no memory
  auto decoded = decode_module(buffer_of(b.build()), Features{});
  ASSERT_TRUE(decoded.ok());
  ValidationContext ctx(*decoded);
  CompileOptions options = JitInstance::default_options();
  EXPECT_TRUE(jit::compile_baseline(ctx, 0, options).ok());
  auto wrong_type = jit::compile_baseline(ctx, 1, options);
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(wrong_type.error().message, "type mismatch");
  auto unknown_local = jit::compile_baseline(ctx, 2, options);
  ASSERT_FALSE(unknown_local.ok());
  EXPECT_EQ(unknown_local.error().message, "unknown local 3");
  auto no_memory = jit::compile_baseline(ctx, 3, options);
  ASSERT_FALSE(no_memory.ok());
  EXPECT_EQ(no_memory.error().message, "unknown memory 0");
}

// Every module that loads under $KEEL_DECODER_MODES_CORPUS (a directory of .wasm files or of
// .wast scripts, such as the spec suite, or one module): run by hand, the corpus is not in the
// repository.
void collect_modules(const std::string& dir, std::vector<std::string>& out) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + "/" + name;
    if (name.ends_with(".wasm") || name.ends_with(".wast"))
      out.push_back(path);
    else if (e->d_type == DT_DIR)
      collect_modules(path, out);
  }
  closedir(d);
}

Result<std::vector<std::shared_ptr<const ByteBuffer>>> modules_in(const std::string& path) {
  if (path.ends_with(".wast")) return spec::read_wast_modules(path);
  auto bytes = ByteBuffer::from_file(path);
  if (!bytes) return std::move(bytes).error();
  return std::vector<std::shared_ptr<const ByteBuffer>>{std::move(*bytes)};
}

TEST(DecoderModes, SameCodeForACorpus) {
  const char* root = std::getenv("KEEL_DECODER_MODES_CORPUS");
  if (!root) GTEST_SKIP() << "set KEEL_DECODER_MODES_CORPUS to a directory of .wasm or .wast files";
  std::vector<std::string> files;
  collect_modules(root, files);
  if (files.empty()) files.push_back(root);  // a single module
  size_t modules = 0, functions = 0;
  for (const std::string& path : files) {
    auto buffers = modules_in(path);
    ASSERT_TRUE(buffers.ok()) << buffers.error().message;
    for (const auto& buffer : *buffers) {
      auto loaded = load_module(buffer, Features::all());
      if (!loaded.ok()) continue;
      ++modules;
      EXPECT_TRUE(same_code_both_ways(*loaded, &functions)) << path;
    }
  }
  std::printf("%zu modules, %zu functions compiled both ways\n", modules, functions);
  EXPECT_GT(modules, 0u);
}

}  // namespace
}  // namespace keel::test
