// `keel settings`, wasmtime's name for it: the CPU extensions detected and the ones code generation
// uses (KEEL_CPU_FEATURES may reduce them), the tiers, and the proposals on by default.
#include <CLI/CLI.hpp>

#include "cli/commands/command.h"
#include "ir/features.h"
#include "platform/cpu_features.h"

namespace keel::cli {

Subcommand add_settings_command(CLI::App& parent) {
  CLI::App* command = parent.add_subcommand(
      "settings", "Print the CPU extensions, tiers and proposals keel's code generation uses");
  return {command, [](Io io) {
            using platform::CpuFeatures;
            std::string detected = CpuFeatures::detect().to_string();
            std::string used = platform::host_cpu_features().to_string();
            io.out << "CPU extensions detected: " << (detected.empty() ? "none" : detected)
                   << "\nCPU extensions used:     " << (used.empty() ? "none" : used);
            if (detected != used) io.out << " (KEEL_CPU_FEATURES)";
            io.out << "\n\nTiers:\n"
                      "  baseline    tier 1: one-pass compiler (-C tier=baseline, "
                      "-C compiler=winch, -O opt-level=0)\n"
                      "  optimizing  tier 2: SSA optimizer (-C tier=optimizing, "
                      "-C compiler=cranelift)\n"
                      "  tiered      tier 1, hot functions moved to tier 2 (the default)\n"
                      "\nProposals (--enable NAME, -W NAME=y):\n";
            Features defaults;
#define KEEL_SETTINGS_FEATURE(id, name, on)                                      \
  io.out << "  " << name << std::string(26 - std::string_view(name).size(), ' ') \
         << (defaults.id ? "on by default" : "off by default") << '\n';
            KEEL_FEATURES(KEEL_SETTINGS_FEATURE)
#undef KEEL_SETTINGS_FEATURE
            io.out << "\n`keel run -W help` says which proposals keel executes.\n";
            return kExitOk;
          }};
}

}  // namespace keel::cli
