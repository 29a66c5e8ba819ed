//! ARM template strings: a JSON string is either literal text or, when it is written `[...]`, a
//! template-language expression. Literal text that would read as an expression (it starts with
//! `[` and ends with `]`) is escaped by doubling the first bracket; string literals inside
//! expressions are single-quoted with `'` doubled.

use serde_json::Value;

/// An ARM string value: literal text, or an expression (its text without the brackets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AStr {
    /// Literal text, as the deployment will see it.
    Lit(String),
    /// An expression, e.g. `resourceId('Microsoft.Network/virtualNetworks', 'vnet')`.
    Expr(String),
    /// `concat(...)` of the parts (kept apart so that nested joins flatten).
    Concat(Vec<AStr>),
}

impl AStr {
    /// The expression text of this value (a literal becomes a quoted string literal).
    pub(crate) fn expr(&self) -> String {
        match self {
            AStr::Lit(s) => quote(s),
            AStr::Expr(e) => e.clone(),
            AStr::Concat(parts) => {
                let inner: Vec<String> = parts.iter().map(AStr::expr).collect();
                format!("concat({})", inner.join(", "))
            }
        }
    }

    /// The value as a template JSON string.
    pub(crate) fn to_json(&self) -> Value {
        Value::String(self.to_text())
    }

    /// The value as template text (`[expr]`, or the literal escaped).
    pub(crate) fn to_text(&self) -> String {
        match self {
            AStr::Lit(s) => escape_literal(s),
            other => format!("[{}]", other.expr()),
        }
    }

    /// Reads back a template string (the inverse of [`AStr::to_text`]).
    pub(crate) fn from_text(s: &str) -> AStr {
        if is_expression(s) {
            let inner = s.strip_prefix('[').and_then(|r| r.strip_suffix(']'));
            AStr::Expr(inner.unwrap_or_default().to_string())
        } else if s.starts_with("[[") && s.ends_with(']') {
            AStr::Lit(s.strip_prefix('[').unwrap_or(s).to_string())
        } else {
            AStr::Lit(s.to_string())
        }
    }

    /// A call `name(args...)`.
    pub(crate) fn call(name: &str, args: &[AStr]) -> AStr {
        let inner: Vec<String> = args.iter().map(AStr::expr).collect();
        AStr::Expr(format!("{name}({})", inner.join(", ")))
    }

    /// A property access `expr.path` (`path` is a dotted list of identifiers).
    pub(crate) fn property(&self, path: &str) -> AStr {
        let mut e = self.expr();
        for step in path.split('.').filter(|s| !s.is_empty()) {
            // `name[0]`: a property, then an index.
            let (step, index) = match step.split_once('[') {
                Some((name, rest)) if rest.ends_with(']') => (name, Some(rest)),
                _ => (step, None),
            };
            if step.is_empty() {
            } else if step.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                e.push('.');
                e.push_str(step);
            } else {
                e.push('[');
                e.push_str(&quote(step));
                e.push(']');
            }
            if let Some(i) = index {
                e.push('[');
                e.push_str(i);
            }
        }
        AStr::Expr(e)
    }
}

/// Whether ARM reads this JSON string as an expression.
pub(crate) fn is_expression(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[")
}

/// Literal text written so that ARM does not read it as an expression.
pub(crate) fn escape_literal(s: &str) -> String {
    if s.starts_with('[') && s.ends_with(']') {
        format!("[{s}")
    } else {
        s.to_string()
    }
}

/// A string literal inside an expression: `'it''s'`.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Joins parts into one string value: literals merge, one part stays as it is, several become
/// `concat(...)`.
pub(crate) fn concat(parts: Vec<AStr>) -> AStr {
    let mut merged: Vec<AStr> = Vec::with_capacity(parts.len());
    let flat = parts.into_iter().flat_map(|p| match p {
        AStr::Concat(inner) => inner,
        other => vec![other],
    });
    for p in flat {
        match (merged.last_mut(), p) {
            (_, AStr::Lit(s)) if s.is_empty() => {}
            (Some(AStr::Lit(prev)), AStr::Lit(s)) => prev.push_str(&s),
            (_, p) => merged.push(p),
        }
    }
    match merged.len() {
        0 => AStr::Lit(String::new()),
        1 => merged.pop().unwrap_or(AStr::Lit(String::new())),
        _ => AStr::Concat(merged),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_that_look_like_expressions_are_escaped() {
        assert_eq!(escape_literal("[x]"), "[[x]");
        assert_eq!(escape_literal("[x"), "[x");
        assert_eq!(escape_literal("x]"), "x]");
        for s in ["[x]", "[[x]", "[]", "[", "plain", "", "[[", "]["] {
            assert_eq!(
                AStr::from_text(&AStr::Lit(s.into()).to_text()),
                AStr::Lit(s.into()),
                "{s}"
            );
        }
        assert_eq!(quote("it's"), "'it''s'");
    }

    #[test]
    fn concat_merges_literals() {
        let r = AStr::Expr("parameters('p')".into());
        assert_eq!(
            concat(vec![AStr::Lit("a".into()), AStr::Lit("b".into())]),
            AStr::Lit("ab".into())
        );
        assert_eq!(concat(vec![r.clone()]), r);
        assert_eq!(
            concat(vec![AStr::Lit("a'".into()), r]).to_text(),
            "[concat('a''', parameters('p'))]"
        );
        assert_eq!(
            AStr::Expr("reference('x')".into()).property("a.b-c").expr(),
            "reference('x').a['b-c']"
        );
    }
}
