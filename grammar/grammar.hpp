#pragma once
// The Flow grammar as PEGTL 3.2.7 rule types. No semantics live here: the parse
// tree selector (grammar/parser.cpp) picks the nodes, grammar/lower*.cpp turns
// them into the typed AST, and grammar/errors.hpp holds one message per `must`
// point. Whitespace and comments are explicit (`sep`) so node ranges never
// include trailing blanks.
//
// Blocks: `{ }` is canonical and `< >` is accepted wherever a block is. The one
// place an expression can precede a block is `if COND <`, so a bare `<` is a
// comparison only when no rule keyword follows it, and comparisons do not chain
// (`a > b < set ...` reads as `a > b` then a block). A bare `<`/`>` operand is
// optional so `save >` / `set X = Y >` can close an angle block, and a bare `>`
// followed by a word that can only come after a block (`on_success`, `save`, `on`,
// `process`, ...) closes the block. The price: a field with such a name cannot be
// the right operand of a bare `<`/`>` (write `X < (save)` or compare the other way).

#include <tao/pegtl.hpp>

namespace flow::syntax {

using namespace tao::pegtl;

// -------------------------------------------------------------------- lexical

struct line_comment : seq<two<'/'>, until<eolf>> {};
// An unclosed `/*` is reported where it opens, not at the end of the file.
struct block_comment_unclosed : failure {};
struct block_comment : sor<seq<string<'/', '*'>, until<string<'*', '/'>>>,
                           seq<at<string<'/', '*'>>, must<block_comment_unclosed>>> {};
/// Optional whitespace and comments between tokens.
struct sep : star<sor<space, line_comment, block_comment>> {};

/// A keyword: the word, not the prefix of a longer identifier (`on` vs `one`).
template <typename Word>
struct key : seq<Word, not_at<identifier_other>> {};

namespace detail {
// After a committing keyword each following token is mandatory (must) unless it
// is written as opt<>/star<>; a `sep` goes before each token, never after the last.
template <typename Rule>
struct step {
  using type = seq<sep, must<Rule>>;
};
template <typename... Rules>
struct step<opt<Rules...>> {
  using type = opt<sep, Rules...>;
};
template <typename... Rules>
struct step<star<Rules...>> {
  using type = star<sep, Rules...>;
};
}  // namespace detail

/// `if_must` with whitespace: once Key matched, Rules must follow (sep-separated).
template <typename Key, typename... Rules>
struct commit : seq<Key, typename detail::step<Rules>::type...> {};

struct semi : one<';'> {};
/// A statement ends with `;`; the last one in a block may omit it (`save >`).
struct statement_end : sor<semi, at<one<'}', '>'>>> {};

struct op_assign : seq<one<'='>, not_at<one<'='>>> {};
struct digits : plus<digit> {};
struct integer : seq<digits, not_at<identifier_other>> {};

// -------------------------------------------------------------------- keywords

#define FLOW_KEYWORD(name, word) \
  struct name : key<TAO_PEGTL_STRING(word)> {}

FLOW_KEYWORD(kw_true, "true");
FLOW_KEYWORD(kw_false, "false");
FLOW_KEYWORD(kw_null, "null");
FLOW_KEYWORD(kw_and, "and");
FLOW_KEYWORD(kw_or, "or");
FLOW_KEYWORD(kw_not, "not");
FLOW_KEYWORD(kw_set, "set");
FLOW_KEYWORD(kw_clear, "clear");
FLOW_KEYWORD(kw_map, "map");
FLOW_KEYWORD(kw_on_success, "on_success");
FLOW_KEYWORD(kw_on_error, "on_error");
FLOW_KEYWORD(kw_into, "into");
FLOW_KEYWORD(kw_save, "save");
FLOW_KEYWORD(kw_if, "if");
FLOW_KEYWORD(kw_else, "else");
FLOW_KEYWORD(kw_validate, "validate");
FLOW_KEYWORD(kw_fail, "fail");
FLOW_KEYWORD(kw_log, "log");
FLOW_KEYWORD(kw_trigger, "trigger");
FLOW_KEYWORD(kw_start, "start");
FLOW_KEYWORD(kw_id, "id");
FLOW_KEYWORD(kw_import, "import");
FLOW_KEYWORD(kw_datasource, "datasource");
FLOW_KEYWORD(kw_method, "method");
FLOW_KEYWORD(kw_header, "header");
FLOW_KEYWORD(kw_request, "request");
FLOW_KEYWORD(kw_response, "response");
FLOW_KEYWORD(kw_query, "query");
FLOW_KEYWORD(kw_body, "body");
FLOW_KEYWORD(kw_json, "json");
FLOW_KEYWORD(kw_process, "process");
FLOW_KEYWORD(kw_field, "field");
FLOW_KEYWORD(kw_required, "required");
FLOW_KEYWORD(kw_secret, "secret");
FLOW_KEYWORD(kw_on, "on");
FLOW_KEYWORD(kw_change, "change");
FLOW_KEYWORD(kw_load, "load");
FLOW_KEYWORD(kw_instance, "instance");
FLOW_KEYWORD(kw_of, "of");
FLOW_KEYWORD(kw_schedule, "schedule");
FLOW_KEYWORD(kw_every, "every");
FLOW_KEYWORD(kw_at, "at");
FLOW_KEYWORD(kw_day, "day");
FLOW_KEYWORD(kw_weekday, "weekday");
FLOW_KEYWORD(kw_month, "month");
FLOW_KEYWORD(kw_hour, "hour");
FLOW_KEYWORD(kw_minute, "minute");
FLOW_KEYWORD(kw_cron, "cron");
FLOW_KEYWORD(kw_once, "once");
FLOW_KEYWORD(kw_timezone, "timezone");
FLOW_KEYWORD(kw_expires, "expires");
FLOW_KEYWORD(kw_after, "after");
FLOW_KEYWORD(kw_on_overlap, "on_overlap");
FLOW_KEYWORD(kw_on_missed, "on_missed");
FLOW_KEYWORD(kw_retry, "retry");
FLOW_KEYWORD(kw_backoff, "backoff");
FLOW_KEYWORD(kw_jitter, "jitter");
FLOW_KEYWORD(kw_first, "first");
FLOW_KEYWORD(kw_now, "now");
FLOW_KEYWORD(kw_test, "test");
FLOW_KEYWORD(kw_mock, "mock");
FLOW_KEYWORD(kw_status, "status");
FLOW_KEYWORD(kw_text, "text");
FLOW_KEYWORD(kw_fails, "fails");
FLOW_KEYWORD(kw_run, "run");
FLOW_KEYWORD(kw_advance, "advance");
FLOW_KEYWORD(kw_clock, "clock");
FLOW_KEYWORD(kw_expect, "expect");
FLOW_KEYWORD(kw_env, "env");

#undef FLOW_KEYWORD

template <typename... Words>
struct one_of_words : sor<key<Words>...> {};
#define FLOW_WORD(word) TAO_PEGTL_STRING(word)

// Not selected into the parse tree: it is only ever used inside a lookahead.
struct rule_keyword
    : one_of_words<FLOW_WORD("set"), FLOW_WORD("clear"), FLOW_WORD("create_item"),
                   FLOW_WORD("update_item"), FLOW_WORD("delete_item"), FLOW_WORD("find_item"),
                   FLOW_WORD("save"), FLOW_WORD("if"), FLOW_WORD("validate"), FLOW_WORD("fail"),
                   FLOW_WORD("log"), FLOW_WORD("trigger"), FLOW_WORD("start")> {};
/// A test step or item after a block's closing `>`, by its keyword and what must
/// come next. The keyword alone would not do: a field may be called `run` or
/// `clock` (`Count > run`); none of these shapes can continue an expression.
struct network_failure
    : one_of_words<FLOW_WORD("dns"), FLOW_WORD("refused"), FLOW_WORD("tls"), FLOW_WORD("timeout"),
                   FLOW_WORD("too_large"), FLOW_WORD("malformed"), FLOW_WORD("network")> {};
struct test_follower
    : sor<seq<kw_test, sep, one<'"'>>, seq<sor<kw_mock, kw_run>, sep, identifier, sep, one<'.'>>,
          seq<sor<kw_advance, kw_clock, kw_status>, sep, digit>, seq<kw_text, sep, one<'"'>>,
          seq<kw_env, sep, identifier, sep, op_assign>, seq<kw_fails, sep, network_failure>,
          seq<kw_expect, sep, not_at<sor<kw_and, kw_or>>, sor<identifier_first, digit, one<'"', '('>>>> {};
// Words that can follow a block's closing `>` (a rule, a clause, an item, a declaration).
// A bare `>` before one of them closes the block instead of comparing (lookahead only).
// `instance` only in a declaration's shape, `instance "ID"`: `instance("ID")` is
// the tests' function, an operand (`expect 1 > instance("P-1").N;`).
struct block_follower
    : sor<rule_keyword,
          one_of_words<FLOW_WORD("else"), FLOW_WORD("on"), FLOW_WORD("field"), FLOW_WORD("on_success"),
                       FLOW_WORD("on_error"), FLOW_WORD("into"), FLOW_WORD("method"), FLOW_WORD("header"),
                       FLOW_WORD("import"), FLOW_WORD("datasource"), FLOW_WORD("process"), FLOW_WORD("schedule")>,
          seq<kw_instance, sep, one<'"'>>, test_follower> {};

// ---------------------------------------------------------------------- names
// One named rule per role, so each failure point has its own message.

struct ident : identifier {};
struct field_name : identifier {};
struct member_name : identifier {};
struct target_name : identifier {};
struct datasource_name : identifier {};
struct datasource_kind : identifier {};
struct method_name : identifier {};
struct setting_name : identifier {};
struct part_name : identifier {};
struct process_name : identifier {};
struct handler_name : identifier {};

// ------------------------------------------------------------------- literals

struct number_body : seq<digits, opt<one<'.'>, digits>> {};
// Letters right after a number can only be a unit that does not exist (`10x`):
// said there, not as "expected an expression" at the number.
struct number_end : not_at<identifier_other> {};
/// `e6`, `E-3`: a number's power of ten (a duration's number takes none).
/// No identifier may follow a number, so an `e` after one commits to it.
struct exponent_digits : seq<opt<one<'+', '-'>>, digits> {};
struct exponent : if_must<one<'e', 'E'>, exponent_digits> {};
struct number_lit : seq<number_body, opt<exponent>, must<number_end>> {};

struct duration_suffix : seq<sor<string<'m', 's'>, one<'s', 'm', 'h', 'd', 'w'>>, not_at<identifier_other>> {};
struct duration_word
    : one_of_words<FLOW_WORD("milliseconds"), FLOW_WORD("millisecond"), FLOW_WORD("seconds"),
                   FLOW_WORD("second"), FLOW_WORD("minutes"), FLOW_WORD("minute"), FLOW_WORD("hours"),
                   FLOW_WORD("hour"), FLOW_WORD("days"), FLOW_WORD("day"), FLOW_WORD("weeks"),
                   FLOW_WORD("week")> {};
/// `500ms`, `10s`, `30 seconds`, `1.5h`
struct duration_lit : seq<number_body, sor<duration_suffix, seq<star<blank>, duration_word>>> {};

struct date_part : seq<rep<4, digit>, one<'-'>, rep<2, digit>, one<'-'>, rep<2, digit>> {};
struct time_part
    : seq<rep<2, digit>, one<':'>, rep<2, digit>, opt<one<':'>, rep<2, digit>, opt<one<'.'>, plus<digit>>>> {};
struct zone_part : sor<one<'Z'>, seq<one<'+', '-'>, rep<2, digit>, opt<one<':'>>, rep<2, digit>>> {};
/// `2027-06-30`, `2027-06-30T09:00`, `2027-06-30T00:00:00Z`, `2027-06-30T09:00:00+01:00`
struct datetime_lit : seq<date_part, opt<one<'T'>, time_part, opt<zone_part>>, not_at<identifier_other>> {};

struct expression;

struct escape_code : sor<one<'"', '\\', '/', 'n', 'r', 't', '$'>, seq<one<'u'>, rep<4, xdigit>>> {};
struct escape : if_must<one<'\\'>, escape_code> {};
/// A control byte a string may not hold as it is: it shows as nothing. A tab
/// may stand; a line break ends the line, and with it the string.
struct control_byte : ranges<'\x00', '\x08', '\x0b', '\x0c', '\x0e', '\x1f', '\x7f'> {};
struct string_text
    : plus<sor<seq<not_at<control_byte>, not_one<'"', '\\', '$', '\n', '\r'>>, seq<one<'$'>, not_at<one<'{'>>>>> {};
/// Where a string's text stops: at no control byte, which is written as an escape.
struct string_control : not_at<control_byte> {};
struct interpolation_end : one<'}'> {};
struct interpolation : seq<string<'$', '{'>, sep, must<expression>, sep, must<interpolation_end>> {};
struct string_end : one<'"'> {};
/// `"Bearer ${AccessToken}\n"`
struct string_lit
    : seq<one<'"'>, star<sor<string_text, escape, interpolation>>, must<string_control>, must<string_end>> {};

// ---------------------------------------------------------------- expressions

struct paren_end : one<')'> {};
struct paren_expr : seq<one<'('>, sep, must<expression>, sep, must<paren_end>> {};
struct call_end : one<')'> {};
struct call_args : seq<expression, star<sep, one<','>, sep, must<expression>>> {};
/// `now()`, `env("X", "d")`, `instance("TK-1")`
struct call : seq<ident, sep, one<'('>, sep, opt<call_args>, sep, must<call_end>> {};
struct primary : sor<paren_expr, datetime_lit, duration_lit, number_lit, string_lit, kw_true, kw_false,
                     kw_null, call, ident> {};

struct member : seq<one<'.'>, sep, must<member_name>> {};
struct index_end : one<']'> {};
struct index : seq<one<'['>, sep, must<expression>, sep, must<index_end>> {};
struct postfix : seq<primary, star<sep, sor<member, index>>> {};

// The *_operand wrappers name a must point while keeping the operand's own node.
struct unary;
struct negative : seq<one<'-'>, sep, must<unary>> {};
struct unary : sor<negative, postfix> {};

struct op_mul : one<'*'> {};
struct op_div : seq<one<'/'>, not_at<one<'/', '*'>>> {};
struct product_operand : seq<unary> {};
struct product : seq<unary, star<sep, sor<op_mul, op_div>, sep, must<product_operand>>> {};

struct op_add : one<'+'> {};
struct op_sub : one<'-'> {};
struct sum_operand : seq<product> {};
struct sum : seq<product, star<sep, sor<op_add, op_sub>, sep, must<sum_operand>>> {};

struct op_coalesce : two<'?'> {};
struct coalesce_operand : seq<sum> {};
struct coalesce : seq<sum, star<sep, op_coalesce, sep, must<coalesce_operand>>> {};

struct op_eq : two<'='> {};
struct op_ne : string<'!', '='> {};
struct op_le : string<'<', '='> {};
struct op_ge : string<'>', '='> {};
struct op_lt : one<'<'> {};
struct op_gt : one<'>'> {};
struct comparison_operand : seq<coalesce> {};
/// Non-chaining. A bare `<` before a rule keyword opens an `if` block instead, and a
/// bare `>` before a block_follower closes a block (`map < x = A > on_success < ... >;`).
struct comparison_tail
    : sor<seq<sor<op_eq, op_ne, op_le, op_ge>, sep, must<comparison_operand>>,
          seq<op_lt, not_at<sep, sor<rule_keyword, one<'>'>>>, sep, comparison_operand>,
          seq<op_gt, not_at<sep, block_follower>, sep, comparison_operand>> {};
struct comparison : seq<coalesce, opt<sep, comparison_tail>> {};

struct inversion;
struct not_expr : seq<kw_not, sep, must<inversion>> {};
struct inversion : sor<not_expr, comparison> {};
struct and_operand : seq<inversion> {};
struct conjunction : seq<inversion, star<sep, kw_and, sep, must<and_operand>>> {};
struct or_operand : seq<conjunction> {};
struct disjunction : seq<conjunction, star<sep, kw_or, sep, must<or_operand>>> {};
/// Precedence, loosest first: or, and, not, comparisons, ??, + -, * /, unary -, postfix.
struct expression : seq<disjunction> {};

// --------------------------------------------------------------------- blocks

template <typename Item>
struct brace_end : one<'}'> {};
template <typename Item>
struct angle_end : one<'>'> {};
template <typename Item>
struct brace_block : seq<one<'{'>, star<sep, Item>, sep, must<brace_end<Item>>> {};
template <typename Item>
struct angle_block : seq<one<'<'>, star<sep, Item>, sep, must<angle_end<Item>>> {};
/// `{ items }` or, equally, `< items >`.
template <typename Item>
struct block : sor<brace_block<Item>, angle_block<Item>> {};

// ---------------------------------------------------------------------- rules

struct target_segment : sor<target_name, string_lit> {};
struct assign_target : seq<target_segment, star<sep, one<'.'>, sep, must<target_segment>>> {};
struct assignment_end : statement_end {};
/// `body.client_id = ClientId;` `header."X-Api-Key" = Key;` `AccessToken = body.access_token;`
struct assignment : commit<assign_target, op_assign, expression, assignment_end> {};
struct assignment_block : block<assignment> {};

struct rule;
struct rule_block : block<rule> {};
struct rule_end : statement_end {};
struct call_end_semi : semi {};

struct set_rule : commit<kw_set, field_name, op_assign, expression, rule_end> {};
struct clear_rule : commit<kw_clear, field_name, rule_end> {};

struct call_kind
    : one_of_words<FLOW_WORD("create_item"), FLOW_WORD("update_item"), FLOW_WORD("delete_item"),
                   FLOW_WORD("find_item")> {};
struct method_ref_dot : one<'.'> {};
struct map_clause : commit<kw_map, assignment_block> {};
struct success_clause : commit<kw_on_success, assignment_block> {};
struct error_clause : commit<kw_on_error, assignment_block> {};
struct into_clause : commit<kw_into, field_name> {};
/// `create_item DS.M map {..} on_success {..} on_error {..} [into F];`
struct call_rule
    : commit<call_kind, datasource_name, method_ref_dot, method_name, opt<map_clause>, opt<success_clause>,
             opt<error_clause>, opt<into_clause>, call_end_semi> {};

struct save_rule : commit<kw_save, rule_end> {};

struct if_rule;
struct else_body : sor<if_rule, rule_block> {};
struct else_clause : commit<kw_else, else_body> {};
struct if_rule : commit<kw_if, expression, rule_block, opt<else_clause>> {};

struct validate_else : kw_else {};
struct validate_rule : commit<kw_validate, expression, validate_else, expression, rule_end> {};
struct fail_rule : commit<kw_fail, expression, rule_end> {};
struct log_rule : commit<kw_log, expression, rule_end> {};
struct trigger_rule : commit<kw_trigger, handler_name, rule_end> {};

struct id_clause : commit<kw_id, expression> {};
struct start_trigger : commit<kw_trigger, handler_name> {};
/// `start PROCESS [id expr] [map {..}] trigger NAME [on_success {..}];`
struct start_rule
    : commit<kw_start, process_name, opt<id_clause>, opt<map_clause>, start_trigger, opt<success_clause>,
             call_end_semi> {};

struct rule : sor<set_rule, clear_rule, call_rule, save_rule, if_rule, validate_rule, fail_rule, log_rule,
                  trigger_rule, start_rule> {};

// ---------------------------------------------------------------- datasources

struct setting_end : statement_end {};
/// `base_url = env("BASE");`
/// Its own rule: a keyword misspelled at the start of a datasource item
/// (`methd GetToken POST ...`) is read as a setting's name and fails here.
struct setting_assign : op_assign {};
struct setting : commit<setting_name, setting_assign, expression, setting_end> {};
struct header_name : string_lit {};
/// `header "Accept" = "application/json";`, `header "X-Api-Key" secret = env("API_KEY");`
struct datasource_header : commit<kw_header, header_name, opt<kw_secret>, op_assign, expression, setting_end> {};

struct http_verb
    : one_of_words<FLOW_WORD("GET"), FLOW_WORD("POST"), FLOW_WORD("PUT"), FLOW_WORD("PATCH"),
                   FLOW_WORD("DELETE")> {};
struct method_path : string_lit {};
struct body_format : one_of_words<FLOW_WORD("form"), FLOW_WORD("json")> {};
struct json_body_format : kw_json {};
struct part_end : statement_end {};
struct wire_name : string_lit {};
struct part_default : commit<op_assign, expression> {};
struct part_path : commit<op_assign, wire_name> {};
/// `client_id;` or `id = "data.items[0].id";`; in a request, `api_key secret = "api-key";`
struct part_entry : commit<part_name, opt<kw_secret>, opt<part_path>, part_end> {};
struct part_block : block<part_entry> {};

/// `request header Auth "Authorization" secret = "Basic ${Credentials}";`
struct request_header : commit<kw_header, part_name, opt<wire_name>, opt<kw_secret>, opt<part_default>, part_end> {};
struct request_query : commit<kw_query, part_block> {};
struct request_body : commit<kw_body, body_format, part_block> {};
struct request_part : sor<request_header, request_query, request_body> {};
struct request_decl : commit<kw_request, request_part> {};

struct response_header : commit<kw_header, part_name, wire_name, part_end> {};
struct response_body : commit<kw_body, json_body_format, part_block> {};
struct response_part : sor<response_header, response_body> {};
struct response_decl : commit<kw_response, response_part> {};

struct method_item : sor<request_decl, response_decl> {};
struct method_body : block<method_item> {};
/// `method GetToken POST "/oauth/token" { ... }`
struct method_decl : commit<kw_method, method_name, http_verb, method_path, method_body> {};

struct datasource_item : sor<method_decl, datasource_header, setting> {};
struct datasource_body : block<datasource_item> {};
struct datasource_decl : commit<kw_datasource, datasource_name, datasource_kind, datasource_body> {};

// ------------------------------------------------------------------ processes

struct field_type
    : one_of_words<FLOW_WORD("text"), FLOW_WORD("number"), FLOW_WORD("boolean"), FLOW_WORD("datetime"),
                   FLOW_WORD("duration"), FLOW_WORD("secret"), FLOW_WORD("json"), FLOW_WORD("list")> {};
struct field_default : commit<op_assign, expression> {};
struct field_end : statement_end {};
/// `field ClientId text required = "x";`
struct field_decl : commit<kw_field, field_name, field_type, opt<kw_required>, opt<field_default>, field_end> {};

struct change_trigger : seq<kw_change, sep, field_name> {};
struct handler_head : sor<change_trigger, kw_load, handler_name> {};
/// `on Refresh { }`, `on change Field { }`, `on load { }`
struct handler : commit<kw_on, handler_head, rule_block> {};

struct process_item : sor<field_decl, handler> {};
struct process_body : block<process_item> {};
struct process_decl : commit<kw_process, process_name, process_body> {};

struct instance_id : string_lit {};
struct instance_decl : commit<kw_instance, instance_id, kw_of, process_name, assignment_block> {};

// ------------------------------------------------------------------ schedules

struct time_of_day : seq<rep_min_max<1, 2, digit>, one<':'>, rep<2, digit>, not_at<digit>> {};
struct weekday_name
    : one_of_words<FLOW_WORD("monday"), FLOW_WORD("tuesday"), FLOW_WORD("wednesday"), FLOW_WORD("thursday"),
                   FLOW_WORD("friday"), FLOW_WORD("saturday"), FLOW_WORD("sunday")> {};
struct ordinal
    : one_of_words<FLOW_WORD("first"), FLOW_WORD("second"), FLOW_WORD("third"), FLOW_WORD("fourth"),
                   FLOW_WORD("fifth"), FLOW_WORD("last")> {};

struct interval_suffix : seq<one<'s', 'm', 'h', 'd', 'w'>, not_at<identifier_other>> {};
struct interval_word
    : one_of_words<FLOW_WORD("seconds"), FLOW_WORD("second"), FLOW_WORD("minutes"), FLOW_WORD("minute"),
                   FLOW_WORD("hours"), FLOW_WORD("hour"), FLOW_WORD("days"), FLOW_WORD("day"),
                   FLOW_WORD("weeks"), FLOW_WORD("week"), FLOW_WORD("months"), FLOW_WORD("month")> {};
struct interval_unit : sor<interval_suffix, seq<star<blank>, interval_word>> {};
/// `every 55 minutes`, `every 55m`
struct every_interval : seq<digits, must<interval_unit>> {};
struct every_day : commit<kw_day, kw_at, time_of_day> {};
struct every_weekday : commit<kw_weekday, kw_at, time_of_day> {};
struct every_weekdays : seq<weekday_name, star<sep, one<','>, sep, must<weekday_name>>, sep, must<kw_at>, sep,
                            must<time_of_day>> {};
struct day_number : integer {};
struct month_day : commit<kw_day, day_number> {};
struct month_nth : commit<ordinal, weekday_name> {};
struct month_day_spec : sor<month_day, month_nth> {};
struct every_month : commit<kw_month, kw_on, month_day_spec, kw_at, time_of_day> {};
struct minute_number : integer {};
struct every_hour : commit<kw_hour, kw_at, kw_minute, minute_number> {};
struct every_spec : sor<every_interval, every_day, every_weekday, every_weekdays, every_month, every_hour> {};

struct schedule_end : statement_end {};
struct every_stmt : commit<kw_every, every_spec, schedule_end> {};
struct cron_expression : string_lit {};
struct cron_stmt : commit<kw_cron, cron_expression, schedule_end> {};
struct once_at : kw_at {};
struct once_time : datetime_lit {};
struct once_stmt : commit<kw_once, once_at, once_time, schedule_end> {};
struct at_stmt : commit<kw_at, expression, schedule_end> {};
struct timezone_name : string_lit {};
struct timezone_stmt : commit<kw_timezone, timezone_name, schedule_end> {};
struct process_stmt : commit<kw_process, process_name, schedule_end> {};
struct id_stmt : commit<kw_id, expression, schedule_end> {};
struct trigger_stmt : commit<kw_trigger, handler_name, schedule_end> {};

struct run_count : integer {};
struct runs_word : one_of_words<FLOW_WORD("runs"), FLOW_WORD("run")> {};
struct expires_after : commit<kw_after, run_count, runs_word> {};
struct expiry_spec : sor<expires_after, datetime_lit> {};
struct expires_stmt : commit<kw_expires, expiry_spec, schedule_end> {};

struct overlap_policy : one_of_words<FLOW_WORD("skip"), FLOW_WORD("queue")> {};
struct overlap_stmt : commit<kw_on_overlap, overlap_policy, schedule_end> {};
struct missed_policy : one_of_words<FLOW_WORD("run_once"), FLOW_WORD("skip")> {};
struct missed_stmt : commit<kw_on_missed, missed_policy, schedule_end> {};

struct retry_count : integer {};
struct times_word : one_of_words<FLOW_WORD("times"), FLOW_WORD("time")> {};
struct backoff_duration : duration_lit {};
struct backoff_clause : commit<kw_backoff, backoff_duration> {};
struct retry_stmt : commit<kw_retry, retry_count, times_word, opt<backoff_clause>, schedule_end> {};
struct jitter_duration : duration_lit {};
struct jitter_stmt : commit<kw_jitter, jitter_duration, schedule_end> {};
/// `first run now;`: a dynamic task that never ran runs at once, as an `every` task does.
struct first_run_word : kw_run {};
struct first_run_now : kw_now {};
struct first_run_stmt : commit<kw_first, first_run_word, first_run_now, schedule_end> {};

struct schedule_item : sor<every_stmt, cron_stmt, once_stmt, at_stmt, timezone_stmt, process_stmt, id_stmt,
                           trigger_stmt, expires_stmt, overlap_stmt, missed_stmt, retry_stmt, jitter_stmt,
                           first_run_stmt> {};
struct schedule_body : block<schedule_item> {};
struct schedule_name : string_lit {};
struct schedule_decl : commit<kw_schedule, schedule_name, schedule_body> {};

// ---------------------------------------------------------------------- tests

struct test_end : statement_end {};
struct mock_status : commit<kw_status, expression, test_end> {};
/// `header "Retry-After" = "1";`
struct mock_header : commit<kw_header, header_name, op_assign, expression, test_end> {};
/// `body { access_token = "A1"; data.items = json_parse("[]"); }`
struct mock_body : commit<kw_body, assignment_block, opt<semi>> {};
struct mock_text : commit<kw_text, expression, test_end> {};
struct mock_item : sor<mock_status, mock_header, mock_body, mock_text> {};
struct mock_answer : seq<block<mock_item>, opt<sep, semi>> {};
struct mock_failure : commit<kw_fails, network_failure, test_end> {};
struct mock_spec : sor<mock_failure, mock_answer> {};
/// `mock DS.M { status 200; body { ... } }` or `mock DS.M fails timeout;`
struct mock_step : commit<kw_mock, datasource_name, method_ref_dot, method_name, mock_spec> {};

struct handler_ref_dot : one<'.'> {};
struct run_on : commit<kw_on, expression> {};
struct run_fails : commit<kw_fails, opt<expression>> {};
/// `run TokenKeeper.Refresh on "TK-1" [fails ["invalid_grant"]];`
struct run_step : commit<kw_run, process_name, handler_ref_dot, handler_name, opt<run_on>, opt<run_fails>, test_end> {};
struct advance_duration : duration_lit {};
struct advance_step : commit<kw_advance, advance_duration, test_end> {};
struct clock_time : datetime_lit {};
struct clock_step : commit<kw_clock, clock_time, test_end> {};
struct expect_step : commit<kw_expect, expression, test_end> {};
struct env_name : identifier {};
/// `env CLIENT_ID = "client-1";`
struct test_env : commit<kw_env, env_name, op_assign, expression, test_end> {};

struct test_item : sor<mock_step, run_step, advance_step, clock_step, expect_step, test_env, instance_decl> {};
struct test_body : block<test_item> {};
struct test_name : string_lit {};
struct test_decl : commit<kw_test, test_name, test_body> {};

// ---------------------------------------------------------------- top level

struct import_path : string_lit {};
struct import_decl : commit<kw_import, import_path, semi> {};

struct declaration : sor<import_decl, datasource_decl, process_decl, instance_decl, schedule_decl, test_decl> {};
struct end_of_module : eof {};
/// A whole .flow file, in the three steps parse_module takes one at a time (it
/// parses and lowers one declaration before reading the next).
struct byte_order_mark : string<'\xEF', '\xBB', '\xBF'> {};
struct module_start : seq<opt<byte_order_mark>, sep> {};
struct next_declaration : seq<declaration, sep> {};
struct module_end : must<end_of_module> {};
struct grammar : seq<module_start, star<next_declaration>, module_end> {};

/// The REPL's input, parsed as typed (no wrapper module, so a diagnostic's
/// line and column are the user's): rules, or one expression.
struct first_rule : rule {};
struct end_of_rules : eof {};
struct rules_input : seq<module_start, must<first_rule>, sep, star<rule, sep>, must<end_of_rules>> {};
struct end_of_expression : eof {};
struct expression_input : seq<module_start, must<expression>, sep, must<end_of_expression>> {};

#undef FLOW_WORD

}  // namespace flow::syntax
