// The encoding cross-check: every module of the spec suite, encoded by keel's text parser, must
// equal the binary wabt's wast2json wrote for it byte for byte, and every text-format
// assert_malformed module must be rejected. Usage:
//   keel-wat-vs-wabt [--verbose] JSON_DIR WAST...
// where JSON_DIR/NAME/NAME.json is wast2json's output for WAST (the build's spec-json/ layout).
//   keel-wat-vs-wabt --parse-only [--verbose] WAST...
// counts instead the modules that parse (those of assert_malformed must not), for suites
// wast2json cannot read (Wasm 3.0). --wasm3 parses with Wasm 3.0's u64 limits and offsets
// (WatOptions), which the memory64 proposal's and the 3.0 suite's expectations need.
// A .wast file is split into its top-level forms with keel's own lexer; the script layer proper
// is not needed for that.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/lexer.h"
#include "text/wat.h"

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr size_t kWholeFile = SIZE_MAX;

struct Counts {
  int compared = 0, identical = 0, different = 0, keel_rejected = 0;
  int malformed = 0, malformed_rejected = 0;
  int wabt_text = 0;  // modules wast2json did not encode (not compared)
  int malformed_custom = 0, malformed_custom_rejected = 0;
  int malformed_message_matched = 0;  // rejected in the spec's words
};

// The token index of the `(module` each top-level form holds (the form itself or its first
// child), by the line of its `module` keyword (wast2json's "line"); forms without one are left out.
std::map<uint32_t, std::vector<size_t>> modules_by_line(std::string_view source,
                                                        const keel::text::Lexed& lexed) {
  std::map<uint32_t, std::vector<size_t>> out;
  const auto& tokens = lexed.tokens;
  auto is_module = [&](size_t i) {
    return tokens[i].kind == keel::text::TokenKind::kLParen &&
           tokens[i + 1].kind == keel::text::TokenKind::kKeyword &&
           source.substr(tokens[i + 1].offset, tokens[i + 1].length) == "module";
  };
  uint32_t line = 1;
  size_t line_counted_to = 0;
  auto line_of = [&](size_t offset) {
    for (; line_counted_to < offset; ++line_counted_to)
      if (source[line_counted_to] == '\n') ++line;
    return line;
  };
  size_t i = 0;
  while (tokens[i].kind != keel::text::TokenKind::kEof) {
    size_t start = i;
    if (is_module(i)) {
      out[line_of(tokens[i + 1].offset)].push_back(i);
    } else if (tokens[i].kind == keel::text::TokenKind::kLParen && is_module(i + 2)) {
      out[line_of(tokens[i + 3].offset)].push_back(i + 2);
    }
    int depth = 0;
    do {
      if (tokens[i].kind == keel::text::TokenKind::kLParen) ++depth;
      if (tokens[i].kind == keel::text::TokenKind::kRParen) --depth;
      ++i;
    } while (depth > 0 && tokens[i].kind != keel::text::TokenKind::kEof);
    if (i == start) ++i;
  }
  return out;
}

bool check_file(const std::filesystem::path& wast, const std::filesystem::path& json_dir,
                const keel::text::WatOptions& options, bool verbose, Counts& counts) {
  std::string stem = wast.stem().string();
  std::filesystem::path json_path = json_dir / stem / (stem + ".json");
  std::string source = read_file(wast);
  std::string json_text = read_file(json_path);
  if (json_text.empty()) {
    std::fprintf(stderr, "%s: no wast2json output at %s\n", wast.c_str(), json_path.c_str());
    return false;
  }
  auto lexed = keel::text::lex(wast.string(), source);
  if (!lexed) {
    std::fprintf(stderr, "%s\n", lexed.error().message.c_str());
    return false;
  }
  auto modules = modules_by_line(source, *lexed);
  // A file of bare module fields is one module (inline-module.wast).
  if (modules.empty()) modules[1].push_back(kWholeFile);
  std::map<uint32_t, size_t> used;  // per line, how many forms were taken
  nlohmann::json script = nlohmann::json::parse(json_text);
  for (const auto& command : script["commands"]) {
    std::string filename;
    if (command.contains("filename")) filename = command["filename"];
    if (filename.empty()) continue;
    uint32_t line = command["line"];
    auto it = modules.find(line);
    if (it == modules.end() || used[line] >= it->second.size()) {
      std::fprintf(stderr, "%s:%u: no module found at this line\n", wast.c_str(), line);
      ++counts.different;
      continue;
    }
    size_t pos = it->second[used[line]++];
    auto encoded = pos == kWholeFile
                       ? keel::text::wat_to_wasm(wast.string(), source, options)
                       : keel::text::encode_module(wast.string(), source, *lexed, pos, options);
    bool text_malformed = command["type"] == "assert_malformed" && filename.ends_with(".wat");
    if (text_malformed) {
      ++counts.malformed;
      if (!encoded) {
        ++counts.malformed_rejected;
        // The spec's expected words, as the spec runner matches a binary's errors.
        std::string expected = command.value("text", "");
        if (encoded.error().message.find(expected) != std::string::npos) {
          ++counts.malformed_message_matched;
        } else if (verbose) {
          std::fprintf(stderr, "%s:%u: expected \"%s\", got: %s\n", wast.c_str(), line,
                       expected.c_str(), encoded.error().message.c_str());
        }
      } else {
        std::fprintf(stderr, "%s:%u: malformed module accepted\n", wast.c_str(), line);
      }
      continue;
    }
    // wast2json keeps as text the quoted modules it cannot encode itself.
    if (filename.ends_with(".wat")) {
      ++counts.wabt_text;
      continue;
    }
    ++counts.compared;
    std::string expected = read_file(json_dir / stem / filename);
    if (!encoded) {
      ++counts.keel_rejected;
      ++counts.different;
      std::fprintf(stderr, "%s:%u: rejected: %s\n", wast.c_str(), line,
                   encoded.error().message.c_str());
      continue;
    }
    std::string actual(encoded->begin(), encoded->end());
    if (actual == expected) {
      ++counts.identical;
      continue;
    }
    ++counts.different;
    size_t at = 0;
    while (at < actual.size() && at < expected.size() && actual[at] == expected[at]) ++at;
    std::fprintf(stderr, "%s:%u: differs from %s at byte %zu (%zu vs %zu bytes)\n", wast.c_str(),
                 line, filename.c_str(), at, actual.size(), expected.size());
    if (verbose) {
      std::fprintf(stderr, "  keel:");
      for (size_t k = at; k < actual.size() && k < at + 16; ++k)
        std::fprintf(stderr, " %02x", static_cast<uint8_t>(actual[k]));
      std::fprintf(stderr, "\n  wabt:");
      for (size_t k = at; k < expected.size() && k < at + 16; ++k)
        std::fprintf(stderr, " %02x", static_cast<uint8_t>(expected[k]));
      std::fprintf(stderr, "\n");
    }
  }
  return true;
}

}  // namespace

// --parse-only: every module form parses, but those of assert_malformed, which must not.
bool parse_file(const std::filesystem::path& wast, const keel::text::WatOptions& options,
                bool verbose, Counts& counts) {
  std::string source = read_file(wast);
  auto lexed = keel::text::lex(wast.string(), source);
  if (!lexed) {
    std::fprintf(stderr, "%s\n", lexed.error().message.c_str());
    ++counts.different;
    return true;
  }
  const auto& tokens = lexed->tokens;
  for (const auto& [line, starts] : modules_by_line(source, *lexed)) {
    for (size_t pos : starts) {
      bool malformed = false;
      bool custom = false;  // about the custom sections annotations make (not checked here)
      if (pos >= 2 && tokens[pos - 2].kind == keel::text::TokenKind::kLParen) {
        std::string_view command =
            std::string_view(source).substr(tokens[pos - 1].offset, tokens[pos - 1].length);
        malformed = command.starts_with("assert_malformed");
        custom = command == "assert_malformed_custom";
      }
      // A malformed binary is the decoder's to reject, not the text parser's.
      auto keyword_at = [&](size_t i) {
        return std::string_view(source).substr(tokens[i].offset, tokens[i].length);
      };
      bool binary =
          keyword_at(pos + 2) == "binary" ||
          (tokens[pos + 2].kind == keel::text::TokenKind::kId && keyword_at(pos + 3) == "binary");
      if (malformed && binary) continue;
      if (keyword_at(pos + 2) == "instance") continue;  // a script command, not a module
      size_t at = pos;
      auto encoded = keel::text::encode_module(wast.string(), source, *lexed, at, options);
      if (custom) {
        ++counts.malformed_custom;
        counts.malformed_custom_rejected += !encoded;
        continue;
      }
      if (malformed) {
        ++counts.malformed;
        if (!encoded) {
          ++counts.malformed_rejected;
        } else if (verbose) {
          std::fprintf(stderr, "%s:%u: malformed module accepted\n", wast.c_str(), line);
        }
        continue;
      }
      ++counts.compared;
      if (encoded) {
        ++counts.identical;
      } else {
        ++counts.different;
        if (verbose) std::fprintf(stderr, "%s\n", encoded.error().message.c_str());
      }
    }
  }
  return true;
}

int main(int argc, char** argv) {
  bool verbose = false;
  bool parse_only = false;
  keel::text::WatOptions options;
  int arg = 1;
  for (; arg < argc && std::string(argv[arg]).starts_with("--"); ++arg) {
    std::string flag = argv[arg];
    if (flag == "--verbose") verbose = true;
    if (flag == "--parse-only") parse_only = true;
    if (flag == "--wasm3") options.u64_limits_and_offsets = true;
  }
  if (parse_only) {
    Counts counts;
    for (; arg < argc; ++arg) parse_file(argv[arg], options, verbose, counts);
    std::printf(
        "modules: %d, parsed: %d, failed: %d; assert_malformed: %d, rejected: %d; "
        "assert_malformed_custom (not required): %d, rejected: %d\n",
        counts.compared, counts.identical, counts.different, counts.malformed,
        counts.malformed_rejected, counts.malformed_custom, counts.malformed_custom_rejected);
    return counts.different == 0 && counts.malformed == counts.malformed_rejected ? 0 : 1;
  }
  if (argc - arg < 2) {
    std::fprintf(stderr, "usage: keel-wat-vs-wabt [--verbose] JSON_DIR WAST...\n");
    return 2;
  }
  std::filesystem::path json_dir = argv[arg++];
  Counts counts;
  bool ok = true;
  for (; arg < argc; ++arg) ok &= check_file(argv[arg], json_dir, options, verbose, counts);
  std::printf(
      "modules compared: %d, identical: %d, different: %d (keel rejected %d); text "
      "assert_malformed: %d, rejected: %d (in the spec's words: %d); left as text by wast2json: "
      "%d\n",
      counts.compared, counts.identical, counts.different, counts.keel_rejected, counts.malformed,
      counts.malformed_rejected, counts.malformed_message_matched, counts.wabt_text);
  return ok && counts.different == 0 && counts.malformed == counts.malformed_rejected ? 0 : 1;
}
