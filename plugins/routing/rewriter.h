// Shadow routing's statement rewriter (SPEC.md §9, docs/shadow_routing.md): in a shadow session
// every table a SELECT / INSERT / REPLACE / UPDATE / DELETE / WITH statement names becomes its
// shadow, or the statement is refused with the reason. Pure: text in, text or a refusal out;
// what tables exist comes from a Catalog the caller fills (the session reads it from the
// backend's information_schema off the event loop). Tokens come from the one SQL lexer
// (base/sql_lexer.h), so comments, quoting and version comments are read as the server reads
// them; the output is the input with only the table names replaced, comments kept.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/naming.h"
#include "base/sql_lexer.h"

namespace shadowproxy::routing {

// One shadow_routing rule as it applies to one database.
struct Rule {
  Naming naming;                           // exactly one of prefix / suffix
  std::vector<std::string> shared_tables;  // read and written as they are, not shadowed
};

// What the catalog knows of one table.
enum class TableKind : uint8_t {
  kMissing,    // no such table (or view) in that database
  kBaseTable,  // information_schema.TABLES.TABLE_TYPE 'BASE TABLE' (or SYSTEM VERSIONED)
  kView,       // 'VIEW' (and anything else that is not a plain table)
  kNotLoaded,  // the catalog of that database has not been read yet: ask again once it is
};

class Catalog {
 public:
  virtual ~Catalog() = default;
  // The rule of `database` (null: no rule matches it; its tables are refused).
  virtual const Rule* RuleFor(std::string_view database) const = 0;
  virtual TableKind Kind(std::string_view database, std::string_view table) const = 0;
};

struct Input {
  std::string_view text;      // a COM_QUERY or COM_STMT_PREPARE text (may hold several statements)
  std::string_view database;  // the session's current database ("" = none)
  sql::Dialect dialect;
  // Changes whenever the catalog's answers may have: cached plans of an older catalog are not
  // used.
  uint64_t catalog_version = 0;
};

enum class Outcome : uint8_t {
  kRewritten,     // at least one table became its shadow (or was named as a shadow already)
  kPassedShared,  // tables were named, all of them shared: the text is unchanged
  kNoTables,      // a statement that names no table (SELECT 1, SET, BEGIN, ...): unchanged
  kRefused,       // never send it: ERR 7040 with `reason`
  kNeedCatalog,   // `databases` are not loaded in the catalog yet: load them and call again
};
std::string_view OutcomeName(Outcome outcome);

struct Output {
  Outcome outcome = Outcome::kNoTables;
  std::string text;    // what to send (kRewritten, kPassedShared, kNoTables)
  std::string reason;  // kRefused: "table `db`.`orders` has no shadow `orders_shadow`"
  // A short label of the reason for metrics and the corpus report ("no shadow", "view", ...).
  std::string reason_kind;
  std::vector<std::string> databases;  // kNeedCatalog
};

// A rewrite as edits of token positions, so that one plan serves every statement of the same
// shape (the same tokens but for string and number values).
struct Edit {
  size_t first = 0;  // tokens [first, last] are replaced by `text` ...
  size_t last = 0;
  bool after = false;  // ... or `text` goes right after token `last`
  std::string text;
};
struct Plan {
  Outcome outcome = Outcome::kNoTables;
  std::string reason;
  std::string reason_kind;
  std::vector<std::string> databases;
  std::vector<Edit> edits;  // sorted by position
};

// Plans by statement shape, the least recently used dropped beyond `capacity`. Shared by every
// session of a process (a mutex: a lookup is a hash and a splice).
class RewriteCache {
 public:
  explicit RewriteCache(size_t capacity);
  std::shared_ptr<const Plan> Find(const std::string& key);
  void Insert(std::string key, std::shared_ptr<const Plan> plan);
  size_t size() const;
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const Plan>>;
  size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

// Rewrites `input` (through `cache` when given; refusals are cached too, kNeedCatalog never).
Output Rewrite(const Input& input, const Catalog& catalog, RewriteCache* cache = nullptr);

// The ERR 7040 message of a refusal.
std::string RefusalMessage(std::string_view reason);

}  // namespace shadowproxy::routing
