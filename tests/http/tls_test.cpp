// HTTPS against the provider with a test PKI generated at test time: verified
// by default, refused with a TLS error for an unknown CA or a wrong host name.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>
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

/// GET /stats, verified with the `good` CA: answers without spending the refresh token.
HttpRequest stats_request(const std::string& base_url) {
  auto request = get(base_url + "/stats");
  request.tls.ca_file = pki().good() + "/ca.pem";
  return request;
}

/// Sends `client`'s https requests through `proxy`, except to the hosts in `no_proxy`.
void through_proxy(Client& client, const TestProxy& proxy, const std::string& no_proxy = "") {
  BeastTransportOptions options;
  options.https_proxy = proxy.url();
  options.no_proxy = no_proxy;
  client.transport = make_beast_transport(client.io.get_executor(), options);
}

/// Writes the PEM key at `plain` to `encrypted` under AES-256 with the
/// passphrase "x", as `openssl pkey -aes256 -passout pass:x` does.
void write_encrypted_key(const std::string& plain, const std::string& encrypted) {
  std::FILE* in = std::fopen(plain.c_str(), "r");
  REQUIRE(in != nullptr);
  EVP_PKEY* key = PEM_read_PrivateKey(in, nullptr, nullptr, nullptr);
  std::fclose(in);
  REQUIRE(key != nullptr);
  std::FILE* out = std::fopen(encrypted.c_str(), "w");
  REQUIRE(out != nullptr);
  static unsigned char passphrase[] = "x";
  const int written = PEM_write_PrivateKey(out, key, EVP_aes_256_cbc(), passphrase, 1, nullptr, nullptr);
  std::fclose(out);
  EVP_PKEY_free(key);
  REQUIRE(written == 1);
}

/// Puts `from`'s client.pem and client.key at `dir` as a renewal does: each
/// written beside, then renamed over the old file.
void install_client_certificate(const std::string& from, const fs::path& dir) {
  fs::create_directories(dir);
  for (const char* name : {"client.pem", "client.key"}) {
    fs::copy_file(fs::path(from) / name, dir / (std::string(name) + ".new"), fs::copy_options::overwrite_existing);
    fs::rename(dir / (std::string(name) + ".new"), dir / name);
  }
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
    auto result = client.send(stats_request(provider.base_url));
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
  const auto stats = nlohmann::json::parse(expect_response(client.send(stats_request(provider.base_url))).body);
  CHECK(stats["token_requests"] == 0);
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
  struct Case {
    const char* name;
    std::string (Pki::*client_pki)() const;  // whose client.pem and client.key are presented; nullptr: none
    const char* error_ending;                // how the TLS error ends; nullptr: the refresh succeeds
  };
  const Case cases[] = {
      {"without it the exchange fails, and says what the server wants", nullptr,
       "alert certificate required (SSL routines): the server requires a client certificate (client_cert / "
       "client_key)"},
      {"with one from a CA the server does not trust, the message blames the client certificate", &Pki::other,
       "tlsv1 alert unknown ca (SSL routines): the server rejected the client certificate (client_cert): not "
       "issued by a CA it trusts"},
      {"with it the refresh succeeds", &Pki::good, nullptr},
  };
  auto provider = start_tls_provider(pki().good(), {"--tls-client-ca", pki().good() + "/ca.pem"});
  Client client;
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      auto request = refresh(provider.base_url, pki().good() + "/ca.pem");
      if (c.client_pki) {
        request.tls.client_cert_file = (pki().*c.client_pki)() + "/client.pem";
        request.tls.client_key_file = (pki().*c.client_pki)() + "/client.key";
      }
      const auto result = client.send(request);
      if (c.error_ending) {
        const auto& error = expect_error(result);
        CHECK(error.kind == HttpErrorKind::tls);
        CHECK_THAT(error.message, Catch::EndsWith(c.error_ending));
      } else {
        CHECK(expect_response(result).status == 200);
      }
    }
  }
}

TEST_CASE("tls: renewed client certificate files are used by the next connection, not the pooled one") {
  auto provider = start_tls_provider(pki().good(), {"--tls-client-ca", pki().good() + "/ca.pem"});
  const auto dir = pki().root / "renewed";
  Client client;
  auto request = refresh(provider.base_url, pki().good() + "/ca.pem");
  request.url = provider.base_url + "/stats";  // answers without spending the refresh token
  request.method = "GET";
  request.tls.client_cert_file = (dir / "client.pem").string();
  request.tls.client_key_file = (dir / "client.key").string();
  install_client_certificate(pki().good(), dir);
  CHECK(expect_response(client.send(request)).status == 200);  // its connection is pooled
  // The server checks each pair: one from a CA it does not trust is refused,
  // so that call cannot have gone out with the first pair.
  install_client_certificate(pki().other(), dir);
  auto error = expect_error(client.send(request));
  CHECK_THAT(error.message, Catch::Contains("not issued by a CA it trusts"));
  install_client_certificate(pki().good(), dir);
  auto stats = nlohmann::json::parse(expect_response(client.send(request)).body);
  CHECK(stats["connections_accepted"] == 3);
}

TEST_CASE("tls: an encrypted client key fails at once, without asking for a passphrase") {
  const auto key = (pki().root / "encrypted.key").string();
  write_encrypted_key(pki().good() + "/client.key", key);
  Client client;
  auto request = refresh("https://127.0.0.1:1", pki().good() + "/ca.pem");
  request.tls.client_cert_file = pki().good() + "/client.pem";
  request.tls.client_key_file = key;
  auto error = expect_error(client.send(request));
  CHECK(error.kind == HttpErrorKind::tls);
  CHECK(error.message == "client_key '" + key + "' is encrypted: flow cannot ask for a passphrase; give it the key "
                         "unencrypted, in a file only flow's user can read (chmod 600)");
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
  through_proxy(client, proxy);
  auto request = refresh(provider.base_url, pki().good() + "/ca.pem");
  CHECK(expect_response(client.send(request)).status == 200);
  REQUIRE(proxy.targets().size() == 1);
  CHECK(proxy.targets()[0] == "127.0.0.1:" + std::to_string(provider.port));
  SECTION("the tunnel is kept alive like any connection") {
    const auto stats = nlohmann::json::parse(expect_response(client.send(stats_request(provider.base_url))).body);
    CHECK(stats["connections_accepted"] == 1);
    CHECK(proxy.targets().size() == 1);
  }
  SECTION("a wrong CA is still refused through the tunnel") {
    auto wrong = refresh(provider.base_url, pki().other() + "/ca.pem");
    wrong.url = "https://localhost:" + std::to_string(provider.port) + "/oauth/token";
    CHECK(expect_error(client.send(wrong)).kind == HttpErrorKind::tls);
  }
  proxy.stop();
}

TEST_CASE("proxy: interim answers (100, 103) before the CONNECT's 200 are skipped, as an origin's are") {
  auto provider = start_tls_provider(pki().good());
  Client client;
  TestProxy proxy(client.io);
  proxy.answer_connect_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                            "HTTP/1.1 200 Connection established\r\n\r\n");
  through_proxy(client, proxy);
  CHECK(expect_response(client.send(refresh(provider.base_url, pki().good() + "/ca.pem"))).status == 200);
  CHECK(proxy.targets().size() == 1);
  proxy.stop();
}

TEST_CASE("proxy: NO_PROXY hosts go direct, refusals are proxy errors (permanent)") {
  auto provider = start_tls_provider(pki().good());
  Client client;
  SECTION("no_proxy") {
    TestProxy proxy(client.io);
    through_proxy(client, proxy, "example.com, 127.0.0.1");
    CHECK(expect_response(client.send(refresh(provider.base_url, pki().good() + "/ca.pem"))).status == 200);
    CHECK(proxy.targets().empty());
  }
  // A proxy that answers CONNECT with `status`: the error reads "proxy PROXY" + `says` + "TARGET" + `ending`.
  struct Refusal {
    const char* name;
    int status;
    RetryOptions retry;
    HttpErrorKind kind;
    const char* says;
    const char* ending;
    std::size_t connects;  // CONNECTs the proxy saw
  };
  const Refusal refusals[] = {
      {"a proxy that answers 403", 403, {}, HttpErrorKind::proxy, " refused CONNECT to ", ": 403 Forbidden", 1},
      {"a proxy that asks for credentials: flow has none to give, and says so", 407, {3, 1ms, 5ms},
       HttpErrorKind::proxy, " refused CONNECT to ",
       ": 407 Proxy Authentication Required (flow does not support proxy authentication: the proxy must let this "
       "host through without credentials)",
       1},  // not retried: it would answer the same
      {"a proxy that cannot reach the target (502) fails as a refused connection would: retried", 502, {2, 1ms, 5ms},
       HttpErrorKind::network, " could not open a tunnel to ", ": 502 Bad Gateway (after 2 attempts)", 2},
  };
  for (const auto& refusal : refusals) {
    DYNAMIC_SECTION(refusal.name) {
      TestProxy proxy(client.io, refusal.status);
      through_proxy(client, proxy);
      auto request = refresh(provider.base_url, pki().good() + "/ca.pem");
      request.retry = refusal.retry;
      const auto error = expect_error(client.send(request));
      CHECK(error.kind == refusal.kind);
      CHECK(error.message == "proxy 127.0.0.1:" + std::to_string(proxy.port()) + refusal.says + "127.0.0.1:" +
                                 std::to_string(provider.port) + refusal.ending);
      CHECK(proxy.targets().size() == refusal.connects);
    }
  }
}

}  // namespace flow::test
