// Store::write_back_fields, the compare-and-set write of values kept after a
// failed commit, on both stores: the SQLite file and the in-memory fake.
#include <catch2/catch.hpp>

#include <functional>

#include "engine/store/sqlite_store.hpp"
#include "store/sqlite_support.hpp"
#include "support/memory_store.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using namespace flow;

namespace {

using flow::testing::kT0;

/// Runs `check` on a fresh store of each kind; INFO names the kind.
void on_each_store(const std::function<void(Store&)>& check) {
  testing::TempDir dir;
  const auto sqlite = open_sqlite_store(dir.file("flow.db"));
  testing::MemoryStore memory;
  for (Store* store : {sqlite.get(), static_cast<Store*>(&memory)}) {
    INFO((store == &memory ? "memory store" : "SQLite store"));
    check(*store);
  }
}

/// K-1 stored with rt-1 and at-1 (revision 1), then `changes` saved over it (revision 2) unless empty.
void store_k1(Store& store, const FieldMap& changes = {}) {
  InstanceRecord record;
  record.id = "K-1";
  record.process = "K";
  record.fields = {{"RefreshToken", Value("rt-1")}, {"AccessToken", Value("at-1")}};
  store.save_instance(record, kT0);
  if (changes.empty()) return;
  for (const auto& [name, value] : changes) record.fields[name] = value;
  store.save_instance(record, kT0 + 1s);
}

/// rt-2 and at-2, computed on K-1 at revision 1.
KeptFields kept_on_revision_1() {
  KeptFields kept;
  kept.id = "K-1";
  kept.process = "K";
  kept.values = {{"RefreshToken", Value("rt-2")}, {"AccessToken", Value("at-2")}};
  kept.revision = 1;
  kept.base = FieldMap{{"RefreshToken", Value("rt-1")}, {"AccessToken", Value("at-1")}};
  return kept;
}

std::string stored(Store& store, const std::string& field) {
  return to_text(store.load_instance("K-1")->fields.at(field));
}

}  // namespace

TEST_CASE("write_back_fields writes every kept value while the instance did not change", "[store][write-back]") {
  on_each_store([](Store& store) {
    store_k1(store);
    CHECK(store.write_back_fields(kept_on_revision_1(), kT0 + 2s).empty());
    CHECK(stored(store, "RefreshToken") == "rt-2");
    CHECK(stored(store, "AccessToken") == "at-2");
    CHECK(store.load_instance("K-1")->revision == 2);
  });
}

TEST_CASE("write_back_fields leaves a field changed since as stored and writes the others", "[store][write-back]") {
  on_each_store([](Store& store) {
    store_k1(store, {{"RefreshToken", Value("rt-9")}});
    CHECK(store.write_back_fields(kept_on_revision_1(), kT0 + 2s) == std::vector<std::string>{"RefreshToken"});
    CHECK(stored(store, "RefreshToken") == "rt-9");
    CHECK(stored(store, "AccessToken") == "at-2");
    CHECK(store.load_instance("K-1")->revision == 3);
  });
}

TEST_CASE("write_back_fields writes nothing when every field changed since", "[store][write-back]") {
  on_each_store([](Store& store) {
    store_k1(store, {{"RefreshToken", Value("rt-9")}, {"AccessToken", Value()}});
    CHECK(store.write_back_fields(kept_on_revision_1(), kT0 + 2s) ==
          std::vector<std::string>{"AccessToken", "RefreshToken"});
    CHECK(stored(store, "RefreshToken") == "rt-9");
    CHECK(store.load_instance("K-1")->fields.at("AccessToken").is_null());
    CHECK(store.load_instance("K-1")->revision == 2);  // no write at all
  });
}

TEST_CASE("write_back_fields without a base writes only onto the revision the values were computed on", "[store][write-back]") {
  auto kept = kept_on_revision_1();
  kept.base.reset();  // the store could not be read when they were kept
  on_each_store([&](Store& store) {  // the same revision
    store_k1(store);
    CHECK(store.write_back_fields(kept, kT0 + 2s).empty());
    CHECK(stored(store, "RefreshToken") == "rt-2");
  });
  on_each_store([&](Store& store) {  // a later one, even with the same values
    store_k1(store, {{"AccessToken", Value("at-1")}});
    CHECK(store.write_back_fields(kept, kT0 + 2s).size() == 2);
    CHECK(stored(store, "RefreshToken") == "rt-1");
  });
}

TEST_CASE("write_back_fields counts a field or an instance the store lacks as null", "[store][write-back]") {
  KeptFields kept;
  kept.id = "K-1";
  kept.process = "K";
  kept.values = {{"RefreshToken", Value("rt-2")}};
  kept.revision = 0;  // a new instance, never stored
  kept.base = FieldMap{{"RefreshToken", Value()}};
  on_each_store([&](Store& store) {  // no instance: it is created
    CHECK(store.write_back_fields(kept, kT0).empty());
    CHECK(stored(store, "RefreshToken") == "rt-2");
    CHECK(store.load_instance("K-1")->process == "K");
  });
  on_each_store([&](Store& store) {  // stored since without the field: still null, so written
    InstanceRecord other;
    other.id = "K-1";
    other.process = "K";
    other.fields = {{"Note", Value("x")}};
    store.save_instance(other, kT0);
    CHECK(store.write_back_fields(kept, kT0 + 1s).empty());
    CHECK(stored(store, "RefreshToken") == "rt-2");
    CHECK(stored(store, "Note") == "x");
  });
}
