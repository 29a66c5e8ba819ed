//! What every reader of user text does the same way (blueprints, usage files, Terraform plans
//! and state, policies): skip a byte order mark, turn serde's positions and messages into a
//! [`Location`] and a message without them, and refuse YAML nested too deep for the reader.

use crate::error::Location;

/// `text` without the byte order mark some editors (on Windows, mostly) save first. The JSON
/// readers reject it as an unexpected character, the YAML reader takes it for content before a
/// second document, and the Rego parser for an invalid character at 1:1.
pub(crate) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// [`without_bom`] of an owned text, without a copy when there is no mark.
pub(crate) fn without_bom_owned(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// Where a serde_json error is in `text`, if it says. serde_json counts the column in bytes;
/// the location counts characters, as the YAML reader's does (and editors' "column" of a line
/// with `é` or an emoji). It counts column 0 for an error before the first character of a line
/// (a document that is an array, not an object): that character is column 1.
pub(crate) fn json_location(text: &str, e: &serde_json::Error) -> Option<Location> {
    if e.line() == 0 {
        return None;
    }
    let line = text.split('\n').nth(e.line() - 1).unwrap_or_default();
    let bytes = e.column().min(line.len());
    // A column inside a character's bytes counts that character.
    let mut end = bytes;
    while !line.is_char_boundary(end) {
        end += 1;
    }
    Some(Location {
        line: e.line(),
        column: line[..end].chars().count().max(1),
    })
}

/// A serde message without the " at line X column Y" parts serde_json and yaml_serde put in it
/// (the location is reported separately), and with serde's Rust type names in user words
/// (`expected u32` is "expected a whole number", `unit value` is `null`).
pub(crate) fn clean_serde_message(message: &str) -> String {
    let mut text = strip_positions(message);
    for (rust, words) in RUST_WORDS {
        if text.contains(rust) {
            text = text.replace(rust, words);
        }
    }
    // yaml_serde refuses an integer beyond 64 bits as "invalid type: integer `…`, expected any
    // value" (any value but that one).
    const BIG: &str = "invalid type: integer `";
    if let Some(i) = text.find(BIG) {
        let literal = text
            .get(i + BIG.len()..)
            .and_then(|rest| rest.strip_suffix("`, expected any value"));
        if let Some(literal) = literal {
            return format!(
                "{}{}",
                text.get(..i).unwrap_or_default(),
                big_integer_message(literal)
            );
        }
    }
    text
}

/// serde's names of Rust types in its messages, and what they mean to a user.
const RUST_WORDS: [(&str, &str); 10] = [
    ("expected u8", "expected a whole number"),
    ("expected u16", "expected a whole number"),
    ("expected u32", "expected a whole number"),
    ("expected u64", "expected a whole number"),
    ("expected usize", "expected a whole number"),
    ("expected i64", "expected a whole number"),
    ("expected f64", "expected a number"),
    ("unit value", "null"),
    (" as u128", ""),
    (" as i128", ""),
];

fn strip_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let tail = &after[digits..];
        match tail.strip_prefix(" column ") {
            Some(col) if digits > 0 => {
                let n = col.len() - col.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                rest = &col[n..];
            }
            _ => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The YAML scanner spends time proportional to the flow depth on every token, so a
/// 100,000-deep `[[[...]]]` takes minutes before the reader's own 128-level guard can refuse it.
/// This linear pre-scan finds flow collections (`[`/`{` outside quoted scalars and comments)
/// nested deeper than that guard, and returns the line where the nesting passed it.
pub(crate) fn yaml_flow_too_deep(text: &str) -> Option<usize> {
    const MAX: usize = 128;
    #[derive(PartialEq)]
    enum State {
        Plain,
        Single,
        Double,
        Comment,
    }
    let mut state = State::Plain;
    let mut depth = 0usize;
    let mut line = 1usize;
    // The last non-blank character outside quotes on this line (None at a line start).
    let mut prev: Option<char> = None;
    let mut prev_blank = true;
    let mut escaped = false;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
            prev = None;
            prev_blank = true;
            if state == State::Comment {
                state = State::Plain;
            }
            // In block context a quoted scalar is read as ending with its line: a wrong guess
            // then only makes this scan count more brackets, never fewer.
            if depth == 0 && state != State::Plain {
                state = State::Plain;
            }
            escaped = false;
            continue;
        }
        match state {
            State::Comment => {}
            State::Single => {
                if c == '\'' {
                    state = State::Plain;
                    prev = Some(c);
                }
            }
            State::Double => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    state = State::Plain;
                    prev = Some(c);
                }
            }
            State::Plain => {
                let token_start = matches!(prev, None | Some('[' | '{' | ',' | ':' | '?' | '-'));
                match c {
                    '#' if prev_blank => state = State::Comment,
                    '\'' if token_start => state = State::Single,
                    '"' if token_start => state = State::Double,
                    '[' | '{' => {
                        depth += 1;
                        if depth > MAX {
                            return Some(line);
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                if !c.is_whitespace() && state == State::Plain {
                    prev = Some(c);
                }
            }
        }
        prev_blank = c.is_whitespace();
    }
    None
}

/// The error for a JavaScript string (UTF-16 `units`, the text a binding was given at `path`)
/// that holds a lone surrogate, with its line and column; `None` when the text is well formed.
///
/// JavaScript strings may hold half of a surrogate pair, which no UTF-8 text can: the usual
/// conversions replace it with U+FFFD, so the engine would read other text than the caller's.
/// A binding checks with this when the converted text holds a U+FFFD, the only case where the
/// conversion may have replaced something.
///
/// ```
/// let units: Vec<u16> = "name: a\ndescription: x".encode_utf16().chain([0xD800]).collect();
/// let err = iac_dharma::lone_surrogate_error("text", &units).unwrap();
/// assert_eq!(err.code(), iac_dharma::Code::InvalidArgument);
/// assert_eq!(err.location().map(|l| (l.line, l.column)), Some((2, 15)));
/// assert!(iac_dharma::lone_surrogate_error("text", &"fine \u{FFFD}".encode_utf16().collect::<Vec<_>>()).is_none());
/// ```
pub fn lone_surrogate_error(path: &str, units: &[u16]) -> Option<crate::Error> {
    let (mut line, mut column) = (1, 1);
    for item in char::decode_utf16(units.iter().copied()) {
        match item {
            Ok('\n') => {
                line += 1;
                column = 1;
            }
            Ok(_) => column += 1,
            Err(e) => {
                return Some(crate::Error::single(
                    crate::ErrorKind::InvalidInput,
                    crate::Finding::error(
                        crate::Code::InvalidArgument,
                        path,
                        format!(
                            "the text holds a lone surrogate (\\u{:04X}, half of a UTF-16 pair), which is not text",
                            e.unpaired_surrogate()
                        ),
                    )
                    .with_location(Some(Location { line, column })),
                ));
            }
        }
    }
    None
}

/// The first integer literal of JSON `text`, outside strings, that does not fit in 64 bits
/// (below `i64::MIN` or above `u64::MAX`), with its location and byte range. serde_json reads
/// such a literal as the nearest `f64`, so `123456789012345678901234` would come out as
/// `1.2345678901234568e23` in generated code: silently another number.
pub(crate) fn json_big_integer(text: &str) -> Option<(Location, std::ops::Range<usize>)> {
    // Such a literal has at least 19 digits in a row; most documents have none, and this pass
    // (which reads about one byte in 19) is far cheaper than the token-aware one below.
    if !has_digit_run(text.as_bytes(), 19) {
        return None;
    }
    let (mut line, mut column) = (1usize, 1usize);
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            column += 1;
            continue;
        }
        match c {
            '"' => in_string = true,
            '\n' => {
                line += 1;
                column = 1;
                continue;
            }
            '-' | '0'..='9' => {
                let at = Location { line, column };
                let mut end = start + 1;
                column += 1;
                while let Some(&(i, d)) = chars.peek() {
                    if !(d.is_ascii_alphanumeric() || matches!(d, '.' | '+' | '-')) {
                        break;
                    }
                    chars.next();
                    end = i + d.len_utf8();
                    column += 1;
                }
                let token = text.get(start..end).unwrap_or("");
                let digits = token.strip_prefix('-').unwrap_or(token);
                let too_big = !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && if token.starts_with('-') {
                        token.parse::<i64>().is_err()
                    } else {
                        token.parse::<u64>().is_err()
                    };
                if too_big {
                    return Some((at, start..end));
                }
                continue;
            }
            _ => {}
        }
        column += 1;
    }
    None
}

/// Whether `bytes` hold `len` ASCII digits in a row. A run of `len` covers every `len`-th byte,
/// so only those are read until one is a digit; then its run is measured, and the next run
/// that could be long enough ends at least `len` bytes after this one.
fn has_digit_run(bytes: &[u8], len: usize) -> bool {
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let mut i = len.saturating_sub(1);
    while i < bytes.len() {
        if !digit(i) {
            i += len;
            continue;
        }
        let mut start = i;
        while start > 0 && digit(start - 1) {
            start -= 1;
        }
        let mut end = i + 1;
        while digit(end) {
            end += 1;
        }
        if end - start >= len {
            return true;
        }
        i = end + len;
    }
    false
}

/// The message for an integer that does not fit in 64 bits (JSON or YAML).
pub(crate) fn big_integer_message(literal: &str) -> String {
    format!(
        "the integer `{literal}` does not fit in 64 bits, so it cannot be kept exactly; write it as a string (\"{literal}\") to keep every digit"
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn digit_runs_are_found_wherever_they_are() {
        for (text, len, found) in [
            ("1234567890123456789", 19, true),
            ("a1234567890123456789", 19, true),
            ("123456789012345678x", 19, false),
            ("x 123456789012345678 123456789012345678", 19, false),
            ("x 123456789012345678 1234567890123456789", 19, true),
            ("", 19, false),
            ("12", 2, true),
        ] {
            assert_eq!(super::has_digit_run(text.as_bytes(), len), found, "{text}");
        }
        // Every position and length of a run in some padding.
        for pad in 0..40 {
            for run in 15..22 {
                let text = format!(
                    "{}{}{}",
                    "x".repeat(pad),
                    "7".repeat(run),
                    "y".repeat(pad % 7)
                );
                assert_eq!(
                    super::has_digit_run(text.as_bytes(), 19),
                    run >= 19,
                    "{pad} {run}"
                );
            }
        }
    }
    use super::*;

    #[test]
    fn marks_and_positions() {
        assert_eq!(without_bom("\u{feff}{}"), "{}");
        assert_eq!(without_bom("{}\u{feff}"), "{}\u{feff}");
        assert_eq!(without_bom_owned("\u{feff}package x".into()), "package x");
        assert_eq!(without_bom_owned("package x".into()), "package x");
        let e = serde_json::from_str::<serde_json::Value>("[1,\n]").unwrap_err();
        assert_eq!(json_location("[1,\n]", &e).map(|l| l.line), Some(2));
        assert!(json_location("[1,\n]", &e).is_some_and(|l| l.column >= 1));
        // Columns count characters, not UTF-8 bytes: the `}` after `"version": ` is column 28.
        for text in [
            r#"{"name": "ééé", "version": }"#,
            r#"{"name": "🌍🌍🌍", "version": }"#,
        ] {
            let e = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
            let chars = text.chars().count();
            assert_eq!(
                json_location(text, &e).map(|l| l.column),
                Some(chars),
                "{text}"
            );
        }
        assert_eq!(
            clean_serde_message("bad at line 3 column 4, then more at line 5 column 6"),
            "bad, then more"
        );
        assert_eq!(clean_serde_message("kept at line x"), "kept at line x");
        assert_eq!(
            clean_serde_message(
                "invalid type: floating point `1.5`, expected u32 at line 2 column 8"
            ),
            "invalid type: floating point `1.5`, expected a whole number"
        );
        assert_eq!(
            clean_serde_message("invalid type: unit value, expected struct Blueprint"),
            "invalid type: null, expected struct Blueprint"
        );
    }
}
