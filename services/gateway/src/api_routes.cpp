#include "api_routes.hpp"

#include "invite_endpoint.hpp"

namespace invite::gateway {

ApiRoutes::ApiRoutes(InviteEnvironment env, const Settings& settings)
    : hashes(settings.hash_threads, settings.max_queued_hashes),
      lifecycle(std::move(env), hashes, {settings.request_timeout, settings.reply_partition, {}}) {}

std::unique_ptr<ApiRoutes> add_api_routes(http::Router& router, const InviteEnvironment& env,
                                          const Settings& settings) {
  router.add("POST", "/api/2.0/people/invite",
             InviteEndpoint(env, {settings.request_timeout, settings.max_invitations, settings.reply_partition}));
  auto routes = std::make_unique<ApiRoutes>(env, settings);
  routes->lifecycle.add_routes(router);
  return routes;
}

}  // namespace invite::gateway
