//! User text shown on a terminal: the text renderers (policy reports, drift) and the command
//! line's messages print blueprint, state and policy strings through [`printable`].

use std::borrow::Cow;

/// `text` with its control characters other than tab written as escapes (`\u{1b}`, `\n`), so
/// that a string from a blueprint, a state file or a policy cannot move the cursor, recolor or
/// clear the terminal, or forge output lines. Text without them is borrowed as it is.
///
/// ```
/// assert_eq!(iac_dharma::printable("us-east-1\u{1b}[31mX"), "us-east-1\\u{1b}[31mX");
/// assert_eq!(iac_dharma::printable("a\tb"), "a\tb");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() && c != '\t'
}
