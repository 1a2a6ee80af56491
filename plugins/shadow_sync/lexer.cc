#include "plugins/shadow_sync/lexer.h"

#include <optional>

namespace shadowproxy::shadow_sync {
namespace {

constexpr size_t kMaxTokenInMessage = 64;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsWordChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '$' || u >= 0x80;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view q) : q_(q) {}

  std::vector<Token> Run() {
    std::vector<Token> out;
    while (true) {
      if (!SkipSpaceAndComments()) {
        out.push_back(Error(q_.size()));
        break;
      }
      if (i_ >= q_.size()) break;
      out.push_back(Next());
      if (out.back().kind == TokenKind::kError) break;
    }
    Token end;
    end.kind = TokenKind::kEnd;
    end.pos = q_.size();
    out.push_back(std::move(end));
    return out;
  }

 private:
  // False on an unterminated comment (i_ is left at its start).
  bool SkipSpaceAndComments() {
    while (i_ < q_.size()) {
      const char c = q_[i_];
      if (IsSpace(c)) {
        ++i_;
      } else if (c == '#' ||
                 (c == '-' && At(i_ + 1) == '-' && (i_ + 2 >= q_.size() || IsSpace(q_[i_ + 2])))) {
        while (i_ < q_.size() && q_[i_] != '\n') ++i_;
      } else if (c == '/' && At(i_ + 1) == '*') {
        const size_t close = q_.find("*/", i_ + 2);
        if (close == std::string_view::npos) return false;
        i_ = close + 2;
      } else {
        break;
      }
    }
    return true;
  }

  char At(size_t k) const { return k < q_.size() ? q_[k] : '\0'; }

  // An error token spans [i_, end): the rest of the query for an unterminated token.
  Token Error(size_t end) {
    Token t;
    t.kind = TokenKind::kError;
    t.pos = i_;
    return Finish(std::move(t), end);
  }

  Token Next() {
    Token t;
    t.pos = i_;
    const char c = q_[i_];
    if (IsWordChar(c)) {
      size_t j = i_;
      bool digits = true;
      while (j < q_.size() && IsWordChar(q_[j])) {
        digits = digits && IsDigit(q_[j]);
        ++j;
      }
      t.kind = digits ? TokenKind::kNumber : TokenKind::kWord;
      t.value = std::string(q_.substr(i_, j - i_));
      return Finish(std::move(t), j);
    }
    if (c == '`') return QuotedIdent(std::move(t));
    if (c == '\'' || c == '"') return String(std::move(t), c);
    size_t len = 1;
    if ((c == '!' && At(i_ + 1) == '=') || (c == '<' && (At(i_ + 1) == '=' || At(i_ + 1) == '>')) ||
        (c == '>' && At(i_ + 1) == '=')) {
      len = 2;
    }
    t.kind = TokenKind::kSymbol;
    t.value = std::string(q_.substr(i_, len));
    return Finish(std::move(t), i_ + len);
  }

  Token Finish(Token t, size_t end) {
    t.raw = q_.substr(t.pos, end - t.pos);
    i_ = end;
    return t;
  }

  Token QuotedIdent(Token t) {
    size_t j = i_ + 1;
    while (true) {
      if (j >= q_.size()) return Error(q_.size());
      if (q_[j] == '`') {
        if (At(j + 1) == '`') {
          t.value.push_back('`');
          j += 2;
          continue;
        }
        ++j;
        break;
      }
      t.value.push_back(q_[j++]);
    }
    t.kind = TokenKind::kQuotedIdent;
    if (t.value.empty()) return Error(j);
    return Finish(std::move(t), j);
  }

  // MySQL's escapes: \0 \' \" \b \n \r \t \Z \\ map to their byte; \% and \_ keep the backslash
  // (so LIKE patterns can match a literal % or _); any other \x is x. A doubled quote is one quote.
  Token String(Token t, char quote) {
    size_t j = i_ + 1;
    while (true) {
      if (j >= q_.size()) return Error(q_.size());
      const char c = q_[j];
      if (c == quote) {
        if (At(j + 1) == quote) {
          t.value.push_back(quote);
          j += 2;
          continue;
        }
        ++j;
        break;
      }
      if (c == '\\') {
        if (j + 1 >= q_.size()) return Error(q_.size());
        const char e = q_[j + 1];
        switch (e) {
          case '0':
            t.value.push_back('\0');
            break;
          case 'b':
            t.value.push_back('\b');
            break;
          case 'n':
            t.value.push_back('\n');
            break;
          case 'r':
            t.value.push_back('\r');
            break;
          case 't':
            t.value.push_back('\t');
            break;
          case 'Z':
            t.value.push_back('\x1a');
            break;
          case '%':
          case '_':
            t.value.push_back('\\');
            t.value.push_back(e);
            break;
          default:
            t.value.push_back(e);
            break;
        }
        j += 2;
        continue;
      }
      t.value.push_back(c);
      ++j;
    }
    t.kind = TokenKind::kString;
    return Finish(std::move(t), j);
  }

  std::string_view q_;
  size_t i_ = 0;
};

}  // namespace

std::vector<Token> Tokenize(std::string_view query) { return Lexer(query).Run(); }

Status SyntaxErrorAt(std::string_view raw, size_t pos) {
  if (raw.size() > kMaxTokenInMessage) {
    size_t cut = kMaxTokenInMessage;
    // Do not split a UTF-8 sequence: back off over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(raw[cut]) & 0xC0) == 0x80) --cut;
    raw = raw.substr(0, cut);
  }
  return Status(
      1064,
      "SHADOW SYNC syntax error near '" + std::string(raw) + "' at position " + std::to_string(pos),
      "42000");
}

Status SyntaxError(const Token& token) {
  if (token.kind == TokenKind::kEnd) return SyntaxErrorAt("end of statement", token.pos);
  return SyntaxErrorAt(token.raw, token.pos);
}

}  // namespace shadowproxy::shadow_sync
