// Drives the built invitectl binary (path from CMake) the way an operator would.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

#include "invite/auth/token.hpp"
#include "invite/store/partition_store.hpp"

namespace fs = std::filesystem;
using invite::domain::EmployeeStatus;
using invite::domain::EmployeeType;
using invite::domain::User;
using invite::store::PartitionStore;

namespace {

using invite::testing::TempDir;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string quote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class InvitectlTest : public ::testing::Test {
 protected:
  RunResult run(const std::vector<std::string>& args, const std::string& env = "") {
    // env -u keeps a developer's INVITE_* settings from changing what the binary sees.
    std::string cmd =
        "env -u INVITE_DATA_DIR -u INVITE_PORTAL -u INVITE_JSON -u INVITE_TOKEN_SECRET_FILE -u INVITE_SECRET_FILE "
        "-u INVITE_ROLE -u INVITE_USER_ID -u INVITE_TTL -u INVITE_EMAIL " +
        env + " " + quote(INVITECTL_PATH);
    for (const auto& a : args) cmd += " " + quote(a);
    const auto err_file = dir_.path() / "stderr.txt";
    cmd += " 2>" + quote(err_file.string());
    RunResult r;
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) return r;
    char buf[4096];
    std::size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
    const int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = slurp(err_file);
    return r;
  }

  fs::path data_dir() const { return dir_.path() / "data"; }

  void seed() {
    auto open = [](const fs::path& file) {
      auto opened = PartitionStore::open(file);
      EXPECT_TRUE(opened.has_value());
      return std::move(*opened);
    };
    auto p0 = open(PartitionStore::file_for(data_dir(), 0));
    auto p1 = open(PartitionStore::file_for(data_dir(), 1));
    invite::store::RequestCommit c0;
    c0.request_id = "r0";
    c0.create = {
        user("11111111-1111-4111-8111-111111111111", "b.example.com", "Zed@Example.com", EmployeeType::RoomAdmin)};
    p0->apply(c0);
    invite::store::RequestCommit c1;
    c1.request_id = "r1";
    c1.create = {user("22222222-2222-4222-8222-222222222222", "a.example.com", "ann@example.com", EmployeeType::User)};
    p1->apply(c1);
  }

  static User user(std::string id, std::string portal, std::string email, EmployeeType type) {
    User u;
    u.id = std::move(id);
    u.portal = std::move(portal);
    u.email = std::move(email);
    u.user_name = u.email.substr(0, u.email.find('@'));
    u.type = type;
    u.culture = "en-US";
    u.created_by = "33333333-3333-4333-8333-333333333333";
    u.created_at_ms = 1764154800123;  // 2025-11-26T11:00:00.123Z
    return u;
  }

  TempDir dir_;
};

}  // namespace

TEST_F(InvitectlTest, TokenVerifiesWithTheSecret) {
  const auto secret_file = dir_.path() / "secret";
  std::ofstream(secret_file) << "s3cret-value-for-tests\n";
  const auto r = run({"token", "--portal", "Docs.Example.com", "--role", "DocSpaceAdmin", "--user-id",
                      "44444444-4444-4444-8444-444444444444", "--ttl", "2h", "--secret-file", secret_file.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.back(), '\n');
  const std::string token = r.out.substr(0, r.out.size() - 1);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto verified = invite::auth::verify_token(token, "s3cret-value-for-tests", "docs.example.com", now);
  ASSERT_TRUE(verified);
  const auto& claims = *verified;
  EXPECT_EQ(claims.user_id, "44444444-4444-4444-8444-444444444444");
  EXPECT_EQ(claims.role, invite::domain::Role::DocSpaceAdmin);
  EXPECT_NEAR(static_cast<double>(claims.expires_at - claims.issued_at), 7200.0, 1.0);
  EXPECT_FALSE(invite::auth::verify_token(token, "another-secret", "docs.example.com", now));

  // Defaults: a fresh uuid and 24 h; the secret's file may come from the gateway's environment twin.
  const auto d = run({"token", "--portal", "docs.example.com", "--role", "Owner"},
                     "INVITE_TOKEN_SECRET_FILE=" + quote(secret_file.string()));
  ASSERT_EQ(d.exit_code, 0) << d.err;
  const auto dv =
      invite::auth::verify_token(d.out.substr(0, d.out.size() - 1), "s3cret-value-for-tests", "docs.example.com", now);
  ASSERT_TRUE(dv);
  EXPECT_EQ(dv->user_id.size(), 36u);
  EXPECT_NEAR(static_cast<double>(dv->expires_at - now), 86400.0, 5.0);
}

TEST_F(InvitectlTest, TokenRejectsBadRoleAndUnreadableSecret) {
  const auto secret_file = dir_.path() / "secret";
  std::ofstream(secret_file) << "s3cret";
  auto r = run({"token", "--portal", "p.example.com", "--role", "Admin", "--secret-file", secret_file.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("role"), std::string::npos) << r.err;

  r = run(
      {"token", "--portal", "p.example.com", "--role", "Owner", "--secret-file", (dir_.path() / "missing").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("secret"), std::string::npos) << r.err;
}

TEST_F(InvitectlTest, UsersListsEveryPartition) {
  seed();
  auto r = run({"users", "--data-dir", data_dir().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0].rfind("EMAIL", 0), 0u);
  for (const char* column :
       {"PORTAL", "TYPE", "STATUS", "ACTIVATION", "ID", "CREATED", "EXPIRES", "RESENT", "DELIVERY"}) {
    EXPECT_NE(lines[0].find(column), std::string::npos) << column;
  }
  // Portal order across files: a.example.com (partition 1) before b.example.com (partition 0).
  EXPECT_EQ(lines[1].rfind("ann@example.com", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find("User"), std::string::npos);
  EXPECT_NE(lines[1].find("Pending"), std::string::npos);
  EXPECT_NE(lines[1].find("22222222-2222-4222-8222-222222222222"), std::string::npos);
  EXPECT_NE(lines[1].find("2025-11-26T11:00:00.123Z"), std::string::npos);
  EXPECT_EQ(lines[2].rfind("Zed@Example.com", 0), 0u) << lines[2];
  EXPECT_NE(lines[2].find("RoomAdmin"), std::string::npos);

  r = run({"users", "--portal", "b.example.com", "--json"}, "INVITE_DATA_DIR=" + quote(data_dir().string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"email\": \"Zed@Example.com\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"portal\": \"b.example.com\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"type\": \"RoomAdmin\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"createdAt\": \"2025-11-26T11:00:00.123Z\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("ann@example.com"), std::string::npos) << r.out;
}

TEST_F(InvitectlTest, UsersShowsEachInvitationsExpiryResendsAndDelivery) {
  seed();
  {
    // ann (partition 1) was resent once and its new e-mail failed; zed (partition 0) accepted.
    auto p1 = PartitionStore::open(PartitionStore::file_for(data_dir(), 1));
    ASSERT_TRUE(p1.has_value());
    invite::store::RequestCommit resend;
    resend.portal = "a.example.com";
    resend.reissue = {{"22222222-2222-4222-8222-222222222222", 1764154801123, "44444444-4444-4444-8444-444444444444",
                       "55555555-5555-4555-8555-555555555555"}};
    (*p1)->apply(resend);
    invite::store::RequestCommit status;
    status.portal = "a.example.com";
    status.deliveries = {{"22222222-2222-4222-8222-222222222222", invite::domain::DeliveryStatus::Failed,
                          "550 5.1.1 no such user", 1764154802000, "55555555-5555-4555-8555-555555555555"}};
    (*p1)->apply(status);
    auto p0 = PartitionStore::open(PartitionStore::file_for(data_dir(), 0));
    ASSERT_TRUE(p0.has_value());
    invite::store::RequestCommit accept;
    accept.portal = "b.example.com";
    accept.activate = {
        {"11111111-1111-4111-8111-111111111111", "Zed", "Zee", "en-US", "$argon2id$hash", false, 1764154900000}};
    (*p0)->apply(accept);
  }
  auto r = run({"users", "--data-dir", data_dir().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  const auto column = [&](const std::string& name) { return lines[0].find(name); };
  // Pending: the new link's expiry (7 days after it), one resend, the failure with its reason.
  EXPECT_EQ(lines[1].find("2025-12-03T11:00:01.123Z"), column("EXPIRES")) << r.out;
  EXPECT_EQ(lines[1].find("1 ", column("RESENT")), column("RESENT")) << r.out;
  EXPECT_EQ(lines[1].substr(column("DELIVERY")), "failed: 550 5.1.1 no such user") << r.out;
  // Accepted: no expiry, never resent, no report.
  EXPECT_EQ(lines[2].find("- ", column("EXPIRES")), column("EXPIRES")) << r.out;
  EXPECT_EQ(lines[2].find("0 ", column("RESENT")), column("RESENT")) << r.out;
  EXPECT_EQ(lines[2].substr(column("DELIVERY")), "-") << r.out;

  r = run({"users", "--data-dir", data_dir().string(), "--portal", "a.example.com", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"invitation\": {\n      \"sentAt\": \"2025-11-26T11:00:01.123Z\",\n"
                       "      \"expiresAt\": \"2025-12-03T11:00:01.123Z\",\n"
                       "      \"timesResent\": 1,\n"
                       "      \"inviterId\": \"44444444-4444-4444-8444-444444444444\",\n"
                       "      \"delivery\": {\n        \"status\": \"failed\",\n"
                       "        \"reason\": \"550 5.1.1 no such user\",\n"
                       "        \"at\": \"2025-11-26T11:00:02.000Z\"\n      }\n    }"),
            std::string::npos)
      << r.out;

  r = run({"users", "--data-dir", data_dir().string(), "--portal", "b.example.com", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"timesResent\": 0"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("expiresAt"), std::string::npos) << "no expiry once accepted: " << r.out;
  EXPECT_EQ(r.out.find("delivery"), std::string::npos) << r.out;
}

TEST_F(InvitectlTest, DisableMarksTerminatedAndUnknownEmailFails) {
  seed();
  auto r = run({"users", "disable", "--data-dir", data_dir().string(), "--portal", "b.example.com", "--email",
                "zed@example.COM"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "disabled zed@example.COM\n");
  {
    auto opened = PartitionStore::open(PartitionStore::file_for(data_dir(), 0));
    auto& store = *opened;
    EXPECT_EQ(store->find_users("b.example.com", {"zed@example.com"}).at("zed@example.com").status,
              EmployeeStatus::Terminated);
  }
  r = run({"users", "--data-dir", data_dir().string()});
  EXPECT_NE(r.out.find("Terminated"), std::string::npos) << r.out;

  r = run({"users", "disable", "--data-dir", data_dir().string(), "--portal", "b.example.com", "--email",
           "nobody@example.com"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nobody@example.com"), std::string::npos) << r.err;
}

TEST_F(InvitectlTest, HelpAndUnknownCommand) {
  auto r = run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("token"), std::string::npos);
  EXPECT_NE(r.out.find("users"), std::string::npos);

  r = run({"token", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--secret-file"), std::string::npos) << r.out;

  r = run({"users", "disable", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--email"), std::string::npos) << r.out;

  r = run({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("Usage"), std::string::npos) << r.err;

  r = run({});
  EXPECT_EQ(r.exit_code, 2);

  r = run({"users", "--no-such-flag"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(InvitectlTest, MissingFlagsAreUsageErrorsAMissingDataDirAFailure) {
  auto r = run({"users"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("--data-dir is required"), std::string::npos) << r.err;

  // The first missing flag in the command's own order is named.
  r = run({"users", "disable", "--email", "a@example.com"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--data-dir is required"), std::string::npos) << r.err;
  r = run({"users", "disable", "--data-dir", data_dir().string(), "--portal", "a.example.com"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--email is required"), std::string::npos) << r.err;

  r = run({"token", "--role", "Owner"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--portal is required"), std::string::npos) << r.err;

  r = run({"users", "--data-dir", (dir_.path() / "missing").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}
