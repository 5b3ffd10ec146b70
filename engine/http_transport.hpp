#pragma once
// The engine's view of HTTP. The Beast client (engine/http/) implements it for
// real; tests use tests/support/fake_transport.hpp.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace flow {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// The first header named `name`, case-insensitively.
std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name);

/// TLS settings of a datasource.
struct TlsOptions {
  std::string ca_file;           // extra trust anchor(s), PEM; empty: system store only
  std::string client_cert_file;  // PEM client certificate (mutual TLS)
  std::string client_key_file;   // PEM private key of the client certificate
  bool insecure_skip_verify = false;
};

/// Retry policy for transient failures (is_transient). Never 4xx but 429.
struct RetryOptions {
  int max_attempts = 1;  // 1: no retry
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10'000};
};

struct HttpRequest {
  std::string call;    // "Datasource.Method" that built it: `flow test` answers mocks by it
  std::string method;  // "GET", "POST", ...
  std::string url;     // absolute: scheme://host[:port]/path?query
  /// The datasource's base_url as evaluated, which `url` is built on: what an
  /// invalid_url failure names when the fault is there. Never sent, nor read
  /// by a transport: the engine takes it out before it sends the request.
  std::string base_url;
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};  // total deadline for the whole exchange
  std::size_t max_response_bytes = 1 << 20;
  TlsOptions tls;
  RetryOptions retry;
  /// The wire values of the parts that are secret (tainted, declared `secret`,
  /// or a credential header): what the engine masks in an answer that echoes
  /// the request. Never sent.
  std::vector<std::string> secrets;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  int attempts = 1;  // requests sent for it: more than one when retries answered 5xx/429 first
  /// First header named `name`, case-insensitively.
  std::optional<std::string> header(std::string_view name) const;
  /// Whether its Content-Type names `media_type` ("application/json"), without
  /// case and whatever parameters follow (`; charset=utf-8`).
  bool has_media_type(std::string_view media_type) const;
};

/// What makes `url` unusable by its scheme ("missing scheme (expected http:// or
/// https://)", "unsupported scheme 'ftp'"), or nullopt for http and https. The one
/// rule for the transport's URL parser and the checker's look at a literal base_url.
std::optional<std::string> url_scheme_problem(std::string_view url);

/// Whether `url` holds a space or a control character, which the transport
/// refuses in a URL (invalid_url) wherever it is.
bool url_has_space_or_control(std::string_view url);

/// Why an exchange produced no HTTP response at all. `proxy`: the proxy refused
/// (or cannot be used); one that cannot be reached is `refused`, `dns`, ...
enum class HttpErrorKind { dns, refused, tls, timeout, too_large, malformed, network, proxy, invalid_url };

struct HttpError {
  HttpErrorKind kind = HttpErrorKind::network;
  std::string message;  // human-readable, secrets never included
};

const char* http_error_kind_name(HttpErrorKind kind);

using HttpResult = std::variant<HttpResponse, HttpError>;

/// The one rule for what another attempt may cure, for a datasource's `retries`
/// and a schedule's `retry N times` alike (docs/semantics.md, "Failure"):
/// network errors (dns, refused, timeout, network: a connection reset or
/// closed, a proxy that cannot be reached or closes, or answers CONNECT with
/// a 5xx), HTTP 5xx and 429. Never tls, invalid_url, too_large, malformed,
/// proxy (a refusal by the proxy, 407 included), nor any other status: a 4xx
/// will fail the same way again.
bool is_transient(const HttpResult& result);
/// The final result of `attempts` tries: an error says how many there were.
HttpResult with_attempts(HttpResult result, int attempts);

/// Sends requests. Implementations are used from one io_context thread.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// Performs the exchange (with the request's retries and deadline). A non-2xx
  /// status is a response, not an error: the engine decides what it means.
  virtual boost::asio::awaitable<HttpResult> send(HttpRequest request) = 0;
};

}  // namespace flow
