#include "engine/http/exchange.hpp"

#include <iterator>
#include <optional>
#include <string>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "engine/http/awaitable.hpp"
#include "engine/http/errors.hpp"
#include "engine/http/gzip.hpp"

namespace flow::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = beast::http;
using Parser = beast_http::response_parser<beast_http::string_body>;
constexpr int kMaxInterimAnswers = 8;  // 1xx answers skipped before the final one; more is a broken server

bool has_line_break(std::string_view text) {
  return text.find('\r') != std::string_view::npos || text.find('\n') != std::string_view::npos;
}

bool is_gzip(std::string_view encoding) {
  return beast::iequals(encoding, "gzip") || beast::iequals(encoding, "x-gzip");
}

/// Awaits `operation(stream)` on whichever stream the connection has.
template <typename Operation>
auto on_stream(Connection& connection, Operation operation) -> decltype(operation(*connection.plain())) {
  if (connection.tls()) co_return co_await operation(*connection.tls());
  co_return co_await operation(*connection.plain());
}

HttpResponse to_response(beast_http::response<beast_http::string_body>&& message) {
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  response.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  return response;
}

/// A parser for the next answer on the connection (a fresh one for each:
/// a parser reads one message), within the size caps.
void start_parser(std::optional<Parser>& parser, std::size_t max_bytes, bool head) {
  parser.emplace();
  parser->header_limit(kAnswerHeaderLimit);
  parser->body_limit(max_bytes);
  parser->skip(head);  // a HEAD response has no body
}

/// A failed read's error; one past a size limit names the limit and its setting.
HttpError read_failure(const boost::system::error_code& ec, const Parser& parser, std::size_t max_bytes,
                       const Url& url) {
  ResponseSizes sizes{max_bytes, kAnswerHeaderLimit, std::nullopt};
  // Known only once the headers are read (Beast asserts it).
  if (parser.is_header_done())
    if (auto declared = parser.content_length()) sizes.content_length = *declared;
  return classify_error(ec, "reading the response from", url.authority(), sizes);
}

/// Replaces a gzip body by its decoding; drops the headers that described the encoding.
std::optional<HttpError> decode_body(HttpResponse& response, std::size_t max_bytes) {
  auto encoding = response.header("Content-Encoding");
  if (!encoding || !is_gzip(*encoding)) return std::nullopt;
  std::string decoded;
  if (auto error = gunzip(response.body, max_bytes, decoded)) return error;
  response.body = std::move(decoded);
  std::erase_if(response.headers, [](const auto& header) {
    return beast::iequals(header.first, "Content-Encoding") || beast::iequals(header.first, "Content-Length");
  });
  return std::nullopt;
}

}  // namespace

std::optional<HttpError> interim_problem(int status, int interim, std::string_view step, std::string_view where) {
  const std::string reading = std::string(step) + " " + std::string(where) + ": ";
  if (status == 101) {
    return HttpError{HttpErrorKind::malformed,
                     reading + "the server switched protocols (101), which flow never asks for"};
  }
  if (interim >= kMaxInterimAnswers) {
    return HttpError{HttpErrorKind::malformed, reading + "more than " + std::to_string(kMaxInterimAnswers) +
                                                   " interim (1xx) answers before the final one"};
  }
  return std::nullopt;
}

bool is_idempotent(std::string_view method) {
  for (std::string_view idempotent : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"}) {
    if (method == idempotent) return true;
  }
  return false;
}

std::variant<BeastRequest, HttpError> build_request(HttpRequest& request, const Url& url,
                                                    const std::string& user_agent, bool absolute_form) {
  BeastRequest message;
  message.version(11);
  message.method_string(request.method);
  message.target(absolute_form ? (url.https ? "https://" : "http://") + url.host_header() + url.target : url.target);
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || has_line_break(name) || has_line_break(value)) {
      return HttpError{HttpErrorKind::malformed, "request header '" + (has_line_break(name) ? std::string("?") : name) +
                                                     "' has an empty name or a line break"};
    }
    message.insert(name, value);
  }
  if (message.find(beast_http::field::host) == message.end()) message.set(beast_http::field::host, url.host_header());
  if (message.find(beast_http::field::user_agent) == message.end()) message.set(beast_http::field::user_agent, user_agent);
  if (message.find(beast_http::field::accept_encoding) == message.end()) {
    message.set(beast_http::field::accept_encoding, "gzip");
  }
  bool sends_body = !request.body.empty() || request.method == "POST" || request.method == "PUT" ||
                    request.method == "PATCH";
  message.body() = std::move(request.body);
  if (sends_body) message.prepare_payload();
  return message;
}

asio::awaitable<ExchangeOutcome> exchange(Connection& connection, const BeastRequest& request, Url url,
                                          std::size_t max_bytes, Clock::time_point deadline,
                                          StepTimeouts timeouts) {
  // Send the request.
  connection.tcp().expires_at(step_deadline(deadline, timeouts.write));
  auto [write_error, written] = co_await on_stream(connection, [&request](auto& stream) {
    return beast_http::async_write(stream, request, kTuple);
  });
  if (write_error) {
    co_return ExchangeOutcome{classify_error(write_error, "sending the request to", url.authority()), false,
                              connection.reused};
  }
  // Receive the response, headers and body, within the size cap. Interim
  // answers (100 Continue, 103 Early Hints) before it are read and skipped,
  // all within the one read timeout.
  connection.tcp().expires_at(step_deadline(deadline, timeouts.read));
  std::optional<Parser> parser;
  const auto start = [max_bytes, head = request.method() == beast_http::verb::head](std::optional<Parser>& fresh) {
    start_parser(fresh, max_bytes, head);
  };
  AnswerRead answer = co_await on_stream(connection, [&connection, &parser, &start, &url](auto& stream) {
    return read_final_answer(stream, connection.buffer(), parser, start, "reading the response from", url.authority());
  });
  if (answer.error) {
    const bool stale = connection.reused && answer.interim == 0 && !parser->got_some() &&
                       answer.error != beast::error::timeout;
    co_return ExchangeOutcome{read_failure(answer.error, *parser, max_bytes, url), false, stale};
  }
  if (answer.problem) co_return ExchangeOutcome{*answer.problem, false, false};
  bool keep_alive = parser->keep_alive();
  HttpResponse response = to_response(parser->release());
  if (auto error = decode_body(response, max_bytes)) co_return ExchangeOutcome{*error, false, false};
  co_return ExchangeOutcome{std::move(response), keep_alive, false};
}

}  // namespace flow::http
