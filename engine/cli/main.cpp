// The flow binary: a thin main over engine/cli (anything it does, a test can do without it).
#include "engine/cli/cli.hpp"

int main(int argc, char** argv) { return flow::cli::run_cli(argc, argv); }
