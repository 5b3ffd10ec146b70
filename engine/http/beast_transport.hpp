#pragma once
// The real HttpTransport: an HTTP/1.1 client on Boost.Beast with C++20
// coroutines. http and https (peer verified by default), per-origin keep-alive
// pool, total deadline + per-step timeouts, size caps, gzip, retries.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "engine/http_transport.hpp"

namespace flow {

/// Knobs of the Beast transport that are not per request.
struct BeastTransportOptions {
  /// Each step also stops at the request's overall deadline (HttpRequest::timeout).
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds tls_handshake_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds read_timeout{30'000};
  /// Idle keep-alive connections kept per origin (scheme, host, port, TLS settings).
  std::size_t max_idle_per_origin = 4;
  /// An idle connection older than this is closed rather than reused.
  std::chrono::milliseconds max_idle_time{30'000};
  std::string user_agent = "flow/" FLOW_VERSION;
  /// Forward proxies, as in the HTTPS_PROXY, HTTP_PROXY and NO_PROXY
  /// conventions (engine/http/proxy.hpp): https:// through a CONNECT tunnel,
  /// http:// to the proxy itself (never for a loopback host). Empty: direct.
  std::string https_proxy;
  std::string http_proxy;
  std::string no_proxy;
};

/// Options with the proxies taken from HTTPS_PROXY, HTTP_PROXY and NO_PROXY
/// (or their lower-case forms): what the flow binary uses.
BeastTransportOptions options_from_environment();

/// A transport whose operations run on `executor` (one io_context thread). It
/// must outlive every send() in flight. Requests to an origin reuse idle
/// connections. When a reused connection dies before any response byte (the
/// server closed it while idle), an idempotent request (GET, HEAD, PUT, DELETE,
/// OPTIONS) is sent once more on a fresh one; a POST or PATCH is not: it fails
/// as a network error, and its connection is checked for a close before use.
std::unique_ptr<HttpTransport> make_beast_transport(boost::asio::any_io_executor executor,
                                                    BeastTransportOptions options = {});

}  // namespace flow
