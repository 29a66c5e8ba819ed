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
            AStr::Concat(_) => {
                let mut out = String::with_capacity(self.expr_len());
                self.write_expr(&mut out);
                out
            }
        }
    }

    /// Appends the expression text of this value to `out` (what [`AStr::expr`] returns).
    fn write_expr(&self, out: &mut String) {
        match self {
            AStr::Lit(s) => push_quoted(out, s),
            AStr::Expr(e) => out.push_str(e),
            AStr::Concat(parts) => write_call(out, "concat", parts),
        }
    }

    /// About the length of [`AStr::expr`] (exact but for quotes inside literals), to size
    /// buffers.
    fn expr_len(&self) -> usize {
        match self {
            AStr::Lit(s) => s.len() + 2,
            AStr::Expr(e) => e.len(),
            AStr::Concat(parts) => call_len("concat", parts),
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
            other => {
                let mut out = String::with_capacity(other.expr_len() + 2);
                out.push('[');
                other.write_expr(&mut out);
                out.push(']');
                out
            }
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
        let mut out = String::with_capacity(call_len(name, args));
        write_call(&mut out, name, args);
        AStr::Expr(out)
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
    push_quoted(&mut out, s);
    out
}

/// Appends [`quote`]`(s)` to `out`.
fn push_quoted(out: &mut String, s: &str) {
    out.push('\'');
    let mut rest = s;
    while let Some(at) = rest.find('\'') {
        out.push_str(rest.get(..=at).unwrap_or_default());
        out.push('\'');
        rest = rest.get(at + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out.push('\'');
}

/// Appends `name(arg, arg, ...)` to `out`.
fn write_call(out: &mut String, name: &str, args: &[AStr]) {
    out.push_str(name);
    out.push('(');
    for (n, a) in args.iter().enumerate() {
        if n > 0 {
            out.push_str(", ");
        }
        a.write_expr(out);
    }
    out.push(')');
}

/// About the length of `name(args...)` (see [`AStr::expr_len`]).
fn call_len(name: &str, args: &[AStr]) -> usize {
    name.len() + 2 + args.iter().map(|a| a.expr_len() + 2).sum::<usize>()
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
