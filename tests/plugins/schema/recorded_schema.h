// A SchemaSource over recorded SHOW CREATE TABLE outputs: what a server of a given version would
// answer, for analysing without one (MySQL 8 and OceanBase do not run here).
#pragma once

#include <map>
#include <string>

#include "plugins/schema/reader.h"

namespace shadowproxy::schema::testing {

class RecordedSchema : public SchemaSource {
 public:
  // `version`: the server's version string; `tables`: name -> SHOW CREATE TABLE text.
  RecordedSchema(std::string version, std::map<std::string, std::string> tables)
      : version_(std::move(version)), tables_(std::move(tables)) {}

  Result<std::map<std::string, TableKind>> List(
      const std::optional<std::vector<std::string>>& names) override;
  // From the recorded definitions' foreign keys (parsed).
  Result<std::vector<std::pair<std::string, std::string>>> ReferencesTo(
      const std::vector<std::string>& tables) override;
  Status ReadCreateEach(const std::vector<std::string>& names, const OnDdl& on_ddl) override;
  Result<std::string> ServerVersion() override { return version_; }
  int round_trips() const override { return round_trips_; }

 private:
  std::string version_;
  std::map<std::string, std::string> tables_;
  int round_trips_ = 0;
};

}  // namespace shadowproxy::schema::testing
