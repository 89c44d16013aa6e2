#include "invite/http/server.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "invite/common/text.hpp"
#include "invite/http/error_envelope.hpp"

namespace invite::http {

namespace {

using common::iequals;

}  // namespace

std::string error_envelope(int status, std::string_view message, std::string_view type) {
  nlohmann::ordered_json body;
  body["error"]["message"] = message;
  body["error"]["type"] = type;
  body["status"] = 1;
  body["statusCode"] = status;
  // Messages can carry text from outside (readiness reasons, e-mails, hosts); bad UTF-8 is replaced rather than
  // thrown on.
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Response json_error(int status, std::string_view message, std::string_view type) {
  Response r;
  r.status = status;
  r.set("Content-Type", "application/json; charset=utf-8");
  r.body = error_envelope(status, message, type);
  return r;
}

std::string_view Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

std::string_view Request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

void Response::set(std::string name, std::string value) {
  auto same = [&](const auto& h) { return iequals(h.first, name); };
  auto it = std::find_if(headers.begin(), headers.end(), same);
  if (it == headers.end()) {
    headers.emplace_back(std::move(name), std::move(value));
    return;
  }
  it->second = std::move(value);
  // A replaced header must not linger as a second, contradicting copy.
  headers.erase(std::remove_if(std::next(it), headers.end(), same), headers.end());
}

void Router::add(std::string method, std::string path, Handler handler) {
  routes_.push_back(Route{std::move(method), std::move(path), std::move(handler)});
}

void Router::set_fallbacks(std::function<Response(const Request&)> not_found,
                           std::function<Response(const Request&, std::string_view allow)> method_not_allowed) {
  not_found_ = std::move(not_found);
  method_not_allowed_ = std::move(method_not_allowed);
}

void Router::operator()(Request request, Respond respond) const {
  const std::string_view path = request.path();
  std::string allow;
  for (const auto& route : routes_) {
    if (route.path != path) continue;
    if (route.method == request.method) {
      route.handler(std::move(request), std::move(respond));
      return;
    }
    // Several routes may share a method on one path only by mistake, but Allow must still list it once.
    const bool listed = [&] {
      std::string_view rest = allow;
      while (!rest.empty()) {
        const auto comma = rest.find(", ");
        if (rest.substr(0, comma) == route.method) return true;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 2);
      }
      return false;
    }();
    if (!listed) {
      if (!allow.empty()) allow += ", ";
      allow += route.method;
    }
  }

  if (allow.empty()) {
    respond(not_found_ ? not_found_(request) : json_error(404, "Not found", "NotFound"));
    return;
  }
  Response r = method_not_allowed_ ? method_not_allowed_(request, allow)
                                   : json_error(405, "Method not allowed", "MethodNotAllowed");
  // RFC 9110 requires Allow on a 405; a custom fallback that forgot it still yields a correct answer.
  bool has_allow =
      std::any_of(r.headers.begin(), r.headers.end(), [](const auto& h) { return iequals(h.first, "Allow"); });
  if (!has_allow) r.set("Allow", allow);
  respond(std::move(r));
}

}  // namespace invite::http
