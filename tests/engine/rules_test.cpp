// Every rule kind not covered by interpreter_test.cpp, and run concurrency.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>

#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"

using namespace flow;
using namespace flow::testing;

namespace {

constexpr const char* kItems = R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method List GET "/items" { request query { q; } response body json { items = "data.items"; total; } }
  method Update PUT "/items/{id}" { request body json { name; } response body json { name; } }
  method Remove DELETE "/items/{id}" { }
}
process Items {
  field Found list;
  field Total number;
  field Name text = "old";
  field Gone boolean = false;
  field Loaded number = 0;
  on load { set Loaded = Loaded + 1; }
  on Search { find_item Api.List map { query.q = "a b"; } on_success { Total = body.total; } into Found; }
  on Rename { update_item Api.Update map { path.id = "7"; body.name = "new"; } on_success { Name = body.name; }; }
  on Delete { delete_item Api.Remove map { path.id = "7"; } on_success { Gone = true; }; clear Name; }
  on Loop { trigger Loop; }
}
)";

}  // namespace

TEST_CASE("find_item maps a result array into a list field", "[interpreter][rules]") {
  EngineFixture f(kItems);
  f.http.respond_with(200, R"({"data":{"items":[{"id":1},{"id":2}]},"total":2})");
  const auto result = f.run("Items", "Search");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(f.http.requests.at(0).url == "http://127.0.0.1:9/items?q=a%20b");
  CHECK(f.http.requests.at(0).method == "GET");
  const auto& found = result.instance.fields.at("Found");
  REQUIRE(found.is<List>());
  CHECK(found.as<List>().size() == 2);
  CHECK(result.instance.fields.at("Total") == Value(2));
  CHECK(result.log.at(0).rfind("find_item Api.List -> 200", 0) == 0);
}

TEST_CASE("a base_url with a query keeps it after the method's path, joined with the method's own", "[interpreter][rules]") {
  std::string source = kItems;
  source.replace(source.find("http://127.0.0.1:9"), 18, "http://127.0.0.1:9/v2/?api-version=3");
  EngineFixture f(source);
  f.http.respond_with(200, R"({"data":{"items":[]},"total":0,"name":"n"})");
  REQUIRE(f.run("Items", "Search").ok);
  CHECK(f.http.requests.at(0).url == "http://127.0.0.1:9/v2/items?api-version=3&q=a%20b");
  REQUIRE(f.run("Items", "Rename").ok);
  CHECK(f.http.requests.at(1).url == "http://127.0.0.1:9/v2/items/7?api-version=3");
}

TEST_CASE("update_item and delete_item send their verbs; clear blanks a field", "[interpreter][rules]") {
  EngineFixture f(kItems);
  f.http.respond_with(200, R"({"name":"new"})");
  auto result = f.run("Items", "Rename");
  REQUIRE(result.ok);
  CHECK(f.http.requests.at(0).method == "PUT");
  CHECK(f.http.requests.at(0).url == "http://127.0.0.1:9/items/7");
  CHECK(result.instance.fields.at("Name") == Value("new"));
  CHECK(result.log.at(0).rfind("update_item Api.Update -> 200", 0) == 0);

  f.http.respond_with(204, "");
  result = f.run("Items", "Delete");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(f.http.requests.at(1).method == "DELETE");
  CHECK(result.instance.fields.at("Gone") == Value(true));
  CHECK(result.instance.fields.at("Name").is_null());
}

TEST_CASE("on load runs before the handler of every run", "[interpreter][rules]") {
  EngineFixture f(kItems);
  f.http.respond_with(200, R"({"name":"x"})");
  const auto result = f.run("Items", "Rename");
  CHECK(result.instance.fields.at("Loaded") == Value(1));
}

TEST_CASE("a trigger loop fails the run instead of hanging", "[interpreter][rules]") {
  EngineFixture f(kItems);
  const auto result = f.run("Items", "Loop");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("handlers nest deeper than 32"));
  // The repeated frame is said once, with its count, not 32 times.
  CHECK_THAT(result.error, Catch::Contains("in Items.Loop (") && Catch::Contains(") x"));
  CHECK(std::count(result.error.begin(), result.error.end(), '\n') < 10);
}

TEST_CASE("a change loop through two fields fails the run, its trace said once per turn", "[interpreter][rules]") {
  EngineFixture f(R"(
process P {
  field A number = 0;
  field B number = 0;
  on Go { set A = 1; }
  on change A { set B = B + 1; }
  on change B { set A = A + 1; }
}
)");
  const auto result = f.run("P", "Go");
  CHECK_FALSE(result.ok);
  // A, B, A, B ...: the turn of the loop is said once, with its count.
  CHECK(result.error ==
        "test.flow:7:3: error: handlers nest deeper than 32 (a trigger or change loop?)\n"
        "    on change B { set A = A + 1; }\n"
        "    ^\n"
        "  in P: on change A (test.flow:6:3)\n"
        "  in P: on change B (test.flow:7:3)\n"
        "  (the 2 lines above x15)\n"
        "  in P: on change A (test.flow:6:3)\n"
        "  in P.Go (test.flow:5:3)\n");
}

TEST_CASE("a trace tells change and load handlers from buttons of the same name", "[interpreter][rules]") {
  EngineFixture f(R"(
process P {
  field T number;
  on Go { set T = 1; }
  on T { save; }
  on change T { fail "boom"; }
}
process Q { on load { fail "not now"; } on Go { save; } }
)");
  CHECK(f.run("P", "Go").error ==
        "test.flow:6:17: error: boom\n"
        "    on change T { fail \"boom\"; }\n"
        "                  ^\n"
        "  in P: on change T (test.flow:6:3)\n"
        "  in P.Go (test.flow:4:3)\n");
  CHECK_THAT(f.run("Q", "Go").error, Catch::EndsWith("  in Q: on load (test.flow:8:13)\n"));
}

TEST_CASE("a start on an instance the store does not hold fails at the start rule", "[interpreter][rules]") {
  EngineFixture f(R"(
process B { field Y number; on Go { set Y = 1; } }
process A { on Go { start B id "missing" trigger Go; } }
)");
  const auto result = f.run("A", "Go");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("test.flow:3:") && Catch::Contains("start of B missing: no instance of B"));
}

TEST_CASE("start runs a handler on another instance and reads its fields back", "[interpreter][rules]") {
  EngineFixture f(R"(
process Child {
  field In number;
  field Out number;
  on Double { set Out = In * 2; save; }
}
process Parent {
  field Result number;
  on Go {
    start Child map { In = 21; } trigger Double on_success { Result = Out; };
    save;
  }
}
)");
  const auto result = f.run("Parent", "Go");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(result.instance.fields.at("Result") == Value(42));
  CHECK(f.store->load_instance("Child-1").has_value());
}

namespace {

/// A transport whose answers wait until the test releases them, so runs really
/// are in flight at the same time.
class GatedTransport final : public HttpTransport {
 public:
  explicit GatedTransport(boost::asio::any_io_executor executor) : executor_(executor) {}

  boost::asio::awaitable<HttpResult> send(HttpRequest request) override {
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    urls.push_back(request.url);
    auto gate = std::make_shared<boost::asio::steady_timer>(executor_, boost::asio::steady_timer::time_point::max());
    gates_.push_back(gate);
    co_await gate->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    --in_flight;
    co_return HttpResponse{200, {}, R"({"n":1})"};
  }

  /// Lets every request waiting now complete.
  void release_all() {
    for (auto& gate : gates_) gate->cancel();
    gates_.clear();
  }

  int in_flight = 0;
  int max_in_flight = 0;
  std::vector<std::string> urls;

 private:
  boost::asio::any_io_executor executor_;
  std::vector<std::shared_ptr<boost::asio::steady_timer>> gates_;
};

constexpr const char* kCounter = R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method Get GET "/n/{id}" { response body json { n; } }
}
process Counter {
  field Id text;
  field N number = 0;
  on Bump { create_item Api.Get map { path.id = Id; } on_success { N = N + body.n; }; save; }
}
instance "A" of Counter { Id = "a"; }
instance "B" of Counter { Id = "b"; }
)";

}  // namespace

TEST_CASE("runs on one instance are serialized, runs on different instances overlap", "[interpreter][rules]") {
  EngineFixture f(kCounter);
  GatedTransport gated(f.io.get_executor());
  Interpreter interpreter(*f.program, Host{&gated, &f.clock, f.store.get(), &f.functions});
  std::vector<RunResult> results;
  const auto spawn = [&](const std::string& id) {
    boost::asio::co_spawn(f.io, interpreter.run(RunRequest{"Counter", "Bump", id, ""}),
                          [&](std::exception_ptr e, RunResult r) {
                            if (e) std::rethrow_exception(e);
                            results.push_back(std::move(r));
                          });
  };
  spawn("A");
  spawn("A");
  spawn("B");
  f.io.restart();
  f.io.poll();
  // Both instances have a call in flight; A's second run waits for its first.
  CHECK(gated.in_flight == 2);
  CHECK(gated.urls == std::vector<std::string>{"http://127.0.0.1:9/n/a", "http://127.0.0.1:9/n/b"});
  gated.release_all();
  f.io.poll();
  CHECK(gated.urls.size() == 3);  // now A's second run has sent its request
  gated.release_all();
  f.io.run();
  REQUIRE(results.size() == 3);
  for (const auto& r : results) CHECK(r.ok);
  CHECK(f.store->load_instance("A")->fields.at("N") == Value(2));
  CHECK(f.store->load_instance("B")->fields.at("N") == Value(1));
}

TEST_CASE("a log message is evaluated once, secrets revealed or not", "[interpreter][rules]") {
  for (const bool reveal : {false, true}) {
    DYNAMIC_SECTION("reveal_secrets " << reveal) {
      // With --show-secrets the run keeps two logs, the shown and the stored (masked):
      // both come from one evaluation, so they cannot disagree (a clock read twice).
      EngineFixture f("process P {\n  field Token secret = \"tok-0123456789\";\n"
                      "  on Go { log \"tick ${tick()} ${Token}\"; }\n}\n",
                      RunOptions{reveal});
      int ticks = 0;
      f.functions.add(FunctionSpec{"tick", 0, 0, ValueKind::number, {},
                                   [&ticks](std::span<const Value>, const CallContext&) -> Value {
                                     return static_cast<double>(++ticks);
                                   },
                                   "tick() -> number"});
      const auto result = f.run("P", "Go");
      REQUIRE(result.ok);
      CHECK(ticks == 1);
      REQUIRE(result.log.size() == 1);
      CHECK_THAT(result.log[0], Catch::StartsWith("tick 1 "));
      CHECK((result.log[0] == "tick 1 tok-0123456789") == reveal);
    }
  }
}

namespace {

constexpr const char* kFind = R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method Bare GET "/orders" { }
  method Counted GET "/orders" { response body json { total = "data.meta.total"; } }
  method Chosen GET "/orders" { response body json { total; tags = "data.tags"; } }
}
process P {
  field L list;
  field J json;
  field Total number;
  on Bare { find_item Api.Bare into L; }
  on Counted { find_item Api.Counted on_success { Total = body.total; } into L; }
  on Chosen { find_item Api.Chosen into L; }
  on Whole { find_item Api.Counted into J; }
}
)";

std::size_t list_size(const RunResult& result, const std::string& field) {
  const auto& value = result.instance.fields.at(field);
  REQUIRE(value.is<List>());
  return value.as<List>().size();
}

}  // namespace

TEST_CASE("find_item into takes the answer's array whatever response fields the method declares",
          "[interpreter][rules]") {
  EngineFixture f(kFind);
  SECTION("an answer that is an array, with a body field declared") {
    f.http.respond_with(200, "[1,2,3]");
    const auto result = f.run("P", "Counted");
    INFO(result.error);
    REQUIRE(result.ok);
    CHECK(list_size(result, "L") == 3);
    CHECK(result.instance.fields.at("Total").is_null());
  }
  SECTION("the array nearest the top of an object, beside the declared fields") {
    f.http.respond_with(200, R"({"data":{"items":[1,2,3],"meta":{"total":3,"pages":[1]}}})");
    const auto result = f.run("P", "Counted");
    INFO(result.error);
    REQUIRE(result.ok);
    CHECK(list_size(result, "L") == 3);
    CHECK(result.instance.fields.at("Total") == Value(3));
  }
  SECTION("nothing declared: the answer as it is") {
    f.http.respond_with(200, R"({"items":[{"id":1}]})");
    const auto result = f.run("P", "Bare");
    INFO(result.error);
    REQUIRE(result.ok);
    CHECK(list_size(result, "L") == 1);
  }
  SECTION("a declared field holding an array chooses among several") {
    f.http.respond_with(200, R"({"data":{"items":[1,2,3],"tags":["a"]}})");
    const auto result = f.run("P", "Chosen");
    INFO(result.error);
    REQUIRE(result.ok);
    CHECK(list_size(result, "L") == 1);
  }
}

TEST_CASE("find_item into says which arrays it found, or that there is none", "[interpreter][rules]") {
  EngineFixture f(kFind);
  f.http.respond_with(200, R"({"data":{"items":[1],"tags":["a"]}})");
  CHECK(f.run("P", "Counted").error ==
        "test.flow:13:16: error: find_item Api.Counted: the answer holds several arrays (data.items, data.tags): "
        "declare the one to store as a response body field (response body json { items = \"data.items\"; })\n"
        "    on Counted { find_item Api.Counted on_success { Total = body.total; } into L; }\n"
        "                 ^\n"
        "  in P.Counted (test.flow:13:3)\n");
  f.http.respond_with(200, R"({"data":{"meta":{"total":0}}})");
  CHECK_THAT(f.run("P", "Counted").error,
             Catch::StartsWith("test.flow:13:16: error: find_item Api.Counted: no array to store in list field 'L': "
                               "the answer is not an array, and no member of it at any depth is one\n"));
  f.http.respond_with(200, "no list here", "text/plain");
  CHECK_THAT(f.run("P", "Bare").error,
             Catch::StartsWith("test.flow:12:13: error: find_item Api.Bare: no array to store in list field 'L': "
                               "the answer is not JSON\n"));
  // A json field takes the whole answer when it holds no array.
  f.http.respond_with(200, R"({"data":{"meta":{"total":0}}})");
  const auto whole = f.run("P", "Whole");
  INFO(whole.error);
  REQUIRE(whole.ok);
  CHECK(whole.instance.fields.at("J") == Value(Json::parse(R"({"data":{"meta":{"total":0}}})")));
}
