// `flow test`: runs the test blocks of the files, each on a fresh store in a
// temporary directory, with mocked HTTP and a virtual clock (engine/flow_tests.hpp).
#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <sstream>
#include <utility>
#include <ostream>

#include "engine/cli/commands.hpp"
#include "engine/cli/session.hpp"
#include "engine/flow_tests.hpp"
#include "engine/temp_dir.hpp"
#include "grammar/printable.hpp"

namespace flow::cli {

namespace {

struct Finished {
  const ast::TestDecl* test;
  TestOutcome outcome;
  double seconds;
};

/// Text for XML content and attributes: control characters other than tab and
/// newline, which XML 1.0 cannot hold, written visibly (printable()).
std::string xml_escaped(std::string_view text) {
  std::string out;
  for (const char c : printable(text, Layout::ours)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

/// How many of the tests failed.
std::size_t failures(const std::vector<Finished>& finished) {
  return static_cast<std::size_t>(
      std::count_if(finished.begin(), finished.end(), [](const Finished& f) { return !f.outcome.ok; }));
}

/// The results as JUnit XML, which CI servers display: one testsuite, a testcase
/// per test named by its file, a <failure> holding the failed test's report.
std::string junit_xml(const Program& program, const std::vector<Finished>& finished) {
  std::ostringstream xml;
  double seconds = 0;
  for (const auto& f : finished) seconds += f.seconds;
  xml << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuite name=\"flow test\" tests=\"" << finished.size() << "\" failures=\"" << failures(finished)
      << "\" errors=\"0\" time=\"" << seconds << "\">\n";
  for (const auto& f : finished) {
    xml << "  <testcase classname=\"" << xml_escaped(program.sources.file(f.test->range.file).path)
        << "\" name=\"" << xml_escaped(f.test->name) << "\" time=\"" << f.seconds << "\"";
    if (f.outcome.ok) {
      xml << "/>\n";
    } else {
      xml << ">\n    <failure message=\"test failed\">" << xml_escaped(f.outcome.report) << "</failure>\n"
          << "  </testcase>\n";
    }
  }
  xml << "</testsuite>\n";
  return xml.str();
}

/// The file `--junit` names, opened before any test runs: a report that
/// cannot be written is refused with its reason then, not after every test ran.
class JunitFile {
 public:
  explicit JunitFile(std::string path) : path_(std::move(path)), file_(std::fopen(path_.c_str(), "wb")) {
    if (!file_) refuse();
  }
  JunitFile(const JunitFile&) = delete;
  JunitFile& operator=(const JunitFile&) = delete;
  ~JunitFile() {
    if (file_) std::fclose(file_);
  }

  /// Writes `xml` as the whole report, and closes the file.
  void write(const std::string& xml) {
    const bool written = std::fwrite(xml.data(), 1, xml.size(), file_) == xml.size();
    const bool closed = std::fclose(std::exchange(file_, nullptr)) == 0;
    if (!written || !closed) refuse();
  }

 private:
  [[noreturn]] void refuse() const {
    throw UsageError("cannot write the JUnit report " + path_ + ": " + std::strerror(errno));
  }

  std::string path_;
  std::FILE* file_;
};

}  // namespace

int cmd_test(const std::vector<std::string>& raw, std::ostream& out, std::ostream& err) {
  const auto args = parse_args(raw, {"filter", "junit"}, {"verbose", "show-secrets", "help"});
  if (args.flag("help") || args.positional.empty()) {
    (args.flag("help") ? out : err)
        << "usage: flow test FILE... [--filter TEXT] [--verbose] [--show-secrets] [--junit REPORT.xml]\n";
    return args.flag("help") ? 0 : 2;
  }
  const auto loaded = load_checked(args.positional, err);
  if (!loaded) return 1;
  const TestOptions options{args.flag("show-secrets"), args.flag("verbose")};
  const auto filter = args.option("filter").value_or("");

  std::optional<JunitFile> junit;
  if (const auto path = args.option("junit")) junit.emplace(*path);
  const TempDir scratch;
  std::vector<Finished> finished;
  for (const auto* test : loaded->program->tests()) {
    if (test->name.find(filter) == std::string::npos) continue;
    const auto db = scratch.file("test-" + std::to_string(finished.size() + 1) + ".db");
    const auto make_store = [&] {
      SqliteOptions store;
      store.durability = Durability::relaxed;  // a test's store is thrown away
      return open_sqlite_store(db, store);
    };
    const auto started = std::chrono::steady_clock::now();
    auto outcome = run_test(*loaded->program, loaded->functions, *test, make_store, options);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    out << "test \"" << test->name << "\" ... ";
    if (outcome.ok) {
      out << "ok (" << outcome.expects_passed << (outcome.expects_passed == 1 ? " expect)\n" : " expects)\n");
    } else {
      out << "FAILED\n";
    }
    if (!outcome.ok || options.verbose) out << outcome.report;
    finished.push_back({test, std::move(outcome), took.count()});
  }
  const auto run = finished.size();
  const auto failed = failures(finished);
  if (run == 0) {
    err << "flow test: no test" << (filter.empty() ? "" : " matches '" + filter + "'") << " in "
        << args.positional.front() << (args.positional.size() > 1 ? " ..." : "") << "\n";
  } else {
    out << run << (run == 1 ? " test: " : " tests: ") << run - failed << " passed, " << failed << " failed\n";
  }
  if (junit) junit->write(junit_xml(*loaded->program, finished));  // none matched: a report of none
  return run > 0 && failed == 0 ? 0 : 1;
}

}  // namespace flow::cli
