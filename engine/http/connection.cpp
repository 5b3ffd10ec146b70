#include "engine/http/connection.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "engine/http/awaitable.hpp"
#include "engine/http/errors.hpp"
#include "engine/http/proxy.hpp"

namespace flow::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using OpenResult = std::variant<std::unique_ptr<Connection>, HttpError>;

/// OpenSSL's most specific reason for the last failure on this thread, or "".
std::string openssl_reason() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "";
  const char* reason = ERR_reason_error_string(code);
  return reason ? reason : "";
}

HttpError tls_error(std::string what) { return {HttpErrorKind::tls, std::move(what)}; }

/// Endpoints for `url`: IP literals skip DNS entirely. `step` names the lookup
/// in an error ("resolving", "resolving proxy").
asio::awaitable<std::variant<std::vector<tcp::endpoint>, HttpError>> resolve(Url url, std::string step) {
  std::vector<tcp::endpoint> endpoints;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(url.host, ec);
  if (!ec) {
    endpoints.emplace_back(address, url.port);
    co_return endpoints;
  }
  // getaddrinfo cannot be interrupted: the lookup is bounded by the system
  // resolver's own timeouts, and the deadline is checked by the next step.
  tcp::resolver resolver(co_await asio::this_coro::executor);
  auto [error, results] = co_await resolver.async_resolve(url.host, std::to_string(url.port), kTuple);
  if (error) co_return classify_error(error, step, url.host);
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  co_return endpoints;
}

/// Sets SNI (names only, per RFC 6066) and what the peer certificate must match.
std::optional<HttpError> configure_peer_check(TlsStream& stream, const Url& url, bool verify_peer) {
  SSL* ssl = stream.native_handle();
  bool ip = url.host_is_ip();
  if (!ip && SSL_set_tlsext_host_name(ssl, url.host.c_str()) != 1) {
    return tls_error("cannot set SNI for " + url.host + ": " + openssl_reason());
  }
  if (!verify_peer) {
    stream.set_verify_mode(ssl::verify_none);
    return std::nullopt;
  }
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str())
              : X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), url.host.size());
  if (ok != 1) return tls_error("cannot set the expected peer name: " + openssl_reason());
  stream.set_verify_mode(ssl::verify_peer);
  return std::nullopt;
}

/// The handshake failure with the certificate check's own reason when there is one
/// ("unable to get local issuer certificate", "hostname mismatch", ...).
HttpError handshake_error(TlsStream& stream, const boost::system::error_code& ec, const Url& url) {
  HttpError error = classify_error(ec, "TLS handshake with", url.authority());
  if (error.kind == HttpErrorKind::timeout) return error;
  error.kind = HttpErrorKind::tls;
  long verify = SSL_get_verify_result(stream.native_handle());
  if (verify != X509_V_OK) {
    error.message = "TLS handshake with " + url.authority() +
                    ": certificate verify failed: " + X509_verify_cert_error_string(verify);
  }
  return error;
}

asio::awaitable<OpenResult> handshake(std::unique_ptr<beast::tcp_stream> tcp_stream, Url url,
                                      std::shared_ptr<ssl::context> context, bool verify_peer,
                                      Clock::time_point deadline, StepTimeouts timeouts) {
  auto stream = std::make_unique<TlsStream>(std::move(*tcp_stream), *context);
  if (auto error = configure_peer_check(*stream, url, verify_peer)) co_return *error;
  // TLS handshake, bounded by its own timeout and the deadline.
  beast::get_lowest_layer(*stream).expires_at(step_deadline(deadline, timeouts.tls_handshake));
  auto [ec] = co_await stream->async_handshake(ssl::stream_base::client, kTuple);
  if (ec) co_return handshake_error(*stream, ec, url);
  co_return std::make_unique<Connection>(std::move(stream));
}

/// OpenSSL's passphrase callback: never a passphrase. Without it OpenSSL asks on
/// the terminal for an encrypted key's one, and a daemon's only thread waits
/// there for good. `asked` (the callback's user data, when set) records that
/// a passphrase was wanted: the key is encrypted.
int refuse_passphrase(char*, int, int, void* asked) {
  if (asked) *static_cast<bool*>(asked) = true;
  return 0;
}

/// Loads the client key at `path` into `context`; an encrypted key is refused
/// at once, saying so.
std::optional<HttpError> load_client_key(ssl::context& context, const std::string& path) {
  SSL_CTX* native = context.native_handle();
  bool asked = false;
  SSL_CTX_set_default_passwd_cb_userdata(native, &asked);
  boost::system::error_code ec;
  context.use_private_key_file(path, ssl::context::pem, ec);
  // asio's context takes non-null user data for a callback object of its own.
  SSL_CTX_set_default_passwd_cb_userdata(native, nullptr);
  if (asked) {
    ERR_clear_error();
    return tls_error("client_key '" + path + "' is encrypted: flow cannot ask for a passphrase; give it the key "
                     "unencrypted, in a file only flow's user can read (chmod 600)");
  }
  if (ec) return tls_error("cannot load client key '" + path + "': " + ec.message());
  return std::nullopt;
}

}  // namespace

Clock::time_point step_deadline(Clock::time_point deadline, std::chrono::milliseconds step) {
  return std::min(deadline, Clock::now() + step);
}

Connection::Connection(std::unique_ptr<beast::tcp_stream> plain) : plain_(std::move(plain)) {}
Connection::Connection(std::unique_ptr<TlsStream> tls) : tls_(std::move(tls)) {}

beast::tcp_stream& Connection::tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

bool Connection::looks_reusable(bool peek) {
  auto& socket = tcp().socket();
  if (!socket.is_open() || buffer_.size() != 0) return false;
  if (!peek) return true;
  char byte;
  ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

asio::awaitable<OpenResult> open_connection(Url url, std::optional<Url> proxy,
                                            std::shared_ptr<ssl::context> tls_context, bool verify_peer,
                                            Clock::time_point deadline, StepTimeouts timeouts) {
  const Url& first_hop = proxy ? *proxy : url;
  // A proxy that cannot be found or reached fails as the target would (dns,
  // refused, timeout: transient); the messages name it.
  // (No `?:` in the co_await expression: g++ 12 destroys its temporaries twice.)
  std::string lookup = proxy ? "resolving proxy" : "resolving";
  auto endpoints = co_await resolve(first_hop, std::move(lookup));
  if (auto* error = std::get_if<HttpError>(&endpoints)) co_return *error;
  if (Clock::now() >= deadline) {
    co_return HttpError{HttpErrorKind::timeout, std::string(proxy ? "resolving proxy " : "resolving ") + first_hop.host +
                                                    ": deadline exceeded"};
  }
  auto stream = std::make_unique<beast::tcp_stream>(co_await asio::this_coro::executor);
  // Connect to the first endpoint that accepts.
  stream->expires_at(step_deadline(deadline, timeouts.connect));
  auto [ec, endpoint] = co_await stream->async_connect(
      std::get<std::vector<tcp::endpoint>>(endpoints), kTuple);
  if (ec) co_return classify_error(ec, proxy ? "connecting to proxy" : "connecting to", first_hop.authority());
  stream->socket().set_option(tcp::no_delay(true));
  if (proxy && url.https) {
    if (auto error = co_await open_tunnel(*stream, url, *proxy, deadline, timeouts)) co_return *error;
  }
  if (!tls_context) co_return std::make_unique<Connection>(std::move(stream));
  co_return co_await handshake(std::move(stream), url, tls_context, verify_peer, deadline, timeouts);
}

std::variant<std::shared_ptr<ssl::context>, HttpError> make_tls_context(const TlsOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_default_passwd_cb(context->native_handle(), refuse_passphrase);
  boost::system::error_code ec;
  context->set_default_verify_paths(ec);
  if (ec) return tls_error("cannot load the system CA store: " + ec.message());
  if (!options.ca_file.empty()) {
    context->load_verify_file(options.ca_file, ec);
    if (ec) return tls_error("cannot load CA file '" + options.ca_file + "': " + ec.message());
  }
  if (!options.client_cert_file.empty()) {
    context->use_certificate_chain_file(options.client_cert_file, ec);
    if (ec) return tls_error("cannot load client certificate '" + options.client_cert_file + "': " + ec.message());
  }
  if (!options.client_key_file.empty()) {
    if (auto error = load_client_key(*context, options.client_key_file)) return *error;
  }
  return context;
}

}  // namespace flow::http
