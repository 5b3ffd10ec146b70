// No secret reaches stdout, stderr, the daemon's log or the store's run history
// in clear: taint follows the value (interpolation, concatenation, functions).
#include <sqlite3.h>

#include "e2e/e2e_support.hpp"
#include "e2e/server_thread.hpp"
#include "stdlib/base64.hpp"

using namespace flow;
using namespace flow::e2e;
using flow::testing::TempDir;

namespace {

/// Every column of every row of the runs table, as text.
std::string history_dump(const std::string& db) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* select = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, "SELECT * FROM runs", -1, &select, nullptr) == SQLITE_OK);
  std::string out;
  while (sqlite3_step(select) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(select); ++i) {
      const auto* text = sqlite3_column_text(select, i);
      out += text ? reinterpret_cast<const char*>(text) : "";
      out += "|";
    }
    out += "\n";
  }
  sqlite3_finalize(select);
  sqlite3_close(handle);
  return out;
}

/// A handler that logs secrets every way a user might, then fails with one.
const std::string kLeaky = R"(
process Leaky {
  field ClientSecret secret = env("CLIENT_SECRET");
  field RefreshToken secret = env("REFRESH_TOKEN");
  field Note text;
  on Talk {
    log "secret ${ClientSecret} and token ${RefreshToken}";
    log ClientSecret;
    log "prefix-" + RefreshToken + "-suffix";
    log upper(ClientSecret);
    set Note = "copied";
    save;
  }
  on Explode {
    fail "cannot go on with ${RefreshToken}";
  }
}
instance "L-1" of Leaky { }
)";

/// A token endpoint that refuses every request with a 401 echoing what it got,
/// short enough to be shown whole: three headers, the target, and the body (a
/// JSON text quoted in JSON: escaped twice).
test::Reply echo_401(const test::TestRequest& request, const test::RequestInfo&) {
  const auto header = [&](const char* name) { return std::string(request[name]); };
  const Json echo = {{"a", header("Authorization")}, {"b", request.body()}, {"k", header("X-Api-Key")},
                     {"q", std::string(request.target())}, {"t", header("X-Trace")}};
  return test::respond(401, echo.dump(), {{"Content-Type", "application/json"}});
}

/// Calls the echo with a Basic header built from a secret, a key from env()
/// (a credential header by its name), a secret in the query and one in a JSON body.
const std::string kEchoed = R"(
datasource Api rest {
  base_url = env("ECHO_BASE_URL");
  header "X-Api-Key" = env("API_KEY");
  header "X-Trace" = "trace-plain-value-0001";
  method Tok POST "/fail/token" {
    request header Auth "Authorization" = "Basic ${base64(ClientId + ":" + ClientSecret)}";
    request query { key; }
    request body json { refresh_token; }
    response body json { access_token; }
  }
}
process P {
  field ClientId text = "client-1";
  field ClientSecret secret = env("CLIENT_SECRET");
  field RefreshToken secret = env("REFRESH_TOKEN");
  field Err text;
  field ErrBody text;
  on Strict { create_item Api.Tok map { query.key = ClientSecret; body.refresh_token = RefreshToken; }; }
  on Handled {
    create_item Api.Tok map { query.key = ClientSecret; body.refresh_token = RefreshToken; }
      on_error { Err = error.message; ErrBody = error.body; };
    save;
  }
}
instance "P1" of P { }
schedule "Echo" { every 1 minutes; process P; id "P1"; trigger Strict; }
)";

/// A JSON string's inside for `text`: how a JSON body carries it.
std::string json_inside(const std::string& text) {
  const auto quoted = Json(text).dump();
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

TEST_CASE("secrets a server echoes back are masked however the request carried them", "[e2e][secrets]") {
  ServerThread server(echo_401);
  TempDir dir;
  const auto file = dir.file("echo.flow");
  write_text(file, kEchoed);
  const auto db = dir.file("flow.db");
  const std::string client_secret = R"(cs-"quoted\value-0123456789)";
  const std::string refresh = R"(rt-"quoted\value-1234567)";
  const std::string api_key = "APIKEY-supersecret-0001";
  const std::map<std::string, std::string> env{{"ECHO_BASE_URL", server.base_url()},
                                               {"CLIENT_SECRET", client_secret},
                                               {"REFRESH_TOKEN", refresh},
                                               {"API_KEY", api_key}};

  const auto strict = run_flow({"trigger", file, "P.Strict", "--id", "P1", "--db", db}, env);
  const auto handled = run_flow({"trigger", file, "P.Handled", "--id", "P1", "--db", db}, env);
  const auto daemon = run_flow({"run", file, "--db", db, "--for", "1500ms"}, env);
  const auto show = run_flow({"instances", "show", "P1", "--db", db});
  const auto history = history_dump(db);
  INFO(strict.out << strict.err << handled.out << handled.err << daemon.out << show.out << history);
  REQUIRE(strict.code == 1);
  REQUIRE(handled.code == 0);

  const auto basic = stdlib::base64_encode("client-1:" + client_secret, stdlib::Base64Alphabet::standard, true);
  std::vector<std::string> leaks{basic, api_key};
  for (const auto& secret : {client_secret, refresh}) {
    leaks.push_back(secret);
    leaks.push_back(json_inside(secret));               // in the JSON body
    leaks.push_back(json_inside(json_inside(secret)));  // that body quoted in the JSON answer
  }
  const std::map<std::string, std::string> outputs{{"the run's error", strict.err},
                                                   {"the run's log", strict.out + handled.out},
                                                   {"the daemon's log", daemon.out + daemon.err},
                                                   {"the on_error fields", show.out},
                                                   {"the run history", history}};
  for (const auto& [where, text] : outputs) {
    INFO(where);
    for (const auto& leak : leaks) {
      INFO("leak: " << leak);
      CHECK(text.find(leak) == std::string::npos);
    }
    CHECK_THAT(text, Catch::Contains("trace-plain-value-0001"));  // what is not secret is still shown
  }
  // The answer was read and masked, not dropped: each secret field shows as
  // its mask; the API key and the Basic header, request values, without a tail.
  const std::string dots = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";
  for (const auto* tail : {"6789", "4567"}) CHECK_THAT(strict.err, Catch::Contains(dots + tail));
  CHECK_THAT(strict.err, Catch::Contains("\"k\":\"" + dots + "\""));
  CHECK_THAT(strict.err, Catch::Contains("\"a\":\"" + dots + "\""));
  CHECK_THAT(show.out, Catch::Contains("= \"HTTP 401: {"));  // Err: text, shown quoted, not masked whole
}

TEST_CASE("secrets in a datasource's base_url are masked when a server echoes the request line", "[e2e][secrets]") {
  ServerThread server(echo_401);
  TempDir dir;
  const auto file = dir.file("keyed.flow");
  // A key in base_url's query (a credential by its name, from env()), and a
  // value computed from a secret field (no field holds it) in its path.
  write_text(file, R"(
datasource Keyed rest {
  base_url = "${env("ECHO_BASE_URL")}/tenant/${upper(TenantKey)}/v1?api_key=${env("URL_KEY")}&v=plain-version-0001";
  method Tok POST "/fail/token" { response body json { access_token; } }
}
process K {
  field TenantKey secret = env("TENANT_KEY");
  field Err text;
  on Strict { create_item Keyed.Tok; }
  on Handled { create_item Keyed.Tok on_error { Err = error.message; }; save; }
}
instance "K1" of K { }
)");
  const auto db = dir.file("flow.db");
  const std::string url_key = "URLKEY-supersecret-0002";
  const std::string tenant_key = "tenant-key-0123456789";
  const std::string sent_tenant_key = "TENANT-KEY-0123456789";
  const std::map<std::string, std::string> env{
      {"ECHO_BASE_URL", server.base_url()}, {"URL_KEY", url_key}, {"TENANT_KEY", tenant_key}};

  const auto strict = run_flow({"trigger", file, "K.Strict", "--id", "K1", "--db", db}, env);
  const auto handled = run_flow({"trigger", file, "K.Handled", "--id", "K1", "--db", db}, env);
  const auto show = run_flow({"instances", "show", "K1", "--db", db});
  const auto history = history_dump(db);
  INFO(strict.out << strict.err << handled.out << handled.err << show.out << history);
  REQUIRE(strict.code == 1);
  REQUIRE(handled.code == 0);
  const std::map<std::string, std::string> outputs{{"the run's error", strict.err},
                                                   {"the run's log", strict.out + handled.out},
                                                   {"the on_error fields", show.out},
                                                   {"the run history", history}};
  for (const auto& [where, text] : outputs) {
    INFO(where);
    CHECK(text.find(url_key) == std::string::npos);
    CHECK(text.find(tenant_key) == std::string::npos);
    CHECK(text.find(sent_tenant_key) == std::string::npos);
    CHECK_THAT(text, Catch::Contains("v=plain-version-0001"));  // the echoed request line is still there
  }
  const std::string dots = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";
  CHECK_THAT(strict.err, Catch::Contains("/tenant/" + dots + "/v1/fail/token?api_key=" + dots + "&v="));
}

TEST_CASE("no secret reaches stdout, stderr, the log or the run history in clear", "[e2e][secrets]") {
  const SeedScenario seed(SeedFile{"secrets.flow", seed_example("every 1 seconds;") + kLeaky},
                          {"--invalid_grant_next_n", "1"});
  const std::vector<std::string> secrets{kClientSecret, kInitialRefresh, "E2E-CLIENT-SECRET-0123456789"};

  std::string everything;
  const auto record = [&](const FlowRun& run) { everything += run.out + "\n" + run.err + "\n"; };
  // A failing refresh (invalid_grant), then successful ones from the daemon.
  record(run_flow(seed.trigger(), seed.env));
  record(run_flow(seed.run("2500ms"), seed.env));
  record(run_flow({"trigger", seed.file, "Leaky.Talk", "--id", "L-1", "--db", seed.db}, seed.env));
  record(run_flow({"trigger", seed.file, "Leaky.Explode", "--id", "L-1", "--db", seed.db}, seed.env));
  record(run_flow({"trigger", seed.file, "Leaky.Talk", "--id", "L-1", "--db", seed.db, "--json"}, seed.env));
  record(run_flow({"instances", "show", "TK-1", "--db", seed.db}));
  record(run_flow({"instances", "show", "L-1", "--db", seed.db}));
  record(run_flow({"tasks", "history", "--db", seed.db, "--limit", "100"}));
  const auto history = history_dump(seed.db);

  // The runs really happened and were recorded.
  CHECK_THAT(everything, Catch::Contains("invalid_grant"));
  CHECK_THAT(everything, Catch::Contains("TK-1 ok"));
  CHECK_THAT(everything, Catch::Contains("log: secret \xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2"));
  CHECK_THAT(history, Catch::Contains("cannot go on with"));
  for (const auto& secret : secrets) {
    INFO("secret: " << secret);
    CHECK(everything.find(secret) == std::string::npos);
    CHECK(history.find(secret) == std::string::npos);
  }
  // Rotated tokens the provider issued never show either: read them (with
  // --show-secrets, the one explicit way) and look for them everywhere else.
  const auto shown = run_flow({"instances", "show", "TK-1", "--db", seed.db, "--show-secrets"});
  const auto at = shown.out.find("RefreshToken = ");
  REQUIRE(at != std::string::npos);
  const auto rotated = shown.out.substr(at + 15, shown.out.find('\n', at) - at - 15);
  REQUIRE(rotated.size() >= 16);
  CHECK(everything.find(rotated) == std::string::npos);
  CHECK(history.find(rotated) == std::string::npos);
}

namespace {

/// A list endpoint whose items echo the request's Authorization header.
test::Reply echo_in_items(const test::TestRequest& request, const test::RequestInfo&) {
  const Json items = Json::array({{{"id", 1}, {"seen", std::string(request["Authorization"])}}, {{"id", 2}}});
  return test::respond(200, items.dump(), {{"Content-Type", "application/json"}});
}

const std::string kLister = R"(
datasource Api rest {
  base_url = env("ECHO_BASE_URL");
  method List GET "/items" { request header Auth "Authorization"; }
}
process P {
  field Token secret = env("API_TOKEN");
  field Items list;
  on Fetch {
    find_item Api.List map { header.Auth = "Bearer ${Token}"; } into Items;
    log "items=${Items}";
    save;
  }
}
instance "P1" of P { }
)";

}  // namespace

TEST_CASE("a list find_item stores from an answer that echoes a secret is never shown in clear", "[e2e][secrets]") {
  ServerThread server(echo_in_items);
  TempDir dir;
  const auto file = dir.file("lister.flow");
  write_text(file, kLister);
  const auto db = dir.file("flow.db");
  const std::string token = "api-token-0123456789abcdef";
  const std::map<std::string, std::string> env{{"ECHO_BASE_URL", server.base_url()}, {"API_TOKEN", token}};

  const auto text = run_flow({"trigger", file, "P.Fetch", "--id", "P1", "--db", db}, env);
  const auto json = run_flow({"trigger", file, "P.Fetch", "--id", "P1", "--db", db, "--json"}, env);
  const auto show = run_flow({"instances", "show", "P1", "--db", db, "--json"});
  const auto history = history_dump(db);
  INFO(text.out << text.err << json.out << json.err << show.out << history);
  REQUIRE(text.code == 0);
  REQUIRE(json.code == 0);
  const std::string dots = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";
  CHECK_THAT(text.out, Catch::Contains("log: items=" + dots + "\n"));
  CHECK_THAT(text.out, Catch::Contains("Items = " + dots + "\n"));
  CHECK(Json::parse(json.out).at("instance").at("fields").at("Items") == Json(dots));
  CHECK(Json::parse(show.out).at("fields").at("Items") == Json(dots));
  for (const auto& output : {text.out, text.err, json.out, json.err, show.out, history}) {
    CHECK(output.find(token) == std::string::npos);
    CHECK(output.find("\"seen\"") == std::string::npos);  // no item shown in clear
  }
}

TEST_CASE("a text field given part of a secret shows the mask alone in flow trigger and the log", "[e2e][secrets]") {
  TempDir dir;
  const auto file = dir.file("derived.flow");
  write_text(file, R"(
process P {
  field AccessToken secret = env("ACCESS_TOKEN");
  field Msg text;
  on Derive { set Msg = substring(AccessToken, 0, 16); log "msg=${Msg} token=${AccessToken}"; save; }
}
instance "P1" of P { }
)");
  const auto db = dir.file("flow.db");
  // Characters 12-15 ("MNOP") are Msg's last 4; the token's own are "wxyz".
  const std::map<std::string, std::string> env{{"ACCESS_TOKEN", "ABCDEFGHIJKLMNOPqrstuvwxyz"}};
  const auto run = run_flow({"trigger", file, "P.Derive", "--id", "P1", "--db", db}, env);
  const auto json = run_flow({"trigger", file, "P.Derive", "--id", "P1", "--db", db, "--json"}, env);
  const auto show = run_flow({"instances", "show", "P1", file, "--db", db});
  INFO(run.out << run.err << json.out << show.out);
  REQUIRE(run.code == 0);
  const std::string dots = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";
  CHECK_THAT(run.out, Catch::Contains("log: msg=" + dots + " token=" + dots + "wxyz\n"));
  CHECK_THAT(run.out, Catch::Contains("Msg         = " + dots + "\n"));
  CHECK_THAT(run.out, Catch::Contains("AccessToken = " + dots + "wxyz\n"));
  CHECK(Json::parse(json.out).at("instance").at("fields").at("Msg") == Json(dots));
  CHECK_THAT(show.out, Catch::Contains("Msg         = " + dots + "\n"));
  for (const auto& output : {run.out, run.err, json.out, show.out}) CHECK(output.find("MNOP") == std::string::npos);
}

TEST_CASE("a literal credential in a call's map is masked in the run's error and never stored in clear",
          "[e2e][secrets]") {
  ServerThread server(echo_401);
  TempDir dir;
  const auto file = dir.file("lit.flow");
  write_text(file, R"(
datasource D rest {
  base_url = env("ECHO_BASE_URL");
  method M POST "/oauth/token" { request header Auth "Authorization"; request body form { client_secret; password; } }
}
process P {
  field N text;
  on Go { create_item D.M map { body.client_secret = "client-secret-literal-9999"; body.password = "password-literal-8888"; header.Auth = "Bearer mapped-bearer-7777"; }; }
}
)");
  const auto db = dir.file("l.db");
  const auto run = run_flow({"trigger", file, "P.Go", "--db", db}, {{"ECHO_BASE_URL", server.base_url()}});
  const auto listed = run_flow({"tasks", "history", "--db", db});
  INFO(run.out << run.err << listed.out << listed.err);
  REQUIRE(run.code == 1);
  // The store's bytes: the file, and its write-ahead log should one be left.
  std::string stored = read_text(db);
  if (std::filesystem::exists(db + "-wal")) stored += read_text(db + "-wal");
  const std::map<std::string, std::string> outputs{{"the run's output", run.out + run.err},
                                                   {"tasks history", listed.out + listed.err},
                                                   {"the run history", history_dump(db)},
                                                   {"the store file", stored}};
  for (const auto& [where, text] : outputs) {
    INFO(where);
    for (const auto* leak : {"client-secret-literal-9999", "password-literal-8888", "mapped-bearer-7777"}) {
      INFO("leak: " << leak);
      CHECK(text.find(leak) == std::string::npos);
    }
  }
  // The source line of the error shows each literal as its mask.
  const std::string dots = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";
  CHECK_THAT(run.err, Catch::Contains("body.client_secret = " + dots + "9999; body.password = " + dots +
                                      "8888; header.Auth = " + dots + "7777;"));
  CHECK_THAT(listed.out, Catch::Contains("header.Auth = " + dots + "7777;"));
}
