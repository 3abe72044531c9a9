#include "services/lifecycle/lifecycle_book.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/service_client.h"
#include "common/status_macros.h"
#include "services/lifecycle/lifecycle_proto.h"
#include "services/lifecycle/report.h"

namespace sip::lifecycle {
namespace {

namespace planpb = ::sip::plan::v1;

template <typename Event>
absl::StatusOr<std::optional<Fact>> Decode(const SourceEvent& e, const std::string& source) {
  Event event;
  if (!event.ParseFromString(e.payload)) {
    return absl::InternalError(absl::StrCat("a ", source, " event is unreadable"));
  }
  event.set_sequence(e.sequence);
  return FactOf(event);
}

// The plan service's reason, and the note the person's copy shows.
std::pair<planpb::ClosureReason, const char*> ReasonOf(pb::ClosureCause cause) {
  switch (cause) {
    case pb::CLOSURE_CAUSE_CONSENT_WITHDRAWN:
      return {planpb::CLOSURE_REASON_CONSENT_WITHDRAWN,
              "Avslutad av SIP-stödet: samtycket har återkallats."};
    case pb::CLOSURE_CAUSE_CONSENT_REFUSED:
      return {planpb::CLOSURE_REASON_CONSENT_REFUSED,
              "Avslutad av SIP-stödet: samtycke till planen gavs inte."};
    case pb::CLOSURE_CAUSE_MOVED_OUT_OF_REGION:
      return {planpb::CLOSURE_REASON_MOVED_OUT_OF_REGION,
              "Avslutad av SIP-stödet: flytt från regionen."};
    default:
      return {planpb::CLOSURE_REASON_EXPIRED,
              "Avslutad av SIP-stödet: planen har varken uppdaterats eller följts upp inom "
              "regionens tid och är förverkad."};
  }
}

// The breaches among `effects` of `t`, by rule and region, for the metrics.
std::vector<std::pair<pb::DeadlineRule, std::string>> Breaches(const Timeline& t,
                                                               const Effects& effects) {
  std::vector<std::pair<pb::DeadlineRule, std::string>> out;
  for (const pb::LifecycleEvent& e : effects.events) {
    if (e.has_deadline_breached()) out.emplace_back(e.deadline_breached().rule(), t.region_code);
  }
  return out;
}

}  // namespace

absl::Status LifecycleBook::ApplyEvent(pqxx::work& txn, const std::string& source,
                                       const SourceEvent& event) {
  absl::StatusOr<std::optional<Fact>> fact;
  if (source == "plan") {
    fact = Decode<planpb::PlanEvent>(event, source);
  } else if (source == "consent") {
    fact = Decode<sip::consent::v1::ConsentEvent>(event, source);
  } else if (source == "meeting") {
    fact = Decode<sip::meeting::v1::MeetingEvent>(event, source);
  } else {
    return absl::InternalError(absl::StrCat("no such event source: ", source));
  }
  SIP_RETURN_IF_ERROR(fact.status());
  if (!*fact) return absl::OkStatus();
  const Fact& f = **fact;
  const absl::Time now = clock_->Now();
  std::optional<absl::Duration> first_meeting;
  std::vector<std::pair<pb::DeadlineRule, std::string>> breached;
  SIP_RETURN_IF_ERROR(store_->Record(
      txn, f, now, [&](const Timeline& before, std::vector<Fact> facts) {
        std::pair<Timeline, Effects> out = Rebuild(before, std::move(facts), now);
        const Timeline& after = out.first;
        if (!before.first_meeting_time && after.first_meeting_time && after.need_noticed_time) {
          first_meeting = *after.first_meeting_time - *after.need_noticed_time;
        }
        breached = Breaches(after, out.second);
        return out;
      }));
  if (metrics_ != nullptr) {
    metrics_->ObserveApplied(source, now - event.event_time);
    if (first_meeting) metrics_->ObserveFirstMeeting(*first_meeting);
    // Breaches a rebuild finds (time passed between two facts the sweeper had not swept
    // yet). A page rolled back and applied again (a deadlock between two consumers)
    // counts them twice: rare, and the alert reads a rate.
    for (const auto& [rule, region] : breached) metrics_->CountBreach(rule, region);
  }
  return absl::OkStatus();
}

std::pair<Timeline, Effects> LifecycleBook::Rebuild(const Timeline& before,
                                                    std::vector<Fact> facts,
                                                    absl::Time now) const {
  Timeline after = Fold(before.plan_id, std::move(facts), now, *policies_);
  Effects effects = Changes(before, after);
  return {std::move(after), std::move(effects)};
}

absl::StatusOr<int> LifecycleBook::SweepOnce(int limit) {
  const absl::Time now = clock_->Now();
  const absl::Time began = absl::Now();  // the sweep's own duration, not domain time
  // The breaches this sweep finds, counted only once its transaction has committed.
  std::vector<std::pair<pb::DeadlineRule, std::string>> breached;
  absl::StatusOr<int> swept = store_->SweepDue(now, limit, [&](Timeline& t) {
    Effects effects = Sweep(t, now, *policies_);
    for (auto& breach : Breaches(t, effects)) breached.push_back(std::move(breach));
    return effects;
  });
  if (metrics_ != nullptr) {
    metrics_->ObserveSweep(absl::Now() - began, swept.ok(), absl::Now());
    if (swept.ok()) {
      for (const auto& [rule, region] : breached) metrics_->CountBreach(rule, region);
    }
  }
  return swept;
}

absl::Status LifecycleBook::RefreshMetrics() {
  if (metrics_ == nullptr) return absl::OkStatus();
  SIP_ASSIGN_OR_RETURN(LifecycleStore::Counts counts, store_->CountAll());
  metrics_->SetCounts(counts);
  return absl::OkStatus();
}

absl::StatusOr<int> LifecycleBook::PerformClosures(int limit) {
  SIP_ASSIGN_OR_RETURN(std::vector<LifecycleStore::ClosureRequest> open,
                       store_->OpenClosures(limit));
  int done = 0;
  for (const LifecycleStore::ClosureRequest& r : open) {
    const auto [reason, note] = ReasonOf(r.cause);
    const absl::Status closed = closer_->Close(r.plan_id, reason, note,
                                               absl::StrCat("lifecycle-close-", r.plan_id),
                                               ServiceActor("lifecycle"));
    if (!closed.ok()) {
      log::Warn("closure_failed", {{"plan", r.plan_id},
                                   {"code", absl::StatusCodeToString(closed.code())},
                                   {"reason", sip::ReasonOf(closed)},
                                   {"attempts", std::to_string(r.attempts + 1)}});
    }
    SIP_RETURN_IF_ERROR(store_->MarkClosure(r.plan_id, r.cause, closed.ok(), clock_->Now()));
    done += closed.ok();
  }
  return done;
}

absl::StatusOr<pb::AgreeLaterMeetingResponse> LifecycleBook::AgreeLaterMeeting(
    const std::string& plan_id, absl::CivilDay day, const std::string& reason,
    const Actor& caller, const std::optional<db::RequestKey>& key) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kWrite, plan_id));
  const absl::Time now = clock_->Now();
  SIP_ASSIGN_OR_RETURN(
      std::string answer,
      store_->Mutate(
          key, plan_id, now,
          [&](const Timeline& current) -> absl::StatusOr<Fact> {
            Timeline t = current;
            SIP_RETURN_IF_ERROR(lifecycle::AgreeLaterMeeting(t, day, reason, now));
            Fact f;
            f.kind = Fact::Kind::kLaterMeetingAgreed;
            f.time = now;
            // Its own source, as the other services' events have theirs.
            f.source = absl::StrCat("lifecycle/agreed-", NewId());
            f.actor_unit_hsa_id = caller.unit.hsa_id;
            f.agreed_day = day;
            f.reason = reason;
            return f;
          },
          [&](const Timeline& before, std::vector<Fact> facts) {
            return Rebuild(before, std::move(facts), now);
          },
          [](const Timeline& t) {
            pb::AgreeLaterMeetingResponse response;
            ToProto(t, response.mutable_timeline());
            return response.SerializeAsString();
          }));
  pb::AgreeLaterMeetingResponse response;
  if (!response.ParseFromString(answer)) return absl::InternalError("a stored answer is unreadable");
  return response;
}

absl::StatusOr<pb::GetComplianceReportResponse> LifecycleBook::Report(
    absl::CivilDay start, absl::CivilDay end, const std::string& region_code,
    const std::string& unit_hsa_id, const std::string& municipality_code) {
  SIP_ASSIGN_OR_RETURN(std::vector<Timeline> timelines,
                       store_->TimelinesOf(region_code, unit_hsa_id, municipality_code));
  const std::string scope = !region_code.empty()         ? absl::StrCat("region ", region_code)
                            : !unit_hsa_id.empty()       ? absl::StrCat("unit ", unit_hsa_id)
                            : !municipality_code.empty() ? absl::StrCat("kommun ", municipality_code)
                                                         : std::string("all");
  pb::GetComplianceReportResponse out;
  *out.mutable_report() = ComplianceReport(timelines, start, end, scope);
  out.set_csv(ComplianceCsv(out.report()));
  return out;
}

absl::StatusOr<std::pair<std::vector<LifecycleStore::ListedDeadline>, std::optional<PageCursor>>>
LifecycleBook::ListDeadlines(LifecycleStore::DeadlineFilter filter, const Actor& caller,
                             int page_size, const std::optional<PageCursor>& after) {
  const authz::Subject subject = authz::SubjectOf(caller);
  if (!filter.responsible_unit_hsa_id.empty()) {
    SIP_RETURN_IF_ERROR(authz::AuthorizeOwnUnit(subject, filter.responsible_unit_hsa_id));
  }
  if (subject.service.empty()) {
    if (subject.unit_hsa_id.empty()) {
      return std::make_pair(std::vector<LifecycleStore::ListedDeadline>(),
                            std::optional<PageCursor>());
    }
    filter.visible_to_unit_hsa_id = subject.unit_hsa_id;
    filter.visible_at = clock_->Now();
  }
  auto page = store_->ListDeadlines(filter, page_size, after);
  if (page.ok()) {
    for (const LifecycleStore::ListedDeadline& d : page->first) gate_->NoteRead(d.plan_id);
  }
  return page;
}

absl::StatusOr<Timeline> LifecycleBook::GetTimeline(const std::string& plan_id,
                                                    const Actor& caller) {
  SIP_RETURN_IF_ERROR(gate_->Check(caller, authz::Action::kRead, plan_id));
  SIP_ASSIGN_OR_RETURN(std::optional<Timeline> t, store_->Get(plan_id));
  if (!t) {
    return NotFound("TIMELINE_NOT_FOUND",
                    absl::StrCat("plans/", plan_id,
                                 " has no timeline: the lifecycle service has not heard of it "
                                 "(yet; it follows the plan service's events)"));
  }
  return *std::move(t);
}

}  // namespace sip::lifecycle
