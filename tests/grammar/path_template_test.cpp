// Method paths: the one reading flow check and a call share.
#include "grammar/path_template.hpp"

#include <catch2/catch.hpp>

using namespace flow;

TEST_CASE("a method path reads as literal text and named parameters", "[path]") {
  const auto path = read_path_template("/orders/{id}/lines/{line_2}");
  CHECK(path.problem.empty());
  REQUIRE(path.pieces.size() == 4);
  CHECK((path.pieces[0].text == "/orders/" && !path.pieces[0].parameter));
  CHECK((path.pieces[1].text == "id" && path.pieces[1].parameter));
  CHECK((path.pieces[2].text == "/lines/" && !path.pieces[2].parameter));
  CHECK((path.pieces[3].text == "line_2" && path.pieces[3].parameter));
  CHECK(read_path_template("").problem.empty());
  CHECK(read_path_template("/").problem.empty());
}

TEST_CASE("a malformed method path says what is wrong with it", "[path]") {
  CHECK(read_path_template("orders").problem ==
        "a method path starts with '/': \"orders\" is appended to base_url's path as written (write \"/orders\")");
  CHECK(read_path_template("/orders/{id").problem ==
        "unclosed '{' in method path \"/orders/{id\": a path parameter is written {name}");
  CHECK(read_path_template("/orders/id}").problem ==
        "'}' without a '{' before it in method path \"/orders/id}\": a path parameter is written {name}");
  CHECK(read_path_template("/orders/{}").problem ==
        "empty '{}' in method path \"/orders/{}\": a path parameter is named, as in {id}, and mapped with path.id");
  CHECK(read_path_template("/o/{a{b}").problem ==
        "unclosed '{' in method path \"/o/{a{b}\": a path parameter is written {name}");
  CHECK(read_path_template("/o/{order-id}").problem ==
        "path parameter 'order-id' in method path \"/o/{order-id}\" is not a name (letters, digits and _): it is "
        "mapped with path.NAME");
  CHECK(read_path_template("/o/{1st}").problem.find("is not a name") != std::string::npos);
}
