// HTTPS against the provider with a test PKI generated at test time: verified
// by default, refused with a TLS error for an unknown CA or a wrong host name.
#include <unistd.h>

#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "http/client_fixture.hpp"
#include "support/provider.hpp"

namespace flow::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// Three throw-away PKIs, made once per test run and removed at exit:
/// `good` (127.0.0.1 + localhost), `other` (an unrelated CA), `localhost_only`.
struct Pki {
  Pki() : root(fs::temp_directory_path() / ("flow-http-tls-" + std::to_string(::getpid()))) {
    fs::remove_all(root);
    generate_test_ca(good());
    generate_test_ca(other());
    generate_test_ca(localhost_only(), {"--cert-hosts", "localhost"});
  }
  ~Pki() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }
  std::string good() const { return (root / "good").string(); }
  std::string other() const { return (root / "other").string(); }
  std::string localhost_only() const { return (root / "localhost-only").string(); }
  fs::path root;
};

const Pki& pki() {
  static const Pki instance;
  return instance;
}

RunningProvider start_tls_provider(const std::string& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--client-id", "c", "--client-secret", "s", "--refresh-token", "r0",
                                "--tls-cert", dir + "/server.pem", "--tls-key", dir + "/server.key"};
  args.insert(args.end(), extra.begin(), extra.end());
  return start_provider(args);
}

HttpRequest refresh(const std::string& base_url, const std::string& ca_file) {
  auto request = post_form(base_url + "/oauth/token",
                           "grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=r0");
  request.tls.ca_file = ca_file;
  return request;
}

}  // namespace

TEST_CASE("tls: a server certificate signed by the configured CA is accepted") {
  auto provider = start_tls_provider(pki().good());
  Client client;
  auto result = client.send(refresh(provider.base_url, pki().good() + "/ca.pem"));
  const auto& response = expect_response(result);
  CHECK(response.status == 200);
  CHECK(nlohmann::json::parse(response.body).contains("refresh_token"));
}

TEST_CASE("tls: keep-alive works over TLS too") {
  auto provider = start_tls_provider(pki().good());
  Client client;
  for (int i = 0; i < 3; ++i) {
    auto request = get(provider.base_url + "/stats");
    request.tls.ca_file = pki().good() + "/ca.pem";
    auto result = client.send(request);
    REQUIRE(expect_response(result).status == 200);
    CHECK(nlohmann::json::parse(std::get<HttpResponse>(result).body)["connections_accepted"] == 1);
  }
}

TEST_CASE("tls: without the test CA (system store only) the server is refused") {
  auto provider = start_tls_provider(pki().good());
  Client client;
  auto error = expect_error(client.send(refresh(provider.base_url, "")));
  CHECK(error.kind == HttpErrorKind::tls);
  CHECK(error.message.find("certificate verify failed: unable to get local issuer certificate") != std::string::npos);
}

TEST_CASE("tls: a certificate from another CA is refused with a TLS error") {
  auto provider = start_tls_provider(pki().good());
  Client client;
  auto error = expect_error(client.send(refresh(provider.base_url, pki().other() + "/ca.pem")));
  CHECK(error.kind == HttpErrorKind::tls);
  CHECK(error.message.find("certificate verify failed") != std::string::npos);
  // The provider saw no token request: nothing was sent over the unverified channel.
  auto stats = get(provider.base_url + "/stats");
  stats.tls.ca_file = pki().good() + "/ca.pem";
  CHECK(nlohmann::json::parse(expect_response(client.send(stats)).body)["token_requests"] == 0);
}

TEST_CASE("tls: a certificate for another host name is refused with a TLS error") {
  auto provider = start_tls_provider(pki().localhost_only());
  Client client;
  auto error = expect_error(client.send(refresh(provider.base_url, pki().localhost_only() + "/ca.pem")));
  CHECK(error.kind == HttpErrorKind::tls);
  CHECK(error.message.find("mismatch") != std::string::npos);
  // The same certificate is fine for the name it was issued to.
  auto by_name = refresh("https://localhost:" + std::to_string(provider.port), pki().localhost_only() + "/ca.pem");
  CHECK(expect_response(client.send(by_name)).status == 200);
}

TEST_CASE("tls: insecure_skip_verify accepts an unverifiable certificate") {
  auto provider = start_tls_provider(pki().good());
  Client client;
  auto request = refresh(provider.base_url, "");
  request.tls.insecure_skip_verify = true;
  CHECK(expect_response(client.send(request)).status == 200);
}

TEST_CASE("tls: a client certificate is presented when the server requires one") {
  auto provider = start_tls_provider(pki().good(), {"--tls-client-ca", pki().good() + "/ca.pem"});
  Client client;
  auto request = refresh(provider.base_url, pki().good() + "/ca.pem");
  SECTION("without it the exchange fails") {
    CHECK(expect_error(client.send(request)).kind == HttpErrorKind::tls);
  }
  SECTION("with it the refresh succeeds") {
    request.tls.client_cert_file = pki().good() + "/client.pem";
    request.tls.client_key_file = pki().good() + "/client.key";
    CHECK(expect_response(client.send(request)).status == 200);
  }
}

TEST_CASE("tls: a CA file that cannot be read is a TLS error naming the file") {
  Client client;
  auto error = expect_error(client.send(refresh("https://127.0.0.1:1", "/nonexistent/ca.pem")));
  CHECK(error.kind == HttpErrorKind::tls);
  CHECK(error.message.find("/nonexistent/ca.pem") != std::string::npos);
}

}  // namespace flow::test

namespace flow::test {

TEST_CASE("proxy: https goes through a CONNECT tunnel, verified end to end") {
  auto provider = start_tls_provider(pki().good());
  Client client;
  TestProxy proxy(client.io);
  BeastTransportOptions options;
  options.https_proxy = proxy.url();
  client.transport = make_beast_transport(client.io.get_executor(), options);
  auto request = refresh(provider.base_url, pki().good() + "/ca.pem");
  CHECK(expect_response(client.send(request)).status == 200);
  REQUIRE(proxy.targets().size() == 1);
  CHECK(proxy.targets()[0] == "127.0.0.1:" + std::to_string(provider.port));
  SECTION("the tunnel is kept alive like any connection") {
    auto stats = get(provider.base_url + "/stats");
    stats.tls.ca_file = pki().good() + "/ca.pem";
    CHECK(nlohmann::json::parse(expect_response(client.send(stats)).body)["connections_accepted"] == 1);
    CHECK(proxy.targets().size() == 1);
  }
  SECTION("a wrong CA is still refused through the tunnel") {
    auto wrong = refresh(provider.base_url, pki().other() + "/ca.pem");
    wrong.url = "https://localhost:" + std::to_string(provider.port) + "/oauth/token";
    CHECK(expect_error(client.send(wrong)).kind == HttpErrorKind::tls);
  }
  proxy.stop();
}

TEST_CASE("proxy: NO_PROXY hosts go direct, refusals are proxy errors") {
  auto provider = start_tls_provider(pki().good());
  Client client;
  SECTION("no_proxy") {
    TestProxy proxy(client.io);
    BeastTransportOptions options;
    options.https_proxy = proxy.url();
    options.no_proxy = "example.com, 127.0.0.1";
    client.transport = make_beast_transport(client.io.get_executor(), options);
    CHECK(expect_response(client.send(refresh(provider.base_url, pki().good() + "/ca.pem"))).status == 200);
    CHECK(proxy.targets().empty());
  }
  SECTION("a proxy that answers 403") {
    TestProxy proxy(client.io, 403);
    BeastTransportOptions options;
    options.https_proxy = proxy.url();
    client.transport = make_beast_transport(client.io.get_executor(), options);
    auto error = expect_error(client.send(refresh(provider.base_url, pki().good() + "/ca.pem")));
    CHECK(error.kind == HttpErrorKind::proxy);
    CHECK(error.message == "proxy 127.0.0.1:" + std::to_string(proxy.port()) + " refused CONNECT to 127.0.0.1:" +
                               std::to_string(provider.port) + ": 403 Refused");
  }
}

}  // namespace flow::test
