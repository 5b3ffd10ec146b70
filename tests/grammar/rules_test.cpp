// Rules (LANGUAGE.md section 4), each inside `process P { on H { ... } }` from line 3.

#include <catch2/catch.hpp>

#include "grammar/grammar_support.hpp"

using flow::test::rules_dump;

TEST_CASE("set and clear") {
  CHECK(rules_dump("set A = 1;\nclear B;") ==
        "set A @3:1\n"
        "  number 1 @3:9\n"
        "clear B @4:1\n");
}

TEST_CASE("create_item with map, on_success and on_error") {
  CHECK(rules_dump("create_item Api.Create map { body.name = Name; header.\"X-Trace\" = \"t\"; urlPath = \"/x\"; }\n"
                   "  on_success { Id = body.id; Loc = header.Location; Code = status; }\n"
                   "  on_error { Err = error.message; };") ==
        "create_item Api.Create @3:1\n"
        "  map\n"
        "    assign body.name @3:30\n"
        "      ident Name @3:42\n"
        "    assign header.X-Trace @3:48\n"
        "      string \"t\" @3:67\n"
        "    assign urlPath @3:72\n"
        "      string \"/x\" @3:82\n"
        "  on_success\n"
        "    assign Id @4:16\n"
        "      member .id @4:21\n"
        "        ident body @4:21\n"
        "    assign Loc @4:30\n"
        "      member .Location @4:36\n"
        "        ident header @4:36\n"
        "    assign Code @4:53\n"
        "      ident status @4:60\n"
        "  on_error\n"
        "    assign Err @5:14\n"
        "      member .message @5:20\n"
        "        ident error @5:20\n");
}

TEST_CASE("update_item, delete_item without map, find_item into a list") {
  CHECK(rules_dump("update_item Api.Put map { path.id = Id; };\n"
                   "delete_item Api.Del;\n"
                   "find_item Api.Search map { query.q = Q; } into Results;") ==
        "update_item Api.Put @3:1\n"
        "  map\n"
        "    assign path.id @3:27\n"
        "      ident Id @3:37\n"
        "delete_item Api.Del @4:1\n"
        "find_item Api.Search into Results @5:1\n"
        "  map\n"
        "    assign query.q @5:28\n"
        "      ident Q @5:38\n");
}

TEST_CASE("save, trigger, log, fail, validate") {
  CHECK(rules_dump("save;\ntrigger Refresh;\nlog \"run ${N}\";\nfail \"no\";\nvalidate N > 0 else \"N must be positive\";") ==
        "save @3:1\n"
        "trigger Refresh @4:1\n"
        "log @5:1\n"
        "  string @5:5\n"
        "    text \"run \" @5:5\n"
        "    ident N @5:12\n"
        "fail @6:1\n"
        "  string \"no\" @6:6\n"
        "validate @7:1\n"
        "  binary > @7:10\n"
        "    ident N @7:10\n"
        "    number 0 @7:14\n"
        "  string \"N must be positive\" @7:21\n");
}

TEST_CASE("if / else if / else") {
  CHECK(rules_dump("if A > 1 { set B = 1; } else if A < 0 { set B = 2; } else { clear B; }") ==
        "if @3:1\n"
        "  binary > @3:4\n"
        "    ident A @3:4\n"
        "    number 1 @3:8\n"
        "  then\n"
        "    set B @3:12\n"
        "      number 1 @3:20\n"
        "  else\n"
        "    if @3:30\n"
        "      binary < @3:33\n"
        "        ident A @3:33\n"
        "        number 0 @3:37\n"
        "      then\n"
        "        set B @3:41\n"
        "          number 2 @3:49\n"
        "      else\n"
        "        clear B @3:61\n");
}

TEST_CASE("if with angle blocks: a '<' before a rule keyword opens the block") {
  CHECK(rules_dump("if ExpiresIn > 0 < save; > else < clear A; >") ==
        "if @3:1\n"
        "  binary > @3:4\n"
        "    ident ExpiresIn @3:4\n"
        "    number 0 @3:16\n"
        "  then\n"
        "    save @3:20\n"
        "  else\n"
        "    clear A @3:35\n");
  CHECK(rules_dump("if A < B < set C = A < B; >") ==
        "if @3:1\n"
        "  binary < @3:4\n"
        "    ident A @3:4\n"
        "    ident B @3:8\n"
        "  then\n"
        "    set C @3:12\n"
        "      binary < @3:20\n"
        "        ident A @3:20\n"
        "        ident B @3:24\n");
  CHECK(rules_dump("if A < > else { save; }") ==
        "if @3:1\n"
        "  ident A @3:4\n"
        "  then\n"
        "  else\n"
        "    save @3:17\n");
}

TEST_CASE("the last rule of a block may omit its ';'") {
  CHECK(rules_dump("set A = B") == "set A @3:1\n  ident B @3:9\n");
  CHECK(rules_dump("if X < set A = B > C >") ==
        "if @3:1\n"
        "  ident X @3:4\n"
        "  then\n"
        "    set A @3:8\n"
        "      binary > @3:16\n"
        "        ident B @3:16\n"
        "        ident C @3:20\n");
}

TEST_CASE("start another process") {
  CHECK(rules_dump("start Other id \"O-1\" map { Field = Name; } trigger Go on_success { Count = Total; };\n"
                   "start Other trigger Go;") ==
        "start Other trigger Go @3:1\n"
        "  id\n"
        "    string \"O-1\" @3:16\n"
        "  map\n"
        "    assign Field @3:28\n"
        "      ident Name @3:36\n"
        "  on_success\n"
        "    assign Count @3:68\n"
        "      ident Total @3:76\n"
        "start Other trigger Go @4:1\n");
}

TEST_CASE("keywords are whole words: 'settle' is not 'set'") {
  CHECK(rules_dump("set settle = saved;") == "set settle @3:1\n  ident saved @3:14\n");
}

TEST_CASE("a bare '>' before a word that follows blocks closes the block") {
  CHECK(rules_dump("start Other map < Field = Name > trigger Go;") ==
        "start Other trigger Go @3:1\n"
        "  map\n"
        "    assign Field @3:19\n"
        "      ident Name @3:27\n");
  CHECK(rules_dump("create_item D.M map < body.x = A > on_success < B = body.y >;") ==
        "create_item D.M @3:1\n"
        "  map\n"
        "    assign body.x @3:23\n"
        "      ident A @3:32\n"
        "  on_success\n"
        "    assign B @3:49\n"
        "      member .y @3:53\n"
        "        ident body @3:53\n");
  CHECK(rules_dump("if C < set A = B > save;") ==
        "if @3:1\n"
        "  ident C @3:4\n"
        "  then\n"
        "    set A @3:8\n"
        "      ident B @3:16\n"
        "save @3:20\n");
  CHECK(rules_dump("if C < set A = B > saved; >") ==
        "if @3:1\n"
        "  ident C @3:4\n"
        "  then\n"
        "    set A @3:8\n"
        "      binary > @3:16\n"
        "        ident B @3:16\n"
        "        ident saved @3:20\n");
}
