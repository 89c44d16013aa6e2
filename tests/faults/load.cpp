#include "load.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "invite/auth/token.hpp"
#include "invite/common/ids.hpp"
#include "invite/events/events.hpp"

namespace invite::faults {

using namespace std::chrono_literals;
using nlohmann::json;

Load::Load(std::string token, LoadOptions options) : token_(std::move(token)), options_(std::move(options)) {}

Load::~Load() {
  stop_new_ = true;
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void Load::start() {
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { client(); });
}

void Load::finish() {
  stop_new_ = true;
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

Exchanges Load::exchanges() const {
  std::lock_guard lock(mu_);
  return exchanges_;
}

std::vector<Request> Load::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void Load::client() {
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> size(1, options_.max_invitations);
  // Every client starts on the first gateway and moves on only when it fails them.
  std::size_t port_index = 0;
  while (!stop_new_) {
    if (started_ >= options_.max_requests) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    const auto next = std::chrono::steady_clock::now() + options_.pace;
    Request request;
    const std::string prefix = "f" + common::random_hex(6);
    for (int i = size(random); i > 0; --i)
      request.emails.push_back(prefix + "-" + std::to_string(i) + "@faults.example");
    ++started_;
    send_until_converged(request, port_index);
    {
      std::lock_guard lock(mu_);
      requests_.push_back(std::move(request));
    }
    std::this_thread::sleep_until(next);
  }
}

void Load::send_until_converged(Request& request, std::size_t& port_index) {
  std::vector<std::pair<std::string, std::string>> invitations;
  for (const auto& email : request.emails) invitations.emplace_back(email, "User");
  const std::string body = testing::invite_body(invitations);
  const std::vector<std::pair<std::string, std::string>> headers{
      {"Host", "localhost"},
      {"Content-Type", "application/json"},
      {"Cookie", std::string(auth::kAuthCookie) + "=" + token_}};
  const auto give_up = std::chrono::steady_clock::now() + options_.give_up;
  while (std::chrono::steady_clock::now() < give_up) {
    const auto started = std::chrono::steady_clock::now();
    const auto reply = testing::http_request("127.0.0.1", options_.ports[port_index], "POST", "/api/2.0/people/invite",
                                             headers, body, options_.exchange_timeout);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    std::string failure;
    bool move_on = false;  // try another gateway
    if (!reply) {
      // Refused: nobody listens there any more. Anything else: the connection broke under the request.
      failure = reply.error().message.rfind("connect", 0) == 0 ? "connect" : "transport";
      move_on = true;
    } else if (reply->status == 200) {
      const auto answer = json::parse(reply->body, nullptr, false);
      std::map<std::string, std::string> ids;
      if (answer.is_object() && answer.contains("response") && answer["response"].is_array()) {
        for (const auto& user : answer["response"]) ids[user.value("displayName", "")] = user.value("id", "");
      }
      for (const auto& email : request.emails) request.answered_ids.push_back(ids[email]);
      request.converged = true;
    } else {
      failure = std::to_string(reply->status);
      const auto answer = json::parse(reply->body, nullptr, false);
      move_on = answer.is_object() && answer.contains("error") && answer["error"].value("type", "") == "ShuttingDown";
    }
    {
      std::lock_guard lock(mu_);
      ++exchanges_.sent;
      exchanges_.slowest = std::max(exchanges_.slowest, took);
      if (failure.empty()) {
        ++exchanges_.ok;
      } else {
        ++exchanges_.errors[failure];
      }
    }
    if (request.converged) return;
    if (reply && reply->status != 503 && reply->status != 504) return;  // not worth retrying: counted unconverged
    if (move_on) port_index = (port_index + 1) % options_.ports.size();
    // 503 asks for Retry-After seconds; a test client waits a little instead, to keep the pressure up.
    std::this_thread::sleep_for(reply && reply->status == 504 ? 0ms : 100ms);
  }
}

namespace {

struct Published {
  std::map<std::string, std::set<std::string>> event_ids;  // by e-mail
  std::map<std::string, std::set<std::string>> user_ids;   // by e-mail, as the records name them
  long records = 0;
};

template <typename Decode>
Published read_published(const testing::Stack& stack, std::string_view topic, std::size_t expected, Decode decode) {
  Published published;
  for (const auto& record : stack.read_topic(std::string(topic), expected, 20s)) {
    const auto [email, user_id, event_id] = decode(record.value);
    if (email.empty()) continue;
    ++published.records;
    published.event_ids[email].insert(event_id);
    published.user_ids[email].insert(user_id);
  }
  return published;
}

}  // namespace

Verdict judge(const testing::Stack& stack, const std::vector<Request>& requests, std::chrono::milliseconds timeout) {
  Verdict verdict;
  std::map<std::string, std::string> answered;  // e-mail -> the id its 200 named
  for (const auto& request : requests) {
    if (!request.converged) {
      ++verdict.unconverged;
      continue;
    }
    for (std::size_t i = 0; i < request.emails.size(); ++i) answered[request.emails[i]] = request.answered_ids[i];
  }
  verdict.invitations = static_cast<long>(answered.size());

  const auto email_job = [](const std::string& value) {
    auto job = events::decode_email_job(value);
    if (job) return std::tuple{job->recipient_email, job->recipient_user_id, job->event_id};
    return std::tuple{std::string(), std::string(), std::string()};
  };
  const auto user_invited = [](const std::string& value) {
    auto event = events::decode_user_invited(value);
    if (event) return std::tuple{event->user.email, event->user.id, event->event_id};
    return std::tuple{std::string(), std::string(), std::string()};
  };
  // The relay may still be publishing: read until every answered invitation has its job and event.
  Published jobs, events;
  testing::eventually(
      [&] {
        jobs = read_published(stack, events::topics::kEmails, answered.size(), email_job);
        events = read_published(stack, events::topics::kUserInvited, answered.size(), user_invited);
        return std::all_of(answered.begin(), answered.end(), [&](const auto& entry) {
          return jobs.event_ids.count(entry.first) > 0 && events.event_ids.count(entry.first) > 0;
        });
      },
      timeout);

  // The mock broker keeps about 5 MB a partition and drops older records: what it dropped cannot be judged.
  auto created = kafka::Consumer::create(stack.brokers(), "", {}, "fault-judge");
  if (created) {
    const auto& consumer = *created;
    for (auto topic : {events::topics::kRequested, events::topics::kEmails, events::topics::kUserInvited}) {
      const std::string name(topic);
      for (std::int32_t p = 0; p < consumer->partition_count(name, 5s).value_or(0); ++p) {
        const auto marks = consumer->watermarks(name, p, 5s);
        if (marks) verdict.beyond_retention += marks->first;
      }
    }
    consumer->close();
  }

  std::map<std::string, std::vector<std::string>> stored;  // e-mail -> ids
  for (const auto& user : stack.users()) stored[user["email"].get<std::string>()].push_back(user["id"]);

  for (const auto& [email, id] : answered) {
    const auto& ids = stored[email];
    const auto& job_ids = jobs.event_ids[email];
    const auto& event_ids = events.event_ids[email];
    if (!ids.empty()) ++verdict.stored;
    if (!job_ids.empty()) ++verdict.email_jobs;
    if (!event_ids.empty()) ++verdict.events;
    verdict.duplicates +=
        static_cast<long>(std::max<std::size_t>(ids.size(), 1) - 1 + std::max<std::size_t>(job_ids.size(), 1) - 1 +
                          std::max<std::size_t>(event_ids.size(), 1) - 1);
    // Every record about the user must name the user the client was told about.
    const bool same_user = ids.size() == 1 && ids[0] == id && jobs.user_ids[email] == std::set<std::string>{id} &&
                           events.user_ids[email] == std::set<std::string>{id};
    if (ids.empty() || job_ids.empty() || event_ids.empty() || !same_user) ++verdict.lost;
  }
  long distinct_jobs = 0, distinct_events = 0;
  for (const auto& [email, set] : jobs.event_ids) distinct_jobs += static_cast<long>(set.size());
  for (const auto& [email, set] : events.event_ids) distinct_events += static_cast<long>(set.size());
  verdict.redelivered = jobs.records - distinct_jobs + events.records - distinct_events;
  return verdict;
}

void report(const std::string& scenario, const Exchanges& exchanges, const Verdict& verdict,
            const std::map<std::string, std::string>& extra, std::chrono::steady_clock::duration took) {
  std::ostringstream line;
  line << "requests=" << exchanges.sent << " ok=" << exchanges.ok << " errors={";
  bool first = true;
  for (const auto& [kind, count] : exchanges.errors) {
    line << (first ? "" : ",") << kind << ":" << count;
    first = false;
  }
  line << "} invitations=" << verdict.invitations << " stored=" << verdict.stored
       << " email_jobs=" << verdict.email_jobs << " events=" << verdict.events << " duplicates=" << verdict.duplicates
       << " lost=" << verdict.lost << " redelivered=" << verdict.redelivered << " unconverged=" << verdict.unconverged
       << " beyond_retention=" << verdict.beyond_retention << " slowest_ms=" << exchanges.slowest.count();
  for (const auto& [key, value] : extra) line << " " << key << "=" << value;
  write_summary(scenario, line.str(), took);
}

void write_summary(const std::string& scenario, const std::string& figures, std::chrono::steady_clock::duration took) {
  const auto line = scenario + ": " + figures +
                    " seconds=" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(took).count());
  std::printf("FAULTS %s\n", line.c_str());
  std::fflush(stdout);
  // The build tree's faults-summary/ unless the environment names another directory.
  const char* dir = std::getenv("INVITE_FAULTS_SUMMARY_DIR");
  const std::filesystem::path summaries = dir != nullptr && *dir != '\0' ? dir : INVITE_FAULTS_SUMMARY_DEFAULT;
  std::filesystem::create_directories(summaries);
  std::ofstream(summaries / (scenario + ".txt"), std::ios::trunc) << line << "\n";
}

}  // namespace invite::faults
