// keel-regalloc-compare: keel's tier-2 back end (liveness, linear scan, x86::Assembler) against
// asmjit's x86::Compiler (virtual registers, asmjit's allocator) on the same optimized graphs of
// real modules: code size, compile time and spill/reload instructions, over the functions both
// compile. Usage:
//   keel-regalloc-compare [--every N] [--only F] [--repeat R] [--print F] [--trace] MODULE.wasm...
// --every N measures every Nth defined function (for very large modules); --repeat R times each
// compile R times (default 5) and sums each function's median. Graph building and the
// passes are done once per function and are not timed: both back ends start from the same graph.
#include <algorithm>
#include <bit>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_buffer.h"
#include "bench/regalloc_compare_backend.h"
#include "jit/optimizing/codegen.h"
#include "jit/optimizing/compare_fusion.h"
#include "jit/optimizing/graph_builder.h"
#include "jit/optimizing/passes/pipeline.h"
#include "jit/optimizing/printer.h"
#include "platform/cpu_features.h"
#include "validate/validation_context.h"
#include "validate/validator.h"

namespace keel::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  uint32_t every = 1;
  int repeat = 5;
  int64_t print_function = -1;  // --print F: both listings of function F
  int64_t only_function = -1;   // --only F: measure function F alone
  bool trace = false;           // --trace: each function's index on stderr before its compiles
  std::vector<std::string> modules;
};

// What the code listing of one function says about its allocation.
struct ListingCounts {
  uint32_t instructions = 0;
  uint32_t spill_stores = 0;    // to a frame slot
  uint32_t spill_loads = 0;     // from a frame slot, or an instruction using one as an operand
  uint32_t register_moves = 0;  // mov between two general-purpose registers
  uint32_t gp_registers = 0;    // distinct ones the code names, rsp and rbp left out
};

// The register number of a 64- or 32-bit general-purpose register name, or -1.
int gp_number(std::string_view s) {
  static constexpr std::string_view kNames[2][16] = {
      {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
       "r13", "r14", "r15"},
      {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d",
       "r13d", "r14d", "r15d"}};
  for (const auto& names : kNames)
    for (int i = 0; i < 16; ++i)
      if (names[i] == s) return i;
  return -1;
}

bool is_gp_name(std::string_view s) {
  return gp_number(s) >= 0;
}

// Which general-purpose registers other than rsp and rbp an instruction names, as a bit set.
uint32_t gp_registers_named(std::string_view line) {
  uint32_t used = 0;
  size_t i = 0;
  while (i < line.size()) {
    size_t j = i;
    while (j < line.size() && std::isalnum(static_cast<unsigned char>(line[j]))) ++j;
    if (j > i) {
      int n = gp_number(line.substr(i, j - i));
      if (n >= 0 && n != 4 && n != 5) used |= 1u << n;
      i = j;
    } else {
      ++i;
    }
  }
  return used;
}

// `frame` is how the listing names a frame slot: keel's are below rbp ("[rbp-"), asmjit's
// spill slots are on rsp ("[rsp"). Anything else in brackets is linear memory, globals or the
// parameter area, which both back ends reach the same way.
// The displacement of a `[rsp+X]` (or `[rsp]`) operand at `at` in `line`.
int64_t rsp_displacement(std::string_view line, size_t at) {
  std::string_view rest = line.substr(at + 4);  // past "[rsp"
  if (rest.empty() || rest.front() != '+') return 0;
  return std::strtoll(std::string(rest.substr(1)).c_str(), nullptr, 0);
}

// `call_area_bytes` (the Compiler's listings): the first `lea REG, [rsp+X]` takes the address of
// its call area, and accesses to [rsp+X, rsp+X+bytes) are arguments and results, not spills.
ListingCounts count_listing(const std::string& text, std::string_view frame,
                            uint32_t call_area_bytes = 0) {
  ListingCounts c;
  int64_t area_begin = -1;
  uint32_t used = 0;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + begin, end - begin);
    begin = end + 1;
    size_t first = line.find_first_not_of(' ');
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    // The Compiler back end's stand-in for a trap stub is filler of the size of keel's stub,
    // which is six instructions.
    if (line.starts_with(".repeat")) {
      c.instructions += 6;
      continue;
    }
    // Labels ("L3:"), comments and embedded data are not instructions.
    if (line.front() == ';' || line.front() == '.' || line.back() == ':' ||
        line.starts_with("db ") || line.starts_with("dd "))
      continue;
    if (size_t comment = line.find(';'); comment != std::string_view::npos)
      line = line.substr(0, comment);
    while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
    ++c.instructions;
    used |= gp_registers_named(line);
    size_t slot = line.find(frame);
    if (slot != std::string_view::npos && line.starts_with("lea")) {
      if (call_area_bytes > 0 && area_begin < 0) area_begin = rsp_displacement(line, slot);
      continue;  // takes an address, accesses nothing
    }
    if (slot != std::string_view::npos && area_begin >= 0) {
      int64_t at = rsp_displacement(line, slot);
      if (at >= area_begin && at < area_begin + call_area_bytes) slot = std::string_view::npos;
    }
    if (slot != std::string_view::npos) {
      size_t comma = line.find(',');
      if (comma != std::string_view::npos && slot < comma && line.starts_with("mov"))
        ++c.spill_stores;
      else
        ++c.spill_loads;
      continue;
    }
    if (line.starts_with("mov ")) {
      std::string_view ops = line.substr(4);
      size_t comma = ops.find(", ");
      if (comma != std::string_view::npos && is_gp_name(ops.substr(0, comma)) &&
          is_gp_name(ops.substr(comma + 2)))
        ++c.register_moves;
    }
  }
  c.gp_registers = static_cast<uint32_t>(std::popcount(used));
  return c;
}

struct FunctionResult {
  uint32_t index = 0;
  uint32_t wasm_bytes = 0;
  uint64_t keel_code = 0, compiler_code = 0;
  std::vector<double> keel_seconds, compiler_seconds;  // one per repeat
  std::vector<double> finalize_seconds;                // the part of compiler_seconds
  ListingCounts keel_listing, compiler_listing;
  uint32_t keel_spilled_values = 0;
  double graph_seconds = 0;  // build_graph, the passes and compare sinking, once
};

struct Totals {
  uint32_t functions = 0;
  uint64_t wasm_bytes = 0, keel_code = 0, compiler_code = 0;
  // Sums of each function's median over the repeats: one preempted compile does not move them.
  double keel_seconds = 0, compiler_seconds = 0;
  double finalize_seconds = 0;
  double median_time_ratio = 0;  // over functions, of Compiler / keel compile time
  uint64_t keel_stores = 0, keel_loads = 0, compiler_stores = 0, compiler_loads = 0;
  uint64_t keel_insts = 0, compiler_insts = 0, keel_moves = 0, compiler_moves = 0;
  uint64_t keel_spilled_values = 0;
  uint32_t functions_keel_spills = 0, functions_compiler_spills = 0;
  double graph_seconds = 0;
  std::vector<uint32_t> keel_gp_registers, compiler_gp_registers;  // per function
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

Totals total(const std::vector<const FunctionResult*>& fs) {
  Totals t;
  std::vector<double> ratios;
  for (const FunctionResult* f : fs) {
    ++t.functions;
    t.wasm_bytes += f->wasm_bytes;
    t.keel_code += f->keel_code;
    t.compiler_code += f->compiler_code;
    double keel = median(f->keel_seconds), compiler = median(f->compiler_seconds);
    t.keel_seconds += keel;
    t.compiler_seconds += compiler;
    t.finalize_seconds += median(f->finalize_seconds);
    if (keel > 0) ratios.push_back(compiler / keel);
    t.keel_stores += f->keel_listing.spill_stores;
    t.keel_loads += f->keel_listing.spill_loads;
    t.compiler_stores += f->compiler_listing.spill_stores;
    t.compiler_loads += f->compiler_listing.spill_loads;
    t.keel_insts += f->keel_listing.instructions;
    t.compiler_insts += f->compiler_listing.instructions;
    t.keel_moves += f->keel_listing.register_moves;
    t.compiler_moves += f->compiler_listing.register_moves;
    t.keel_spilled_values += f->keel_spilled_values;
    t.graph_seconds += f->graph_seconds;
    t.keel_gp_registers.push_back(f->keel_listing.gp_registers);
    t.compiler_gp_registers.push_back(f->compiler_listing.gp_registers);
    t.functions_keel_spills +=
        f->keel_listing.spill_stores + f->keel_listing.spill_loads > 0 ? 1 : 0;
    t.functions_compiler_spills +=
        f->compiler_listing.spill_stores + f->compiler_listing.spill_loads > 0 ? 1 : 0;
  }
  t.median_time_ratio = median(ratios);
  return t;
}

void print_totals(const char* title, const Totals& t) {
  auto mbps = [&](double s) { return s > 0 ? t.wasm_bytes / s / 1e6 : 0.0; };
  std::printf("\n%s: %u functions, %llu bytes of wasm bodies\n", title, t.functions,
              static_cast<unsigned long long>(t.wasm_bytes));
  std::printf("| | keel (linear scan, Assembler) | asmjit x86::Compiler | Compiler / keel |\n");
  std::printf("|---|---:|---:|---:|\n");
  std::printf("| code bytes | %llu | %llu | %.3f |\n", static_cast<unsigned long long>(t.keel_code),
              static_cast<unsigned long long>(t.compiler_code),
              t.keel_code ? double(t.compiler_code) / t.keel_code : 0.0);
  std::printf("| instructions | %llu | %llu | %.3f |\n",
              static_cast<unsigned long long>(t.keel_insts),
              static_cast<unsigned long long>(t.compiler_insts),
              t.keel_insts ? double(t.compiler_insts) / t.keel_insts : 0.0);
  std::printf("| compile ms (sum of per-function medians) | %.2f | %.2f | %.2f |\n",
              t.keel_seconds * 1e3, t.compiler_seconds * 1e3,
              t.keel_seconds > 0 ? t.compiler_seconds / t.keel_seconds : 0.0);
  std::printf("| of which x86::Compiler::finalize (asmjit's allocator) | | %.2f | |\n",
              t.finalize_seconds * 1e3);
  std::printf("| compile time, median over functions of the ratio | | | %.2f |\n",
              t.median_time_ratio);
  std::printf("| MB/s of wasm | %.1f | %.1f | |\n", mbps(t.keel_seconds), mbps(t.compiler_seconds));
  std::printf("| spill stores (frame-slot writes) | %llu | %llu | |\n",
              static_cast<unsigned long long>(t.keel_stores),
              static_cast<unsigned long long>(t.compiler_stores));
  std::printf("| reloads (frame-slot reads) | %llu | %llu | |\n",
              static_cast<unsigned long long>(t.keel_loads),
              static_cast<unsigned long long>(t.compiler_loads));
  std::printf("| functions with any spill code | %u | %u | |\n", t.functions_keel_spills,
              t.functions_compiler_spills);
  std::printf("| gp-to-gp movs | %llu | %llu | |\n", static_cast<unsigned long long>(t.keel_moves),
              static_cast<unsigned long long>(t.compiler_moves));
  auto registers = [](std::vector<uint32_t> v) {
    std::sort(v.begin(), v.end());
    auto over9 = static_cast<uint32_t>(v.end() - std::upper_bound(v.begin(), v.end(), 9u));
    return std::to_string(v.empty() ? 0 : v[v.size() / 2]) + " / " +
           std::to_string(v.empty() ? 0 : v.back()) + " / " + std::to_string(over9);
  };
  std::printf("| gp registers named, median / max / functions over 9 | %s | %s | |\n",
              registers(t.keel_gp_registers).c_str(), registers(t.compiler_gp_registers).c_str());
  std::printf(
      "(keel's allocator put %llu values in frame slots; building the graphs and the passes "
      "took %.2f ms, once)\n",
      static_cast<unsigned long long>(t.keel_spilled_values), t.graph_seconds * 1e3);
}

Result<Options> parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "--every" || arg == "--repeat") && i + 1 < argc) {
      int n = std::atoi(argv[++i]);
      if (n < 1) return make_error(ErrorKind::kUsage, std::string(arg) + " needs a count >= 1");
      if (arg == "--every")
        o.every = static_cast<uint32_t>(n);
      else
        o.repeat = n;
    } else if (arg == "--only" && i + 1 < argc) {
      o.only_function = std::atoll(argv[++i]);
    } else if (arg == "--trace") {
      o.trace = true;
    } else if (arg == "--print" && i + 1 < argc) {
      o.print_function = std::atoll(argv[++i]);
    } else if (arg.starts_with("--")) {
      return make_error(ErrorKind::kUsage, "unknown option " + std::string(arg));
    } else {
      o.modules.emplace_back(arg);
    }
  }
  if (o.modules.empty())
    return make_error(ErrorKind::kUsage,
                      "usage: keel-regalloc-compare [--every N] [--only F] [--repeat R] [--print "
                      "F] [--trace] MODULE.wasm...");
  return o;
}

// Measures every selected function of one module; appends to `results`, counts skips by reason.
Status measure_module(const std::string& path, const Options& options,
                      std::vector<FunctionResult>& results,
                      std::map<std::string, uint32_t>& skipped) {
  auto bytes = ByteBuffer::from_file(path);
  if (!bytes.ok()) return std::move(bytes).error();
  auto loaded = load_module(std::move(bytes).value());
  if (!loaded.ok()) return std::move(loaded).error();
  const Module& module = *loaded;
  ValidationContext ctx(module);
  // load_module validated the module, C.refs included; this context only needs to list them.
  std::fill(ctx.declared_functions.begin(), ctx.declared_functions.end(), 1);
  runtime::CompileOptions compile;
  compile.tier = runtime::Tier::kOptimizing;
  compile.cpu = platform::host_cpu_features();
  compile.validated = true;
  // The Compiler back end has no interrupt checks; leaving them out of keel's code too keeps the
  // comparison to the same instructions.
  compile.interrupt_checks = false;
  uint32_t first = module.num_imported_functions;
  for (uint32_t f = first; f < module.functions.size(); f += options.every) {
    if (options.only_function >= 0 && f != options.only_function) continue;
    auto graph_start = Clock::now();
    auto graph = jit::opt::build_graph(ctx, f, {.validated = true});
    if (!graph.ok()) {
      ++skipped["graph: " + graph.error().message];
      continue;
    }
    if (Status s = jit::opt::run_passes(*graph); !s.ok()) {
      ++skipped["passes: " + s.error().message];
      continue;
    }
    jit::opt::sink_compares_into_branches(*graph);
    double graph_seconds = std::chrono::duration<double>(Clock::now() - graph_start).count();
    std::string reason = unsupported_reason(*graph, module);
    if (!reason.empty()) {
      ++skipped[reason];
      continue;
    }
    if (options.trace) std::fprintf(stderr, "function %u\n", f);
    if (options.print_function == f)
      std::printf(";; IR of function %u\n%s\n", f, jit::opt::print_graph(*graph).c_str());
    FunctionResult r;
    r.index = f;
    r.wasm_bytes = module.functions[f].body.size;
    r.graph_seconds = graph_seconds;
    bool failed = false;
    for (int rep = 0; rep < options.repeat && !failed; ++rep) {
      // Alternating the two back ends per function spreads the machine's noise over both.
      auto t0 = Clock::now();
      auto keel = jit::opt::compile_graph(*graph, module, f, compile);
      auto t1 = Clock::now();
      auto other = compile_with_asmjit_compiler(*graph, module, compile.cpu, false);
      auto t2 = Clock::now();
      if (!keel.ok()) {
        ++skipped["keel: " + keel.error().message];
        failed = true;
      } else if (!other.ok) {
        ++skipped["x86::Compiler: " + other.error];
        failed = true;
      } else {
        r.keel_code = keel->code.size();
        r.compiler_code = other.code.size();
        r.keel_seconds.push_back(std::chrono::duration<double>(t1 - t0).count());
        r.compiler_seconds.push_back(std::chrono::duration<double>(t2 - t1).count());
        r.finalize_seconds.push_back(other.finalize_seconds);
      }
    }
    if (failed) continue;
    // The listings come from one more compile each, untimed: formatting every instruction
    // costs more than compiling it.
    jit::opt::CodegenStats stats;
    stats.want_assembly = true;
    auto keel = jit::opt::compile_graph(*graph, module, f, compile, &stats);
    auto other = compile_with_asmjit_compiler(*graph, module, compile.cpu, true);
    r.keel_listing = count_listing(stats.assembly, "[rbp-");
    r.compiler_listing = count_listing(other.assembly, "[rsp", other.call_area_bytes);
    r.keel_spilled_values = stats.spilled_values;
    if (options.print_function == f)
      std::printf(";; keel, function %u\n%s\n;; x86::Compiler, function %u\n%s\n", f,
                  stats.assembly.c_str(), f, other.assembly.c_str());
    results.push_back(std::move(r));
  }
  return {};
}

int run(int argc, char** argv) {
  auto options = parse(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "%s\n", options.error().message.c_str());
    return 2;
  }
  std::vector<FunctionResult> results;
  std::map<std::string, uint32_t> skipped;
  for (const std::string& path : options->modules) {
    size_t before = results.size();
    if (Status s = measure_module(path, *options, results, skipped); !s.ok()) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), s.error().to_string().c_str());
      return 1;
    }
    std::printf("%s: %zu functions measured\n", path.c_str(), results.size() - before);
  }
  uint32_t skipped_total = 0;
  for (const auto& [reason, count] : skipped) skipped_total += count;
  std::printf("\nskipped %u functions (outside the Compiler back end's subset, or not built):\n",
              skipped_total);
  std::vector<std::pair<uint32_t, std::string>> reasons;
  for (const auto& [reason, count] : skipped) reasons.emplace_back(count, reason);
  std::sort(reasons.rbegin(), reasons.rend());
  for (const auto& [count, reason] : reasons) std::printf("  %6u  %s\n", count, reason.c_str());

  std::vector<const FunctionResult*> all;
  for (const FunctionResult& r : results) all.push_back(&r);
  print_totals("all measured functions", total(all));
  // Where neither back end spilled, the code differs by instruction selection and moves alone.
  std::vector<const FunctionResult*> spill_free;
  for (const FunctionResult* r : all) {
    const ListingCounts& k = r->keel_listing;
    const ListingCounts& c = r->compiler_listing;
    if (k.spill_stores + k.spill_loads + c.spill_stores + c.spill_loads == 0)
      spill_free.push_back(r);
  }
  print_totals("functions neither back end spilled in", total(spill_free));
  // The largest tenth by wasm body size: where register pressure, and so the allocators differ.
  std::sort(all.begin(), all.end(), [](const FunctionResult* a, const FunctionResult* b) {
    return a->wasm_bytes > b->wasm_bytes;
  });
  all.resize((all.size() + 9) / 10);
  print_totals("largest 10% by wasm body size", total(all));
  return 0;
}

}  // namespace
}  // namespace keel::bench

int main(int argc, char** argv) {
  return keel::bench::run(argc, argv);
}
