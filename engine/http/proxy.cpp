#include "engine/http/proxy.hpp"

#include <sstream>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "engine/http/awaitable.hpp"
#include "engine/http/errors.hpp"
#include "engine/http/exchange.hpp"

namespace flow::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = beast::http;

std::string trim(std::string text) {
  auto first = text.find_first_not_of(" \t");
  auto last = text.find_last_not_of(" \t");
  return first == std::string::npos ? "" : text.substr(first, last - first + 1);
}

/// One NO_PROXY entry against the target.
bool entry_matches(std::string entry, const Url& target) {
  if (entry == "*") return true;
  auto colon = entry.rfind(':');
  bool has_port = colon != std::string::npos && entry.find(':') == colon && entry.front() != '[';
  if (has_port) {
    if (entry.substr(colon + 1) != std::to_string(target.port)) return false;
    entry.resize(colon);
  }
  if (entry.starts_with('[') && entry.ends_with(']')) entry = entry.substr(1, entry.size() - 2);
  if (entry.starts_with('.')) entry.erase(0, 1);
  for (auto& c : entry) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (entry.empty()) return false;
  if (target.host == entry) return true;
  return !target.host_is_ip() && target.host.ends_with("." + entry);
}

bool bypasses(const Url& target, const std::string& no_proxy) {
  std::stringstream entries(no_proxy);
  for (std::string entry; std::getline(entries, entry, ',');) {
    if (entry_matches(trim(entry), target)) return true;
  }
  return false;
}

HttpError proxy_error(std::string message) { return {HttpErrorKind::proxy, std::move(message)}; }

bool is_loopback(const Url& target) {
  if (target.host == "localhost" || target.host.ends_with(".localhost")) return true;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(target.host, ec);
  return !ec && address.is_loopback();
}

/// The proxy a setting names; `variable` is its name, for messages.
std::variant<std::monostate, Url, HttpError> parse_proxy(std::string text, std::string_view variable) {
  const std::string named(variable);
  if (text.find("://") == std::string::npos) text = "http://" + text;
  if (!text.starts_with("http://")) return proxy_error(named + ": only http:// proxies are supported");
  const auto authority = text.substr(7, text.find_first_of("/?#", 7) - 7);
  if (authority.find('@') != std::string::npos) {
    return proxy_error(named + ": credentials in the proxy URL are refused: flow does not support proxy "
                       "authentication");
  }
  auto parsed = parse_url(text);
  if (auto* error = std::get_if<HttpError>(&parsed)) return proxy_error(named + ": " + error->message);
  return std::get<Url>(parsed);
}

}  // namespace

std::variant<std::monostate, Url, HttpError> proxy_for(const Url& target, const std::string& https_proxy,
                                                       const std::string& http_proxy, const std::string& no_proxy) {
  std::string text = trim(target.https ? https_proxy : http_proxy);
  if (text.empty() || (!target.https && is_loopback(target)) || bypasses(target, no_proxy)) return std::monostate{};
  return parse_proxy(std::move(text), target.https ? "HTTPS_PROXY" : "HTTP_PROXY");
}

HttpError proxy_refusal(const Url& proxy, const std::string& target, int status, std::string_view reason) {
  std::string message = "proxy " + proxy.authority() + " refused " + target + ": " + std::to_string(status) + " " +
                        std::string(reason);
  if (status == 407) {
    message += " (flow does not support proxy authentication: the proxy must let this host through without "
               "credentials)";
  }
  return proxy_error(std::move(message));
}

asio::awaitable<std::optional<HttpError>> open_tunnel(beast::tcp_stream& stream, Url target, Url proxy,
                                                      Clock::time_point deadline, StepTimeouts timeouts) {
  beast_http::request<beast_http::empty_body> connect{beast_http::verb::connect, target.authority(), 11};
  connect.set(beast_http::field::host, target.authority());
  // Ask the proxy for a tunnel.
  stream.expires_at(step_deadline(deadline, timeouts.write));
  auto [write_error, written] = co_await beast_http::async_write(stream, connect, kTuple);
  if (write_error) co_return classify_error(write_error, "sending CONNECT to proxy", proxy.authority());
  // Read its answer: headers only, a 2xx CONNECT response has no body. Interim
  // answers before it are skipped, as an origin's are.
  using Parser = beast_http::response_parser<beast_http::empty_body>;
  beast::flat_buffer buffer;
  std::optional<Parser> parser;
  const auto start = [](std::optional<Parser>& fresh) {
    fresh.emplace();
    fresh->header_limit(kAnswerHeaderLimit);
    fresh->skip(true);
  };
  stream.expires_at(step_deadline(deadline, timeouts.read));
  const std::string step = "reading the CONNECT answer of proxy";
  const AnswerRead answer = co_await read_final_answer(stream, buffer, parser, start, step, proxy.authority());
  if (answer.error || answer.problem) {
    const ResponseSizes sizes{0, kAnswerHeaderLimit, std::nullopt};
    auto error = answer.problem ? *answer.problem : classify_error(answer.error, step, proxy.authority(), sizes);
    const bool not_http = error.kind == HttpErrorKind::malformed || error.kind == HttpErrorKind::too_large;
    if (not_http) error.kind = HttpErrorKind::proxy;  // closed or timed out: as the network fails
    co_return error;
  }
  const auto& message = parser->get();
  const int status = static_cast<int>(message.result_int());
  if (status >= 500 && status <= 599) {  // the proxy could not reach the target: as a refused connection would
    co_return HttpError{HttpErrorKind::network, "proxy " + proxy.authority() + " could not open a tunnel to " +
                                                    target.authority() + ": " + std::to_string(status) + " " +
                                                    std::string(message.reason())};
  }
  if (status / 100 != 2) {
    co_return proxy_refusal(proxy, "CONNECT to " + target.authority(), status, message.reason());
  }
  if (buffer.size() != 0) co_return proxy_error("proxy " + proxy.authority() + " sent data before the TLS handshake");
  co_return std::nullopt;
}

}  // namespace flow::http
