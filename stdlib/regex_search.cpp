#include "stdlib/regex_search.hpp"

#include <pthread.h>

#include <exception>
#include <stdexcept>

namespace flow::stdlib {
namespace {

struct Search {
  const std::string* subject;
  const std::regex* regex;
  bool found = false;
  std::exception_ptr error;
};

void* run_search(void* argument) {
  auto* search = static_cast<Search*>(argument);
  try {
    search->found = std::regex_search(*search->subject, *search->regex);
  } catch (...) {
    search->error = std::current_exception();
  }
  return nullptr;
}

}  // namespace

bool regex_search_deep(const std::string& subject, const std::regex& regex) {
  Search search{&subject, &regex, false, nullptr};
  pthread_attr_t attributes;
  if (pthread_attr_init(&attributes) != 0) throw std::runtime_error("pthread_attr_init failed");
  pthread_attr_setstacksize(&attributes, kRegexStackBytes);
  pthread_t thread;
  const int created = pthread_create(&thread, &attributes, run_search, &search);
  pthread_attr_destroy(&attributes);
  if (created != 0) throw std::runtime_error("cannot start a thread for the regex search");
  pthread_join(thread, nullptr);
  if (search.error) std::rethrow_exception(search.error);
  return search.found;
}

}  // namespace flow::stdlib
