#include "engine/http/beast_transport.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <random>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/http/connection.hpp"
#include "engine/http/exchange.hpp"
#include "engine/http/pool.hpp"
#include "engine/http/proxy.hpp"
#include "engine/http/retry.hpp"

namespace flow {

namespace {

namespace asio = boost::asio;
using http::Clock;

/// Everything one send() needs besides the transport: built once, used by every attempt.
struct Exchange {
  HttpRequest request;
  http::Url url;
  std::optional<http::Url> proxy;  // the forward proxy it goes through, if any
  http::BeastRequest wire;
  Clock::time_point deadline;
};

/// The TLS files of `tls` as they are now: each path with its file's device,
/// inode, size and modification and change times (nothing for a file that
/// cannot be found). A renewed certificate, written anew or renamed over the
/// old one, changes it: the files are loaded again and connections opened
/// with the old ones are not reused.
std::string tls_files_identity(const TlsOptions& tls) {
  std::string identity;
  for (const std::string* path : {&tls.ca_file, &tls.client_cert_file, &tls.client_key_file}) {
    identity += *path;
    struct stat file {};
    if (!path->empty() && ::stat(path->c_str(), &file) == 0) {
      for (auto number : {static_cast<long long>(file.st_dev), static_cast<long long>(file.st_ino),
                          static_cast<long long>(file.st_size), static_cast<long long>(file.st_mtim.tv_sec),
                          static_cast<long long>(file.st_mtim.tv_nsec), static_cast<long long>(file.st_ctim.tv_sec),
                          static_cast<long long>(file.st_ctim.tv_nsec)}) {
        identity += ' ' + std::to_string(number);
      }
    }
    identity += '\n';
  }
  return identity;
}

/// A cached TLS context and the identity of the files it was loaded from.
struct CachedContext {
  std::string files;
  std::shared_ptr<asio::ssl::context> context;
};

class BeastTransport final : public HttpTransport {
 public:
  BeastTransport(asio::any_io_executor executor, BeastTransportOptions options)
      : executor_(std::move(executor)),
        options_(std::move(options)),
        pool_(options_.max_idle_per_origin, options_.max_idle_time),
        random_(std::random_device{}()) {}

  asio::awaitable<HttpResult> send(HttpRequest request) override {
    auto prepared = prepare(std::move(request));
    if (auto* error = std::get_if<HttpError>(&prepared)) co_return *error;
    auto exchange = std::get<Exchange>(std::move(prepared));
    int max_attempts = std::max(1, exchange.request.retry.max_attempts);
    for (int attempt = 1;; ++attempt) {
      HttpResult result = co_await send_once(exchange);
      if (attempt >= max_attempts || !is_transient(result)) co_return with_attempts(std::move(result), attempt);
      auto delay = next_delay(exchange.request.retry, attempt, result);
      if (Clock::now() + delay >= exchange.deadline) co_return with_attempts(std::move(result), attempt);
      asio::steady_timer timer(executor_, delay);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

 private:
  std::variant<Exchange, HttpError> prepare(HttpRequest request) {
    auto url = http::parse_url(request.url);
    if (auto* error = std::get_if<HttpError>(&url)) return *error;
    auto proxy = http::proxy_for(std::get<http::Url>(url), options_.https_proxy, options_.http_proxy,
                                 options_.no_proxy);
    if (auto* error = std::get_if<HttpError>(&proxy)) return *error;
    std::optional<http::Url> via;
    if (auto* proxy_url = std::get_if<http::Url>(&proxy)) via = *proxy_url;
    // Plain http through a proxy names the whole URL on the request line.
    const bool absolute_form = via && !std::get<http::Url>(url).https;
    auto wire = http::build_request(request, std::get<http::Url>(url), options_.user_agent, absolute_form);
    if (auto* error = std::get_if<HttpError>(&wire)) return *error;
    auto deadline = Clock::now() + request.timeout;
    return Exchange{std::move(request), std::get<http::Url>(std::move(url)), std::move(via),
                    std::get<http::BeastRequest>(std::move(wire)), deadline};
  }

  std::chrono::milliseconds next_delay(const RetryOptions& retry, int attempt, const HttpResult& result) {
    auto asked = http::retry_after(result, std::chrono::system_clock::now());
    return asked ? *asked : http::backoff_delay(retry, attempt, random_);
  }

  /// One attempt: on a pooled connection if there is one, else on a fresh one.
  /// When the pooled one turns out to be stale (closed by the server, maybe
  /// after it read the request), an idempotent request is sent once more on a
  /// fresh connection; any other is not (RFC 9110 9.2.2): a token refresh sent
  /// twice can make the provider revoke the whole token family.
  asio::awaitable<HttpResult> send_once(const Exchange& exchange) {
    const std::string tls_files = exchange.url.https ? tls_files_identity(exchange.request.tls) : "";
    std::string origin = origin_key(exchange, tls_files);
    const bool may_resend = http::is_idempotent(exchange.request.method);
    if (auto pooled = pool_.take(origin, !may_resend)) {
      auto outcome = co_await run_exchange(*pooled, exchange);
      if (!outcome.stale) co_return settle(origin, std::move(pooled), std::move(outcome), exchange);
      if (!may_resend) co_return not_resent(std::get<HttpError>(std::move(outcome.result)), exchange.request.method);
    }
    auto opened = co_await open(exchange, tls_files);
    if (auto* error = std::get_if<HttpError>(&opened)) co_return *error;
    auto connection = std::get<std::unique_ptr<http::Connection>>(std::move(opened));
    auto outcome = co_await run_exchange(*connection, exchange);
    co_return settle(origin, std::move(connection), std::move(outcome), exchange);
  }

  /// A stale connection's failure for a request that is not sent again: a
  /// network error (transient: the datasource's `retries` may repeat it).
  static HttpError not_resent(HttpError error, const std::string& method) {
    error.kind = HttpErrorKind::network;
    error.message += "; the " + method + " was not sent again: it is not idempotent, and the server may have "
                     "processed it";
    return error;
  }

  asio::awaitable<http::ExchangeOutcome> run_exchange(http::Connection& connection, const Exchange& exchange) {
    return http::exchange(connection, exchange.wire, exchange.url, exchange.request.max_response_bytes,
                          exchange.deadline, step_timeouts());
  }

  /// Parks the connection when it may carry another request. A 407 through a
  /// proxy (plain http) is the proxy's refusal, not the server's answer.
  HttpResult settle(const std::string& origin, std::unique_ptr<http::Connection> connection,
                    http::ExchangeOutcome outcome, const Exchange& exchange) {
    if (outcome.keep_alive) pool_.park(origin, std::move(connection));
    const auto* response = std::get_if<HttpResponse>(&outcome.result);
    if (exchange.proxy && response && response->status == 407) {
      return http::proxy_refusal(*exchange.proxy, "the request to " + exchange.url.authority(), 407,
                                 "Proxy Authentication Required");
    }
    return std::move(outcome.result);
  }

  asio::awaitable<std::variant<std::unique_ptr<http::Connection>, HttpError>> open(const Exchange& exchange,
                                                                                   std::string tls_files) {
    std::shared_ptr<asio::ssl::context> context;
    if (exchange.url.https) {
      auto made = tls_context(exchange.request.tls, tls_files);
      if (auto* error = std::get_if<HttpError>(&made)) co_return *error;
      context = std::get<std::shared_ptr<asio::ssl::context>>(made);
    }
    bool verify = !exchange.request.tls.insecure_skip_verify;
    co_return co_await http::open_connection(exchange.url, exchange.proxy, context, verify, exchange.deadline,
                                             step_timeouts());
  }

  /// TLS contexts are cached (loading the system CA store costs milliseconds)
  /// per set of paths, for as long as the files keep the identity `tls_files`.
  std::variant<std::shared_ptr<asio::ssl::context>, HttpError> tls_context(const TlsOptions& tls,
                                                                           const std::string& tls_files) {
    const std::string paths = tls.ca_file + '\n' + tls.client_cert_file + '\n' + tls.client_key_file;
    if (auto found = tls_contexts_.find(paths); found != tls_contexts_.end()) {
      if (found->second.files == tls_files) return found->second.context;
      // Renewed files: idle connections that presented the old certificate go
      // too (their origin keys hold the old identity).
      const std::string old_files = found->second.files;
      pool_.discard_if([&old_files](const std::string& origin) { return origin.find(old_files) != std::string::npos; });
      tls_contexts_.erase(found);
    }
    auto made = http::make_tls_context(tls);
    if (auto* context = std::get_if<std::shared_ptr<asio::ssl::context>>(&made)) {
      tls_contexts_[paths] = CachedContext{tls_files, *context};
    }
    return made;
  }

  /// Where a connection may be reused: the same scheme and authority and, for
  /// https, the same TLS files (by identity) and verification.
  static std::string origin_key(const Exchange& exchange, const std::string& tls_files) {
    const auto& url = exchange.url;
    std::string key = (url.https ? "https://" : "http://") + url.authority();
    if (url.https) key += '\n' + tls_files + (exchange.request.tls.insecure_skip_verify ? "!" : "");
    return key;
  }

  http::StepTimeouts step_timeouts() const {
    return {options_.connect_timeout, options_.tls_handshake_timeout, options_.write_timeout, options_.read_timeout};
  }

  asio::any_io_executor executor_;
  BeastTransportOptions options_;
  http::ConnectionPool pool_;
  std::map<std::string, CachedContext> tls_contexts_;  // by the files' paths
  std::mt19937_64 random_;
};

std::string first_env(const char* upper, const char* lower) {
  const char* value = std::getenv(upper);
  if (value == nullptr || *value == '\0') value = std::getenv(lower);
  return value ? value : "";
}

}  // namespace

BeastTransportOptions options_from_environment() {
  BeastTransportOptions options;
  options.https_proxy = first_env("HTTPS_PROXY", "https_proxy");
  options.http_proxy = first_env("HTTP_PROXY", "http_proxy");
  options.no_proxy = first_env("NO_PROXY", "no_proxy");
  return options;
}

std::unique_ptr<HttpTransport> make_beast_transport(asio::any_io_executor executor, BeastTransportOptions options) {
  return std::make_unique<BeastTransport>(std::move(executor), std::move(options));
}

}  // namespace flow
