// A spec script as the runner runs it: its commands, each with its module, action and the values
// it expects. Read from a .wast by keel's own parser (wast_script.h) or from the JSON wabt's
// wast2json writes (wast_json.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_buffer.h"
#include "base/result.h"
#include "ir/types.h"

namespace keel::spec {

enum class CommandType : uint8_t {
  kModule,
  kAssertMalformed,
  kAssertInvalid,
  kAssertUnlinkable,
  kAssertUninstantiable,
  kAssertReturn,  // also the older assert_return_canonical_nan / assert_return_arithmetic_nan
  kAssertTrap,
  kAssertExhaustion,
  kAssertException,  // exception-handling proposal
  // The text of a custom annotation (@custom, @name, @metadata.code.*) is malformed, or the
  // custom section it makes invalid: the module itself is fine.
  kAssertMalformedCustom,
  kAssertInvalidCustom,
  kAction,
  kRegister,
  kUnknown,  // a command this runner does not know: reported as a failure, never skipped
};

// What an expected float (or float lane) must look like.
enum class NanPattern : uint8_t {
  kNone,        // exactly `bits`
  kCanonical,   // nan:canonical: quiet NaN, payload zero apart from the quiet bit, either sign
  kArithmetic,  // nan:arithmetic: quiet bit set, any payload, either sign
};

struct SpecLane {
  uint64_t bits = 0;
  NanPattern nan = NanPattern::kNone;
};

enum class RefPattern : uint8_t {
  kNull,
  kHost,        // externref N: the host reference the runner maps N to
  kAnyNonNull,  // a funcref or externref without a value: any non-null reference matches
};

// An argument or an expected result: numbers and lanes as their bits.
struct SpecValue {
  ValType type = ValType::kI32;
  // Numbers have one lane. v128 has 128 / lane_bits lanes of `lane_type` (i8..i64, f32, f64;
  // i8 and i16 lanes are kept as kI32 with lane_bits 8 or 16).
  ValType lane_type = ValType::kI32;
  uint32_t lane_bits = 32;
  std::vector<SpecLane> lanes;
  RefPattern ref = RefPattern::kNull;  // funcref / externref
  uint64_t host = 0;                   // kHost
  bool any_value = false;              // no value given (assert_exception results): matches all
  bool any_ref_type = false;           // `(ref.null)` with no heap type: a null of any type
  // A value keel cannot represent yet (Wasm 3.0's `(ref.i31)`, `(ref.null any)`, ...): the name
  // of the feature it needs ("gc"), under which the command is counted as skipped.
  std::string needs;

  std::string to_string() const;  // "i32:42", "f32:nan:canonical", "externref:3"
};

struct SpecAction {
  enum class Type : uint8_t { kInvoke, kGet };
  Type type = Type::kInvoke;
  std::string module;  // "$name" of a named module, empty for the most recent one
  std::string field;
  std::vector<SpecValue> args;
};

struct SpecCommand {
  CommandType type = CommandType::kUnknown;
  std::string type_name;  // as the script spells it, for messages
  uint32_t line = 0;
  std::filesystem::path module_path;  // empty if the command has no module
  bool text_module = false;           // module_type "text": only a text parser can read it
  // A .wast script's module, encoded while the script was read (module_path is then empty); or,
  // if its text did not parse, why (an assert_malformed passes on that error).
  std::shared_ptr<const ByteBuffer> module_bytes;
  std::optional<Error> module_error;
  // A feature beyond Wasm 2.0 that the module's text uses and keel does not decode yet ("gc";
  // empty if none, text::Wasm3Use::first_undecoded): if the command cannot pass, it is skipped
  // under that name. `module_needs_to_run` is the same of what keel does not execute at every
  // tier either (Wasm3Use::first), for an engine that executes.
  std::string module_needs;
  std::string module_needs_to_run;
  // `(module definition ...)`: validated, not instantiated; `(module instance $i $m)` then comes
  // as a module command with the definition's bytes.
  bool definition_only = false;
  std::string text;  // the error message the spec expects
  std::string name;  // module: its "$name"; register: the module to register
  std::string as;    // register: the import module name it is offered under
  std::optional<SpecAction> action;
  // One entry per result; each lists the values that match it (more than one for `either`).
  std::vector<std::vector<SpecValue>> expected;
};

struct SpecScript {
  std::filesystem::path source;  // the .wast file
  std::vector<SpecCommand> commands;
};

}  // namespace keel::spec
