// JSON paths into response bodies: `a.b[0].c`, plain keys, and the empty path.
#include "engine/json_path.hpp"

#include <catch2/catch.hpp>

namespace {

const flow::Json kAnswer = flow::Json::parse(
    R"({"access_token": "at-1", "data": {"items": [{"id": 7}, {"id": 8}]}, "a.b": "dotted key"})");

}  // namespace

TEST_CASE("json_path_get: plain keys, nested paths and indexes", "[json_path]") {
  REQUIRE(flow::json_path_get(kAnswer, "access_token"));
  CHECK(*flow::json_path_get(kAnswer, "access_token") == "at-1");
  REQUIRE(flow::json_path_get(kAnswer, "data.items[1].id"));
  CHECK(*flow::json_path_get(kAnswer, "data.items[1].id") == 8);
  CHECK(flow::json_path_get(kAnswer, "missing") == nullptr);
  CHECK(flow::json_path_get(kAnswer, "data.items[2].id") == nullptr);
  CHECK(flow::json_path_get(kAnswer, "access_token.x") == nullptr);
  CHECK(flow::json_path_get(flow::Json::array(), "key") == nullptr);  // a plain key into a non-object
}

TEST_CASE("json_path_get: the empty path is the whole document", "[json_path]") {
  CHECK(flow::json_path_get(kAnswer, "") == &kAnswer);
}
