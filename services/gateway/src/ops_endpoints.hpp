#pragma once
// The gateway's operational routes (see invite/http/ops.hpp) and its JSON 404/405 answers for every other path.
#include <functional>
#include <string>
#include <vector>

#include "invite/http/server.hpp"
#include "invite/kafka/client.hpp"
#include "reply_listener.hpp"

namespace invite::gateway {

// not_ready() lists what keeps the gateway from serving (empty: ready).
void add_ops_routes(http::Router& router, std::function<std::string()> render_metrics,
                    std::function<std::vector<std::string>()> not_ready);

// Why the gateway cannot take invites now (empty: ready), for /readyz.
std::vector<std::string> not_ready_reasons(const kafka::Producer& producer, const ReplyListener& replies,
                                           bool draining);

}  // namespace invite::gateway
