#pragma once
// Forward proxies, as HTTPS_PROXY / HTTP_PROXY / NO_PROXY name them. https://
// goes through a CONNECT tunnel (TLS end to end: the proxy sees the target's
// name, never the request); plain http:// is sent to the proxy itself, with
// the absolute URL as the request target (RFC 9112 3.2.2), except to a
// loopback host: the proxy's loopback is not ours, and it would read the
// request, secrets included. Proxy authentication is not supported.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "engine/http/connection.hpp"
#include "engine/http/url.hpp"

namespace flow::http {

/// Which proxy, if any, `target` goes through: `https_proxy` for https,
/// `http_proxy` for http (a loopback host excepted), each "http://host:port"
/// or "host:port" (empty: none; credentials in it are refused).
/// `no_proxy`: comma-separated hosts that go direct: "*", a name (which also
/// covers its sub-domains; a leading "." is allowed), an IP literal, each
/// optionally with ":port". No CIDR ranges.
std::variant<std::monostate, Url, HttpError> proxy_for(const Url& target, const std::string& https_proxy,
                                                       const std::string& http_proxy, const std::string& no_proxy);

/// On a TCP connection to the proxy: asks for a tunnel to `target` and checks
/// the proxy's answer, read as an origin's is (interim 1xx answers skipped,
/// the same header limit). A proxy that closes, or answers 5xx (it could not
/// reach the target), fails as the network does (transient); a refusal (407
/// included) or an answer that is not HTTP is kind proxy. `stream` belongs to
/// the caller.
boost::asio::awaitable<std::optional<HttpError>> open_tunnel(boost::beast::tcp_stream& stream, Url target,
                                                             Url proxy, Clock::time_point deadline,
                                                             StepTimeouts timeouts);

/// The error for a proxy's 407 (or another refusal) to reach `target`, plain
/// http included: a 407 is never an origin server's answer.
HttpError proxy_refusal(const Url& proxy, const std::string& target, int status, std::string_view reason);

}  // namespace flow::http
