#include "common/access_extract.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/access_log.h"
#include "common/calendar.h"
#include "common/errors.h"
#include "common/grpc_handler.h"
#include "common/ids.h"
#include "common/proto_convert.h"
#include "common/service_client.h"
#include "common/status_macros.h"

namespace sip::accesslog {
namespace {

constexpr char kDomain[] = "accesslog.sip.v1";
constexpr int kPage = 1000;

absl::Status TooLarge() {
  return FailedPrecondition(
      "EXTRACT_TOO_LARGE",
      absl::StrCat("the period holds more than ", kMaxExtractEntries,
                   " accesses; ask for a shorter period, and the rest in further extracts"));
}

alpb::AccessEntry ToProto(const Listed& listed, const std::string& service) {
  alpb::AccessEntry out;
  sip::ToProto(listed.entry.time, out.mutable_time());
  out.set_plan(absl::StrCat("plans/", listed.entry.plan_id));
  out.set_user_id(listed.entry.user_id);
  out.set_unit_hsa_id(listed.entry.unit_hsa_id);
  out.set_system(listed.entry.system);
  out.set_service(service);
  out.set_method(listed.entry.method);
  out.set_resource(listed.entry.resource);
  out.set_outcome(listed.entry.outcome);
  out.set_sequence(listed.seq);
  return out;
}

class Local final : public AccessSource {
 public:
  Local(db::Pool* pool, std::string service) : pool_(pool), service_(std::move(service)) {}
  const std::string& service() const override { return service_; }
  absl::StatusOr<std::vector<alpb::AccessEntry>> Entries(const std::vector<std::string>& plan_ids,
                                                         absl::Time start, absl::Time end,
                                                         int limit) override {
    std::vector<alpb::AccessEntry> out;
    int64_t after = 0;
    while (true) {
      SIP_ASSIGN_OR_RETURN(std::vector<Listed> page,
                           ListForPlans(*pool_, plan_ids, start, end, after, kPage));
      for (const Listed& l : page) out.push_back(ToProto(l, service_));
      if (static_cast<int>(out.size()) > limit) return TooLarge();
      if (static_cast<int>(page.size()) < kPage) return out;
      after = page.back().seq;
    }
  }

 private:
  db::Pool* pool_;
  std::string service_;
};

class Remote final : public AccessSource {
 public:
  Remote(std::shared_ptr<grpc::ChannelInterface> channel, std::string service, std::string self,
         absl::Duration timeout)
      : stub_(alpb::AccessLogService::NewStub(std::move(channel))),
        service_(std::move(service)),
        self_(std::move(self)),
        timeout_(timeout) {}
  const std::string& service() const override { return service_; }
  absl::StatusOr<std::vector<alpb::AccessEntry>> Entries(const std::vector<std::string>& plan_ids,
                                                         absl::Time start, absl::Time end,
                                                         int limit) override {
    alpb::ListAccessEntriesRequest request;
    for (const std::string& id : plan_ids) request.add_plans(absl::StrCat("plans/", id));
    sip::ToProto(start, request.mutable_start_time());
    sip::ToProto(end, request.mutable_end_time());
    request.set_page_size(kPage);
    std::vector<alpb::AccessEntry> out;
    while (true) {
      alpb::ListAccessEntriesResponse response;
      auto context = PeerCallContext(ServiceActor(self_), timeout_);
      absl::Status status =
          FromPeerStatus(stub_->ListAccessEntries(context.get(), request, &response), service_);
      if (!status.ok()) {
        // An extract is never given incomplete.
        return WithReason(absl::UnavailableError(absl::StrCat(
                              "the ", service_, " service's access log could not be read (",
                              absl::StatusCodeToString(status.code()), "); retry shortly")),
                          "ACCESS_LOG_SOURCE_UNAVAILABLE");
      }
      for (alpb::AccessEntry& e : *response.mutable_entries()) out.push_back(std::move(e));
      if (static_cast<int>(out.size()) > limit) return TooLarge();
      if (!response.more()) return out;
      request.set_after_sequence(response.last_sequence());
    }
  }

 private:
  std::unique_ptr<alpb::AccessLogService::Stub> stub_;
  std::string service_;
  std::string self_;
  absl::Duration timeout_;
};

class Missing final : public AccessSource {
 public:
  Missing(std::string service, std::string flag)
      : service_(std::move(service)), flag_(std::move(flag)) {}
  const std::string& service() const override { return service_; }
  absl::StatusOr<std::vector<alpb::AccessEntry>> Entries(const std::vector<std::string>&,
                                                         absl::Time, absl::Time, int) override {
    return FailedPrecondition("EXTRACT_SOURCE_NOT_CONFIGURED",
                              absl::StrCat("the extract needs the ", service_,
                                           " service's access log, and this "
                                           "service is not configured to reach it (",
                                           flag_,
                                           "); an extract is "
                                           "never given incomplete"));
  }

 private:
  std::string service_;
  std::string flag_;
};

// What the method did, as the person reads it.
std::string WhatSv(const std::string& method) {
  struct Verb {
    const char* prefix;
    const char* sv;
  };
  static constexpr Verb kVerbs[] = {
      {"Get", "läste"},
      {"List", "listade"},
      {"Render", "tog fram"},
      {"Check", "kontrollerade"},
      {"Create", "skapade"},
      {"Update", "ändrade"},
      {"Record", "registrerade"},
      {"Add", "lade till"},
      {"Remove", "tog bort"},
      {"Close", "avslutade"},
      {"Establish", "fastställde"},
      {"Revise", "reviderade"},
      {"Withdraw", "återkallade"},
      {"Schedule", "planerade"},
      {"Cancel", "ställde in"},
      {"Answer", "besvarade"},
      {"Acknowledge", "kvitterade"},
      {"Invite", "bjöd in"},
  };
  for (const Verb& v : kVerbs) {
    if (absl::StartsWith(method, v.prefix)) return absl::StrCat(v.sv, " (", method, ")");
  }
  return absl::StrCat("använde ", method);
}

std::string OutcomeSv(const std::string& outcome) {
  if (outcome == "OK") return "genomförd";
  if (outcome == "PERMISSION_DENIED" || outcome == "UNAUTHENTICATED") return "nekad";
  return absl::StrCat("misslyckades (", outcome, ")");
}

std::string ServiceSv(const std::string& service) {
  if (service == "consent") return "samtyckestjänsten";
  if (service == "plan") return "plantjänsten";
  if (service == "meeting") return "mötestjänsten";
  if (service == "lifecycle") return "bevakningstjänsten";
  return service;
}

std::string TimeSv(absl::Time t) { return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, Stockholm()); }

}  // namespace

std::unique_ptr<AccessSource> MissingAccessSource(std::string service, std::string flag) {
  return std::make_unique<Missing>(std::move(service), std::move(flag));
}

std::unique_ptr<AccessSource> LocalAccessSource(db::Pool* pool, std::string service) {
  return std::make_unique<Local>(pool, std::move(service));
}

std::unique_ptr<AccessSource> GrpcAccessSource(std::shared_ptr<grpc::ChannelInterface> channel,
                                               std::string service, std::string self,
                                               absl::Duration timeout) {
  return std::make_unique<Remote>(std::move(channel), std::move(service), std::move(self), timeout);
}

absl::StatusOr<std::vector<alpb::AccessEntry>> GatherExtract(
    const std::vector<AccessSource*>& sources, const std::vector<std::string>& plan_ids,
    absl::Time start, absl::Time end) {
  std::vector<alpb::AccessEntry> all;
  if (plan_ids.empty()) return all;
  for (AccessSource* source : sources) {
    const int left = kMaxExtractEntries - static_cast<int>(all.size());
    SIP_ASSIGN_OR_RETURN(std::vector<alpb::AccessEntry> entries,
                         source->Entries(plan_ids, start, end, left));
    for (alpb::AccessEntry& e : entries) all.push_back(std::move(e));
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const alpb::AccessEntry& a, const alpb::AccessEntry& b) {
                     const absl::Time ta = TimeOf(a.time()), tb = TimeOf(b.time());
                     if (ta != tb) return ta < tb;
                     if (a.service() != b.service()) return a.service() < b.service();
                     return a.sequence() < b.sequence();
                   });
  return all;
}

std::string RenderExtractSv(const std::vector<std::string>& plan_ids,
                            const std::vector<alpb::AccessEntry>& entries, absl::Time start,
                            absl::Time end) {
  std::string out =
      "Loggutdrag: åtkomst till din samordnade individuella plan (SIP)\n"
      "Enligt patientdatalagen har du rätt att få veta vem som har tagit del av "
      "uppgifter om dig.\n\n";
  absl::StrAppend(&out, "Period: ", TimeSv(start), " till ", TimeSv(end), " (svensk tid)\n");
  if (plan_ids.empty()) {
    absl::StrAppend(&out, "Det finns inga planer för dig som enheten tar del av.\n");
    return out;
  }
  absl::StrAppend(&out, "Planer: ",
                  absl::StrJoin(plan_ids, ", ",
                                [](std::string* o, const std::string& id) {
                                  absl::StrAppend(o, "plans/", id);
                                }),
                  "\n");
  absl::StrAppend(&out,
                  "Uppgifterna kommer från samtyckestjänsten, plantjänsten, "
                  "mötestjänsten och bevakningstjänsten.\n\n");
  if (entries.empty()) {
    absl::StrAppend(&out, "Ingen har tagit del av planerna under perioden.\n");
    return out;
  }
  absl::StrAppend(&out, "Antal åtkomster: ", entries.size(), "\n\n");
  for (const alpb::AccessEntry& e : entries) {
    absl::StrAppend(&out, TimeSv(TimeOf(e.time())), "  användare ", e.user_id(), " vid enhet ",
                    e.unit_hsa_id());
    if (!e.system().empty()) absl::StrAppend(&out, " via system ", e.system());
    absl::StrAppend(&out, " ", WhatSv(e.method()), " ", e.resource(), " i ", ServiceSv(e.service()),
                    ": ", OutcomeSv(e.outcome()), "\n");
  }
  return out;
}

grpc::Status AccessLogGrpcService::ListAccessEntries(grpc::ServerContext* context,
                                                     const alpb::ListAccessEntriesRequest* request,
                                                     alpb::ListAccessEntriesResponse* response) {
  return HandleCall(context, kDomain, *request, [&](const Caller& caller) -> absl::Status {
    if (caller.service != "plan") {
      return WithReason(absl::PermissionDeniedError(
                            "only the plan service reads the access log, to gather a "
                            "person's extract; ask it: sip.plan.v1.PlanService/GetAccessExtract"),
                        "ACCESS_LOG_NOT_ALLOWED");
    }
    Violations violations;
    if (request->plans().empty()) violations.Add("plans", "is required: 1 to 200 plans");
    std::vector<std::string> plan_ids;
    for (int i = 0; i < request->plans_size(); ++i) {
      auto ids = ParseResourceName(request->plans(i), {"plans"}, absl::StrCat("plans[", i, "]"));
      if (!ids.ok()) {
        violations.Add(absl::StrCat("plans[", i, "]"), "must be \"plans/{plan}\"");
        continue;
      }
      plan_ids.push_back((*ids)[0]);
    }
    std::optional<absl::Time> start, end;
    if (!request->has_start_time()) {
      violations.Add("start_time", "is required");
    } else {
      start = TimeFromProto(request->start_time(), "start_time", violations);
    }
    if (!request->has_end_time()) {
      violations.Add("end_time", "is required");
    } else {
      end = TimeFromProto(request->end_time(), "end_time", violations);
    }
    if (start && end && *end <= *start) violations.Add("end_time", "must be after start_time");
    if (request->after_sequence() < 0) violations.Add("after_sequence", "must not be negative");
    SIP_RETURN_IF_ERROR(violations.ToStatus());
    SIP_ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request->page_size(), 500, 1000));
    SIP_ASSIGN_OR_RETURN(
        std::vector<Listed> listed,
        ListForPlans(*pool_, plan_ids, *start, *end, request->after_sequence(), page_size + 1));
    response->set_more(static_cast<int>(listed.size()) > page_size);
    if (response->more()) listed.pop_back();
    response->set_last_sequence(listed.empty() ? request->after_sequence() : listed.back().seq);
    for (const Listed& l : listed) *response->add_entries() = ToProto(l, service_);
    return absl::OkStatus();
  });
}

}  // namespace sip::accesslog
