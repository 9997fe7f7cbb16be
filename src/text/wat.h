// The WebAssembly text format to the binary format: the entry points of src/text/.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "text/lexer.h"

namespace keel::text {

struct WatOptions {
  // Wasm 3.0's grammar, into which memory64 merged: limits and memarg offsets are u64 for every
  // memory and table, and the validator rejects what a 32-bit one cannot hold. Wasm 2.0's (the
  // default, and wabt's) rejects them while parsing, as its suite's assert_malformed expect.
  bool u64_limits_and_offsets = false;
  // A `name` custom section from the identifiers, last, as wabt's `wat2wasm --debug-names`
  // writes it: the module's, functions', locals', types', tables', memories', globals', element
  // and data segments' and tags' names.
  bool debug_names = false;
};

// Features beyond Wasm 2.0 a module's text used that keel does not decode yet (gc, typed
// references, exnref, 64-bit tables) or does not execute yet at every tier (64-bit and multiple
// memories, tags, tail calls): the script layer counts what such a module's commands then cannot
// do as skipped under the feature's name. Relaxed SIMD is recorded but executes at every tier.
struct Wasm3Use {
  bool gc = false;                   // struct, array, sub and rec types, any/eq/i31/..., casts
  bool function_references = false;  // (ref $t), non-null references, call_ref, br_on_null
  bool exnref = false;               // exnref, try_table, throw_ref
  bool table64 = false;              // (table i64 ...)
  bool memory64 = false;             // (memory i64 ...)
  bool exceptions = false;           // tags, throw, the legacy try
  bool multi_memory = false;         // more than one memory
  bool tail_call = false;            // return_call*
  bool relaxed_simd = false;         // the relaxed SIMD instructions
  // The first one keel cannot run, in this order, by its name ("gc", "function-references",
  // "exnref", "table64", "memory64", "exceptions", "multi-memory", "tail-call"), or empty.
  std::string_view first() const;
  // The same of the first four alone: what keel's decoder does not take.
  std::string_view first_undecoded() const;
};

// Encodes a `.wat` source: one `(module ...)` (`binary` and `quote` forms included) or a bare
// sequence of module fields. `file` names the source in errors ("m.wat:3:5: ...").
// `used`, when given, is set to what the module used of Wasm3Use.
Result<std::vector<uint8_t>> wat_to_wasm(std::string_view file, std::string_view source,
                                         const WatOptions& options = {}, Wasm3Use* used = nullptr);

// Encodes the module whose `(` is token `pos` of `lexed` and moves `pos` past its `)`: the entry
// the `.wast` script layer shares.
Result<std::vector<uint8_t>> encode_module(std::string_view file, std::string_view source,
                                           const Lexed& lexed, size_t& pos,
                                           const WatOptions& options = {},
                                           Wasm3Use* used = nullptr);

// Whether `bytes` look like a text module: after white space, a `(` or a `;` (a comment). The
// commands take either form by content, whatever the file is called; anything else goes to the
// binary decoder, whose errors then explain it.
bool looks_like_text(std::span<const uint8_t> bytes);

}  // namespace keel::text
