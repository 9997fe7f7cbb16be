#include "text/lexer.h"

#include <algorithm>
#include <array>
#include <string>

namespace keel::text {

namespace {

constexpr std::array<bool, 256> make_id_chars() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-./:<=>?@\\^_`|~"))
    table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kIdChars = make_id_chars();

bool is_digit(char c, bool hex) {
  if (c >= '0' && c <= '9') return true;
  return hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
}

// digit ('_'? digit)*, from `i`; returns the end, or npos when there is none or a `_` is misplaced.
size_t scan_digits(std::string_view s, size_t i, bool hex) {
  if (i >= s.size() || !is_digit(s[i], hex)) return std::string_view::npos;
  ++i;
  while (i < s.size()) {
    if (s[i] == '_') {
      if (i + 1 >= s.size() || !is_digit(s[i + 1], hex)) return std::string_view::npos;
      i += 2;
    } else if (is_digit(s[i], hex)) {
      ++i;
    } else {
      break;
    }
  }
  return i;
}

TokenKind classify_number(std::string_view s) {
  size_t i = 0;
  bool sign = !s.empty() && (s[0] == '+' || s[0] == '-');
  if (sign) ++i;
  std::string_view body = s.substr(i);
  if (body == "inf" || body == "nan") return TokenKind::kFloat;
  if (body.starts_with("nan:0x")) {
    return scan_digits(s, i + 6, true) == s.size() ? TokenKind::kFloat : TokenKind::kReserved;
  }
  bool hex = body.starts_with("0x");
  if (hex) i += 2;
  size_t end = scan_digits(s, i, hex);
  if (end == std::string_view::npos) return TokenKind::kReserved;
  if (end == s.size()) return sign ? TokenKind::kInt : TokenKind::kNat;
  i = end;
  if (s[i] == '.') {
    ++i;
    if (i < s.size() && is_digit(s[i], hex)) {
      i = scan_digits(s, i, hex);
      if (i == std::string_view::npos) return TokenKind::kReserved;
    }
  }
  if (i < s.size() && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    i = scan_digits(s, i, false);
    if (i == std::string_view::npos) return TokenKind::kReserved;
  }
  return i == s.size() ? TokenKind::kFloat : TokenKind::kReserved;
}

// Length of the UTF-8 sequence at s[i], or 0 if it is not a valid one (overlong forms,
// surrogates and code points beyond U+10FFFF are invalid).
size_t utf8_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  if (b < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if ((b & 0xe0) == 0xc0) {
    n = 2, cp = b & 0x1f;
  } else if ((b & 0xf0) == 0xe0) {
    n = 3, cp = b & 0x0f;
  } else if ((b & 0xf8) == 0xf0) {
    n = 4, cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return 0;
  return n;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  Lexer(std::string_view file, std::string_view source) : file_(file), src_(source) {}

  Result<Lexed> run() {
    if (src_.size() >= UINT32_MAX) return error(0, "source too large");
    out_.tokens.reserve(src_.size() / 4 + 1);
    while (true) {
      KEEL_TRY(skip_space());
      if (pos_ >= src_.size()) break;
      char c = src_[pos_];
      if (c == '(') {
        if (pos_ + 1 < src_.size() && src_[pos_ + 1] == '@') {
          KEEL_TRY(annotation());
          continue;
        }
        push(TokenKind::kLParen, pos_, 1);
        ++pos_;
      } else if (c == ')') {
        push(TokenKind::kRParen, pos_, 1);
        ++pos_;
      } else {
        KEEL_TRY(word());
      }
    }
    push(TokenKind::kEof, static_cast<uint32_t>(src_.size()), 0);
    return std::move(out_);
  }

 private:
  Error error(size_t offset, std::string_view message) {
    return text_error(file_, src_, offset, message);
  }

  void push(TokenKind kind, size_t offset, size_t length, uint32_t string = 0) {
    out_.tokens.push_back(
        {kind, static_cast<uint32_t>(offset), static_cast<uint32_t>(length), string});
  }

  // White space and comments. Inside an annotation a lone `;` is one of its reserved tokens.
  Status skip_space(bool in_annotation = false) {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (c == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        size_t end = src_.find('\n', pos_);
        if (end == std::string_view::npos) end = src_.size();
        KEEL_TRY(check_utf8(pos_, end));
        pos_ = end;
      } else if (c == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        KEEL_TRY(block_comment());
      } else if (c == ';' && !in_annotation) {
        return error(pos_, "unexpected character ';'");
      } else {
        break;
      }
    }
    return {};
  }

  Status check_utf8(size_t from, size_t to) {
    for (size_t i = from; i < to;) {
      if (static_cast<unsigned char>(src_[i]) < 0x80) {
        ++i;
        continue;
      }
      size_t n = utf8_length(src_.substr(0, to), i);
      if (n == 0) return error(i, "malformed UTF-8 encoding");
      i += n;
    }
    return {};
  }

  Status block_comment() {
    size_t start = pos_;
    int depth = 0;
    while (pos_ < src_.size()) {
      if (src_.compare(pos_, 2, "(;") == 0) {
        ++depth, pos_ += 2;
      } else if (src_.compare(pos_, 2, ";)") == 0) {
        pos_ += 2;
        if (--depth == 0) return check_utf8(start, pos_);
      } else {
        ++pos_;
      }
    }
    return error(start, "unclosed block comment");
  }

  // `(@name ...)`: skipped with its balanced contents, strings included; `(@custom` is a token
  // for the module parser.
  Status annotation() {
    size_t start = pos_;
    size_t i = pos_ + 2;
    size_t end = i;
    while (end < src_.size() && kIdChars[static_cast<unsigned char>(src_[end])]) ++end;
    if (end == i && end < src_.size() && src_[end] == '"') {  // `(@"name"`
      pos_ = end;
      std::string name;
      KEEL_TRY(string(name));
      if (name.empty()) return error(start, "empty annotation id");
      if (!is_valid_utf8(name)) return error(start, "malformed UTF-8 encoding");
      end = pos_;
    } else if (end == i) {
      return error(start, "empty annotation id");
    }
    if (src_.substr(i, end - i) == "custom" &&
        (end >= src_.size() || !kIdChars[static_cast<unsigned char>(src_[end])])) {
      push(TokenKind::kCustomAnnotation, start, end - start);
      pos_ = end;
      return {};
    }
    pos_ = end;
    int depth = 1;
    while (depth > 0) {
      KEEL_TRY(skip_space(/*in_annotation=*/true));
      if (pos_ >= src_.size()) return error(start, "unclosed annotation");
      char c = src_[pos_];
      if (c == '(') {
        ++depth, ++pos_;
      } else if (c == ')') {
        --depth, ++pos_;
      } else if (c == '"') {
        std::string ignored;
        KEEL_TRY(string(ignored));
      } else if (kIdChars[static_cast<unsigned char>(c)] || c == ',' || c == ';' || c == '[' ||
                 c == ']' || c == '{' || c == '}') {
        ++pos_;
      } else {
        return error(pos_, "illegal character in annotation");
      }
    }
    return {};
  }

  // A string from pos_ (at its opening quote) into `out`, escapes decoded.
  Status string(std::string& out) {
    size_t start = pos_++;
    while (true) {
      if (pos_ >= src_.size()) return error(start, "unclosed string");
      unsigned char c = static_cast<unsigned char>(src_[pos_]);
      if (c == '"') {
        ++pos_;
        return {};
      }
      if (c == '\\') {
        KEEL_TRY(escape(out));
        continue;
      }
      if (c < 0x20 || c == 0x7f) {
        if (c == '\n') return error(start, "unclosed string");
        return error(pos_, "illegal character in string");
      }
      if (c < 0x80) {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      size_t n = utf8_length(src_, pos_);
      if (n == 0) return error(pos_, "malformed UTF-8 encoding");
      out.append(src_.substr(pos_, n));
      pos_ += n;
    }
  }

  Status escape(std::string& out) {
    size_t at = pos_++;
    if (pos_ >= src_.size()) return error(at, "unclosed string");
    char c = src_[pos_++];
    switch (c) {
      case 't':
        out += '\t';
        return {};
      case 'n':
        out += '\n';
        return {};
      case 'r':
        out += '\r';
        return {};
      case '"':
        out += '"';
        return {};
      case '\'':
        out += '\'';
        return {};
      case '\\':
        out += '\\';
        return {};
      case 'u': {
        if (pos_ >= src_.size() || src_[pos_] != '{') return error(at, "illegal escape");
        ++pos_;
        uint32_t cp = 0;
        size_t digits_start = pos_;
        size_t end = scan_digits(src_, pos_, true);
        if (end == std::string_view::npos || end >= src_.size() || src_[end] != '}')
          return error(at, "illegal escape");
        for (size_t i = digits_start; i < end; ++i) {
          if (src_[i] == '_') continue;
          cp = cp * 16 + hex_value(src_[i]);
          if (cp > 0x10ffff) return error(at, "illegal escape");
        }
        if (cp >= 0xd800 && cp < 0xe000) return error(at, "illegal escape");
        pos_ = end + 1;
        append_utf8(out, cp);
        return {};
      }
      default: {
        int hi = hex_value(c);
        int lo = pos_ < src_.size() ? hex_value(src_[pos_]) : -1;
        if (hi < 0 || lo < 0) return error(at, "illegal escape");
        ++pos_;
        out += static_cast<char>(hi * 16 + lo);
        return {};
      }
    }
  }

  // A run of identifier characters and strings, classified as one token.
  Status word() {
    size_t start = pos_;
    size_t strings = 0;
    bool plain = true;  // identifier characters only
    std::string decoded;
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (kIdChars[static_cast<unsigned char>(c)]) {
        ++pos_;
      } else if (c == '"') {
        ++strings;
        plain = false;
        decoded.clear();
        KEEL_TRY(string(decoded));
      } else if (c == ',' || c == '[' || c == ']' || c == '{' || c == '}') {
        ++pos_;
        plain = false;
      } else {
        break;
      }
    }
    size_t length = pos_ - start;
    if (length == 0) {
      unsigned char c = static_cast<unsigned char>(src_[start]);
      if (c >= 0x80 && utf8_length(src_, start) == 0)
        return error(start, "malformed UTF-8 encoding");
      return error(start, "unexpected character");
    }
    std::string_view text = src_.substr(start, length);
    if (text[0] == '"' && strings == 1 && src_[pos_ - 1] == '"' && is_single_string(text)) {
      push(TokenKind::kString, start, length, add_string(std::move(decoded)));
      return {};
    }
    if (text[0] == '$') {
      if (plain && length > 1) {
        push(TokenKind::kId, start, length, add_string(std::string(text.substr(1))));
        return {};
      }
      if (strings == 1 && text[1] == '"' && is_single_string(text.substr(1))) {
        if (decoded.empty()) return error(start, "empty identifier");
        for (size_t i = 0; i < decoded.size();) {
          size_t n = utf8_length(decoded, i);
          if (n == 0) return error(start, "malformed UTF-8 encoding");
          i += n;
        }
        push(TokenKind::kId, start, length, add_string(std::move(decoded)));
        return {};
      }
      push(TokenKind::kReserved, start, length);
      return {};
    }
    if (!plain) {
      push(TokenKind::kReserved, start, length);
      return {};
    }
    if (text[0] >= 'a' && text[0] <= 'z' && text != "inf" && text != "nan" &&
        !text.starts_with("nan:")) {
      push(TokenKind::kKeyword, start, length);
      return {};
    }
    TokenKind kind = classify_number(text);
    // `nan:canonical` and the like: words the script layer gives meaning to.
    if (kind == TokenKind::kReserved && text[0] >= 'a' && text[0] <= 'z')
      kind = TokenKind::kKeyword;
    push(kind, start, length);
    return {};
  }

  // Whether `text` (which starts with a quote) is exactly one string: its closing quote is the
  // last character. Escaped quotes are skipped.
  static bool is_single_string(std::string_view text) {
    for (size_t i = 1; i < text.size(); ++i) {
      if (text[i] == '\\') {
        ++i;
      } else if (text[i] == '"') {
        return i + 1 == text.size();
      }
    }
    return false;
  }

  uint32_t add_string(std::string s) {
    out_.strings.push_back(std::move(s));
    return static_cast<uint32_t>(out_.strings.size() - 1);
  }

  std::string_view file_;
  std::string_view src_;
  size_t pos_ = 0;
  Lexed out_;
};

}  // namespace

bool is_valid_utf8(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size();) {
    size_t n = utf8_length(bytes, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool is_id_char(char c) {
  return kIdChars[static_cast<unsigned char>(c)];
}

size_t end_of_list(const Lexed& lexed, size_t pos) {
  int depth = 0;
  do {
    pos = std::min(pos, lexed.tokens.size() - 1);  // past the end is the final kEof
    TokenKind k = lexed.tokens[pos].kind;
    if (k == TokenKind::kEof) return pos;
    if (k == TokenKind::kLParen || k == TokenKind::kCustomAnnotation) ++depth;
    if (k == TokenKind::kRParen) --depth;
    ++pos;
  } while (depth > 0);
  return pos;
}

SourcePosition position_of(std::string_view source, size_t offset) {
  if (offset > source.size()) offset = source.size();
  uint32_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (source[i] == '\n') ++line, line_start = i + 1;
  }
  return {line, static_cast<uint32_t>(offset - line_start + 1)};
}

Error text_error(std::string_view file, std::string_view source, size_t offset,
                 std::string_view message) {
  SourcePosition p = position_of(source, offset);
  std::string text;
  text.reserve(file.size() + message.size() + 24);
  text.append(file);
  text += ':';
  text += std::to_string(p.line);
  text += ':';
  text += std::to_string(p.column);
  text += ": ";
  text.append(message);
  return make_error(ErrorKind::kMalformed, std::move(text));
}

Result<Lexed> lex(std::string_view file, std::string_view source) {
  return Lexer(file, source).run();
}

}  // namespace keel::text
