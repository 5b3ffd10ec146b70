#pragma once
// One function per subcommand; each returns the process exit code.

#include <iosfwd>
#include <string>
#include <vector>

namespace flow::cli {

int cmd_check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_trigger(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_instances(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_tasks(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_store(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_test(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_repl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// Called in a catch block: writes what the exception being handled says, as
/// every command's failure reads ("flow: ..."), to `err`, and returns its exit
/// code (1 a user error; 2 a usage, store or internal error).
int report_failure(std::ostream& err);

}  // namespace flow::cli
