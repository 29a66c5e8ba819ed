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
    text
}

/// serde's names of Rust types in its messages, and what they mean to a user.
const RUST_WORDS: [(&str, &str); 9] = [
    ("expected u8", "expected a whole number"),
    ("expected u16", "expected a whole number"),
    ("expected u32", "expected a whole number"),
    ("expected u64", "expected a whole number"),
    ("expected usize", "expected a whole number"),
    ("expected i64", "expected a whole number"),
    ("expected f64", "expected a number"),
    ("unit value", "null"),
    (" as u128", ""),
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

#[cfg(test)]
mod tests {
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
