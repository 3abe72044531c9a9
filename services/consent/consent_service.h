#pragma once

#include "services/consent/consent_book.h"
#include "sip/consent/v1/consent.grpc.pb.h"

namespace sip::consent {

// The ErrorInfo domain of this service's errors.
inline constexpr char kErrorDomain[] = "consent.sip.v1";

// The gRPC adapter: proto ↔ domain and status mapping, nothing else.
class ConsentGrpcService final : public v1::ConsentService::Service {
 public:
  explicit ConsentGrpcService(ConsentBook* book) : book_(book) {}

  grpc::Status RecordConsent(grpc::ServerContext* context, const v1::RecordConsentRequest* request,
                             v1::RecordConsentResponse* response) override;
  grpc::Status RecordRefusal(grpc::ServerContext* context, const v1::RecordRefusalRequest* request,
                             v1::RecordRefusalResponse* response) override;
  grpc::Status ChangeConsentScope(grpc::ServerContext* context,
                                  const v1::ChangeConsentScopeRequest* request,
                                  v1::ChangeConsentScopeResponse* response) override;
  grpc::Status WithdrawConsent(grpc::ServerContext* context,
                               const v1::WithdrawConsentRequest* request,
                               v1::WithdrawConsentResponse* response) override;
  grpc::Status GetConsent(grpc::ServerContext* context, const v1::GetConsentRequest* request,
                          v1::GetConsentResponse* response) override;
  grpc::Status ListConsents(grpc::ServerContext* context, const v1::ListConsentsRequest* request,
                            v1::ListConsentsResponse* response) override;
  grpc::Status CheckConsent(grpc::ServerContext* context, const v1::CheckConsentRequest* request,
                            v1::CheckConsentResponse* response) override;
  grpc::Status ListEvents(grpc::ServerContext* context, const v1::ListEventsRequest* request,
                          v1::ListEventsResponse* response) override;

 private:
  ConsentBook* book_;
};

// Domain → API, with the state computed at `now`.
void ToProto(const Consent& in, absl::Time now, v1::Consent* out);

}  // namespace sip::consent
