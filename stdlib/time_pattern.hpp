#pragma once
// Patterns of format_date and parse_date are strftime (`%d/%m/%Y`). A pattern
// written in the `dd/MM/yyyy` style of Java, .NET and Kianda has no conversion
// at all, so date::format would return it as written and parse_date would take
// it for a time zone: these say so, and what the strftime pattern would be.
// Internal to stdlib/.

#include <optional>
#include <string>
#include <string_view>

namespace flow::stdlib {

/// Whether `pattern` has a conversion: `%` and what follows it (`%%`, a
/// literal percent sign, is none).
bool has_conversion(std::string_view pattern);

/// The strftime pattern meant by a `yyyy-MM-dd HH:mm` style one ("%Y-%m-%d
/// %H:%M"), or nullopt when `pattern` does not look like one (no run of two or
/// more of y, M, d, H, h, m, s).
std::optional<std::string> strftime_equivalent(std::string_view pattern);

/// "patterns are strftime: \"%d/%m/%Y\"" for a pattern in another style, else
/// "patterns are strftime, such as \"%Y-%m-%d %H:%M\"". `reveal`: false for a
/// secret pattern, which is never echoed, translated or not.
std::string strftime_advice(std::string_view pattern, bool reveal);

}  // namespace flow::stdlib
