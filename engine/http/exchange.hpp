#pragma once
// One request/response exchange on an open connection: build, write, read,
// decode. No retries and no pooling here (beast_transport.cpp owns those).

#include <string_view>
#include <variant>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "engine/http/connection.hpp"
#include "engine/http_transport.hpp"

namespace flow::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

/// The wire request for `request` on `url`: Host, User-Agent, Accept-Encoding
/// and Content-Length added unless the caller set them. An error (malformed)
/// for a header name or value holding a line break. The body moves into the
/// message: `request.body` is left empty. `absolute_form`: the target is the
/// whole URL (`http://host:port/path`), as a forward proxy needs it.
std::variant<BeastRequest, HttpError> build_request(HttpRequest& request, const Url& url,
                                                    const std::string& user_agent, bool absolute_form = false);

/// GET, HEAD, PUT, DELETE, OPTIONS and TRACE (RFC 9110 9.2.2): a request that
/// may be sent again when a connection fails before its answer.
bool is_idempotent(std::string_view method);

struct ExchangeOutcome {
  std::variant<HttpResponse, HttpError> result;
  bool keep_alive = false;  // the connection may carry another request
  bool stale = false;       // a reused connection died before any response byte
};

/// Writes `request` and reads the response (at most `max_bytes` of body, gzip
/// decoded). `request` and `connection` belong to the awaiting caller.
boost::asio::awaitable<ExchangeOutcome> exchange(Connection& connection, const BeastRequest& request,
                                                 Url url, std::size_t max_bytes,
                                                 Clock::time_point deadline, StepTimeouts timeouts);

}  // namespace flow::http
