#include "validate/validator.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_set>

#include "decode/module_decoder.h"
#include "validate/function_body_decoder.h"

namespace keel {

ValidationContext::ValidationContext(const Module& m)
    : module(m), features(m.features), declared_functions(m.functions.size(), 0) {}

namespace {

Error invalid_at(std::string message, size_t offset) {
  return make_error(ErrorKind::kInvalid, std::move(message), offset);
}

std::string unknown(const char* what, uint32_t index) {
  return std::string("unknown ") + what + " " + std::to_string(index);
}

Status check_limits(const Limits& limits, uint64_t bound, const char* too_large, size_t at) {
  if (limits.min > bound) return invalid_at(too_large, at);
  if (limits.max) {
    if (*limits.max > bound) return invalid_at(too_large, at);
    if (limits.min > *limits.max)
      return invalid_at("size minimum must not be greater than maximum", at);
  }
  return {};
}

Status check_memory_type(const MemoryType& type, size_t at) {
  const Limits& l = type.limits;
  if (l.is64) {
    KEEL_TRY(check_limits(l, kMaxPages64, "memory size must be at most 2^48 pages", at));
  } else {
    KEEL_TRY(check_limits(l, kMaxPages32, "memory size must be at most 65536 pages (4GiB)", at));
  }
  if (l.shared && !l.max) return invalid_at("shared memory must have maximum", at);
  return {};
}

Status check_table_type(const TableType& type, size_t at) {
  return check_limits(type.limits, UINT32_MAX, "table size must be at most 2^32-1", at);
}

class ModuleValidator {
 public:
  ModuleValidator(const Module& m, const ValidateOptions& options)
      : module_(m), ctx_(m), options_(options) {}

  // The spec decodes the whole module before validating it, so a malformed function body
  // outranks any invalid construct; among invalid ones, module-level errors come first.
  Status run() {
    // Bodies cannot be typed without their signatures.
    for (const Function& f : module_.functions) KEEL_TRY(check_type_index(f.type_index, kNoOffset));
    for (const Tag& t : module_.tags) KEEL_TRY(check_type_index(t.type.type_index, kNoOffset));
    Status module_level = check_imports_and_declarations();
    if (module_level.ok()) module_level = check_const_exprs();
    if (module_level.ok()) module_level = check_start_and_exports();
    Status bodies = options_.bodies ? check_bodies() : Status{};
    if (!bodies.ok() && bodies.error().kind == ErrorKind::kMalformed) return bodies;
    if (!module_level.ok()) return module_level;
    return bodies;
  }

 private:
  Status check_type_index(uint32_t index, size_t at) {
    if (index >= module_.types.size()) return invalid_at("unknown type", at);
    return {};
  }

  Status check_imports_and_declarations() {
    for (const Table& t : module_.tables) KEEL_TRY(check_table_type(t.type, kNoOffset));
    if (module_.memories.size() > 1 && !module_.features.multi_memory)
      return invalid_at("multiple memories", kNoOffset);
    for (const Memory& m : module_.memories) KEEL_TRY(check_memory_type(m.type, kNoOffset));
    for (const Tag& t : module_.tags) {
      if (!module_.types[t.type.type_index].results.empty())
        return invalid_at("non-empty tag result type", kNoOffset);
    }
    return {};
  }

  Status check_const_expr(const ConstExpr& expr, ValType type, uint32_t visible_globals) {
    if (!const_decoder_.decode_const_expr(expr, type, visible_globals))
      return const_decoder_.take_error();
    for (uint32_t f : const_decoder_.const_expr_refs()) ctx_.declared_functions[f] = 1;
    return {};
  }

  Status check_const_exprs() {
    // Global initialisers see only imported globals (the spec's context C').
    for (uint32_t i = module_.num_imported_globals; i < module_.globals.size(); ++i) {
      const Global& g = module_.globals[i];
      KEEL_TRY(check_const_expr(g.init, g.type.type, module_.num_imported_globals));
    }
    // As in the 2.0 test suite, segment offsets may read imported globals only.
    const uint32_t visible_globals = module_.num_imported_globals;
    for (const ElemSegment& seg : module_.elems) {
      if (seg.mode == SegmentMode::kActive) {
        if (seg.table_index >= module_.tables.size())
          return invalid_at(unknown("table", seg.table_index), seg.section_offset);
        KEEL_TRY(check_const_expr(seg.offset, ValType::kI32, visible_globals));
        if (module_.tables[seg.table_index].type.element != seg.element_type)
          return invalid_at("type mismatch", seg.section_offset);
      }
      for (uint32_t f : seg.functions) {
        if (f >= module_.functions.size())
          return invalid_at(unknown("function", f), seg.section_offset);
        ctx_.declared_functions[f] = 1;
      }
      for (const ConstExpr& e : seg.expressions)
        KEEL_TRY(check_const_expr(e, seg.element_type, visible_globals));
    }
    for (const DataSegment& seg : module_.datas) {
      if (seg.mode != SegmentMode::kActive) continue;
      if (seg.memory_index >= module_.memories.size())
        return invalid_at(unknown("memory", seg.memory_index), seg.section_offset);
      KEEL_TRY(check_const_expr(seg.offset, ctx_.address_type(seg.memory_index), visible_globals));
    }
    return {};
  }

  Status check_start_and_exports() {
    if (module_.start) {
      uint32_t f = *module_.start;
      if (f >= module_.functions.size()) return invalid_at(unknown("function", f), kNoOffset);
      const FuncType& type = module_.function_type(f);
      if (!type.params.empty() || !type.results.empty())
        return invalid_at("start function", kNoOffset);
    }
    std::unordered_set<std::string_view> names;
    names.reserve(module_.exports.size());
    for (const Export& e : module_.exports) {
      if (!names.insert(e.name).second) return invalid_at("duplicate export name", kNoOffset);
      size_t limit = 0;
      const char* what = "";
      switch (e.kind) {
        case ExternKind::kFunc:
          limit = module_.functions.size(), what = "function";
          break;
        case ExternKind::kTable:
          limit = module_.tables.size(), what = "table";
          break;
        case ExternKind::kMemory:
          limit = module_.memories.size(), what = "memory";
          break;
        case ExternKind::kGlobal:
          limit = module_.globals.size(), what = "global";
          break;
        case ExternKind::kTag:
          limit = module_.tags.size(), what = "tag";
          break;
      }
      if (e.index >= limit) return invalid_at(unknown(what, e.index), kNoOffset);
      if (e.kind == ExternKind::kFunc) ctx_.declared_functions[e.index] = 1;
    }
    return {};
  }

  // Bodies are independent once the module-level context is fixed, so large modules validate on
  // every core. A malformed body is reported first (lowest index), else the lowest invalid one.
  Status check_bodies() {
    const uint32_t first = module_.num_imported_functions;
    const uint32_t count = static_cast<uint32_t>(module_.functions.size()) - first;
    unsigned threads = options_.threads ? options_.threads : std::thread::hardware_concurrency();
    constexpr uint32_t kMinCodeBytesPerThread = 1 << 20;
    threads =
        std::clamp<unsigned>(threads, 1, 1 + module_.code_section.size / kMinCodeBytesPerThread);

    constexpr uint32_t kChunk = 64;
    std::atomic<uint32_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex error_mutex;
    std::optional<Error> malformed, invalid;

    auto record = [&](Error e) {
      std::lock_guard<std::mutex> lock(error_mutex);
      std::optional<Error>& slot = e.kind == ErrorKind::kMalformed ? malformed : invalid;
      if (!slot || e.function < slot->function) slot = std::move(e);
      if (malformed) stop.store(true, std::memory_order_relaxed);
    };
    auto worker = [&] {
      NullInterface null;
      FunctionBodyDecoder<NullInterface> decoder(ctx_, null);
      for (;;) {
        uint32_t begin = next.fetch_add(kChunk, std::memory_order_relaxed);
        if (begin >= count || stop.load(std::memory_order_relaxed)) return;
        uint32_t end = std::min(count, begin + kChunk);
        for (uint32_t i = begin; i < end; ++i)
          if (!decoder.decode_function(first + i)) record(decoder.take_error());
      }
    };
    if (threads <= 1) {
      worker();
    } else {
      std::vector<std::thread> pool;
      pool.reserve(threads - 1);
      for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
      worker();
      for (std::thread& t : pool) t.join();
    }
    if (malformed) return std::move(*malformed);
    if (invalid) return std::move(*invalid);
    return {};
  }

  const Module& module_;
  ValidationContext ctx_;
  ValidateOptions options_;
  NullInterface null_interface_;
  FunctionBodyDecoder<NullInterface> const_decoder_{ctx_, null_interface_};
};

}  // namespace

Status validate_module(const Module& module, const ValidateOptions& options) {
  return ModuleValidator(module, options).run();
}

Result<Module> load_module(std::shared_ptr<const ByteBuffer> buffer, const Features& features,
                           const ValidateOptions& options) {
  Result<Module> module = decode_module(std::move(buffer), features);
  if (!module.ok()) return module;
  Status status = validate_module(*module, options);
  if (!status.ok()) return std::move(status).error();
  return module;
}

}  // namespace keel
