// The Beast transport against the real oauth2_provider process over plain HTTP:
// the token refresh the seed scenario performs, rotation, faults, keep-alive.
#include <csignal>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "http/client_fixture.hpp"
#include "support/provider.hpp"
#include "support/temp_dir.hpp"

namespace flow::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

const std::vector<std::string> kClientArgs = {"--client-id", "flow-client", "--client-secret", "s3cret"};

std::vector<std::string> provider_args(std::vector<std::string> extra) {
  auto args = kClientArgs;
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

HttpRequest refresh_request(const RunningProvider& provider, const std::string& refresh_token) {
  return post_form(provider.base_url + "/oauth/token",
                   "grant_type=refresh_token&client_id=flow-client&client_secret=s3cret"
                   "&redirect_url=https%3A%2F%2Fapp.example.com%2Fcallback&refresh_token=" + refresh_token);
}

int count_lines_with(const std::string& text, const std::string& needle) {
  int count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

Json json_body(const HttpResult& result) { return Json::parse(expect_response(result).body); }

Json stats(Client& client, const RunningProvider& provider) {
  auto result = client.send(get(provider.base_url + "/stats"));
  REQUIRE(expect_response(result).status == 200);
  return json_body(result);
}

void set_faults(Client& client, const RunningProvider& provider, Json faults) {
  HttpRequest request;
  request.method = "POST";
  request.url = provider.base_url + "/admin/faults";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = faults.dump();
  REQUIRE(expect_response(client.send(request)).status == 200);
}

}  // namespace

TEST_CASE("provider: a form POST refresh returns a JSON token and rotates the refresh token") {
  auto provider = start_provider(provider_args({"--refresh-token", "initial-refresh-token", "--expires-in", "120"}));
  Client client;
  auto result = client.send(refresh_request(provider, "initial-refresh-token"));
  const auto& response = expect_response(result);
  CHECK(response.status == 200);
  CHECK(response.header("content-type") == "application/json");
  Json body = Json::parse(response.body);
  CHECK(body["token_type"] == "Bearer");
  CHECK(body["expires_in"] == 120);
  CHECK(body["access_token"].get<std::string>().size() == 64);
  CHECK(body["refresh_token"].get<std::string>() != "initial-refresh-token");
  CHECK(body["created_at"].get<long long>() > 1'700'000'000);
}

TEST_CASE("provider: a chain of refreshes works and reusing any old refresh token is invalid_grant") {
  auto provider = start_provider(provider_args({"--refresh-token", "r0"}));
  Client client;
  std::vector<std::string> chain{"r0"};
  for (int i = 0; i < 4; ++i) {
    auto body = json_body(client.send(refresh_request(provider, chain.back())));
    chain.push_back(body.at("refresh_token").get<std::string>());
  }
  for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
    auto result = client.send(refresh_request(provider, chain[i]));
    CHECK(expect_response(result).status == 400);
    CHECK(json_body(result) == Json{{"error", "invalid_grant"}});
  }
  CHECK(expect_response(client.send(refresh_request(provider, chain.back()))).status == 200);
  auto counts = stats(client, provider);
  CHECK(counts["refreshes"] == 5);
  CHECK(counts["invalid_grants"] == 4);
  CHECK(counts["token_requests"] == 9);
}

TEST_CASE("provider: wrong client credentials are invalid_client") {
  auto provider = start_provider(provider_args({"--refresh-token", "r0"}));
  Client client;
  auto result = client.send(post_form(provider.base_url + "/oauth/token",
                                      "grant_type=refresh_token&client_id=flow-client&client_secret=nope&refresh_token=r0"));
  CHECK(expect_response(result).status == 401);
  CHECK(json_body(result)["error"] == "invalid_client");
  // The refresh token was not consumed by the rejected request.
  CHECK(expect_response(client.send(refresh_request(provider, "r0"))).status == 200);
}

TEST_CASE("provider: client_credentials with a JSON body, then the token opens /api/resource") {
  auto provider = start_provider(kClientArgs);
  Client client;
  HttpRequest request;
  request.method = "POST";
  request.url = provider.base_url + "/oauth/token";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = R"({"grant_type":"client_credentials","client_id":"flow-client","client_secret":"s3cret"})";
  auto token = json_body(client.send(request)).at("access_token").get<std::string>();

  auto resource = get(provider.base_url + "/api/resource");
  resource.headers = {{"Authorization", "Bearer " + token}};
  CHECK(expect_response(client.send(resource)).status == 200);
  resource.headers = {{"Authorization", "Bearer not-a-token"}};
  CHECK(expect_response(client.send(resource)).status == 401);
  CHECK(expect_response(client.send(get(provider.base_url + "/api/resource"))).status == 401);
  CHECK(stats(client, provider)["resource_requests"] == 3);
}

TEST_CASE("provider: an access token is refused once it expired, while a newer one still opens /api/resource") {
  // Expiry has one-second resolution (issued at 5.99 s with expires_in 3 expires at
  // 8 s): the first token is good for at least 2 s, so a loaded machine's pause
  // between issuing it and the first check does not expire it.
  auto provider = start_provider(provider_args({"--refresh-token", "rt-0", "--expires-in", "3"}));
  Client client;
  const auto first = json_body(client.send(refresh_request(provider, "rt-0")));
  const auto bearer = [&](const Json& token) {
    auto resource = get(provider.base_url + "/api/resource");
    resource.headers = {{"Authorization", "Bearer " + token.at("access_token").get<std::string>()}};
    return expect_response(client.send(resource)).status;
  };
  CHECK(bearer(first) == 200);
  // After 4.1 s the first token is past it for sure.
  std::this_thread::sleep_for(4100ms);
  const auto second = json_body(client.send(refresh_request(provider, first.at("refresh_token").get<std::string>())));
  CHECK(bearer(first) == 401);
  CHECK(bearer(second) == 200);
}

TEST_CASE("provider: keep-alive reuses one connection for consecutive requests") {
  auto provider = start_provider(provider_args({"--refresh-token", "r0"}));
  Client client;
  std::string refresh = "r0";
  for (int i = 0; i < 5; ++i) {
    refresh = json_body(client.send(refresh_request(provider, refresh))).at("refresh_token").get<std::string>();
  }
  auto counts = stats(client, provider);
  CHECK(counts["connections_accepted"] == 1);
  CHECK(counts["requests"] == 6);
}

TEST_CASE("provider: faults set over /admin/faults drive the retry policy") {
  auto provider = start_provider(provider_args({"--refresh-token", "r0"}));
  Client client;
  set_faults(client, provider, {{"fail_next_n_with_500", 2}});
  auto request = refresh_request(provider, "r0");
  request.retry = {3, 10ms, 50ms};
  CHECK(expect_response(client.send(request)).status == 200);
  CHECK(stats(client, provider)["token_requests"] == 1);  // the 500s answered before the token endpoint

  set_faults(client, provider, {{"invalid_grant_next_n", 1}});
  auto result = client.send(refresh_request(provider, "anything"));
  CHECK(expect_response(result).status == 400);  // 4xx: never retried
}

TEST_CASE("provider: fault flags on the command line, dropped connections are retried") {
  auto provider = start_provider(provider_args({"--refresh-token", "r0", "--drop-next-n-connections", "2"}));
  Client client;
  auto request = refresh_request(provider, "r0");
  request.retry = {3, 10ms, 50ms};
  CHECK(expect_response(client.send(request)).status == 200);
  CHECK(stats(client, provider)["connections_accepted"] == 3);
}

TEST_CASE("provider: a dropped connection without retries is a network error") {
  auto provider = start_provider(provider_args({"--refresh-token", "r0", "--drop_next_n_connections=1"}));
  Client client;
  auto error = expect_error(client.send(refresh_request(provider, "r0")));
  CHECK(error.kind == HttpErrorKind::network);
  CHECK(error.message.find("r0") == std::string::npos);
  CHECK(error.message.find("s3cret") == std::string::npos);
}

TEST_CASE("provider: --state keeps rotated refresh tokens across a restart") {
  const flow::testing::TempDir dir;
  auto state = dir.file("state.json");
  std::string rotated;
  {
    auto provider = start_provider(provider_args({"--refresh-token", "r0", "--state", state}));
    Client client;
    rotated = json_body(client.send(refresh_request(provider, "r0"))).at("refresh_token").get<std::string>();
    provider.process.signal(SIGTERM);
    CHECK(provider.process.wait(5s) == 0);
  }
  auto provider = start_provider(provider_args({"--refresh-token", "r0", "--state", state}));
  Client client;
  CHECK(expect_response(client.send(refresh_request(provider, "r0"))).status == 400);
  CHECK(expect_response(client.send(refresh_request(provider, rotated))).status == 200);
}

TEST_CASE("provider: --log errors leaves answered requests out of the log, not 500s") {
  auto provider = start_provider(provider_args({"--refresh-token", "rt-quiet-0001", "--log", "errors",
                                                "--fail-next-n-with-500", "1"}));
  Client client;
  CHECK(expect_response(client.send(refresh_request(provider, "rt-quiet-0001"))).status == 500);
  CHECK(expect_response(client.send(refresh_request(provider, "rt-quiet-0001"))).status == 200);
  provider.process.signal(SIGINT);
  CHECK(provider.process.wait(5s) == 0);
  const auto log = provider.process.stderr_text();
  CHECK(count_lines_with(log, "-> 500") == 1);
  CHECK(count_lines_with(log, "-> 200") == 0);
}

TEST_CASE("provider: logs mask tokens and SIGINT stops it cleanly") {
  auto provider = start_provider(provider_args({"--refresh-token", "a-long-initial-refresh-token"}));
  Client client;
  auto body = json_body(client.send(refresh_request(provider, "a-long-initial-refresh-token")));
  provider.process.signal(SIGINT);
  CHECK(provider.process.wait(5s) == 0);
  auto log = provider.process.stderr_text();
  CHECK(log.find("••••oken") != std::string::npos);
  CHECK(log.find("a-long-initial-refresh-token") == std::string::npos);
  CHECK(log.find(body["access_token"].get<std::string>()) == std::string::npos);
  CHECK(log.find(body["refresh_token"].get<std::string>()) == std::string::npos);
  CHECK(log.find("s3cret") == std::string::npos);
}

TEST_CASE("provider: --help prints the usage on stdout and exits 0; an unknown flag still exits 2", "[provider]") {
  auto help = ChildProcess::start({provider_binary(), "--help"});
  const auto usage = help.read_all_stdout_until_exit(10s);
  CHECK(help.wait(10s) == 0);
  CHECK(usage.starts_with("usage: oauth2_provider [--port N]"));
  CHECK(help.stderr_text().empty());
  auto unknown = ChildProcess::start({provider_binary(), "--bogus"});
  unknown.read_all_stdout_until_exit(10s);
  CHECK(unknown.wait(10s) == 2);
  CHECK_THAT(unknown.stderr_text(), Catch::StartsWith("oauth2_provider: unknown flag --bogus\nusage:"));
}

}  // namespace flow::test
