#include "invite/runtime/pod_ordinal.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "support/argv.hpp"

using invite::runtime::Cli;
using invite::runtime::index_from_pod_name;
using invite::runtime::pod_ordinal;

namespace {

using invite::testing::Argv;

// A prefix of its own so that a developer's INVITE_POD_NAME cannot leak into the tests. A malformed flag value
// never gets here: the command line refuses it (exit code 2, as a string here).
invite::common::Result<std::int32_t> resolve(std::initializer_list<std::string> args,
                                             std::optional<std::int64_t> replica_count = std::nullopt) {
  Cli cli("invite-test", "", "PODORDINALTEST_");
  invite::runtime::PodIndex index;
  invite::runtime::add_pod_index_flags(cli, index, "reply-partition", "0", "partition", "pod name");
  Argv argv(args);
  ::testing::internal::CaptureStderr();
  const auto exit_code = cli.parse(argv.argc(), argv.argv());
  const std::string err = ::testing::internal::GetCapturedStderr();
  if (exit_code) return invite::common::fail("exit " + std::to_string(*exit_code) + ": " + err);
  if (replica_count) return invite::runtime::replica_index(cli, index, *replica_count);
  return index_from_pod_name(cli, index);
}

std::string error_of(const invite::common::Result<std::int32_t>& result) {
  return result ? "" : result.error().message;
}

}  // namespace

TEST(PodOrdinal, DigitsAfterTheLastDash) {
  EXPECT_EQ(pod_ordinal("invite-gateway-0").value(), 0);
  EXPECT_EQ(pod_ordinal("invite-gateway-2").value(), 2);
  EXPECT_EQ(pod_ordinal("worker-17").value(), 17);
  EXPECT_EQ(pod_ordinal("a-2147483647").value(), 2147483647);
}

TEST(PodOrdinal, NamesWithoutAnOrdinalAreErrors) {
  for (const char* name : {"invite-gateway", "invite-gateway-", "gateway7", "-3", "invite-gateway-2a",
                           "invite-gateway-+2", "invite-gateway- 2", "invite-gateway-7f9c4d-xk2pq"}) {
    const auto message = error_of(pod_ordinal(name));
    EXPECT_NE(message.find("has no ordinal"), std::string::npos) << name << ": " << message;
    EXPECT_NE(message.find(name), std::string::npos) << message;
  }
}

TEST(PodOrdinal, OrdinalBeyondInt32IsAnError) {
  EXPECT_NE(error_of(pod_ordinal("a-2147483648")).find("too large"), std::string::npos);
  EXPECT_NE(error_of(pod_ordinal("a-99999999999999999999999")).find("too large"), std::string::npos);
}

TEST(IndexFromPodName, FlagValueWithoutPodName) {
  EXPECT_EQ(resolve({"prog"}).value(), 0);
  EXPECT_EQ(resolve({"prog", "--reply-partition", "3"}).value(), 3);
  EXPECT_EQ(resolve({"prog", "--pod-name="}).value(), 0);
}

TEST(IndexFromPodName, PodOrdinalReplacesTheDefault) {
  EXPECT_EQ(resolve({"prog", "--pod-name", "invite-gateway-2"}).value(), 2);
}

TEST(IndexFromPodName, AgreeingExplicitValueIsAccepted) {
  EXPECT_EQ(resolve({"prog", "--pod-name", "invite-gateway-2", "--reply-partition", "2"}).value(), 2);
}

TEST(IndexFromPodName, DisagreeingExplicitValueIsAnError) {
  // Even the default's value, when given explicitly: the operator said 0 and the pod says 2.
  const auto message = error_of(resolve({"prog", "--pod-name", "invite-gateway-2", "--reply-partition", "0"}));
  EXPECT_NE(message.find("--pod-name invite-gateway-2 means --reply-partition 2"), std::string::npos) << message;
  EXPECT_NE(message.find("set only one"), std::string::npos) << message;
}

TEST(IndexFromPodName, PodNameWithoutOrdinalIsAnError) {
  const auto message = error_of(resolve({"prog", "--pod-name", "invite-gateway-7f9c4d-xk2pq"}));
  EXPECT_EQ(message.rfind("--pod-name: pod name 'invite-gateway-7f9c4d-xk2pq' has no ordinal", 0), 0u) << message;
}

TEST(IndexFromPodName, MalformedFlagValueIsAnError) {
  EXPECT_NE(error_of(resolve({"prog", "--reply-partition", "-1"})).find("non-negative integer"), std::string::npos);
  EXPECT_NE(error_of(resolve({"prog", "--reply-partition", "x"})).find("non-negative integer"), std::string::npos);
}

TEST(ReplicaIndex, BelowTheCountIsAccepted) {
  EXPECT_EQ(resolve({"prog", "--pod-name", "invite-worker-1"}, 2).value(), 1);
}

TEST(ReplicaIndex, AtOrBeyondTheCountIsAnError) {
  EXPECT_EQ(error_of(resolve({"prog", "--pod-name", "invite-worker-2"}, 2)),
            "replica index 2 is not below --replica-count 2");
  EXPECT_EQ(error_of(resolve({"prog", "--reply-partition", "5"}, 3)), "replica index 5 is not below --replica-count 3");
}

TEST(ReplicaIndex, APodNameErrorComesFirst) {
  EXPECT_NE(error_of(resolve({"prog", "--pod-name", "worker"}, 2)).find("--pod-name"), std::string::npos);
}

namespace {

invite::common::Result<invite::runtime::Replica> replica_of(std::initializer_list<std::string> args) {
  Cli cli("invite-test", "", "PODORDINALTEST_");
  invite::runtime::ReplicaFlags flags;
  invite::runtime::add_replica_flags(cli, flags, "invite-test-1", "test.topic.v1");
  Argv argv(args);
  ::testing::internal::CaptureStderr();
  const auto exit_code = cli.parse(argv.argc(), argv.argv());
  ::testing::internal::GetCapturedStderr();
  if (exit_code) return invite::common::fail("exit " + std::to_string(*exit_code));
  return invite::runtime::resolve_replica(cli, flags);
}

}  // namespace

TEST(ReplicaFlags, ThePodNamesOrdinalIsTheIndexAndTheCountComesAlong) {
  const auto replica = replica_of({"prog", "--replica-count", "3", "--pod-name", "invite-test-2"});
  ASSERT_TRUE(replica) << replica.error().message;
  EXPECT_EQ(replica->count, 3);
  EXPECT_EQ(replica->index, 2);
}

TEST(ReplicaFlags, WithoutFlagsOneReplicaOwnsEverything) {
  const auto replica = replica_of({"prog"});
  ASSERT_TRUE(replica) << replica.error().message;
  EXPECT_EQ(replica->count, 1);
  EXPECT_EQ(replica->index, 0);
}

TEST(ReplicaFlags, AnIndexNotBelowTheCountIsRefused) {
  const auto replica = replica_of({"prog", "--replica-count", "2", "--replica-index", "2"});
  ASSERT_FALSE(replica);
  EXPECT_NE(replica.error().message.find("replica-count"), std::string::npos) << replica.error().message;
}
