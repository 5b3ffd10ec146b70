// Values as runs store and load them: a number out of a double's range is a run
// error, never infinity or NaN in the store; a stored value takes the type its
// field is declared with now (engine/instances.cpp apply_declared_types).
#include "engine/instances.hpp"

#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"

using namespace flow;
using namespace flow::testing;

namespace {

/// Stores instance `id` of `process` holding `fields`, as an older file left it.
void store_as_before(Store& store, const std::string& process, const std::string& id, FieldMap fields) {
  InstanceRecord record;
  record.id = id;
  record.process = process;
  record.fields = std::move(fields);
  store.save_instance(record, test_epoch());
}

}  // namespace

TEST_CASE("arithmetic that overflows a number is a located run error and saves nothing", "[values]") {
  EngineFixture f(R"(process P {
  field A number = 1;
  field J json;
  on Big { set J = json_parse("{\"a\": 1e308}"); set A = J.a * 10; save; }
  on Sum { set A = sum(1e308, 1e308); save; }
  on Neg { set A = 0 - 1e308 - 1e308; save; }
}
instance "P-1" of P { A = 1; }
)");
  const auto big = f.run("P", "Big", "P-1");
  CHECK_FALSE(big.ok);
  CHECK(big.error ==
        "test.flow:4:58: error: the result of '*' is out of range: a number is at most about 1.8e308 in size\n"
        "    on Big { set J = json_parse(\"{\\\"a\\\": 1e308}\"); set A = J.a * 10; save; }\n"
        "                                                           ^\n"
        "  in P.Big (test.flow:4:3)\n");
  const auto sum = f.run("P", "Sum", "P-1");
  CHECK_FALSE(sum.ok);
  CHECK_THAT(sum.error, Catch::Contains("error: the result of sum() is out of range"));
  const auto neg = f.run("P", "Neg", "P-1");
  CHECK_FALSE(neg.ok);
  CHECK_THAT(neg.error, Catch::Contains("error: the result of '-' is out of range"));
  // Nothing was saved, and the store still reads.
  CHECK(f.store->load_instance("P-1")->fields.at("A") == Value(1));
  REQUIRE(f.store->list_instances().size() == 1);
  CHECK(f.store->list_instances()[0].damage.empty());
}

TEST_CASE("assigning a number that is not finite to a number field is a run error", "[values]") {
  CHECK_THROWS_WITH(coerce_to_field(Value(std::numeric_limits<double>::infinity()), ast::FieldType::number, "A"),
                    "the value for field 'A' is out of range: a number is at most about 1.8e308 in size");
  CHECK_THROWS_WITH(coerce_to_field(Value(std::nan("")), ast::FieldType::number, "A"),
                    Catch::StartsWith("the value for field 'A' is out of range"));
  CHECK_THROWS_WITH(coerce_to_field(Value("1e400"), ast::FieldType::number, "A"),
                    "cannot assign text \"1e400\" to number field 'A'");
}

TEST_CASE("a stored value takes the type its field is declared with now", "[values]") {
  EngineFixture f(R"(process P {
  field Token secret;
  field Count number;
  field Label text;
  on Look { log "looked"; }
  on Keep { save; }
}
)");
  // Saved when Token was text, Count text and Label a number.
  store_as_before(*f.store, "P", "P-1", {{"Token", Value("tok-0123456789abcdef")}, {"Count", Value("42")},
                                         {"Label", Value(7)}});
  const auto look = f.run("P", "Look", "P-1");
  REQUIRE(look.ok);
  CHECK(look.instance.fields.at("Token").secret);
  CHECK(look.instance.fields.at("Count") == Value(42));
  CHECK(look.instance.fields.at("Label") == Value("7"));
  REQUIRE(look.stored);
  CHECK(look.stored->fields.at("Token").secret);  // what a command shows is masked too
  // Saved with the new file, the store holds them typed.
  REQUIRE(f.run("P", "Keep", "P-1").ok);
  const auto stored = f.store->load_instance("P-1");
  CHECK(stored->fields.at("Token").secret);
  CHECK(stored->fields.at("Count") == Value(42));
}

TEST_CASE("a stored value that cannot take its field's new type fails the run at the declaration", "[values]") {
  EngineFixture f(R"(process P {
  field Count number;
  on Look { save; }
}
)");
  store_as_before(*f.store, "P", "P-1", {{"Count", Value("many")}});
  const auto look = f.run("P", "Look", "P-1");
  CHECK_FALSE(look.ok);
  CHECK(look.error ==
        "test.flow:2:3: error: instance P-1 stores text \"many\" in field 'Count', now declared number: cannot "
        "assign text \"many\" to number field 'Count'; declare its former type again, or give the field a new name (it "
        "starts from its default)\n"
        "    field Count number;\n"
        "    ^\n");
  CHECK(f.store->load_instance("P-1")->fields.at("Count") == Value("many"));  // kept, not dropped
}

TEST_CASE("a stored secret in a field whose type changed is masked in the error", "[values]") {
  EngineFixture f("process P {\n  field Count number;\n  on Look { save; }\n}\n");
  store_as_before(*f.store, "P", "P-1", {{"Count", Value(std::string("tok-0123456789abcdef"), true)}});
  const auto look = f.run("P", "Look", "P-1");
  CHECK_FALSE(look.ok);
  CHECK_THAT(look.error, Catch::Contains("stores text \xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2"));
  CHECK(look.error.find("tok-0123456789") == std::string::npos);
}

TEST_CASE("a run's result holds the stored instance beside the one it left", "[values]") {
  EngineFixture f(R"(process P {
  field Token secret;
  on Wipe { set Token = ""; fail "provider said no"; }
}
instance "P-1" of P { Token = "kept-token"; }
)");
  const auto run = f.run("P", "Wipe", "P-1");
  CHECK_FALSE(run.ok);
  CHECK(run.instance.fields.at("Token") == Value(""));
  REQUIRE(run.stored);
  CHECK(run.stored->fields.at("Token") == Value("kept-token"));
  CHECK(run.stored->revision == run.instance.revision);
  CHECK_FALSE(f.run("P", "Wipe").stored);  // a new instance, never saved: nothing stored
}

TEST_CASE("instance(ID).Field reads a stored value with the type its field is declared with now", "[values]") {
  EngineFixture f(R"(process P {
  field Token secret;
  field Count number;
}
process Reader {
  field Double number;
  on Read {
    set Double = instance("P-1").Count * 2;
    log "token ${instance("P-1").Token}";
    log "all ${instance("P-1")}";
  }
}
)");
  // Saved when Token was text and Count text.
  store_as_before(*f.store, "P", "P-1", {{"Token", Value("tok-0123456789abcdef")}, {"Count", Value("42")}});
  const auto read = f.run("Reader", "Read");
  INFO(read.error);
  REQUIRE(read.ok);
  CHECK(read.instance.fields.at("Double") == Value(84));
  REQUIRE(read.log.size() == 2);
  CHECK(read.log[0] == "token \xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2" "cdef");
  CHECK(read.log[1].find("0123456789") == std::string::npos);  // the whole instance is secret with it
}

TEST_CASE("instance(ID).Field fails at the declaration when the stored value cannot take its type", "[values]") {
  EngineFixture f(R"(process P {
  field Count number;
}
process Reader {
  field Double number;
  on Read { set Double = instance("P-1").Count * 2; }
}
)");
  store_as_before(*f.store, "P", "P-1", {{"Count", Value("many")}});
  const auto read = f.run("Reader", "Read");
  CHECK_FALSE(read.ok);
  CHECK_THAT(read.error, Catch::StartsWith("test.flow:2:3: error: instance P-1 stores text \"many\" in field 'Count', "
                                           "now declared number"));
}

TEST_CASE("a new instance's Process ID passes over IDs the files declare, seeded or not", "[values]") {
  // Acct-1 and Acct-3 are declared and not in the store yet (nothing seeded
  // them); Acct-3 is of another process: Process IDs are one name space.
  EngineFixture f(R"(process Acct {
  field Owner text;
  field Balance number = 0;
  on Touch { save; }
}
process Other { field Note text; }
instance "Acct-1" of Acct { Owner = "alice"; Balance = 100; }
instance "Acct-3" of Other { Note = "not an Acct"; }
)");
  const auto first = f.run("Acct", "Touch");
  INFO(first.error);
  REQUIRE(first.ok);
  CHECK(first.instance.id == "Acct-2");
  CHECK(f.run("Acct", "Touch").instance.id == "Acct-4");
  CHECK_FALSE(f.store->load_instance("Acct-1"));
  CHECK_FALSE(f.store->load_instance("Acct-3"));
  // The declared instance is still seeded with its declared values on first use.
  const auto declared = f.run("Acct", "Touch", "Acct-1");
  REQUIRE(declared.ok);
  CHECK(f.store->load_instance("Acct-1")->fields.at("Owner") == Value("alice"));
  CHECK(f.store->load_instance("Acct-1")->fields.at("Balance") == Value(100));
  // The store's own allocator alone knows nothing of the files.
  CHECK(f.store->allocate_id("Other") == "Other-1");
  CHECK(allocate_undeclared_id(*f.program, *f.store, "Acct") == "Acct-5");
}

TEST_CASE("seeding names every unset env() variable an instance needs, in order, not only the first", "[values]") {
  EngineFixture f(R"(process P {
  field A text;
  field B text;
  field C text;
  field D text = env("FLOW_INSTANCES_TEST_UNSET_4");
}
instance "P-1" of P {
  A = env("FLOW_INSTANCES_TEST_UNSET_1");
  B = false and env("FLOW_INSTANCES_TEST_UNSET_2") == "";
  C = "x" + env("FLOW_INSTANCES_TEST_UNSET_3");
}
instance "P-2" of P { A = env("FLOW_INSTANCES_TEST_UNSET_1"); D = "set"; }
)");
  const auto errors = f.interpreter->seed_instances();
  REQUIRE(errors.size() == 2);
  // UNSET_2 is not needed: `and` never reads it after false. The default of D is.
  CHECK_THAT(errors[0], Catch::StartsWith("test.flow:8:7: error: environment variables FLOW_INSTANCES_TEST_UNSET_1, "
                                          "FLOW_INSTANCES_TEST_UNSET_3, FLOW_INSTANCES_TEST_UNSET_4 are not set\n"));
  // One alone is said as before (P-2 sets D, so its default is never read).
  CHECK_THAT(errors[1], Catch::StartsWith("test.flow:12:27: error: environment variable FLOW_INSTANCES_TEST_UNSET_1 "
                                          "is not set\n"));
}
