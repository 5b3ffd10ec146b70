#include "engine/checker.hpp"

#include <filesystem>

#include <catch2/catch.hpp>

#include "engine/check_context.hpp"
#include "stdlib/stdlib.hpp"

namespace {

const flow::FunctionRegistry& registry() {
  static const flow::FunctionRegistry functions = [] {
    flow::FunctionRegistry r;
    flow::register_stdlib(r);
    return r;
  }();
  return functions;
}

/// Loads `text` as test.flow, checks it, and renders every diagnostic.
std::string check(const std::string& text) {
  flow::Diagnostics diagnostics;
  auto program = flow::load_program_text("test.flow", text, diagnostics);
  flow::check_program(*program, registry(), diagnostics);
  return flow::render(program->sources, diagnostics);
}

const char* const kDatasource = R"(datasource Api rest {
  base_url = "http://127.0.0.1:1";
  method Token POST "/token/{tenant}" {
    request header Auth "Authorization";
    request body form { grant_type; client_id; }
    response header Location "Location";
    response body json { access_token; expires_in; }
  }
}
)";

}  // namespace

using flow::check::KindSet;
using flow::ValueKind;

TEST_CASE("KindSet describes its kinds for messages", "[checker]") {
  CHECK(KindSet(ValueKind::text).describe() == "text");
  CHECK(KindSet(ValueKind::text).add(ValueKind::boolean).describe() == "boolean or text");
  CHECK(KindSet(ValueKind::number).add(ValueKind::text).add(ValueKind::list).describe() == "number, text or list");
  CHECK(KindSet::any().describe() == "any value");
  CHECK(KindSet::any().without(ValueKind::null).has(ValueKind::json));
}

TEST_CASE("every example checks clean", "[checker]") {
  int examples = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(FLOW_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".flow") continue;
    ++examples;
    INFO(entry.path().string());
    flow::Diagnostics diagnostics;
    auto program = flow::load_program({entry.path().string()}, diagnostics);
    flow::check_program(*program, registry(), diagnostics);
    CHECK(flow::render(program->sources, diagnostics) == "");
  }
  CHECK(examples >= 1);
}

TEST_CASE("a clean program has no diagnostics", "[checker]") {
  CHECK(check(std::string(kDatasource) + R"(
process P {
  field Tenant text = "t1";
  field Token secret;
  field Expires number;
  field At datetime;
  on Go {
    create_item Api.Token map {
      path.tenant = Tenant;
      header.Auth = "Basic ${Token}";
      body.grant_type = "client_credentials";
      urlPath = "/v2";
    } on_success {
      Token = body.access_token;
      Expires = body.expires_in ?? 3600;
      At = now() + seconds(Expires) - 5 minutes;
    } on_error {
      Token = error.message;
    };
    save;
  }
}
)") == "");
}

TEST_CASE("every unknown name of a file is reported in one run, in source order", "[checker]") {
  CHECK(check(std::string(kDatasource) + R"(
process P {
  field AccessToken secret;
  on Go {
    set AccesToken = "";
    create_item Api.Tokn map { body.client_id = "x"; };
    create_item Apx.Token map { body.client_id = "x"; };
    trigger Og;
  }
}
)") == R"(test.flow:14:9: error: unknown field 'AccesToken' in process P; did you mean 'AccessToken'?
      set AccesToken = "";
          ^
test.flow:15:21: error: unknown method 'Tokn' in datasource Api; did you mean 'Token'?
      create_item Api.Tokn map { body.client_id = "x"; };
                      ^
test.flow:16:17: error: unknown datasource 'Apx'; did you mean 'Api'?
      create_item Apx.Token map { body.client_id = "x"; };
                  ^
test.flow:17:13: error: unknown handler 'Og' in process P; did you mean 'Go'?
      trigger Og;
              ^
)");
}

TEST_CASE("map targets must be declared request parts of the method", "[checker]") {
  CHECK(check(std::string(kDatasource) + R"(
process P {
  field Id text;
  on Go {
    create_item Api.Token map {
      path.tenant = Id;
      body.client_idd = Id;
      header.Authorization = Id;
      query.page = 1;
      path.tenantt = Id;
      client_id = Id;
    };
  }
}
)") == R"(test.flow:16:12: error: unknown request body 'client_idd' in method Api.Token; did you mean 'client_id'?
        body.client_idd = Id;
             ^
test.flow:17:14: error: unknown request header 'Authorization' in method Api.Token
        header.Authorization = Id;
               ^
test.flow:18:13: error: unknown request query 'page' in method Api.Token
        query.page = 1;
              ^
test.flow:19:12: error: unknown path parameter 'tenantt' in method Api.Token; did you mean 'tenant'?
        path.tenantt = Id;
             ^
test.flow:20:7: error: a map target is body.NAME, header.NAME, query.NAME, path.NAME or urlPath; did you mean 'body.client_id'?
        client_id = Id;
        ^
)");
}

TEST_CASE("an unmapped path parameter fails every call", "[checker]") {
  CHECK(check(std::string(kDatasource) + R"(
process P {
  on Go { create_item Api.Token map { body.client_id = "x"; }; }
}
)") == R"(test.flow:12:27: error: path parameter 'tenant' of Api.Token is not mapped (add path.tenant = ... to the map)
    on Go { create_item Api.Token map { body.client_id = "x"; }; }
                            ^
)");
}

TEST_CASE("every construct used correctly checks clean", "[checker]") {
  CHECK(check(R"flow(
datasource Api rest {
  base_url = env("API_URL", "http://127.0.0.1:1");
  timeout = 10s;
  retries = 2;
  retry_backoff = 500ms;
  max_response_bytes = 1048576;
  ca_file = env("CA_FILE", "ca.pem");  // a literal one must exist: see tests/check/datasource_tls_files.flow
  insecure_skip_verify = false;
  header "Accept-Language" = "en";
  method Items GET "/tenants/{tenant}/items" {
    request header Auth "Authorization" = "none";
    request header Trace "X-Trace";
    request query { page; per_page; }
    response header Next "Link";
    response body json { items = "data.items"; total = "data.total"; }
  }
  method Raw GET "/raw" { }
  method Create POST "/items" {
    request body json { name; owner = "meta.owner"; }
  }
}

process Lister {
  field Tenant   text = "t1";
  field Token    secret = env("TOKEN");
  field Items    list;
  field Raw      json;
  field Total    number = 0;
  field Next     text;
  field Seen     datetime = 2027-01-01T00:00:00Z;
  field Every    duration = 5 minutes;
  field Ok       boolean = false;
  field Label    text;

  on load { set Label = "loaded at ${now()}"; }
  on change Total { log "total is now ${Total}"; }

  on List <
    validate Tenant != "" else "no tenant";
    find_item Api.Items map <
      path.tenant = Tenant;
      header.Auth = "Bearer ${Token}";
      query.page = 1;
      query.per_page = Total + 50;
      urlPath = "/all";
    > on_success <
      Items = body.items;
      Total = body.total ?? length(body.items);
      Next  = header.Next;
      Ok    = status == 200;
    > on_error <
      Label = "failed: " + error.message + " (" + error.status + ")";
      Raw   = error.body;
    >;
    find_item Api.Raw into Raw;
    find_item Api.Raw into Items;
    if Total > 10 and not Ok { fail "too many"; } else if Total == 0 { clear Next; } else { save; }
    set Seen = Seen + Every * 2 - 1 hour;
    set Every = now() - Seen;
    set Total = -Total + round(Total / 3, 2) + unix_time(now());
    set Label = upper(Items[0].name ?? "none") + Raw.user.name;
    set Ok = contains(Label, "x") or starts_with(Label, "y");
    set Total = "3600";
    set Seen = "2027-06-30";
    set Seen = 1700000000;
    set Every = 30;
    set Raw = Items;
    set Label = instance("L-1").Tenant;
    trigger Refresh;
    save;
  >

  on Refresh {
    create_item Api.Create map { body.name = Label; body.owner = Tenant; };
    start Lister id "L-1" map { Tenant = "t2"; } trigger Count on_success { Total = Total; Label = Next; };
  }

  on Count { set Total = length(Items); }
}

instance "L-1" of Lister { Tenant = "t9"; Total = 3; }

schedule "Hourly" { every hour at minute 5; timezone "Europe/Dublin"; process Lister; id "L-1"; trigger List; }
schedule "Daily" { every day at 06:30; process Lister; trigger List; on_overlap queue; on_missed skip; }
schedule "Weekdays" { every weekday at 08:00; process Lister; trigger List; expires 2027-06-30; }
schedule "Some days" { every monday, friday at 09:15; process Lister; trigger List; expires after 100 runs; }
schedule "Monthly" { every month on last friday at 17:00; process Lister; trigger List; retry 3 times backoff 30s; }
schedule "Cron" { cron "*/5 9-17 * * mon-fri"; process Lister; trigger List; jitter 20s; }
schedule "Once" { once at 2027-01-01T09:00; process Lister; trigger List; }
schedule "Dynamic" { at Seen + seconds(Total) - 5 minutes; process Lister; id "L-1"; trigger List; }
)flow") == "");
}

TEST_CASE("diagnostics come out in source order whatever the check that found them", "[checker]") {
  // The schedule is checked after the process but sits above it in the file.
  CHECK(check(R"(schedule "S" { every 1 hour; process P; trigger Og; }
process P {
  field A number;
  on Go { set B = 1; }
}
)") == R"(test.flow:1:49: error: unknown handler 'Og' in process P; did you mean 'Go'?
  schedule "S" { every 1 hour; process P; trigger Og; }
                                                  ^
test.flow:4:15: error: unknown field 'B' in process P
    on Go { set B = 1; }
                ^
)");
}

TEST_CASE("test blocks: what they mock, run and expect is checked before anything runs", "[checker]") {
  const std::string program = std::string(kDatasource) + R"(process P {
  field Token secret;
  on Go { create_item Api.Token map { path.tenant = "t"; }; }
}
instance "P-1" of P { Token = env("TOKEN"); }
)";
  CHECK(check(program + R"(test "clean" {
  instance "T-1" of P { Token = "literal secrets are fine in a test"; }
  mock Api.Token { status 200; header "X" = request.body.client_id; body { access_token = "a"; expires_in = 1; } }
  mock Api.Token fails timeout;
  run P.Go on "T-1";
  run P.Go on "P-1" fails "invalid_grant";
  advance 55 minutes;
  clock 2026-01-01T10:00:00Z;
  expect instance("T-1").Token == "x" and Api.Token.calls == 2 and Api.Token.last.body.grant_type == "g";
  expect Api.Token.requests[0].path == "/token/t";
}
)") == "");
  CHECK(check(program + R"(test "typos" {
  mock Api.Tokn { }
  mock Apy.Token { }
  run P.Og;
  expect Api.Token.cals == 1;
  expect Token == "x";
  expect Api.Token.calls;
  mock Api.Token { status "200"; }
}
test "typos" { env A = 1; env A = "x"; env TOKN = "t"; }
test "late" {
  expect Api.Token.last.bdy == null and Api.Token.requests[0].mthod == "GET";
  mock Api.Token { body { acces_token = request.bdy.x; } }
  env B = "b";
  instance "T-2" of P { }
}
)") == R"(test.flow:16:12: error: unknown method 'Tokn' in datasource Api; did you mean 'Token'?
    mock Api.Tokn { }
             ^
test.flow:17:8: error: unknown datasource 'Apy'; did you mean 'Api'?
    mock Apy.Token { }
         ^
test.flow:18:9: error: unknown handler 'Og' in process P; did you mean 'Go'?
    run P.Og;
          ^
test.flow:19:20: error: a mocked method has calls, requests and last, not 'cals'; did you mean 'calls'?
    expect Api.Token.cals == 1;
                     ^
test.flow:20:10: error: 'Token' cannot be read here: a test reads fields as instance("ID").FIELD and a mocked method's calls as DATASOURCE.METHOD.calls
    expect Token == "x";
           ^
test.flow:21:10: error: expect must be boolean, not number
    expect Api.Token.calls;
           ^
test.flow:22:27: error: status must be number, not text
    mock Api.Token { status "200"; }
                            ^
test.flow:24:6: error: duplicate test 'typos' (first declared at line 15)
  test "typos" { env A = 1; env A = "x"; env TOKN = "t"; }
       ^
test.flow:24:20: warning: no env() of the program reads 'A': the test sets it for nothing
  test "typos" { env A = 1; env A = "x"; env TOKN = "t"; }
                     ^
test.flow:24:24: error: an environment variable must be text, not number
  test "typos" { env A = 1; env A = "x"; env TOKN = "t"; }
                         ^
test.flow:24:31: error: duplicate environment variable 'A' (first set at line 24)
  test "typos" { env A = 1; env A = "x"; env TOKN = "t"; }
                                ^
test.flow:24:31: warning: no env() of the program reads 'A': the test sets it for nothing
  test "typos" { env A = 1; env A = "x"; env TOKN = "t"; }
                                ^
test.flow:24:44: warning: no env() of the program reads 'TOKN': the test sets it for nothing; did you mean 'TOKEN'?
  test "typos" { env A = 1; env A = "x"; env TOKN = "t"; }
                                             ^
test.flow:26:25: error: a request has method, url, path, query, headers and body, not 'bdy'; did you mean 'body'?
    expect Api.Token.last.bdy == null and Api.Token.requests[0].mthod == "GET";
                          ^
test.flow:26:63: error: a request has method, url, path, query, headers and body, not 'mthod'; did you mean 'method'?
    expect Api.Token.last.bdy == null and Api.Token.requests[0].mthod == "GET";
                                                                ^
test.flow:27:27: error: unknown response body member 'acces_token' in method Api.Token; did you mean 'access_token'?
    mock Api.Token { body { acces_token = request.bdy.x; } }
                            ^
test.flow:27:49: error: a request has method, url, path, query, headers and body, not 'bdy'; did you mean 'body'?
    mock Api.Token { body { acces_token = request.bdy.x; } }
                                                  ^
test.flow:28:3: error: env in a test comes before its runs, advances and expects: the test is set up with it before anything runs
    env B = "b";
    ^
test.flow:28:7: warning: no env() of the program reads 'B': the test sets it for nothing
    env B = "b";
        ^
test.flow:29:3: error: an instance in a test comes before its runs, advances and expects: the test is set up with it before anything runs
    instance "T-2" of P { }
    ^
)");
}
