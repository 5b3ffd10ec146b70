#include "stdlib/stdlib.hpp"

namespace flow {

void register_stdlib(FunctionRegistry& registry) {
  register_time_functions(registry);
  register_ids_functions(registry);
  register_environment_functions(registry);
}

}  // namespace flow
