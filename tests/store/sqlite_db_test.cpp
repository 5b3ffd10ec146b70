#include "engine/store/sqlite_db.hpp"

#include <string>
#include <type_traits>
#include <utility>

#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

namespace {

template <typename Text>
concept bindable = requires(flow::sqlite::Statement& statement, Text&& text) {
  statement.bind(1, std::forward<Text>(text));
};

// Text is bound without a copy, so a temporary string (gone before the
// statement runs) must not compile; lvalues and literals do.
static_assert(bindable<const std::string&>);
static_assert(bindable<std::string_view>);
static_assert(bindable<const char (&)[4]>);
static_assert(!bindable<std::string>);

// An Operation points at its text, so it cannot be made from a temporary string either.
using flow::sqlite::Operation;
static_assert(std::is_constructible_v<Operation, const std::string&>);
static_assert(std::is_constructible_v<Operation, const char*, const std::string&>);
static_assert(!std::is_constructible_v<Operation, std::string>);
static_assert(!std::is_constructible_v<Operation, const char*, std::string>);

}  // namespace

TEST_CASE("sqlite db: bound text is read when the statement runs and released with it", "[store]") {
  flow::testing::TempDir dir;
  flow::sqlite::Db db(dir.file("flow.db"));
  db.exec("CREATE TABLE t (x TEXT NOT NULL)", "cannot create");
  std::string text = "first";
  {
    auto insert = db.prepare("INSERT INTO t (x) VALUES (?1)", "cannot insert");
    insert.bind(1, text).run();
  }
  text = "changed after the statement";
  {
    auto insert = db.prepare("INSERT INTO t (x) VALUES (?1)", "cannot insert");  // the cached statement again
    insert.bind(1, "literal").run();
  }
  auto select = db.prepare("SELECT group_concat(x, ',') FROM t", "cannot read");
  REQUIRE(select.step());
  CHECK(select.text(0) == "first,literal");
}

TEST_CASE("sqlite db: an operation names its subject in quotes only in the message", "[store]") {
  const std::string id = "TK-1";
  CHECK(Operation("cannot save instance", id).str() == "cannot save instance \"TK-1\"");
  CHECK(Operation("cannot list tasks").str() == "cannot list tasks");
  const std::string none;
  CHECK(Operation("cannot record a run of", none).str() == "cannot record a run of \"\"");

  flow::testing::TempDir dir;
  const auto path = dir.file("flow.db");
  flow::sqlite::Db db(path);
  try {
    db.exec("SELECT * FROM nowhere", Operation("cannot read", id));
    FAIL("no StoreError");
  } catch (const flow::StoreError& e) {
    CHECK(std::string(e.what()) == "store " + path + ": cannot read \"TK-1\": no such table: nowhere");
  }
}
