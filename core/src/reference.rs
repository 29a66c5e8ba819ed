//! References inside blueprint strings: `${name.attr}`, `${name[0].attr}`, `${var.name}`.
//!
//! A string value is a small template: literal text and references. As in Terraform, `$${` writes a
//! literal `${`. Every generator renders references natively (a Terraform expression, a
//! CloudFormation `Ref`/`Fn::GetAtt`, ...), so they are parsed once here into [`Template`]s.

use std::fmt;

use serde::Serialize;

/// A parsed string: literal text and references, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    /// The parts, with adjacent literals merged.
    pub parts: Vec<Part>,
}

/// One part of a [`Template`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Literal text (a `$${` in the source is already turned into `${`).
    Literal(String),
    /// A reference.
    Ref(Reference),
}

/// A reference to a resource attribute or a variable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reference {
    /// `${name.attr}`, `${name[2].attr}`, `${name.attr.sub[0]}`.
    Resource {
        /// The referenced resource's name.
        name: String,
        /// The instance index, for resources with `count`.
        #[serde(skip_serializing_if = "Option::is_none")]
        index: Option<u32>,
        /// The attribute path: at least one step, starting with an attribute name.
        attribute: Vec<Step>,
    },
    /// `${var.name}`.
    Variable {
        /// The variable's name.
        name: String,
    },
}

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// `.name`
    Attr(String),
    /// `[3]`
    Index(u32),
}

impl Reference {
    /// The first attribute name of a resource reference (`id` in `${vpc.id}`).
    pub fn attribute_name(&self) -> Option<&str> {
        match self {
            Reference::Resource { attribute, .. } => match attribute.first() {
                Some(Step::Attr(a)) => Some(a),
                _ => None,
            },
            Reference::Variable { .. } => None,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Attr(a) => write!(f, ".{a}"),
            Step::Index(i) => write!(f, "[{i}]"),
        }
    }
}

impl fmt::Display for Reference {
    /// The reference as written inside `${...}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Variable { name } => write!(f, "var.{name}"),
            Reference::Resource {
                name,
                index,
                attribute,
            } => {
                write!(f, "{name}")?;
                if let Some(i) = index {
                    write!(f, "[{i}]")?;
                }
                for step in attribute {
                    write!(f, "{step}")?;
                }
                Ok(())
            }
        }
    }
}

/// Why a string could not be parsed as a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// What is wrong, quoting the offending expression.
    pub message: String,
}

impl Template {
    /// Parses a string value.
    ///
    /// ```
    /// use iac_dharma::{Template, Part, Reference};
    /// let t = Template::parse("arn:aws:s3:::${bucket.id}/* costs $${5}").unwrap();
    /// assert_eq!(t.parts.len(), 3);
    /// assert!(matches!(&t.parts[1], Part::Ref(Reference::Resource { name, .. }) if name == "bucket"));
    /// assert_eq!(t.parts[2], Part::Literal("/* costs ${5}".into()));
    /// ```
    ///
    /// # Errors
    /// A `${` without its closing `}`, or a `${...}` that is not a reference.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(pos) = rest.find("${") {
            if rest[..pos].ends_with('$') {
                // `$${` is an escaped, literal `${`.
                literal.push_str(&rest[..pos - 1]);
                literal.push_str("${");
                rest = &rest[pos + 2..];
                continue;
            }
            literal.push_str(&rest[..pos]);
            let after = &rest[pos + 2..];
            let Some(end) = after.find('}') else {
                return Err(TemplateError {
                    message: format!(
                        "`${{{}` is not closed with `}}` (write `$${{` for a literal `${{`)",
                        truncate(after, 40)
                    ),
                });
            };
            let reference = parse_reference(&after[..end])?;
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(Part::Ref(reference));
            rest = &after[end + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Template { parts })
    }

    /// True when the string has no references (it may still have had `$${` escapes).
    pub fn is_literal(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Literal(_)))
    }

    /// The reference, when the whole string is exactly one reference (`"${vpc.id}"`): its value
    /// then keeps the referenced attribute's type instead of becoming a string.
    pub fn as_single_reference(&self) -> Option<&Reference> {
        match self.parts.as_slice() {
            [Part::Ref(r)] => Some(r),
            _ => None,
        }
    }

    /// The references, in order.
    pub fn references(&self) -> impl Iterator<Item = &Reference> {
        self.parts.iter().filter_map(|p| match p {
            Part::Ref(r) => Some(r),
            Part::Literal(_) => None,
        })
    }

    /// The literal text when the template has no references.
    pub fn literal_text(&self) -> Option<String> {
        self.is_literal().then(|| {
            self.parts
                .iter()
                .map(|p| match p {
                    Part::Literal(s) => s.as_str(),
                    Part::Ref(_) => "",
                })
                .collect()
        })
    }
}

/// Quick test: can this string hold a reference at all? (Avoids parsing plain strings.)
pub fn may_contain_reference(text: &str) -> bool {
    text.contains("${")
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn parse_reference(inner: &str) -> Result<Reference, TemplateError> {
    let expr = inner.trim();
    let bad = |why: &str| TemplateError {
        message: format!(
            "`${{{}}}` is not a valid reference: {why}",
            truncate(expr, 60)
        ),
    };
    if expr.is_empty() {
        return Err(bad("it is empty (write `$${` for a literal `${`)"));
    }
    let mut chars = expr.char_indices().peekable();
    let mut steps: Vec<Step> = Vec::new();
    let mut first = true;
    while let Some((i, c)) = chars.next() {
        if first || c == '.' {
            let start = if first { i } else { i + 1 };
            if !first {
                // consume nothing more here; the identifier starts after the dot
            } else if !is_ident_start(c) {
                return Err(bad("it must start with a resource name or `var.`"));
            }
            let mut end = if first { i + c.len_utf8() } else { start };
            if !first {
                match chars.peek() {
                    Some(&(_, n)) if is_ident_start(n) => {}
                    _ => return Err(bad("an attribute name is expected after `.`")),
                }
            }
            while let Some(&(j, n)) = chars.peek() {
                if is_ident_char(n) {
                    end = j + n.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            steps.push(Step::Attr(expr[start..end].to_string()));
            first = false;
        } else if c == '[' {
            let mut digits = String::new();
            let mut closed = false;
            for (_, n) in chars.by_ref() {
                if n == ']' {
                    closed = true;
                    break;
                }
                digits.push(n);
            }
            if !closed {
                return Err(bad("`[` is not closed with `]`"));
            }
            let index: u32 = digits.trim().parse().map_err(|_| {
                bad(&format!(
                    "`[{digits}]` is not an index (a non-negative whole number)"
                ))
            })?;
            steps.push(Step::Index(index));
        } else {
            return Err(bad(&format!("unexpected character `{c}`")));
        }
    }
    let mut steps = steps.into_iter();
    let Some(Step::Attr(head)) = steps.next() else {
        return Err(bad("it must start with a resource name or `var.`"));
    };
    if head == "var" {
        return match (steps.next(), steps.next()) {
            (Some(Step::Attr(name)), None) => Ok(Reference::Variable { name }),
            (Some(Step::Attr(_)), Some(_)) => Err(bad(
                "a variable reference is just `var.NAME` (attributes of variables are not supported)",
            )),
            _ => Err(bad("`var.` must be followed by a variable name")),
        };
    }
    let mut rest: Vec<Step> = steps.collect();
    let index = match rest.first() {
        Some(Step::Index(i)) => {
            let i = *i;
            rest.remove(0);
            Some(i)
        }
        _ => None,
    };
    match rest.first() {
        Some(Step::Attr(_)) => Ok(Reference::Resource {
            name: head,
            index,
            attribute: rest,
        }),
        _ => Err(bad(&format!(
            "a resource reference names an attribute, e.g. `${{{head}.id}}`"
        ))),
    }
}

/// Appends `.key` (or `["key"]` when the key is not a plain identifier) to a finding path.
pub fn push_key(path: &mut String, key: &str) {
    let bytes = key.as_bytes();
    let plain = bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-');
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push('[');
        // JSON string escaping keeps odd keys readable and unambiguous.
        path.push_str(&serde_json::to_string(key).unwrap_or_default());
        path.push(']');
    }
}

/// Appends `[i]` to a finding path.
pub fn push_index(path: &mut String, i: usize) {
    use std::fmt::Write;
    let _ = write!(path, "[{i}]");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(name: &str, index: Option<u32>, attrs: &[&str]) -> Reference {
        Reference::Resource {
            name: name.into(),
            index,
            attribute: attrs.iter().map(|a| Step::Attr((*a).into())).collect(),
        }
    }

    #[test]
    fn parses_plain_and_mixed() {
        assert_eq!(
            Template::parse("hello").unwrap().parts,
            vec![Part::Literal("hello".into())]
        );
        let t = Template::parse("${main.id}").unwrap();
        assert_eq!(t.as_single_reference(), Some(&res("main", None, &["id"])));
        let t = Template::parse("a-${ web[2].private_ip }-b").unwrap();
        assert_eq!(
            t.parts,
            vec![
                Part::Literal("a-".into()),
                Part::Ref(res("web", Some(2), &["private_ip"])),
                Part::Literal("-b".into())
            ]
        );
        let t = Template::parse("${var.ami_id}").unwrap();
        assert_eq!(
            t.as_single_reference(),
            Some(&Reference::Variable {
                name: "ami_id".into()
            })
        );
    }

    #[test]
    fn nested_attribute_path() {
        let t = Template::parse("${cluster.certificate_authority[0].data}").unwrap();
        assert_eq!(
            t.as_single_reference(),
            Some(&Reference::Resource {
                name: "cluster".into(),
                index: None,
                attribute: vec![
                    Step::Attr("certificate_authority".into()),
                    Step::Index(0),
                    Step::Attr("data".into())
                ]
            })
        );
    }

    #[test]
    fn escape_is_literal() {
        let t = Template::parse("cost $${HOME} and $${x.y}").unwrap();
        assert_eq!(t.literal_text().as_deref(), Some("cost ${HOME} and ${x.y}"));
        let t = Template::parse("$$${a.b}").unwrap();
        // `$$${` is a `$` followed by an escaped... no: `$${` escapes, leaving `$` + `{a.b}`? Terraform
        // reads `$$` + `${a.b}`? It reads `$${` as the escape, so the text is `$` + literal `${a.b}`.
        assert_eq!(t.literal_text().as_deref(), Some("$${a.b}"));
    }

    #[test]
    fn malformed() {
        for bad in [
            "${",
            "${}",
            "${ }",
            "${main}",
            "${main.}",
            "${1abc.id}",
            "${var}",
            "${var.a.b}",
            "${main[x].id}",
            "${main.id + 1}",
            "${main[0}",
            "abc ${def",
        ] {
            assert!(Template::parse(bad).is_err(), "{bad} should be malformed");
        }
    }

    #[test]
    fn paths() {
        let mut p = String::from("resources[0].properties");
        push_key(&mut p, "tags");
        push_key(&mut p, "kubernetes.io/role");
        assert_eq!(p, r#"resources[0].properties.tags["kubernetes.io/role"]"#);
    }
}
