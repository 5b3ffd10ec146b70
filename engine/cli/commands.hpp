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

}  // namespace flow::cli
