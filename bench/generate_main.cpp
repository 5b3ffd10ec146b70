// gen_flow N > big.flow: a valid .flow file with N processes.
#include <cstdlib>
#include <iostream>

#include "bench/generate.hpp"

int main(int argc, char** argv) {
  const int processes = argc > 1 ? std::atoi(argv[1]) : 10'000;
  std::cout << flow::bench::generate_flow(processes);
  return 0;
}
