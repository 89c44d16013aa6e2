#pragma once
// The gateway's DocSpace API on the router: the invite endpoint and the invitation's later life, with the pool
// that hashes accepted passwords. Construction only, so that main stays wiring.
#include <memory>

#include "endpoint_steps.hpp"
#include "hash_pool.hpp"
#include "invite/http/server.hpp"
#include "lifecycle_endpoints.hpp"
#include "settings.hpp"

namespace invite::gateway {

// What the routes use: keep it alive while the server runs, and destroy it before the server (its pool's last
// hashes hand their results to the server's threads).
struct ApiRoutes {
  ApiRoutes(InviteEnvironment env, const Settings& settings);
  HashPool hashes;
  LifecycleEndpoints lifecycle;
};

std::unique_ptr<ApiRoutes> add_api_routes(http::Router& router, const InviteEnvironment& env, const Settings& settings);

}  // namespace invite::gateway
