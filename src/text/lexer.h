// The tokens of the WebAssembly text format, lexed once up front into a flat array: the parser
// looks ahead by index, and a token is 12 bytes pointing into the source (strings are decoded
// into a side table, since escapes change their bytes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace keel::text {

enum class TokenKind : uint8_t {
  kLParen,
  kRParen,
  kKeyword,           // starts with a lowercase letter: `module`, `i32.add`, `offset=8`
  kId,                // `$x` or `$"x"`; the name is in Lexed::strings
  kNat,               // unsigned integer: `12`, `0xff`, `1_000`
  kInt,               // signed integer: `+1`, `-0x10`
  kFloat,             // any other number: `1.5`, `-0x1p-3`, `inf`, `nan:0x4`
  kString,            // the decoded bytes are in Lexed::strings
  kReserved,          // any other run of identifier characters; an error wherever it is used
  kCustomAnnotation,  // `(@custom`; other annotations are skipped whole
  kEof,
};

struct Token {
  TokenKind kind;
  uint32_t offset;      // in the source
  uint32_t length;      // of the source text
  uint32_t string = 0;  // index into Lexed::strings, for kString and kId
};

struct Lexed {
  std::vector<Token> tokens;  // ends with kEof
  std::vector<std::string> strings;
};

// The position just past the list that opens at `pos` (a `(`; `(@custom` opens one too), or that
// of the final kEof when the list is not closed.
size_t end_of_list(const Lexed& lexed, size_t pos);

// Where an offset is in the source, for "file:line:column: message" errors.
struct SourcePosition {
  uint32_t line;
  uint32_t column;
};
SourcePosition position_of(std::string_view source, size_t offset);

// "m.wat:12:7: message": the one shape of every text-format error.
Error text_error(std::string_view file, std::string_view source, size_t offset,
                 std::string_view message);

// Lexes the whole source. Strings and quoted ids are checked (escapes, UTF-8) here, so a token
// stream that lexed is well-formed token by token.
Result<Lexed> lex(std::string_view file, std::string_view source);

// Whether `bytes` are valid UTF-8 (names in the binary format must be).
bool is_valid_utf8(std::string_view bytes);

// True for the characters an unquoted id, keyword or number consists of.
bool is_id_char(char c);

}  // namespace keel::text
