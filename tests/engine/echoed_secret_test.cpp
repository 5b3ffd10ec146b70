// What a call's answer brings into a field is secret when it echoes a secret
// the run knows, whichever way it comes in: a mapping, or the list `into` stores.
#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"
#include "support/masked.hpp"

using namespace flow;
using namespace flow::testing;

namespace {

const std::string kToken = "tok-0123456789abcdefXYZ";

const std::string kLister = R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method List GET "/items" { request header Auth "Authorization"; }
}
process P {
  field Token secret = "tok-0123456789abcdefXYZ";
  field Items list;
  field Doc json;
  on Fetch {
    find_item Api.List map { header.Auth = "Bearer ${Token}"; } into Items;
    log "items=${Items} first=${Items[0]}";
    save;
  }
  on Whole { find_item Api.List map { header.Auth = "Bearer ${Token}"; } into Doc; save; }
}
instance "P-1" of P { }
)";

/// The run's log line that starts with `prefix`, or "" when there is none.
std::string log_line(const RunResult& result, const std::string& prefix) {
  for (const auto& line : result.log)
    if (line.rfind(prefix, 0) == 0) return line;
  return "";
}

/// An answer whose items echo the request's Authorization header.
void echo_in_items(FakeTransport& http, const std::string& wrapped_in = "") {
  http.respond([wrapped_in](const HttpRequest& request) -> HttpResult {
    std::string auth;
    for (const auto& [name, value] : request.headers)
      if (name == "Authorization") auth = value;
    Json items = Json::array({{{"id", 1}, {"seen", auth}}, {{"id", 2}}});
    HttpResponse response;
    response.status = 200;
    response.body = (wrapped_in.empty() ? items : Json{{wrapped_in, items}}).dump();
    response.headers.emplace_back("Content-Type", "application/json");
    return response;
  });
}

}  // namespace

TEST_CASE("the list into stores is secret when its items echo a secret the request sent", "[secrets]") {
  EngineFixture f(kLister);
  echo_in_items(f.http);
  const auto result = f.run("P", "Fetch", "P-1");
  INFO(result.error);
  REQUIRE(result.ok);
  const auto& items = result.instance.fields.at("Items");
  REQUIRE(items.is<List>());
  CHECK(items.as<List>().size() == 2);
  CHECK(items.secret);
  CHECK(display(items) == kDots);
  CHECK(to_json(items, false) == Json(kDots));
  CHECK(log_line(result, "items=") == "items=" + kDots + " first=" + kDots);
  for (const auto& run : f.store->runs("", 10))
    for (const auto& line : run.log) CHECK_THAT(line, !Catch::Contains(kToken));
  const auto stored = f.store->load_instance("P-1");
  REQUIRE(stored);
  CHECK(stored->fields.at("Items").secret);  // and it stays secret in the store
}

TEST_CASE("the answer a json field takes through into is secret when it echoes a secret", "[secrets]") {
  EngineFixture f(kLister);
  echo_in_items(f.http, "wrapped");
  const auto result = f.run("P", "Whole", "P-1");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(result.instance.fields.at("Doc").secret);
}

TEST_CASE("the list into stores stays plain when its items echo no secret", "[secrets]") {
  EngineFixture f(kLister);
  f.http.respond_with(200, R"([{"id":1,"seen":"Bearer something-else-entirely"},{"id":2}])");
  const auto result = f.run("P", "Fetch", "P-1");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK_FALSE(result.instance.fields.at("Items").secret);
  CHECK_THAT(log_line(result, "items="), Catch::Contains("something-else-entirely"));
}
