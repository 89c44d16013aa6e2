// The invitation's later life under a worker SIGKILL: clients accept some invitations and resend others over
// HTTP, retrying every 503 and 504 as those answers ask, while the worker is killed and restarted twice. The judge
// is what consumers see on the topics: each accept applied once (one people.user-activated.v1 event per user,
// however often its record is redelivered), each resend request one e-mail job, no eventId on two different
// records, every answer by its deadline, and the restarted worker serving on without help.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "invite/common/ids.hpp"
#include "invite/events/commands.hpp"
#include "invite/events/events.hpp"
#include "load.hpp"

namespace invite::faults {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::Stack;
using Clock = std::chrono::steady_clock;

constexpr auto kRequestTimeout = 3s;
constexpr int kUsers = 24;              // the first half accept, the second half are resent
constexpr auto kOperationGiveUp = 90s;  // per operation: longer means the worker never came back
constexpr auto kPause = 250ms;          // between a client's attempts and operations

// A confirmation link's query parameter; key, encemail and uid need no URL decoding.
std::string param(const std::string& link, const std::string& name) {
  const auto start = link.find("&" + name + "=");
  if (start == std::string::npos) return {};
  const auto from = start + name.size() + 2;
  return link.substr(from, link.find('&', from) - from);
}

struct Answers {
  std::mutex mutex;
  std::map<std::string, int> final_status;  // by e-mail: the answer that ended its operation (0: gave up)
  std::map<std::string, long> retried;      // by status: "503", "504"
  std::chrono::milliseconds slowest{0};
};

class LifecycleUnderKills {
 public:
  LifecycleUnderKills()
      : stack_({.partitions = 4,
                .request_timeout = kRequestTimeout,
                .gateway_args = {},
                .kafka_config = {},
                .kafka_nodes = 3}) {}

  Stack& stack() { return stack_; }

  // Invites kUsers fresh addresses and reads back their e-mail jobs (the links the invited would click).
  bool invite_all() {
    std::vector<std::pair<std::string, std::string>> invitations;
    for (int i = 0; i < kUsers; ++i) {
      const auto email = "life" + std::to_string(i) + "." + common::random_hex(3) + "@example.com";
      invitations.emplace_back(email, "User");
      emails_.push_back(email);
    }
    const auto invited = stack_.invite(testing::invite_body(invitations), stack_.owner_token());
    EXPECT_EQ(invited.status, 200) << invited.body;
    return testing::eventually(
        [&] {
          for (const auto& record : stack_.read_topic(std::string(events::topics::kEmails), kUsers, 5s)) {
            if (auto job = events::decode_email_job(record.value)) job_of_[job->recipient_email] = *job;
          }
          return job_of_.size() == static_cast<std::size_t>(kUsers);
        },
        60s);
  }

  bool accepts(int i) const { return i < kUsers / 2; }
  const std::string& email(int i) const { return emails_[static_cast<std::size_t>(i)]; }
  const events::EmailJob& job(int i) const { return job_of_.at(email(i)); }

  // One operation, repeated while the answer is 503 or 504, until a definitive one (or kOperationGiveUp: 0).
  void run(int i, Answers& answers) const {
    const auto give_up = Clock::now() + kOperationGiveUp;
    const auto& link = job(i).confirmation_link;
    while (Clock::now() < give_up) {
      const auto started = Clock::now();
      testing::HttpReply reply;
      if (accepts(i)) {
        const json body{{"fromInviteLink", true},     {"email", email(i)},  {"type", 4},
                        {"key", param(link, "key")},  {"firstName", "Ada"}, {"lastName", "Lovelace"},
                        {"password", "long enough 1"}};
        reply =
            stack_.request("POST", "/api/2.0/people", body.dump(), "", {{"confirm", link.substr(link.find('?') + 1)}});
      } else {
        // A caller of its own per attempt: the resend limit is per caller and not what this test is about.
        reply = stack_.request("PUT", "/api/2.0/people/invite",
                               json{{"userIds", {job(i).recipient_user_id}}, {"resendAll", false}}.dump(),
                               stack_.token(domain::Role::Owner));
      }
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
      {
        std::lock_guard lock(answers.mutex);
        answers.slowest = std::max(answers.slowest, took);
        if (reply.status != 503 && reply.status != 504) {
          answers.final_status[email(i)] = reply.status;
          return;
        }
        ++answers.retried[std::to_string(reply.status)];
      }
      std::this_thread::sleep_for(kPause);
    }
    std::lock_guard lock(answers.mutex);
    answers.final_status[email(i)] = 0;
  }

 private:
  Stack stack_;
  std::vector<std::string> emails_;
  std::map<std::string, events::EmailJob> job_of_;
};

TEST(Faults, WorkerKilledDuringAcceptsAndResends) {
  const auto began = Clock::now();
  LifecycleUnderKills scenario;
  ASSERT_TRUE(scenario.invite_all()) << "the invitations' e-mail jobs never all appeared";

  Answers answers;
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      for (int i = c; i < kUsers; i += 4) {
        scenario.run(i, answers);
        std::this_thread::sleep_for(kPause);  // spreads the operations over the kills
      }
    });
  }
  // The kills from this thread: a child is killed when the thread that spawned it ends (PR_SET_PDEATHSIG).
  // The first outage is shorter than the request timeout (the answers wait), the second longer (they are 504s).
  int kills = 0;
  for (const auto down : {1000ms, 4500ms}) {
    std::this_thread::sleep_for(400ms);
    scenario.stack().kill_worker();
    ++kills;
    std::this_thread::sleep_for(down);
    scenario.stack().start_worker();
  }
  for (auto& client : clients) client.join();
  EXPECT_GT(answers.retried["504"], 0) << "no request met the second outage: the scenario tested nothing";

  // Every attempt was answered by its deadline, and every operation ended with a definitive answer. An accept
  // whose 200 was lost to a kill is answered 403 (no longer pending) when retried: applied once, by the first.
  EXPECT_LT(answers.slowest, kRequestTimeout + 2s) << "slowest answer " << answers.slowest.count() << " ms";
  for (int i = 0; i < kUsers; ++i) {
    const auto status = answers.final_status[scenario.email(i)];
    if (scenario.accepts(i)) {
      EXPECT_TRUE(status == 200 || status == 403) << scenario.email(i) << " accept answered " << status;
    } else {
      EXPECT_EQ(status, 200) << scenario.email(i) << " resend answered " << status;
    }
  }

  // The judge reads the topics once the restarted worker has relayed its outbox.
  std::map<std::string, std::set<std::string>> values_of_event;  // eventId -> distinct record values
  std::map<std::string, std::set<std::string>> activations;      // user id -> distinct eventIds
  std::map<std::string, std::set<std::string>> resend_jobs;      // requestId -> distinct eventIds
  std::map<std::string, std::set<std::string>> resends_of;       // user id -> requestIds of its resend jobs
  const auto activated = std::string(events::topics::kUserActivated);
  testing::eventually(
      [&] {
        activations.clear();
        for (const auto& record : scenario.stack().read_topic(activated, kUsers / 2, 5s)) {
          if (auto event = events::decode_user_activated(record.value)) {
            activations[event->user.id].insert(event->event_id);
          }
        }
        return activations.size() >= static_cast<std::size_t>(kUsers / 2);
      },
      60s);
  for (const auto topic : {events::topics::kUserActivated, events::topics::kEmails, events::topics::kUserInvited}) {
    for (const auto& record : scenario.stack().read_topic(std::string(topic), 0, 5s)) {
      values_of_event[json::parse(record.value).at("eventId").get<std::string>()].insert(record.value);
      if (topic != events::topics::kEmails) continue;
      if (auto job = events::decode_email_job(record.value); job && job->resend) {
        resend_jobs[job->request_id].insert(job->event_id);
        resends_of[job->recipient_user_id].insert(job->request_id);
      }
    }
  }
  long duplicates = 0;
  long lost = 0;  // an operation answered 200 whose effect no consumer sees
  for (const auto& [event_id, values] : values_of_event) {
    EXPECT_EQ(values.size(), 1u) << "eventId " << event_id << " on different records";
  }
  for (int i = 0; i < kUsers; ++i) {
    const auto& job = scenario.job(i);
    if (scenario.accepts(i)) {
      EXPECT_EQ(activations[job.recipient_user_id].size(), 1u) << job.recipient_email << ": activations";
      EXPECT_EQ(resends_of.count(job.recipient_user_id), 0u) << job.recipient_email << " was never resent";
    } else {
      EXPECT_EQ(activations.count(job.recipient_user_id), 0u) << job.recipient_email << " was never accepted";
      EXPECT_GE(resends_of[job.recipient_user_id].size(), 1u) << job.recipient_email << " got no resend";
    }
    const auto effects =
        scenario.accepts(i) ? activations[job.recipient_user_id].size() : resends_of[job.recipient_user_id].size();
    duplicates += scenario.accepts(i) ? std::max<long>(0, static_cast<long>(effects) - 1) : 0;
    if (answers.final_status[job.recipient_email] == 200 && effects == 0) ++lost;
  }
  for (const auto& [request_id, jobs] : resend_jobs) {
    EXPECT_EQ(jobs.size(), 1u) << "resend " << request_id << " queued " << jobs.size() << " e-mail jobs";
    duplicates += static_cast<long>(jobs.size()) - 1;
  }

  // Recovered without help: the restarted worker answers a confirm of an accepted link with UserExisted (4).
  const auto& accepted = scenario.job(0);
  const json confirm{{"type", "LinkInvite"},
                     {"key", param(accepted.confirmation_link, "key")},
                     {"encemail", param(accepted.confirmation_link, "encemail")},
                     {"emplType", 4}};
  const auto checked = scenario.stack().request("POST", "/api/2.0/authentication/confirm", confirm.dump());
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_EQ(json::parse(checked.body)["response"]["result"], 4) << checked.body;

  std::ostringstream retried;
  for (const auto& [kind, count] : answers.retried) retried << (retried.tellp() > 0 ? "," : "") << kind << ":" << count;
  write_summary(testing::real_kafka_requested() ? "real3-lifecycle-worker-sigkill" : "lifecycle-worker-sigkill",
                "users=" + std::to_string(kUsers) + " kills=" + std::to_string(kills) + " retried={" + retried.str() +
                    "} activations=" + std::to_string(activations.size()) + " resend_requests=" +
                    std::to_string(resend_jobs.size()) + " duplicates=" + std::to_string(duplicates) +
                    " lost=" + std::to_string(lost) + " slowest_ms=" + std::to_string(answers.slowest.count()),
                Clock::now() - began);
}

}  // namespace
}  // namespace invite::faults
