#include "common/testing/test_database.h"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "pqxx/pqxx"

namespace sip::testing {
namespace {

std::string ClusterConninfo() {
  const char* dir = std::getenv("SIP_TEST_PG_DIR");
  if (dir == nullptr) {
    ADD_FAILURE() << "SIP_TEST_PG_DIR is not set; run the tests through ctest, which "
                     "starts PostgreSQL (tests/pg/pg.sh)";
    return "";
  }
  std::ifstream in(absl::StrCat(dir, "/conninfo"));
  std::string line;
  std::getline(in, line);
  if (line.empty()) ADD_FAILURE() << "no " << dir << "/conninfo; did the postgres fixture run?";
  return line;
}

}  // namespace

TestDatabase::TestDatabase() {
  admin_conninfo_ = ClusterConninfo() + " dbname=postgres";
  std::random_device rd;
  name_ = absl::StrCat("t_", ::getpid(), "_", rd() % 1000000000);
  pqxx::connection admin(admin_conninfo_);
  pqxx::nontransaction tx(admin);
  tx.exec(absl::StrCat("CREATE DATABASE ", name_, " TEMPLATE template0"));
  conninfo_ = absl::StrCat(ClusterConninfo(), " dbname=", name_);
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(admin_conninfo_);
    pqxx::nontransaction tx(admin);
    tx.exec(absl::StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "dropping test database " << name_ << ": " << e.what();
  }
}

}  // namespace sip::testing
