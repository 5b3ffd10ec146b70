// `flow test`: runs the test blocks of the files, each on a fresh store in a
// temporary directory, with mocked HTTP and a virtual clock (engine/flow_tests.hpp).
#include <ostream>

#include "engine/cli/commands.hpp"
#include "engine/cli/session.hpp"
#include "engine/flow_tests.hpp"
#include "engine/temp_dir.hpp"

namespace flow::cli {

int cmd_test(const std::vector<std::string>& raw, std::ostream& out, std::ostream& err) {
  const auto args = parse_args(raw, {"filter"}, {"verbose", "show-secrets", "help"});
  if (args.flag("help") || args.positional.empty()) {
    (args.flag("help") ? out : err) << "usage: flow test FILE... [--filter TEXT] [--verbose] [--show-secrets]\n";
    return args.flag("help") ? 0 : 2;
  }
  const auto loaded = load_checked(args.positional, err);
  if (!loaded) return 1;
  const TestOptions options{args.flag("show-secrets"), args.flag("verbose")};
  const auto filter = args.option("filter").value_or("");

  const TempDir scratch;
  int run = 0;
  int failed = 0;
  for (const auto* test : loaded->program->tests()) {
    if (test->name.find(filter) == std::string::npos) continue;
    const auto db = scratch.file("test-" + std::to_string(++run) + ".db");
    const auto make_store = [&] {
      SqliteOptions store;
      store.durability = Durability::relaxed;  // a test's store is thrown away
      return open_sqlite_store(db, store);
    };
    const auto outcome = run_test(*loaded->program, loaded->functions, *test, make_store, options);
    out << "test \"" << test->name << "\" ... ";
    if (outcome.ok) {
      out << "ok (" << outcome.expects_passed << (outcome.expects_passed == 1 ? " expect)\n" : " expects)\n");
    } else {
      ++failed;
      out << "FAILED\n";
    }
    if (!outcome.ok || options.verbose) out << outcome.report;
  }
  if (run == 0) {
    err << "flow test: no test" << (filter.empty() ? "" : " matches '" + filter + "'") << " in "
        << args.positional.front() << (args.positional.size() > 1 ? " ..." : "") << "\n";
    return 1;
  }
  out << run << (run == 1 ? " test: " : " tests: ") << run - failed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace flow::cli
