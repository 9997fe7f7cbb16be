// The lexer: token kinds, strings and their escapes, ids, comments, annotations, and errors at
// line:column.
#include "text/lexer.h"

#include <gtest/gtest.h>

namespace keel::text {
namespace {

std::vector<TokenKind> kinds(std::string_view source) {
  auto lexed = lex("t.wat", source);
  EXPECT_TRUE(lexed.ok()) << (lexed.ok() ? "" : lexed.error().message);
  std::vector<TokenKind> out;
  if (lexed)
    for (const Token& t : lexed->tokens) out.push_back(t.kind);
  return out;
}

std::string lex_error(std::string_view source) {
  auto lexed = lex("t.wat", source);
  return lexed ? "" : lexed.error().message;
}

std::string only_string(std::string_view source) {
  auto lexed = lex("t.wat", source);
  if (!lexed) return "error: " + lexed.error().message;
  EXPECT_EQ(lexed->tokens.size(), 2u);
  return lexed->strings[lexed->tokens[0].string];
}

using K = TokenKind;

TEST(LexerTest, TokenKinds) {
  EXPECT_EQ(kinds("(module $m)"),
            (std::vector{K::kLParen, K::kKeyword, K::kId, K::kRParen, K::kEof}));
  EXPECT_EQ(kinds("1 0x1F 1_000 +1 -0x1 1.5 1e3 0x1p3 inf -nan nan:0x4"),
            (std::vector{K::kNat, K::kNat, K::kNat, K::kInt, K::kInt, K::kFloat, K::kFloat,
                         K::kFloat, K::kFloat, K::kFloat, K::kFloat, K::kEof}));
  EXPECT_EQ(kinds("offset=8 i32.add nan:canonical"),
            (std::vector{K::kKeyword, K::kKeyword, K::kKeyword, K::kEof}));
  // Not numbers: misplaced underscores, a bare sign, letters after digits.
  EXPECT_EQ(kinds("1__0 _1 + 1x 0x 1.e 1a"),
            (std::vector{K::kReserved, K::kReserved, K::kReserved, K::kReserved, K::kReserved,
                         K::kReserved, K::kReserved, K::kEof}));
  // A string run into an id character is one reserved token, not two.
  EXPECT_EQ(kinds("\"a\"b $x\"y\""), (std::vector{K::kReserved, K::kReserved, K::kEof}));
}

TEST(LexerTest, StringEscapes) {
  EXPECT_EQ(only_string(R"("\t\n\r\"\'\\")"), "\t\n\r\"'\\");
  EXPECT_EQ(only_string(R"("\00\ff\7F")"), std::string("\x00\xff\x7f", 3));
  EXPECT_EQ(only_string(R"("\u{41}\u{e9}\u{1F600}\u{1_0000}")"),
            "A\xc3\xa9\xf0\x9f\x98\x80\xf0\x90\x80\x80");
  EXPECT_EQ(only_string("\"h\xc3\xa9llo\""), "h\xc3\xa9llo");
  EXPECT_NE(lex_error(R"("\u{d800}")"), "");  // a surrogate
  EXPECT_NE(lex_error(R"("\u{110000}")"), "");
  EXPECT_NE(lex_error(R"("\q")"), "");
  EXPECT_NE(lex_error(R"("\f")"), "");           // one hex digit only
  EXPECT_NE(lex_error("\"a\x01\""), "");         // a control character
  EXPECT_NE(lex_error("\"\xc0\x80\""), "");      // overlong UTF-8
  EXPECT_NE(lex_error("\"\xed\xa0\x80\""), "");  // an encoded surrogate
  EXPECT_NE(lex_error("\"abc"), "");
}

TEST(LexerTest, Ids) {
  auto lexed = lex("t.wat", R"($abc $"a b" $"abc")");
  ASSERT_TRUE(lexed.ok());
  EXPECT_EQ(lexed->strings[lexed->tokens[0].string], "abc");
  EXPECT_EQ(lexed->strings[lexed->tokens[1].string], "a b");
  // A quoted id names the same as the plain one.
  EXPECT_EQ(lexed->strings[lexed->tokens[2].string], "abc");
  EXPECT_NE(lex_error(R"($"")"), "");
  EXPECT_NE(lex_error(R"($"\ff")"), "");  // not UTF-8
  EXPECT_EQ(kinds("$"), (std::vector{K::kReserved, K::kEof}));
}

TEST(LexerTest, CommentsAndAnnotations) {
  EXPECT_EQ(kinds("(;a (; nested ;) b;) x ;; line\n y"),
            (std::vector{K::kKeyword, K::kKeyword, K::kEof}));
  EXPECT_EQ(kinds("(@name x (y \")\") z) a"), (std::vector{K::kKeyword, K::kEof}));
  EXPECT_EQ(kinds("(@custom \"n\" \"d\")"),
            (std::vector{K::kCustomAnnotation, K::kString, K::kString, K::kRParen, K::kEof}));
  EXPECT_NE(lex_error("(; never closed"), "");
  EXPECT_NE(lex_error("(; ;) ;)"), "");
  EXPECT_NE(lex_error("(@x (y)"), "");
  EXPECT_NE(lex_error(";; \xff\n"), "");  // comments are UTF-8 too
  EXPECT_EQ(kinds("(@\"a b\" ; , [ ] { }) x"), (std::vector{K::kKeyword, K::kEof}));
  EXPECT_EQ(lex_error("(@\"\")"), "t.wat:1:1: empty annotation id");
  EXPECT_EQ(lex_error("(@ x)"), "t.wat:1:1: empty annotation id");
  EXPECT_NE(lex_error("(@a \x01)"), "");
}

TEST(LexerTest, ErrorsCarryLineAndColumn) {
  EXPECT_EQ(lex_error("(module\n  (func \"\\q\"))"), "t.wat:2:10: illegal escape");
  EXPECT_EQ(lex_error("x\n\n   \x01"), "t.wat:3:4: unexpected character");
  EXPECT_EQ(position_of("ab\ncd", 4).line, 2u);
  EXPECT_EQ(position_of("ab\ncd", 4).column, 2u);
}

}  // namespace
}  // namespace keel::text
