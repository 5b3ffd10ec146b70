#pragma once
// HTTPS through a forward proxy with CONNECT (HTTPS_PROXY / NO_PROXY). Plain
// http:// requests always go direct: only tunnelled TLS keeps the proxy out of
// the exchange (it sees the target's name, never the request).

#include <optional>
#include <string>
#include <variant>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "engine/http/connection.hpp"
#include "engine/http/url.hpp"

namespace flow::http {

/// Which proxy, if any, an https URL goes through.
/// `https_proxy`: "http://host:port" or "host:port" (empty: none).
/// `no_proxy`: comma-separated hosts that go direct: "*", a name (which also
/// covers its sub-domains; a leading "." is allowed), an IP literal, each
/// optionally with ":port".
std::variant<std::monostate, Url, HttpError> proxy_for(const Url& target, const std::string& https_proxy,
                                                       const std::string& no_proxy);

/// On a TCP connection to the proxy: asks for a tunnel to `target` and checks
/// the proxy's answer (kind proxy unless 2xx). `stream` belongs to the caller.
boost::asio::awaitable<std::optional<HttpError>> open_tunnel(boost::beast::tcp_stream& stream, Url target,
                                                             Url proxy, Clock::time_point deadline,
                                                             StepTimeouts timeouts);

}  // namespace flow::http
