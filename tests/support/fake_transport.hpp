#pragma once
// A scripted HttpTransport for unit tests of engine logic: records every
// request and answers from a handler function (default: 404).

#include <functional>
#include <string>
#include <vector>

#include "engine/http_transport.hpp"

namespace flow::testing {

class FakeTransport final : public HttpTransport {
 public:
  using Handler = std::function<HttpResult(const HttpRequest&)>;

  void respond(Handler handler) { handler_ = std::move(handler); }
  /// Answers every request with `status` and `body` (JSON by default).
  void respond_with(int status, std::string body, std::string content_type = "application/json") {
    handler_ = [=](const HttpRequest&) -> HttpResult {
      HttpResponse r;
      r.status = status;
      r.body = body;
      r.headers.emplace_back("Content-Type", content_type);
      return r;
    };
  }

  boost::asio::awaitable<HttpResult> send(HttpRequest request) override {
    requests.push_back(request);
    if (!handler_) co_return HttpResponse{404, {}, "not found"};
    co_return handler_(requests.back());
  }

  std::vector<HttpRequest> requests;

 private:
  Handler handler_;
};

/// Form body "a=1&b=2" as pairs, percent-decoded.
inline std::vector<std::pair<std::string, std::string>> parse_form(const std::string& body) {
  const auto decode = [](const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += s[i] == '+' ? ' ' : s[i];
      }
    }
    return out;
  };
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t start = 0;
  while (start <= body.size() && !body.empty()) {
    const auto amp = body.find('&', start);
    const auto item = body.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    const auto eq = item.find('=');
    pairs.emplace_back(decode(item.substr(0, eq)), eq == std::string::npos ? "" : decode(item.substr(eq + 1)));
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return pairs;
}

}  // namespace flow::testing
