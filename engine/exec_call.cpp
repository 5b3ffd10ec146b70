// Call rules (create_item / update_item / delete_item / find_item) and `start`.
#include <algorithm>
#include <chrono>

#include "engine/commit_queue.hpp"
#include "engine/exec.hpp"
#include "engine/instance_locks.hpp"
#include "engine/instances.hpp"
#include "engine/url_parts.hpp"
#include "grammar/credential_name.hpp"
#include "grammar/printable.hpp"

namespace flow {

namespace asio = boost::asio;

namespace {

const std::map<std::string, Value>* part_map(MappedRequest& mapped, const std::string& part) {
  if (part == "body") return &mapped.body;
  if (part == "header") return &mapped.header;
  if (part == "query") return &mapped.query;
  if (part == "path") return &mapped.path;
  return nullptr;
}

bool declares(const ast::MethodDecl& method, ast::PartKind kind, const std::string& name) {
  if (kind == ast::PartKind::path) return method.path.find("{" + name + "}") != std::string::npos;
  for (const auto& part : method.request)
    if (part.kind == kind && part.name.text == name) return true;
  return false;
}

/// Where an invalid URL came from: the URL as built (`url`), and the base_url
/// of `datasource` when the fault is there. Every fault the transport finds
/// but a space or a control character is in the scheme or the authority,
/// which the base_url alone gives (the method's path starts with '/'); such a
/// character may come from urlPath too.
std::string invalid_url_source(const std::string& url, const std::string& base_url, const std::string& datasource) {
  std::string source = ", in \"" + url + "\"";
  if (!url_has_space_or_control(url) || url_has_space_or_control(base_url))
    source += " (the fault is in the base_url of datasource " + datasource + ")";
  return source;
}

/// An answer's body as a failure shows it: scrubbed of `secrets`, and of the
/// value after every credential name. Whole, as `error.body` holds it.
std::string scrubbed_body(const std::string& body, const std::vector<SecretText>& secrets) {
  return mask_named_credentials(scrub_secrets(body, secrets));
}

/// What a failure's message quotes of a scrubbed text: at most 200 bytes.
std::string excerpt(const std::string& scrubbed) {
  constexpr std::size_t kMax = 200;
  return shortened(scrubbed, kMax);
}

std::string excerpt(const std::string& body, const std::vector<SecretText>& secrets) {
  return excerpt(scrubbed_body(body, secrets));
}

/// What a 2xx answer brings of secrets by their names (credential_members):
/// in the whole answer, in `body` (a declared part named as one: `token =
/// "data.value"`), and of a declared response header named as one, by its
/// name or its name on the wire.
std::vector<std::string> answer_credentials(const ast::MethodDecl& method, const SuccessAnswer& read) {
  std::vector<std::string> found;
  const auto add = [&found](const Value* value) {
    if (!value || !value->is<Json>()) return;
    for (auto& text : credential_members(value->as<Json>())) found.push_back(std::move(text));
  };
  const auto local = [&read](const char* name) -> const Value* {
    const auto at = read.locals.find(name);
    return at == read.locals.end() ? nullptr : &at->second;
  };
  add(&read.whole);
  add(local("body"));
  const Value* headers = local("header");
  for (const auto& part : method.response) {
    if (!part.is_header || !headers || !headers->is<Json>()) continue;
    if (!is_credential_name(part.name.text) && !is_credential_name(part.wire_name.value_or(""))) continue;
    const auto value = headers->as<Json>().find(part.name.text);
    if (value != headers->as<Json>().end() && value->is_string()) found.push_back(value->get<std::string>());
  }
  return found;
}

/// The texts `values` (a mapping block's, evaluated) put in fields of
/// `process` declared `secret`: secrets the answer brings, whatever their names.
std::vector<std::string> secret_field_texts(const ast::ProcessDecl& process,
                                            const std::vector<ast::Assignment>& mappings,
                                            const std::vector<std::optional<Value>>& values) {
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < mappings.size(); ++i) {
    const auto& target = mappings[i].target;
    const auto* field = target.size() == 1 ? Program::field(process, target[0].text) : nullptr;
    if (field && field->type == ast::FieldType::secret && values[i] &&
        (values[i]->is<std::string>() || values[i]->is<Json>())) {
      texts.push_back(to_text(*values[i]));
    }
  }
  return texts;
}

/// What a 2xx answer that is an OAuth2 error (SuccessAnswer::error_code) fails its call with.
std::string oauth_error_instead(const ast::MethodDecl& method, int status, const std::string& code) {
  return method.name.text + " answered " + std::to_string(status) +
         " with an OAuth2 error instead of the fields it declares: " + code;
}

/// Where a redirect points and what to do about it: its Location made absolute
/// against the request's `url` (a relative one is no base_url to set), and
/// scrubbed as a body excerpt is; "" for any other status, or a redirect
/// without a Location. Not followed: a POST would lose its body, and a token
/// endpoint should not move.
std::string redirect_note(const HttpResponse& response, const std::string& url,
                          const std::vector<SecretText>& secrets) {
  static constexpr int kRedirects[] = {301, 302, 303, 307, 308};
  const auto location = response.header("Location");
  if (!location || location->empty() || std::ranges::find(kRedirects, response.status) == std::end(kRedirects)) {
    return "";
  }
  return "redirected to " + excerpt(resolve_url(url, *location), secrets) +
         "; flow does not follow redirects: set base_url (or the method's path) to it";
}

}  // namespace

MappedRequest Executor::map_request(const ast::CallRule& rule, const ast::MethodDecl& method) {
  MappedRequest mapped;
  const auto scope = field_scope();
  for (const auto& a : rule.map) {
    const auto& head = a.target.front();
    if (a.target.size() == 1 && head.text == "urlPath") {
      mapped.url_path = evaluate(a.value, scope);
      continue;
    }
    auto* parts = a.target.size() == 2 ? const_cast<std::map<std::string, Value>*>(part_map(mapped, head.text)) : nullptr;
    if (!parts)
      throw LocatedError(head.range, "a map target is body.NAME, header.NAME, query.NAME, path.NAME or urlPath");
    const auto& name = a.target[1];
    if (!declares(method, *mapped_part_kind(head.text), name.text))
      throw LocatedError(name.range, method.name.text + " declares no request " + head.text + " '" + name.text + "'");
    (*parts)[name.text] = evaluate(a.value, scope);
  }
  return mapped;
}

Executor::Mapped Executor::apply_mappings(const std::vector<ast::Assignment>& mappings, const Locals& locals,
                                          CallSecrets& secrets) {
  Mapped mapped;
  const auto scope = field_scope(&locals);
  // Evaluate every right side before assigning, so `A = x; B = A` reads the old A
  // like Kianda's mapping table does (all sources read, then all targets written).
  std::vector<std::optional<Value>> values;
  values.reserve(mappings.size());
  for (const auto& m : mappings) {
    try {
      values.emplace_back(evaluate(m.value, scope));
    } catch (const RunError&) {
      if (!mapped.failure) mapped.failure = std::current_exception();
      values.emplace_back();
    }
  }
  // What the block puts in a secret field is a secret of the answer: the
  // copy another field takes of it (`LastAnswer = body`) is tainted too.
  secrets.learn(secret_field_texts(*state_.process, mappings, values));
  for (std::size_t i = 0; i < mappings.size(); ++i) {
    const auto& target = mappings[i].target;
    const std::string_view field = target.size() == 1 ? std::string_view(target[0].text) : std::string_view();
    if (values[i]) values[i] = tainted_by_echo(std::move(*values[i]), field, secrets);
  }
  for (std::size_t i = 0; i < mappings.size(); ++i) {
    if (!values[i]) continue;
    const auto& target = mappings[i].target;
    try {
      if (target.size() != 1) throw LocatedError(target.front().range, "a mapping target is a field of the process");
      assign(target[0], std::move(*values[i]));
      mapped.written[target[0].text] = state_.instance.fields[target[0].text];
    } catch (const RunError&) {
      if (!mapped.failure) mapped.failure = std::current_exception();
    }
  }
  return mapped;
}

Value Executor::tainted_by_echo(Value value, std::string_view field_name, CallSecrets& secrets) const {
  // A server that echoes a secret back (a URL with its query, a request
  // body, each item of a list) hands it over as plain text: the value
  // holding it is secret. (A secret field makes its value secret anyway: no
  // search for those.)
  const auto* field = Program::field(*state_.process, field_name);
  if (!value.secret && (value.is<std::string>() || value.is<Json>() || value.is<List>()) &&
      !(field && field->type == ast::FieldType::secret)) {
    value.secret = contains_secret(to_text(value), secrets.get());
  }
  return value;
}

Value Executor::into_value(const ast::CallRule& rule, const ast::MethodDecl& method, const Value& answer,
                           const ast::Rule& at) const {
  std::optional<Value> array;
  try {
    array = answer_array(method, answer);
  } catch (const RunError& e) {
    throw LocatedError(at.range, label(rule) + ": " + e.what());
  }
  if (array) return std::move(*array);
  const auto* field = Program::field(*state_.process, rule.into->text);
  if (field && field->type == ast::FieldType::json) return answer;
  const std::string looked = answer.is<Json>() ? "the answer is not an array, and no member of it at any depth is one"
                                               : "the answer is not JSON";
  throw LocatedError(at.range, label(rule) + ": no array to store in list field '" + rule.into->text + "': " + looked);
}

asio::awaitable<void> Executor::exec_call(const ast::CallRule& rule, const ast::Rule& at) {
  const auto* ds = &state_.program.require_datasource(rule.datasource);
  const auto* method = &Program::require_method(*ds, rule.method);

  HttpRequest request;
  try {
    request = build_request(*ds, *method, map_request(rule, *method), field_scope(),
                            state_.program.sources.file(ds->name.range.file).path);
  } catch (const LocatedError&) {
    throw;
  } catch (const RunError& e) {
    throw LocatedError(at.range, label(rule) + ": " + e.what());
  }
  co_await state_.commit();  // what earlier rules wrote is durable before the request can change the world
  state_.host.store->ensure_writable();  // and what the answer brings can be stored
  // A run killed from here until its commit leaves this note for the next
  // process (Store::calls_lost): the answer, and the token it rotated in, lost.
  const bool noted = state_.instance.revision > 0;
  if (noted) {
    state_.host.store->note_call({state_.instance.id, state_.instance.revision, request.call, state_.task,
                                  state_.process->name.text, state_.handler, state_.host.clock->now(), 0});
  }
  // What the request carried of secrets is masked in the answer, and in every
  // output of the rest of the run: a server may echo it anywhere.
  state_.known_secrets.insert(state_.known_secrets.end(), request.secrets.begin(), request.secrets.end());
  // For an invalid_url failure and a redirect's Location: the URL is sent, so
  // it is copied; the base_url is no transport's, so it is taken.
  const std::string url = request.url, base_url = std::move(request.base_url);
  const auto started = std::chrono::steady_clock::now();
  HttpResult result = co_await state_.host.http->send(std::move(request));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  // Built when first needed (a failure to scrub, a value the answer brings
  // into a field), once for the call: no field is assigned before it is
  // built (`into`'s value is checked before it is stored, the mappings'
  // values before the first of them is).
  CallSecrets secrets(state_);

  std::string failure;
  int status = 0;
  std::string error_body;
  std::optional<OAuthRefusal> refusal;
  SuccessAnswer read;  // a 2xx answer: its locals, the whole of it (for `into`), the bytes after its JSON
  if (const auto* error = std::get_if<HttpError>(&result)) {
    failure = std::string(http_error_kind_name(error->kind)) + ": " + error->message;
    if (error->kind == HttpErrorKind::invalid_url) failure += invalid_url_source(url, base_url, ds->name.text);
    failure = scrub_secrets(failure, secrets.get());
  } else {
    const auto& response = std::get<HttpResponse>(result);
    status = response.status;
    if (status < 200 || status > 299) {
      error_body = scrubbed_body(response.body, secrets.get());
      refusal = oauth_refusal(rule, *method, status, response.body);
      failure = "HTTP " + std::to_string(status);
      if (response.attempts > 1) failure += " (after " + std::to_string(response.attempts) + " attempts)";
      if (auto redirect = redirect_note(response, url, secrets.get()); !redirect.empty()) {
        failure += ": " + redirect;  // its body (a "moved" page) says no more
      } else if (!error_body.empty()) {
        failure += ": " + excerpt(error_body);
      }
    } else {
      try {
        read = read_success(*method, response);
        if (read.error_code) {
          failure = oauth_error_instead(*method, status, *read.error_code);
          refusal = OAuthRefusal{*read.error_code, refresh_token_field(rule, *method)};
        }
      } catch (const RunError& e) {  // not JSON as declared
        failure = e.what();
      }
      if (!failure.empty()) {  // what came back, as an error status shows its body
        error_body = scrubbed_body(response.body, secrets.get());
        if (!error_body.empty()) failure += ": " + excerpt(error_body);
      }
    }
  }
  const auto took = " (" + std::to_string(ms.count()) + " ms)";
  if (noted && !failure.empty()) state_.host.store->call_settled(state_.instance.id);  // no answer to store
  if (!failure.empty()) {
    note(label(rule) + " failed: " + failure + took);
    if (!rule.on_error) {
      LocatedError error(at.range, label(rule) + " failed: " + failure);
      error.set_transient(is_transient(result));  // the rule `retries` follow: never a tls failure or a 4xx
      error.set_refusal(std::move(refusal));
      throw error;
    }
    if (auto mapped = apply_mappings(*rule.on_error, error_locals(failure, status, error_body), secrets);
        mapped.failure) {
      std::rethrow_exception(mapped.failure);
    }
    co_return;
  }
  note(label(rule) + " -> " + std::to_string(status) + took);
  // The tokens the answer brings are secrets from here on, as an echo of a
  // sent one is: a copy of the answer or of a member in a field not declared
  // `secret` (a json field's `body`, `to_json(body)`) is tainted.
  secrets.learn(answer_credentials(*method, read));
  FieldMap written;
  if (rule.into) {
    assign(*rule.into, tainted_by_echo(into_value(rule, *method, read.whole, at), rule.into->text, secrets));
    written[rule.into->text] = state_.instance.fields[rule.into->text];
  }
  std::exception_ptr mapping_failure;
  if (rule.on_success) {
    auto mapped = apply_mappings(*rule.on_success, read.locals, secrets);
    written.merge(mapped.written);
    mapping_failure = mapped.failure;
    if (rule.into) {  // stored before on_success put the answer's secrets in secret fields
      auto& stored = state_.instance.fields[rule.into->text];
      stored = tainted_by_echo(stored, rule.into->text, secrets);  // a copy: building the secrets reads the fields
      written[rule.into->text] = stored;
    }
  }
  // Kept even when another mapping failed: the call succeeded, and what it
  // answered (a rotated refresh token) may exist nowhere else.
  if (mapping_failure && !written.empty()) {
    note(label(rule) + ": a mapping failed; kept the ones that worked: " + field_names(written));
  }
  if (!read.trailing.empty() && !mapping_failure) {
    if (!written.empty()) note("kept what " + label(rule) + " mapped in from its JSON: " + field_names(written));
    mapping_failure = std::make_exception_ptr(LocatedError(at.range, label(rule) + " failed: " + read.trailing));
  }
  if (noted && written.empty()) state_.host.store->call_settled(state_.instance.id);  // it brought nothing to store
  checkpoint(std::move(written));
  if (mapping_failure) std::rethrow_exception(mapping_failure);
}

asio::awaitable<void> Executor::exec_start(const ast::StartRule& rule, const ast::Rule& at) {
  const auto* process = &state_.program.require_process(rule.process);
  const auto* handler = &Program::require_handler(*process, rule.handler);
  std::optional<std::string> id;
  if (rule.id) id = to_text(evaluate(*rule.id, field_scope()));
  if (id && *id == state_.instance.id)
    throw LocatedError(at.range, "start on the running instance would wait for itself; use trigger");
  // An instance further up this chain of starts holds its lock until this run
  // ends: waiting for it would never end (A starts B, which starts A).
  for (const RunState* up = state_.parent; id && up; up = up->parent) {
    if (up->instance.id == *id) {
      throw LocatedError(at.range, "start of " + *id + " would wait for itself: it is running further up this chain of "
                                   "starts (" + up->process->name.text + " " + *id + " started " +
                                   state_.process->name.text + " " + state_.instance.id + ")");
    }
  }
  if (state_.depth >= 32) throw LocatedError(at.range, "start nests too deep");

  co_await state_.commit();  // the child may run for long (calls of its own): hold nothing back meanwhile
  InstanceLocks::Guard lock;  // not `?:`: g++ 12 mishandles co_await temporaries there
  std::optional<std::string> deadlock, busy;
  bool waited = false;  // for another process's run
  try {
    if (id) {
      lock = co_await state_.locks.acquire(*id, state_.chain,
                                           wait_notice(state_.on_wait_for_other_process, process->name.text, *id, waited));
      if (waited) {
        for (const auto& lost : state_.host.store->record_calls_lost()) note(lost);
      }
    }
  } catch (const DeadlockError& e) {
    deadlock = e.what();
  } catch (const StoreError& e) {
    busy = e.what();
  }
  if (deadlock) throw LocatedError(at.range, "start of " + *id + " would deadlock: " + *deadlock);
  WriteBack flushed;
  try {
    if (!busy && id) flushed = state_.commits.write_unwritten_before_call(*id);  // before the child can call anything
  } catch (const StoreError& e) {
    busy = e.what();
  }
  if (busy) {
    LocatedError error(at.range, "start of " + *id + ": " + *busy);
    error.set_transient(true);  // the other process's run ends; the disk may have room again
    throw error;
  }
  if (id && !flushed.dropped.empty()) note(flushed.dropped_note(*id));
  RunState child{state_.program, state_.host,  state_.options, state_.locks,       state_.commits, process,
                 {},             {},           {},              false, state_.depth + 1, {},
                 &state_,        state_.chain,     {},              {},    {},
                 state_.on_wait_for_other_process};
  child.task = state_.task;
  child.handler = handler->name.text;
  try {
    child.stored.emplace();
    child.instance = load_or_create(state_.program, *state_.host.store, *process, id, state_.host, &*child.stored);
  } catch (const LocatedError&) {
    throw;
  } catch (const RunError& e) {  // no such instance, a seed's env() unset: said at the start rule
    throw LocatedError(at.range, "start of " + process->name.text + (id ? " " + *id : "") + ": " + e.what());
  }
  Executor executor(child);
  {
    const auto scope = field_scope();
    for (const auto& a : rule.map) executor.assign(a.target.back(), evaluate(a.value, scope));
  }
  // A failing child keeps what it saved or mapped in, as a failing run does
  // (no co_await inside a catch block: hence the exception_ptr).
  std::exception_ptr failure;
  try {
    co_await executor.run_handler(*handler);
  } catch (...) {
    failure = std::current_exception();
  }
  state_.known_secrets.insert(state_.known_secrets.end(), child.known_secrets.begin(), child.known_secrets.end());
  std::exception_ptr not_written;
  try {
    co_await child.commit();
  } catch (...) {
    not_written = std::current_exception();
  }
  if (not_written) {  // as for a top-level run: what the child's calls mapped in is kept
    if (!child.mapped_in.empty() && !child.instance.id.empty()) {
      state_.commits.keep_unwritten(child.instance.id, process->name.text, child.instance.revision, child.mapped_in,
                                    child.stored);
    }
    std::rethrow_exception(not_written);
  }
  if (failure) std::rethrow_exception(failure);
  for (auto& line : child.log) state_.log.push_back("  " + process->name.text + ": " + line);
  for (auto& line : child.masked_log) state_.masked_log.push_back("  " + process->name.text + ": " + line);
  if (rule.on_success) {
    Locals locals(child.instance.fields.begin(), child.instance.fields.end());
    CallSecrets secrets(state_);
    if (auto mapped = apply_mappings(*rule.on_success, locals, secrets); mapped.failure)
      std::rethrow_exception(mapped.failure);
  }
}

}  // namespace flow
