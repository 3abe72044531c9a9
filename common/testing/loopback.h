#pragma once

// Services on loopback ports for the tests that run several of them together, as the
// suite runs them: each with the real server bootstrap, each called through the common
// service client.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/caller.h"
#include "common/server.h"
#include "common/service_client.h"
#include "gtest/gtest.h"
#include "grpcpp/grpcpp.h"
#include "prometheus/registry.h"

namespace sip::testing {

// A server for `service` on a free loopback port, plaintext, whose callers are read from
// the x-sip-* headers (the development authenticator, installed for the whole test
// process); null (with a test failure) when it cannot start.
inline std::unique_ptr<Server> ServeOnLoopback(std::vector<grpc::Service*> services,
                                               const std::string& name) {
  InstallAuthenticator(MakeDevelopmentAuthenticator());
  Server::Options options;
  options.health_names = {name};
  options.listen_address = "127.0.0.1:0";
  options.credentials = grpc::InsecureServerCredentials();
  options.registry = std::make_shared<prometheus::Registry>();
  auto server = Server::Start(std::move(options), std::move(services));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

inline std::unique_ptr<Server> ServeOnLoopback(grpc::Service* service, const std::string& name) {
  return ServeOnLoopback(std::vector<grpc::Service*>{service}, name);
}

// The common service client's channel to a loopback server, as peer `name`.
inline std::shared_ptr<grpc::Channel> PeerChannelTo(const Server& server, const std::string& name) {
  PeerConfig peer;
  peer.name = name;
  peer.address = absl::StrCat("127.0.0.1:", server.port());
  peer.plaintext = true;
  auto channel = MakePeerChannel(peer);
  EXPECT_TRUE(channel.ok()) << channel.status();
  return channel.ok() ? *channel : nullptr;
}

// A plain client context carrying the caller metadata of a user of `unit_hsa_id`.
inline std::unique_ptr<grpc::ClientContext> CallerContext(const std::string& unit_hsa_id,
                                                          const std::string& principal,
                                                          const std::string& user_id) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-sip-unit-hsa-id", unit_hsa_id);
  context->AddMetadata("x-sip-unit-principal", principal);
  context->AddMetadata("x-sip-user-id", user_id);
  return context;
}

// A call as one of the suite's services acting on its own (the development header), as a
// service reads another's event feed.
inline std::unique_ptr<grpc::ClientContext> ServiceContext(const std::string& service) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata(kServiceHeader, service);
  return context;
}

}  // namespace sip::testing
