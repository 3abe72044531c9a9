#pragma once

#include <string>

#include "gtest/gtest.h"

namespace sip::testing {

// A database of its own for one test, created on the PostgreSQL cluster the test run
// started (tests/pg/pg.sh, found through SIP_TEST_PG_DIR) and dropped afterwards.
class TestDatabase final {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // libpq connection string of the fresh database.
  const std::string& conninfo() const { return conninfo_; }
  // Connection string of the cluster's maintenance database.
  const std::string& admin_conninfo() const { return admin_conninfo_; }

 private:
  std::string name_;
  std::string conninfo_;
  std::string admin_conninfo_;
};

}  // namespace sip::testing
