// A throw-away MariaDB for the task center's integration tests: started once per test binary
// with scripts/start-backend.sh on a free loopback port, stopped (and its datadir removed) at
// the end. root@127.0.0.1 has an empty password.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/config.h"

namespace shadowproxy::tasks::testing {

class MariaDbEnv : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
  static uint16_t port();
  static ClusterConfig Cluster(const std::string& name = "local");
};

}  // namespace shadowproxy::tasks::testing
