#include "engine/store/sqlite_db.hpp"

#include <string>
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
