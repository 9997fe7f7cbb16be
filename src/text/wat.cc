#include "text/wat.h"

#include "text/module_parser.h"

namespace keel::text {

namespace {

std::vector<uint8_t> to_vector(const Bytes& bytes) {
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

Error at(std::string_view file, std::string_view source, const Token& t, std::string_view what) {
  return text_error(file, source, t.offset, what);
}

}  // namespace

Result<std::vector<uint8_t>> encode_module(std::string_view file, std::string_view source,
                                           const Lexed& lexed, size_t& pos,
                                           const WatOptions& options, Wasm3Use* used) {
  const std::vector<Token>& tokens = lexed.tokens;
  auto text_of = [&](const Token& t) { return source.substr(t.offset, t.length); };
  auto keyword = [&](size_t i, std::string_view kw) {
    return tokens[i].kind == TokenKind::kKeyword && text_of(tokens[i]) == kw;
  };
  if (tokens[pos].kind != TokenKind::kLParen || !keyword(pos + 1, "module"))
    return at(file, source, tokens[pos], "expected (module ...)");
  size_t start = pos;
  size_t i = pos + 2;
  if (keyword(i, "definition")) ++i;
  if (tokens[i].kind == TokenKind::kId) ++i;
  if (keyword(i, "binary") || keyword(i, "quote")) {
    bool quoted = keyword(i, "quote");
    ++i;
    std::string contents;
    while (tokens[i].kind == TokenKind::kString) contents += lexed.strings[tokens[i++].string];
    if (tokens[i].kind != TokenKind::kRParen)
      return at(file, source, tokens[i], "unexpected token, expected a string");
    pos = i + 1;
    if (!quoted) return std::vector<uint8_t>(contents.begin(), contents.end());
    // Positions in the quoted text are its own: say where the quote is, too.
    SourcePosition at_quote = position_of(source, tokens[start].offset);
    std::string quote_name = std::string(file) + ":" + std::to_string(at_quote.line) + ":" +
                             std::to_string(at_quote.column) + ": module quote";
    return wat_to_wasm(quote_name, contents, options, used);
  }
  ModuleParser parser(file, source, lexed, options);
  if (tokens[i - 1].kind == TokenKind::kId)
    parser.set_module_name(lexed.strings[tokens[i - 1].string]);
  auto module = parser.parse_fields(i);
  if (used) *used = parser.uses();
  if (!module) return std::move(module).error();
  size_t end = parser.position();
  if (tokens[end].kind != TokenKind::kRParen)
    return at(file, source, tokens[end], "unexpected end of input, expected )");
  pos = end + 1;
  return to_vector(*module);
}

Result<std::vector<uint8_t>> wat_to_wasm(std::string_view file, std::string_view source,
                                         const WatOptions& options, Wasm3Use* used) {
  auto lexed = lex(file, source);
  if (!lexed) return std::move(lexed).error();
  const std::vector<Token>& tokens = lexed->tokens;
  size_t pos = 0;
  if (tokens.size() > 2 && tokens[0].kind == TokenKind::kLParen &&
      tokens[1].kind == TokenKind::kKeyword &&
      source.substr(tokens[1].offset, tokens[1].length) == "module") {
    auto module = encode_module(file, source, *lexed, pos, options, used);
    if (!module) return module;
    if (tokens[pos].kind != TokenKind::kEof)
      return at(file, source, tokens[pos], "unexpected token after the module");
    return module;
  }
  ModuleParser parser(file, source, *lexed, options);
  auto module = parser.parse_fields(0);
  if (used) *used = parser.uses();
  if (!module) return std::move(module).error();
  const Token& end = tokens[parser.position()];
  if (end.kind != TokenKind::kEof) return at(file, source, end, "unexpected token \")\"");
  return to_vector(*module);
}

std::string_view Wasm3Use::first_undecoded() const {
  if (gc) return "gc";
  if (function_references) return "function-references";
  if (exnref) return "exnref";
  if (table64) return "table64";
  return {};
}

std::string_view Wasm3Use::first() const {
  if (std::string_view undecoded = first_undecoded(); !undecoded.empty()) return undecoded;
  if (memory64) return "memory64";
  if (exceptions) return "exceptions";
  if (multi_memory) return "multi-memory";
  if (tail_call) return "tail-call";
  // Relaxed SIMD runs at every tier: a command of it that fails is a failure, not a skip.
  return {};
}

bool looks_like_text(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) {
    if (b == ' ' || b == '\t' || b == '\n' || b == '\r') continue;
    return b == '(' || b == ';';
  }
  return false;
}

}  // namespace keel::text
