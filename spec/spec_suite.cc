#include "spec_suite.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <functional>
#include <string_view>
#include <thread>
#include <utility>

#include <pthread.h>

#include "wast_script.h"

namespace keel::spec {
namespace {

namespace fs = std::filesystem;

// Native stack per worker: wasm frames may use EngineConfig::max_wasm_stack (1 MiB by default)
// on top of the runner's own frames.
constexpr size_t kWorkerStackBytes = size_t{8} << 20;

struct ProposalFeatures {
  std::string_view proposal;  // folder name under proposals/
  void (*enable)(Features&);
};

constexpr ProposalFeatures kProposals[] = {
    {"tail-call", [](Features& f) { f.tail_call = true; }},
    {"extended-const", [](Features& f) { f.extended_const = true; }},
    {"multi-memory", [](Features& f) { f.multi_memory = true; }},
    {"memory64", [](Features& f) { f.memory64 = true; }},
    {"threads", [](Features& f) { f.threads = true; }},
    {"exception-handling", [](Features& f) { f.exceptions = true; }},
    {"relaxed-simd", [](Features& f) { f.simd = f.relaxed_simd = true; }},
};

bool is_script_file(const fs::path& p) {
  return p.extension() == ".wast" || p.extension() == ".json" ||
         p.extension() == kNotConvertedSuffix;
}

bool is_converted(const fs::path& p) {
  return p.extension() != kNotConvertedSuffix;
}

// The proposal folder of proposals/<proposal>/<file>.wast, or empty.
std::string proposal_of(const fs::path& wast) {
  fs::path p = wast.lexically_normal();
  if (p.parent_path().parent_path().filename() != "proposals") return {};
  return p.parent_path().filename().string();
}

ScriptOutcome failed_outcome(std::string name, std::string why) {
  ScriptResult r;
  r.failed = 1;
  r.failures.push_back({0, std::move(why)});
  return {std::move(name), std::move(r), {}};
}

ScriptOutcome not_converted_outcome(const fs::path& marker) {
  std::ifstream in(marker);
  std::string source, reason;
  std::getline(in, source);
  if (!source.starts_with("source: ")) {
    return failed_outcome(marker.stem().string(), "unreadable marker " + marker.string());
  }
  source.erase(0, 8);
  while (reason.empty() && std::getline(in, reason)) {
  }
  return {script_name(source), std::nullopt, reason.empty() ? "wast2json failed" : reason};
}

// Scripts whose execution waits for an engine feature (their modules are still validated):
// none at present.
std::string deferred_execution(const std::string&) {
  return {};
}

// A .wast read by keel's parser. memory64's text has 64-bit limits and offsets, as Wasm 3.0's.
ScriptOutcome run_wast(const fs::path& wast, const EngineFactory& make_engine, FeatureMode mode,
                       const RunOptions& options) {
  std::string name = script_name(wast);
  auto features = script_features(wast, mode);
  if (!features) return failed_outcome(std::move(name), features.error().message);
  auto script = read_wast_script(wast, {.u64_limits_and_offsets = features->memory64});
  if (!script) return failed_outcome(std::move(name), script.error().message);
  auto engine = make_engine(*features);
  return {std::move(name), run_script(*script, *engine, options, deferred_execution(name)), {}};
}

ScriptOutcome run_entry(const SuiteEntry& entry, const EngineFactory& make_engine, FeatureMode mode,
                        const RunOptions& options, JsonScriptReader read_json) {
  if (!entry.converted) return not_converted_outcome(entry.path);
  if (entry.path.extension() == ".wast") return run_wast(entry.path, make_engine, mode, options);
  if (!read_json) {
    return failed_outcome(entry.path.stem().string(),
                          entry.path.string() + ": wast2json output is not read here; give .wast");
  }
  auto script = read_json(entry.path);
  if (!script) return failed_outcome(entry.path.stem().string(), script.error().message);
  std::string name = script_name(script->source);
  auto features = script_features(script->source, mode);
  if (!features) return failed_outcome(std::move(name), features.error().message);
  auto engine = make_engine(*features);
  std::string defer = deferred_execution(name);
  return {std::move(name), run_script(*script, *engine, options, defer), {}};
}

// Runs `work` on `count` threads with `stack_bytes` of stack each and waits for them. The default
// pthread stack size is whatever the environment says; wasm frames need a known amount.
Status run_on_threads(unsigned count, size_t stack_bytes, const std::function<void()>& work) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return make_error(ErrorKind::kIo, "pthread_attr_init failed");
  int rc = pthread_attr_setstacksize(&attr, stack_bytes);
  std::vector<pthread_t> threads;
  auto entry = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  for (unsigned t = 0; rc == 0 && t < count; ++t) {
    pthread_t thread;
    rc = pthread_create(&thread, &attr, entry, const_cast<std::function<void()>*>(&work));
    if (rc == 0) threads.push_back(thread);
  }
  pthread_attr_destroy(&attr);
  for (pthread_t thread : threads) pthread_join(thread, nullptr);
  if (rc != 0) {
    return make_error(ErrorKind::kIo,
                      std::string("cannot start a spec worker thread: ") + std::strerror(rc));
  }
  return {};
}

}  // namespace

Result<std::vector<SuiteEntry>> find_scripts(const std::vector<fs::path>& paths) {
  std::vector<SuiteEntry> entries;
  for (const fs::path& path : paths) {
    std::error_code ec;
    size_t before = entries.size();
    if (fs::is_directory(path, ec)) {
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && is_script_file(it->path())) {
          entries.push_back({it->path(), is_converted(it->path())});
        }
      }
      if (ec) return make_error(ErrorKind::kIo, path.string() + ": " + ec.message());
    } else if (fs::is_regular_file(path, ec) && is_script_file(path)) {
      entries.push_back({path, is_converted(path)});
    } else if (fs::exists(path, ec)) {
      return make_error(ErrorKind::kUsage,
                        path.string() + ": not a .wast script or a wast2json .json file");
    }
    if (entries.size() == before) {
      return make_error(ErrorKind::kIo, path.string() +
                                            ": no .wast scripts or wast2json output found (is "
                                            "wast2json installed, and has the spec-json target "
                                            "been built?)");
    }
  }
  return entries;
}

std::string script_name(const fs::path& wast) {
  std::string proposal = proposal_of(wast);
  std::string stem = wast.stem().string();
  return proposal.empty() ? stem : proposal + "/" + stem;
}

Result<Features> script_features(const fs::path& wast, FeatureMode mode) {
  switch (mode) {
    case FeatureMode::kDefault:
      return Features{};
    case FeatureMode::kAll:
      return Features::all();
    case FeatureMode::kAuto:
      break;
  }
  std::string proposal = proposal_of(wast);
  Features features;
  if (proposal.empty()) return features;
  for (const auto& p : kProposals) {
    if (p.proposal == proposal) {
      p.enable(features);
      return features;
    }
  }
  return make_error(ErrorKind::kUsage, "no feature mapping for proposal \"" + proposal +
                                           "\" (add it to kProposals in spec/spec_suite.cc, or "
                                           "pass --features all)");
}

std::vector<ScriptOutcome> run_suite(const std::vector<SuiteEntry>& entries,
                                     const EngineFactory& make_engine, FeatureMode mode,
                                     const RunOptions& options, JsonScriptReader read_json,
                                     unsigned jobs) {
  std::vector<ScriptOutcome> outcomes(entries.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < entries.size();) {
      outcomes[i] = run_entry(entries[i], make_engine, mode, options, read_json);
    }
  };
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, entries.size()));
  // Every script runs on a worker, main thread included, so each gets the stack wasm needs. If a
  // worker cannot start, those that did finish the list (or the main thread does).
  std::function<void()> work_fn = work;
  if (jobs > 0 && !run_on_threads(jobs, kWorkerStackBytes, work_fn)) work();
  std::sort(outcomes.begin(), outcomes.end(),
            [](const ScriptOutcome& a, const ScriptOutcome& b) { return a.name < b.name; });
  return outcomes;
}

}  // namespace keel::spec
