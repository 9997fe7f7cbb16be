#include "spec_runner.h"

#include <optional>
#include <string_view>

namespace keel::spec {
namespace {

// The capability a command needs beyond decode and validate, if any.
std::optional<Capability> needed_capability(CommandType type) {
  switch (type) {
    case CommandType::kAssertUnlinkable:
    case CommandType::kAssertUninstantiable:
    case CommandType::kRegister:
      return Capability::kInstantiate;
    case CommandType::kAssertReturn:
    case CommandType::kAssertTrap:
    case CommandType::kAssertExhaustion:
    case CommandType::kAssertException:
    case CommandType::kAction:
      return Capability::kInvoke;
    case CommandType::kModule:
    case CommandType::kAssertMalformed:
    case CommandType::kAssertInvalid:
    case CommandType::kUnknown:
      return std::nullopt;
  }
  return std::nullopt;
}

class ScriptRun {
 public:
  ScriptRun(SpecEngine& engine, const RunOptions& options) : engine_(engine), options_(options) {}

  void run(const SpecCommand& c) {
    if (auto needed = needed_capability(c.type); needed && !engine_.supports(*needed)) {
      ++result_.skipped_execution;
      return;
    }
    if (c.text_module) {
      ++result_.skipped_text;
      return;
    }
    switch (c.type) {
      case CommandType::kModule:
        return run_module(c);
      case CommandType::kAssertMalformed:
        return run_assert_rejected(c, ErrorKind::kMalformed);
      case CommandType::kAssertInvalid:
        return run_assert_rejected(c, ErrorKind::kInvalid);
      default:
        return fail(c, "unknown command type");
    }
  }

  ScriptResult take() { return std::move(result_); }

 private:
  void run_module(const SpecCommand& c) {
    Status status = engine_.load(c.module_path);
    if (status) {
      ++result_.passed;
    } else {
      fail(c, "expected a valid module, got: " + status.error().to_string());
    }
  }

  void run_assert_rejected(const SpecCommand& c, ErrorKind expected) {
    Status status = engine_.load(c.module_path);
    std::string expectation =
        std::string("expected ") + error_kind_name(expected) + " \"" + c.text + "\"";
    if (status) return fail(c, expectation + ", but the module was accepted");
    const Error& error = status.error();
    if (error.kind != expected) return fail(c, expectation + ", got: " + error.to_string());
    if (!std::string_view(error.message).starts_with(c.text)) {
      std::string detail = expectation + ", got message: " + error.to_string();
      result_.mismatches.push_back({c.line, c.type_name + ": " + detail});
      if (options_.strict_messages) return fail(c, detail);
    }
    ++result_.passed;
  }

  void fail(const SpecCommand& c, const std::string& detail) {
    ++result_.failed;
    result_.failures.push_back({c.line, c.type_name + ": " + detail});
  }

  SpecEngine& engine_;
  const RunOptions& options_;
  ScriptResult result_;
};

}  // namespace

ScriptResult run_script(const SpecScript& script, SpecEngine& engine, const RunOptions& options) {
  ScriptRun run(engine, options);
  for (const SpecCommand& c : script.commands) run.run(c);
  return run.take();
}

}  // namespace keel::spec
