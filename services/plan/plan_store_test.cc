// The plan store on the real PostgreSQL, driven through the book with a fake consent
// service: immutability of history, etag races, list queries and their pages.
#include "services/plan/plan_store.h"

#include "common/caller.h"

#include <future>

#include "common/caller.h"
#include "common/errors.h"
#include "common/migrations.h"
#include "common/testing/fake_clock.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_database.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/field_mask_util.h"
#include "gtest/gtest.h"
#include "services/plan/plan_book.h"
#include "services/plan/plan_test_data.h"

namespace sip::plan {
namespace {

using ::sip::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::SizeIs;
namespace cpb = ::sip::common::v1;

// Every unit and party covered.
class AllCoveredConsent final : public ConsentChecker {
 public:
  absl::StatusOr<std::vector<ConsentAnswer>> Check(const std::string&,
                                                   const std::vector<std::string>& units,
                                                   const Actor&) override {
    std::vector<ConsentAnswer> out;
    for (const auto& u : units) out.push_back({u, true, "COVERED"});
    return out;
  }
  absl::StatusOr<std::vector<ConsentAnswer>> CheckOthers(
      const std::string&, const std::vector<cpb::OtherParty>& others, const Actor&) override {
    std::vector<ConsentAnswer> out;
    for (const auto& o : others) out.push_back({o.description(), true, "COVERED"});
    return out;
  }
};

// The store's reads as a suite service makes them: past the gate whatever the projection
// says, so the store's own answers (NOT_FOUND…) show.
const Actor kReader = ServiceActor("plan");

class PlanStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIP_ASSERT_OK(db::ApplyMigrations(db_.conninfo(), "plan", Migrations()));
    SIP_ASSERT_OK_AND_ASSIGN(pool_, db::Pool::Create({db_.conninfo(), "plan", 4,
                                                      absl::Seconds(5), PlanStore::Statements()}));
    store_ = std::make_unique<PlanStore>(pool_.get());
    gate_ = std::make_unique<authz::PlanGate>(pool_.get(), &clock_);
    book_ = std::make_unique<PlanBook>(store_.get(), PlanBook::Peers{&consent_, nullptr, nullptr, {}},
                                       &clock_, gate_.get());
  }

  std::string Create(pb::Plan input = testdata::CompletePlan()) {
    auto plan = book_->Create(std::move(input), testdata::kCaller, std::nullopt);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan->name().substr(std::string("plans/").size());
  }

  int Count(const std::string& sql) {
    pqxx::connection conn(db_.conninfo());
    pqxx::work txn(conn);
    return txn.exec1(sql)[0].as<int>();
  }

  std::vector<std::string> ListIds(PlanFilter filter, int page_size) {
    std::vector<std::string> ids;
    std::optional<PageCursor> cursor;
    do {
      auto page = book_->List(filter, kReader, page_size, cursor);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const auto& p : page->plans) ids.push_back(p.plan_id);
      cursor = page->next;
    } while (cursor);
    return ids;
  }

  sip::testing::TestDatabase db_;
  sip::testing::FakeClock clock_{testdata::kNow};
  AllCoveredConsent consent_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<PlanStore> store_;
  std::unique_ptr<authz::PlanGate> gate_;
  std::unique_ptr<PlanBook> book_;
};

TEST_F(PlanStoreTest, CreateThenGetRoundTripsTheDocument) {
  const std::string id = Create();
  SIP_ASSERT_OK_AND_ASSIGN(pb::Plan plan, book_->Get(id, kReader));
  EXPECT_EQ(plan.name(), "plans/" + id);
  EXPECT_EQ(plan.etag(), "\"1\"");
  EXPECT_EQ(plan.individual().personal_identity_number(), "191212121212");
  EXPECT_EQ(plan.goals(0).interventions_size(), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM plan.plans WHERE personal_identity_number = '191212121212'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM plan.plan_units"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM plan.plan_units WHERE responsible"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM plan.outbox WHERE event_type = 'plan.initiated'"), 1);
  EXPECT_THAT(book_->Get("nope", kReader), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(PlanStoreTest, RevisionsAreImmutableAndEveryOneStaysReadable) {
  const std::string id = Create();
  SIP_ASSERT_OK(book_->Establish(id, "", "", std::nullopt, testdata::kCaller, std::nullopt));
  clock_.Advance(absl::Hours(24));
  pb::Plan patch;
  patch.set_long_term_goal("Ett nytt mål");
  google::protobuf::FieldMask mask;
  mask.add_paths("long_term_goal");
  SIP_ASSERT_OK(book_->Update(id, patch, mask, testdata::kCaller, std::nullopt));
  SIP_ASSERT_OK(book_->Revise(id, pb::REVISION_REASON_FOLLOW_UP, "", "", testdata::kCaller,
                              std::nullopt));
  SIP_ASSERT_OK_AND_ASSIGN(pb::PlanRevision first, book_->GetRevision(id, 1, kReader));
  SIP_ASSERT_OK_AND_ASSIGN(pb::PlanRevision second, book_->GetRevision(id, 2, kReader));
  EXPECT_EQ(first.snapshot().long_term_goal(), testdata::CompletePlan().long_term_goal());
  EXPECT_EQ(second.snapshot().long_term_goal(), "Ett nytt mål");
  SIP_ASSERT_OK_AND_ASSIGN(pb::PlanRevision latest, book_->GetRevision(id, 0, kReader));
  EXPECT_EQ(latest.name(), second.name());
  EXPECT_THAT(book_->GetRevision(id, 3, kReader), StatusIs(absl::StatusCode::kNotFound));

  pqxx::connection conn(db_.conninfo());
  pqxx::work txn(conn);
  EXPECT_THROW(txn.exec("UPDATE plan.plan_revisions SET body = '{}'"), pqxx::sql_error);
}

TEST_F(PlanStoreTest, TwoWritersWithTheSameEtagExactlyOneWins) {
  const std::string id = Create();
  google::protobuf::FieldMask mask;
  mask.add_paths("long_term_goal");
  auto write = [&](const std::string& goal) {
    pb::Plan patch;
    patch.set_long_term_goal(goal);
    patch.set_etag("\"1\"");
    return book_->Update(id, patch, mask, testdata::kCaller, std::nullopt);
  };
  for (int round = 0; round < 5; ++round) {
    const std::string rid = Create();
    auto race = [&](const std::string& goal) {
      pb::Plan patch;
      patch.set_long_term_goal(goal);
      patch.set_etag("\"1\"");
      return book_->Update(rid, patch, mask, testdata::kCaller, std::nullopt);
    };
    auto a = std::async(std::launch::async, race, "A");
    auto b = std::async(std::launch::async, race, "B");
    const auto ra = a.get();
    const auto rb = b.get();
    ASSERT_EQ(ra.ok() + rb.ok(), 1) << ra.status() << " / " << rb.status();
    const auto& loser = ra.ok() ? rb : ra;
    EXPECT_THAT(loser, StatusIs(absl::StatusCode::kAborted));
    SIP_ASSERT_OK_AND_ASSIGN(pb::Plan stored, book_->Get(rid, kReader));
    EXPECT_EQ(stored.long_term_goal(), ra.ok() ? "A" : "B") << "the winner's write is kept";
    EXPECT_EQ(stored.etag(), "\"2\"");
  }
  SIP_ASSERT_OK(write("first"));
  EXPECT_THAT(write("stale"), StatusIs(absl::StatusCode::kAborted));
}

TEST_F(PlanStoreTest, ListsByIndividualUnitResponsibilityAndStateInPages) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Create());
    clock_.Advance(absl::Minutes(1));
  }
  // Another person's plan where only the psychiatry unit takes part.
  pb::Plan other = testdata::CompletePlan();
  other.mutable_individual()->set_personal_identity_number("20080808-0006");
  for (auto& in : *other.mutable_goals(0)->mutable_interventions()) {
    if (in.responsible_principal() == sip::common::v1::PRINCIPAL_KIND_REGION) {
      in.mutable_responsible_unit()->set_hsa_id(testdata::kPsy);
    }
  }
  const std::string others = Create(other);
  clock_.Advance(absl::Minutes(1));
  // Establishing the oldest makes it the most recently changed.
  SIP_ASSERT_OK(book_->Establish(ids[0], "", "", std::nullopt, testdata::kCaller, std::nullopt));

  PlanFilter by_person;
  by_person.personal_identity_number = "191212121212";
  EXPECT_THAT(ListIds(by_person, 2), ElementsAre(ids[0], ids[4], ids[3], ids[2], ids[1]));

  PlanFilter by_vc_responsible;
  by_vc_responsible.responsible_unit_hsa_id = testdata::kVc;
  EXPECT_THAT(ListIds(by_vc_responsible, 10), SizeIs(5));

  PlanFilter by_psy;  // participant in all six, responsible in one
  by_psy.participant_unit_hsa_id = testdata::kPsy;
  EXPECT_THAT(ListIds(by_psy, 4), SizeIs(6));
  by_psy.responsible_unit_hsa_id = testdata::kPsy;
  EXPECT_THAT(ListIds(by_psy, 4), ElementsAre(others));

  PlanFilter active;
  active.state = "ACTIVE";
  EXPECT_THAT(ListIds(active, 10), ElementsAre(ids[0]));
  active.personal_identity_number = "200808080006";
  EXPECT_THAT(ListIds(active, 10), SizeIs(0));
}

TEST_F(PlanStoreTest, FollowUpsAreListedNewestFirst) {
  const std::string id = Create();
  SIP_ASSERT_OK(book_->Establish(id, "", "", std::nullopt, testdata::kCaller, std::nullopt));
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(absl::Hours(24 * 30));
    pb::FollowUp f;
    DayToProto(TodayInSweden(clock_.Now()), f.mutable_follow_up_date());
    f.set_decision(pb::FOLLOW_UP_DECISION_CONTINUE);
    DayToProto(AddMonths(TodayInSweden(clock_.Now()), 6), f.mutable_next_follow_up_date());
    f.set_progress(absl::StrCat("month ", i));
    SIP_ASSERT_OK(book_->RecordFollowUp(id, f, testdata::kCaller, std::nullopt));
  }
  SIP_ASSERT_OK_AND_ASSIGN(auto first, book_->ListFollowUps(id, kReader, 2, std::nullopt));
  ASSERT_THAT(first.first, SizeIs(2));
  EXPECT_EQ(first.first[0].progress(), "month 2");
  ASSERT_TRUE(first.second.has_value());
  SIP_ASSERT_OK_AND_ASSIGN(auto second, book_->ListFollowUps(id, kReader, 2, first.second));
  ASSERT_THAT(second.first, SizeIs(1));
  EXPECT_EQ(second.first[0].progress(), "month 0");
  EXPECT_FALSE(second.second.has_value());
  EXPECT_THAT(book_->ListFollowUps("nope", kReader, 2, std::nullopt), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace sip::plan
