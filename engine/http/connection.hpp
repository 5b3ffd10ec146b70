#pragma once
// One HTTP/1.1 connection to an origin, plain or TLS, and how it is opened.
// Internal to engine/http/: the rest of the engine sees only HttpTransport.
//
// Coroutines here take references to objects owned by the awaiting caller's
// frame (it always awaits them directly), never to pooled or container elements.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "engine/http/url.hpp"
#include "engine/http_transport.hpp"

namespace flow::http {

using Clock = std::chrono::steady_clock;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// Per-step timeouts. Each step also stops at the request's overall deadline.
struct StepTimeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds tls_handshake{10'000};
  std::chrono::milliseconds write{10'000};
  std::chrono::milliseconds read{30'000};
};

/// The earlier of the exchange's deadline and now + a step's own timeout.
Clock::time_point step_deadline(Clock::time_point deadline, std::chrono::milliseconds step);

class Connection {
 public:
  explicit Connection(std::unique_ptr<boost::beast::tcp_stream> plain);
  explicit Connection(std::unique_ptr<TlsStream> tls);

  /// The TCP layer: its expiry bounds every operation on either kind of stream.
  boost::beast::tcp_stream& tcp();
  TlsStream* tls() { return tls_.get(); }
  boost::beast::tcp_stream* plain() { return plain_.get(); }
  /// Bytes read past the previous response; they belong to the next one.
  boost::beast::flat_buffer& buffer() { return buffer_; }

  /// True when the socket is open, nothing is left over from the last answer,
  /// and (with `peek`, a non-blocking recv) the peer has not closed or sent
  /// anything since we parked it: an idle connection must be silent.
  bool looks_reusable(bool peek);

  bool reused = false;          // taken from the pool rather than freshly opened
  Clock::time_point idle_since{};

 private:
  std::unique_ptr<boost::beast::tcp_stream> plain_;
  std::unique_ptr<TlsStream> tls_;
  boost::beast::flat_buffer buffer_;
};

/// Resolves, connects and (for https) performs the verified TLS handshake.
/// `tls_context` is null for plain http. With a `proxy`, connects to it, and
/// for https tunnels to `url` with CONNECT first (TLS is then end to end).
boost::asio::awaitable<std::variant<std::unique_ptr<Connection>, HttpError>> open_connection(
    Url url, std::optional<Url> proxy, std::shared_ptr<boost::asio::ssl::context> tls_context,
    bool verify_peer, Clock::time_point deadline, StepTimeouts timeouts);

/// A client TLS context for `options`: system CA store, the extra CA file, the
/// client certificate; TLS 1.2 minimum. An error (kind tls) when a file cannot
/// be loaded, an encrypted client key among them: OpenSSL is never let ask for
/// a passphrase on the terminal.
std::variant<std::shared_ptr<boost::asio::ssl::context>, HttpError> make_tls_context(
    const TlsOptions& options);

}  // namespace flow::http
