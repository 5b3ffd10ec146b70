#pragma once
// One request/response exchange on an open connection: build, write, read,
// decode. No retries and no pooling here (beast_transport.cpp owns those).

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "engine/http/awaitable.hpp"
#include "engine/http/connection.hpp"
#include "engine/http_transport.hpp"

namespace flow::http {

/// The header limit of every answer flow reads, a proxy's CONNECT answer
/// included: fixed, no setting.
inline constexpr std::size_t kAnswerHeaderLimit = 64 * 1024;

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

/// Why the 1xx answer `status`, the `interim`-th (0-based), ends the reading
/// ("`step` `where`: ..." as classify_error words it, kind malformed); nullopt
/// when it is skipped (RFC 9110 15.2: a client reads any 1xx answers before
/// the final one). 101 switches to a protocol flow never asks for.
std::optional<HttpError> interim_problem(int status, int interim, std::string_view step, std::string_view where);

/// How read_final_answer ended: the parser holds the final answer when neither
/// `error` nor `problem` is set.
struct AnswerRead {
  boost::system::error_code error;   // the read failed; the parser has what came
  int interim = 0;                   // the 1xx answers read before the last read
  std::optional<HttpError> problem;  // interim_problem's
};

/// Reads answers from `stream` into `parser`, which `start(parser)` makes
/// fresh for each (a parser reads one message), skipping the interim (1xx)
/// ones before the final answer, all within the stream's expiry as it is set.
/// `step` and `where` name the reading in interim_problem's errors. `stream`,
/// `buffer` and `parser` belong to the awaiting caller.
template <typename Stream, typename Parser, typename Start>
boost::asio::awaitable<AnswerRead> read_final_answer(Stream& stream, boost::beast::flat_buffer& buffer,
                                                     std::optional<Parser>& parser, Start start, std::string step,
                                                     std::string where) {
  AnswerRead outcome;
  for (;; ++outcome.interim) {
    start(parser);
    auto [error, read] = co_await boost::beast::http::async_read(stream, buffer, *parser, kTuple);
    outcome.error = error;
    if (error) co_return outcome;
    const int status = static_cast<int>(parser->get().result_int());
    if (status / 100 != 1) co_return outcome;
    outcome.problem = interim_problem(status, outcome.interim, step, where);
    if (outcome.problem) co_return outcome;
  }
}

}  // namespace flow::http
