#include "stdlib/stdlib.hpp"

namespace flow {

void register_stdlib(FunctionRegistry& registry) {
  register_time_functions(registry);
  register_text_functions(registry);
  register_number_functions(registry);
  register_json_functions(registry);
  register_encoding_functions(registry);
  register_crypto_functions(registry);
  register_ids_functions(registry);
  register_environment_functions(registry);
  register_tokens_functions(registry);
  register_kianda_functions(registry);  // last: aliases copy the specs above
}

}  // namespace flow
