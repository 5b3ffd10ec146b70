// The seed scenario (LANGUAGE.md section 1) and the user's angle-bracket example.

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "grammar/grammar_support.hpp"

using flow::test::parse_dump;
using flow::test::parse_errors;

TEST_CASE("the user's angle-bracket handler parses like the brace form") {
  const std::string angle =
      "process TokenKeeper {\n"
      "  field AccessToken secret;\n"
      "  field ClientId text;\n"
      "  on Refresh < set AccessToken = \"\"; create_item RestService.GetRefreshAuthToken map < "
      "body.client_id = ClientId; >; save >\n"
      "}\n";
  CHECK(parse_dump(angle) ==
        "module 0\n"
        "  process TokenKeeper @1:1\n"
        "    field AccessToken secret @2:3\n"
        "    field ClientId text @3:3\n"
        "    on Refresh @4:3\n"
        "      set AccessToken @4:16\n"
        "        string \"\" @4:34\n"
        "      create_item RestService.GetRefreshAuthToken @4:38\n"
        "        map\n"
        "          assign body.client_id @4:88\n"
        "            ident ClientId @4:105\n"
        "      save @4:118\n");
}

TEST_CASE("angle brackets work for every block, braces and angles mix") {
  const std::string text =
      "process P <\n"
      "  field A number;\n"
      "  on H < if A > 0 < set A = A - 1; > else < clear A; >\n"
      "         create_item D.M map { body.x = A < 3; } on_success < A = body.y; >;\n"
      "  >\n"
      ">\n"
      "instance \"I\" of P < A = 1; >\n"
      "datasource D rest < method M GET \"/x\" < request query < x; > response body json < y; > > >\n"
      "schedule \"S\" < every 5m; process P; trigger H; >\n";
  CHECK(parse_dump(text) ==
        "module 0\n"
        "  datasource D rest @8:1\n"
        "    method M GET \"/x\" request=none response=json @8:21\n"
        "      request query x @8:57\n"
        "      response body y @8:83\n"
        "  process P @1:1\n"
        "    field A number @2:3\n"
        "    on H @3:3\n"
        "      if @3:10\n"
        "        binary > @3:13\n"
        "          ident A @3:13\n"
        "          number 0 @3:17\n"
        "        then\n"
        "          set A @3:21\n"
        "            binary - @3:29\n"
        "              ident A @3:29\n"
        "              number 1 @3:33\n"
        "        else\n"
        "          clear A @3:45\n"
        "      create_item D.M @4:10\n"
        "        map\n"
        "          assign body.x @4:32\n"
        "            binary < @4:41\n"
        "              ident A @4:41\n"
        "              number 3 @4:45\n"
        "        on_success\n"
        "          assign A @4:63\n"
        "            member .y @4:67\n"
        "              ident body @4:67\n"
        "  instance \"I\" of P @7:1\n"
        "    assign A @7:21\n"
        "      number 1 @7:25\n"
        "  schedule \"S\" @9:1\n"
        "    every 5 minutes @9:16\n"
        "    process P @9:34\n"
        "    trigger H @9:45\n"
        "    on_overlap skip, on_missed run_once\n");
}

TEST_CASE("a call rule's trailing ';' after its last block is required") {
  CHECK(parse_errors("process P { on H { create_item D.M map { body.x = 1; } save; } }") ==
        "test.flow:1:56: error: expected ';' after the rule (a call rule ends with ';', even after a block)\n"
        "  process P { on H { create_item D.M map { body.x = 1; } save; } }\n"
        "                                                         ^\n");
}

static std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}


TEST_CASE("the seed scenario of LANGUAGE.md section 1 parses") {
  const std::string dump = parse_dump(read_file(FLOW_SOURCE_DIR "/tests/grammar/golden/seed.flow"));
  CHECK(dump == flow::test::golden("seed.dump", dump));
}

TEST_CASE("examples/token_refresh.flow parses, if present") {
  const std::string text = read_file(FLOW_SOURCE_DIR "/examples/token_refresh.flow");
  if (text.empty()) return;  // not written yet
  CHECK(parse_errors(text) == "");
  const std::string dump = parse_dump(text);
  CHECK(dump.find("  datasource RestService rest @") != std::string::npos);
  CHECK(dump.find("  process TokenKeeper @") != std::string::npos);
  CHECK(dump.find("    on Refresh @") != std::string::npos);
  CHECK(dump.find("  instance \"TK-1\" of TokenKeeper @") != std::string::npos);
  CHECK(dump.find("  schedule \"Refresh access token\" @") != std::string::npos);
}
