// What a run's calls mapped in and its failed commit left in memory is written
// back field by field, only where the store did not change since
// (docs/semantics.md, "When writes reach the store"): a fresh refresh token the
// user put in meanwhile is never overwritten with a spent one.
#include <catch2/catch.hpp>

#include "support/before_exit.hpp"
#include "support/engine_fixture.hpp"
#include "support/fillable_store.hpp"

using namespace flow;
using namespace flow::testing;

namespace {

// Refresh rotates both tokens; PutToken is the user putting a fresh refresh
// token in (`flow trigger`), Annotate another run changing another field.
constexpr const char* kProgram = R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method Refresh POST "/t" { request body form { rt; } response body json { refresh_token; access_token; } }
}
process K {
  field RefreshToken secret = "rt-0000000000000001";
  field AccessToken secret;
  field Note text;
  on Go {
    create_item Api.Refresh map { body.rt = RefreshToken; }
      on_success { RefreshToken = body.refresh_token; AccessToken = body.access_token; };
    save;
  }
  on Twice {
    create_item Api.Refresh map { body.rt = RefreshToken; }
      on_success { RefreshToken = body.refresh_token; AccessToken = body.access_token; };
    create_item Api.Refresh map { body.rt = RefreshToken; }
      on_success { RefreshToken = body.refresh_token; AccessToken = body.access_token; };
    save;
  }
  on PutToken { set RefreshToken = "rt-0000000000000009"; save; }
  on PutBack { set RefreshToken = "rt-0000000000000001"; save; }
  on Annotate { set Note = "seen"; save; }
}
process Parent { on Go { start K id "K-1" trigger Go; } }
instance "K-1" of K { }
)";

/// The answer of the nth refresh: rt-n and at-n.
std::string answer(int n) {
  const std::string digits = std::to_string(n);
  const std::string padded = std::string(16 - digits.size(), '0') + digits;
  return R"({"refresh_token":"rt-)" + padded + R"(","access_token":"at-)" + padded + R"("})";
}

/// K-1 run by an interpreter over a FillableStore (this process), while the
/// fixture's own interpreter writes the same file directly (another process).
struct KeptAfterDiskFull {
  KeptAfterDiskFull() {
    REQUIRE(f.interpreter->seed_instances().empty());
    store.full = true;
    f.http.respond_with(200, answer(2));
    const auto result = f.run_on(interpreter, "K", "Go", "K-1");
    REQUIRE_THAT(result.error, Catch::Contains("is kept in memory"));
    store.full = false;
  }
  std::string stored(const std::string& field) { return to_text(f.store->load_instance("K-1")->fields.at(field)); }

  EngineFixture f{kProgram};
  FillableStore store{*f.store};
  Interpreter interpreter{*f.program, Host{&f.http, &f.clock, &store, &f.functions}};
};

const std::string kTokenDropped =
    "what calls mapped into K-1 (RefreshToken) is not written: changed in the store since (by another run or "
    "process, or the user), which keeps its newer value";

/// Whether any line of `lines` holds a token's value.
bool shows_a_token(const std::vector<std::string>& lines) {
  for (const auto& line : lines)
    if (line.find("rt-0000") != std::string::npos || line.find("at-0000") != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE_METHOD(KeptAfterDiskFull, "a kept token is not written over the one the user put in since", "[interpreter][commit][write-back]") {
  REQUIRE(f.run("K", "PutToken", "K-1").ok);  // another process, with room on its disk
  REQUIRE(stored("RefreshToken") == "rt-0000000000000009");

  f.http.respond_with(200, answer(10));
  const auto result = f.run_on(interpreter, "K", "Go", "K-1");
  INFO(result.error);
  CHECK(result.ok);
  CHECK_THAT(f.http.requests.back().body, Catch::Contains("rt=rt-0000000000000009"));  // not the spent rt-2
  CHECK(stored("RefreshToken") == "rt-0000000000000010");
  REQUIRE_FALSE(result.log.empty());
  CHECK(result.log.front() == kTokenDropped);
  CHECK_FALSE(shows_a_token(result.log));
  CHECK(f.store->runs("", 1).at(0).log.front() == kTokenDropped);  // the history says it too
}

TEST_CASE_METHOD(KeptAfterDiskFull, "before exit, only the kept values whose fields did not change since are written", "[interpreter][commit][write-back]") {
  REQUIRE(f.run("K", "PutToken", "K-1").ok);

  BeforeExit exit(f, interpreter, {});
  REQUIRE(exit.lost);
  CHECK(exit.lost->empty());  // nothing is lost: what was not written is older than the store's
  CHECK(exit.notes == std::vector<std::string>{"what calls mapped into K-1 (AccessToken) is written to the store now",
                                               kTokenDropped});
  CHECK_FALSE(exit.says("rt-0000"));
  CHECK_FALSE(exit.says("at-0000"));
  CHECK(stored("RefreshToken") == "rt-0000000000000009");
  CHECK(stored("AccessToken") == "at-0000000000000002");
}

TEST_CASE_METHOD(KeptAfterDiskFull, "what a command shows after its exit writes is the store's instance then", "[interpreter][commit][write-back]") {
  // flow trigger and flow tasks run print after the exit writes: the instance
  // read again holds the rotated token, not the spent one of the failed commit.
  CHECK(interpreter.keeps_unwritten("K-1"));
  CHECK_FALSE(interpreter.keeps_unwritten("K-2"));
  const auto before = interpreter.stored_instance("K", "K-1");
  REQUIRE(before);
  CHECK(to_text(before->fields.at("RefreshToken")) == "rt-0000000000000001");

  BeforeExit exit(f, interpreter, {});
  REQUIRE(exit.lost);
  CHECK(exit.lost->empty());
  CHECK_FALSE(interpreter.keeps_unwritten("K-1"));
  const auto after = interpreter.stored_instance("K", "K-1");
  REQUIRE(after);
  CHECK(to_text(after->fields.at("RefreshToken")) == "rt-0000000000000002");
  CHECK(after->revision == before->revision + 1);
  CHECK_FALSE(interpreter.stored_instance("K", "K-2"));
  CHECK_FALSE(interpreter.stored_instance("NoSuchProcess", "K-1"));
}

TEST_CASE_METHOD(KeptAfterDiskFull, "a change to another field does not keep the rotated token from being written", "[interpreter][commit][write-back]") {
  REQUIRE(f.run("K", "Annotate", "K-1").ok);  // a new revision, the tokens untouched

  BeforeExit exit(f, interpreter, {});
  REQUIRE(exit.lost);
  CHECK(exit.lost->empty());
  CHECK(exit.notes ==
        std::vector<std::string>{"what calls mapped into K-1 (AccessToken, RefreshToken) is written to the store now"});
  CHECK(stored("RefreshToken") == "rt-0000000000000002");
  CHECK(stored("AccessToken") == "at-0000000000000002");
  CHECK(stored("Note") == "seen");
}

TEST_CASE_METHOD(KeptAfterDiskFull, "a start writes back only what did not change, and says what it dropped", "[interpreter][commit][write-back]") {
  REQUIRE(f.run("K", "PutToken", "K-1").ok);

  f.http.respond_with(200, answer(10));
  const auto result = f.run_on(interpreter, "Parent", "Go");
  INFO(result.error);
  CHECK(result.ok);
  CHECK_THAT(f.http.requests.back().body, Catch::Contains("rt=rt-0000000000000009"));
  CHECK(stored("RefreshToken") == "rt-0000000000000010");
  CHECK(std::find(result.log.begin(), result.log.end(), kTokenDropped) != result.log.end());
  CHECK_FALSE(shows_a_token(result.log));
}

namespace {

/// As KeptAfterDiskFull, but the store cannot be read either when the run
/// keeps what it could not commit: the base of the kept values is what the run
/// knows the store holds (the instance as loaded, and what the run committed).
struct KeptWhileUnreadable {
  explicit KeptWhileUnreadable(const std::string& handler = "Go") : last_call(handler == "Twice" ? 2 : 1) {
    REQUIRE(f.interpreter->seed_instances().empty());
    store.unreadable_once_full = true;
    f.http.respond([this](const HttpRequest&) -> HttpResult {
      // The last call's answer is the one whose commit fails; an earlier one's is committed.
      if (++calls == last_call) store.full = true;
      HttpResponse response;
      response.status = 200;
      response.headers.emplace_back("Content-Type", "application/json");
      response.body = answer(calls + 1);
      return response;
    });
    const auto result = f.run_on(interpreter, "K", handler, "K-1");
    REQUIRE_THAT(result.error, Catch::Contains("is kept in memory"));
    REQUIRE(store.unreadable);  // the keep could not read the store
    store.full = false;
    store.unreadable = false;
  }
  std::string stored(const std::string& field) { return to_text(f.store->load_instance("K-1")->fields.at(field)); }

  int last_call;
  int calls = 0;
  EngineFixture f{kProgram};
  FillableStore store{*f.store};
  Interpreter interpreter{*f.program, Host{&f.http, &f.clock, &store, &f.functions}};
};

}  // namespace

TEST_CASE("kept while the store is unreadable: a change to another field does not drop the rotated token",
          "[interpreter][commit][write-back]") {
  KeptWhileUnreadable k;
  REQUIRE(k.f.run("K", "Annotate", "K-1").ok);  // a new revision, the tokens untouched

  BeforeExit exit(k.f, k.interpreter, {});
  REQUIRE(exit.lost);
  CHECK(exit.lost->empty());
  CHECK(exit.notes ==
        std::vector<std::string>{"what calls mapped into K-1 (AccessToken, RefreshToken) is written to the store now"});
  CHECK(k.stored("RefreshToken") == "rt-0000000000000002");
  CHECK(k.stored("AccessToken") == "at-0000000000000002");
  CHECK(k.stored("Note") == "seen");
}

TEST_CASE("kept while the store is unreadable: a token the user put in since is not overwritten",
          "[interpreter][commit][write-back]") {
  KeptWhileUnreadable k;
  REQUIRE(k.f.run("K", "PutToken", "K-1").ok);

  BeforeExit exit(k.f, k.interpreter, {});
  REQUIRE(exit.lost);
  CHECK(exit.lost->empty());
  CHECK(exit.notes == std::vector<std::string>{"what calls mapped into K-1 (AccessToken) is written to the store now",
                                               kTokenDropped});
  CHECK(k.stored("RefreshToken") == "rt-0000000000000009");
  CHECK(k.stored("AccessToken") == "at-0000000000000002");
}

TEST_CASE("kept while the store is unreadable: the base is what the run committed, not what it started from",
          "[interpreter][commit][write-back]") {
  SECTION("the token the run's first call committed is still there: the second one's is written") {
    KeptWhileUnreadable k("Twice");
    REQUIRE(k.stored("RefreshToken") == "rt-0000000000000002");  // committed before the second call
    REQUIRE(k.f.run("K", "Annotate", "K-1").ok);
    BeforeExit exit(k.f, k.interpreter, {});
    REQUIRE(exit.lost);
    CHECK(exit.notes == std::vector<std::string>{
                            "what calls mapped into K-1 (AccessToken, RefreshToken) is written to the store now"});
    CHECK(k.stored("RefreshToken") == "rt-0000000000000003");
    CHECK(k.stored("AccessToken") == "at-0000000000000003");
  }
  SECTION("the run's starting token put back since is a change: it stays") {
    KeptWhileUnreadable k("Twice");
    REQUIRE(k.f.run("K", "PutBack", "K-1").ok);  // the value the run started from, after the run changed it
    BeforeExit exit(k.f, k.interpreter, {});
    REQUIRE(exit.lost);
    CHECK(exit.notes == std::vector<std::string>{"what calls mapped into K-1 (AccessToken) is written to the store now",
                                                 kTokenDropped});
    CHECK(k.stored("RefreshToken") == "rt-0000000000000001");
    CHECK(k.stored("AccessToken") == "at-0000000000000003");
  }
}
