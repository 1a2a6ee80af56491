#include "plugins/shadow_sync/lexer.h"

namespace shadowproxy::shadow_sync {
namespace {

constexpr size_t kMaxTokenInMessage = 64;

// != <> <= >=: two one-byte symbols of the shared lexer that touch.
bool JoinsOperator(const Token& prev, std::string_view query, const sql::Token& t) {
  if (prev.kind != TokenKind::kSymbol || prev.value.size() != 1 || prev.pos + 1 != t.begin) {
    return false;
  }
  const char a = prev.value[0];
  const char b = query[t.begin];
  return (b == '=' && (a == '!' || a == '<' || a == '>')) || (a == '<' && b == '>');
}

}  // namespace

std::vector<Token> Tokenize(std::string_view query, const sql::Dialect& dialect) {
  std::vector<Token> out;
  sql::Lexer lexer(query, dialect);
  for (sql::Token t = lexer.Next(); t.kind != sql::TokenKind::kEnd; t = lexer.Next()) {
    Token tok;
    tok.pos = t.begin;
    tok.raw = lexer.Text(t);
    switch (t.kind) {
      case sql::TokenKind::kWord:
        tok.kind = TokenKind::kWord;
        tok.value = std::string(tok.raw);
        break;
      case sql::TokenKind::kNumber:
        tok.kind = TokenKind::kNumber;
        tok.value = std::string(tok.raw);
        break;
      case sql::TokenKind::kQuotedIdent:
        tok.value = sql::UnquoteIdentifier(tok.raw);
        tok.kind = tok.value.empty() ? TokenKind::kError : TokenKind::kQuotedIdent;  // ``
        break;
      case sql::TokenKind::kString:
        tok.kind = TokenKind::kString;
        tok.value = sql::UnquoteString(tok.raw, dialect.backslash_escapes);
        break;
      case sql::TokenKind::kSymbol:
        if (!out.empty() && JoinsOperator(out.back(), query, t)) {
          out.back().value += query[t.begin];
          out.back().raw = query.substr(out.back().pos, 2);
          continue;
        }
        tok.kind = TokenKind::kSymbol;
        tok.value = std::string(tok.raw);
        break;
      default:  // kError: an unterminated string, identifier or comment
        tok.kind = TokenKind::kError;
        // An unterminated version comment is found at the end, after its content: the
        // error is where it starts, and nothing after that is a token.
        while (!out.empty() && out.back().pos >= t.begin) out.pop_back();
        break;
    }
    out.push_back(std::move(tok));
    if (out.back().kind == TokenKind::kError) break;
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.pos = query.size();
  out.push_back(std::move(end));
  return out;
}

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
