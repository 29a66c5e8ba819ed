//! HCL output: tera filters backed by `hcl-rs` (which escapes strings correctly: quotes,
//! backslashes, control characters, and `${`/`%{` as `$${`/`%%{`), and the alignment pass that
//! lines up `=` signs the way `terraform fmt` does.
//!
//! Values given to `hcl_value` and `hcl_body` are in **Terraform JSON syntax**: every string is a
//! template where `${expr}` is an expression (only references are produced: `aws_vpc.main.id`,
//! `var.x`, `aws_instance.web[0].id`) and `$${`/`%%{` are literal `${`/`%{`. So the same context
//! renders both `terraform` and `terraform-json`.

#[cfg(feature = "templates")]
use std::collections::HashMap;

use hcl::{Expression, Identifier};
use unicode_segmentation::UnicodeSegmentation;

use crate::blueprint::Value;
use crate::catalog::{provider_schema, ArgType, BlockSchema, Provider};
use crate::check::CheckedBlueprint;
use crate::reference::{Part, Template};

#[cfg(feature = "templates")]
use super::templates::{arg_str, arg_usize};

#[cfg(feature = "templates")]
type Args = HashMap<String, Value>;

/// One piece of a Terraform template string.
enum Segment<'a> {
    Literal(String),
    Interp(&'a str),
}

/// Splits a Terraform JSON-syntax string into literal text (escapes resolved) and `${...}`
/// interpolations.
fn segments(s: &str) -> Result<Vec<Segment<'_>>, String> {
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut rest = s;
    loop {
        let next = rest.find(['$', '%']);
        let Some(pos) = next else {
            lit.push_str(rest);
            break;
        };
        lit.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(after) = tail.strip_prefix("$${") {
            lit.push_str("${");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("%%{") {
            lit.push_str("%{");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("${") {
            let end = after
                .find('}')
                .ok_or_else(|| format!("unclosed `${{` in {s:?}"))?;
            if !lit.is_empty() {
                out.push(Segment::Literal(std::mem::take(&mut lit)));
            }
            out.push(Segment::Interp(after[..end].trim()));
            rest = &after[end + 1..];
        } else if tail.starts_with("%{") {
            return Err(format!("template directives are not supported: {s:?}"));
        } else {
            // A lone `$` or `%`.
            lit.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    if !lit.is_empty() || out.is_empty() {
        out.push(Segment::Literal(lit));
    }
    Ok(out)
}

/// A literal string written as the inside of an HCL quoted string (escaped by hcl-rs).
///
/// hcl-rs (hcl-primitives 0.1) escapes only the first of two adjacent marker characters once it
/// has escaped one marker: after `${`, the text `$${x}` came out unchanged (Terraform reads
/// `${x}`: a `$` lost) and `%${x}` too (a live interpolation from literal text). So the text is
/// cut before every `${` and `%{`, where each piece holds at most one marker, at its start,
/// which hcl-rs escapes correctly; found by the injection corpus (tests/vectors/injection/).
fn escaped_fragment(lit: &str) -> Result<String, String> {
    let mut out = String::with_capacity(lit.len() + 8);
    let mut start = 0;
    for (i, pair) in lit.as_bytes().windows(2).enumerate() {
        if matches!(pair, [b'$' | b'%', b'{']) && i > start {
            // `i` is at an ASCII byte, so a char boundary.
            escape_piece(lit.get(start..i).unwrap_or_default(), &mut out)?;
            start = i;
        }
    }
    escape_piece(lit.get(start..).unwrap_or_default(), &mut out)?;
    Ok(out)
}

fn escape_piece(piece: &str, out: &mut String) -> Result<(), String> {
    let quoted = hcl::format::to_string(&Expression::String(piece.to_string()))
        .map_err(|e| e.to_string())?;
    out.push_str(
        quoted
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .unwrap_or(&quoted),
    );
    Ok(())
}

/// A literal string as a quoted HCL string.
fn quoted_literal(s: &str) -> Result<String, String> {
    Ok(format!("\"{}\"", escaped_fragment(s)?))
}

/// `[A-Za-z_][A-Za-z0-9_-]*`: an HCL identifier.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn number(n: &serde_json::Number) -> Result<hcl::Number, String> {
    if let Some(i) = n.as_i64() {
        Ok(hcl::Number::from(i))
    } else if let Some(u) = n.as_u64() {
        Ok(hcl::Number::from(u))
    } else {
        n.as_f64()
            .and_then(hcl::Number::from_f64)
            .ok_or_else(|| format!("{n} is not a finite number"))
    }
}

// ---------------------------------------------------------------------------------------------
// The writer. Values are written straight into the output text (10,000 resources must render in
// a few milliseconds), in the layout `terraform fmt` keeps: objects and blocks one entry per line,
// short lists of scalars on one line. Every string that needs any escaping is escaped by hcl-rs
// (quotes, backslashes, control characters, `${`/`%{`); a string that needs none is written as
// it is, which is exactly what hcl-rs would write. Identifiers are validated by hcl-rs.

/// Longest one-line list; longer ones get one item per line.
const INLINE_LIST_MAX: usize = 100;

/// True when `s` needs no escaping at all inside an HCL quoted string.
fn plain(s: &str) -> bool {
    s.bytes()
        .all(|b| b >= 0x20 && b != 0x7f && b != b'"' && b != b'\\')
        && !s.contains("${")
        && !s.contains("%{")
}

fn write_literal_string(out: &mut String, s: &str) -> Result<(), String> {
    if plain(s) {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&quoted_literal(s)?);
    }
    Ok(())
}

/// A reference expression after validation (`aws_vpc.main.id`, `tags["Owner"]`).
fn write_reference(out: &mut String, e: &str) -> Result<(), String> {
    out.push_str(&traversal_text(e)?);
    Ok(())
}

/// The keyword `ignore_changes` takes to ignore every argument (`ignore_changes = all`).
pub(crate) const IGNORE_ALL: &str = "all";

/// A static traversal as HCL text, as `ignore_changes`, `depends_on` and Terraform JSON's
/// `ignore_changes` strings take it: a name, then any of `.name`, `[N]` and `["key"]`. The key
/// of `["key"]` is literal text up to the first `"]` (how the blueprint check reads it), written
/// as an HCL string (quotes, backslashes, `${` and `%{` escaped).
pub(crate) fn traversal_text(e: &str) -> Result<String, String> {
    let bad = || format!("`{e}` is not a reference");
    let name = |n: &str| {
        n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            && is_identifier(n)
    };
    let root_end = e.find(['.', '[']).unwrap_or(e.len());
    let (root, mut rest) = e.split_at(root_end);
    if !name(root) {
        return Err(bad());
    }
    let mut out = String::with_capacity(e.len() + 4);
    out.push_str(root);
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let attr = after.get(..end).unwrap_or_default();
            if !name(attr) {
                return Err(bad());
            }
            out.push('.');
            out.push_str(attr);
            rest = after.get(end..).unwrap_or_default();
        } else if let Some(after) = rest.strip_prefix("[\"") {
            let end = after.find("\"]").ok_or_else(bad)?;
            out.push('[');
            out.push_str(&quoted_literal(after.get(..end).unwrap_or_default())?);
            out.push(']');
            rest = after.get(end + 2..).unwrap_or_default();
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').ok_or_else(bad)?;
            let index: u64 = after
                .get(..end)
                .unwrap_or_default()
                .trim()
                .parse()
                .map_err(|_| bad())?;
            out.push('[');
            out.push_str(&index.to_string());
            out.push(']');
            rest = after.get(end + 1..).unwrap_or_default();
        } else {
            return Err(bad());
        }
    }
    Ok(out)
}

/// How the strings of a value are written.
#[derive(Clone, Copy)]
pub(crate) enum Strings<'b> {
    /// Literal text (variable defaults).
    Literal,
    /// Terraform JSON syntax: `${expr}` references, `$${`/`%%{` escapes.
    TerraformJson,
    /// Blueprint syntax: `${name.attr}` references to this blueprint's resources and
    /// variables, `$${` escapes; everything else literal text (`%{` included).
    Blueprint(&'b CheckedBlueprint),
}

/// A blueprint string (see [`Strings::Blueprint`]): a whole-string reference as a bare
/// traversal, mixed text as a quoted template, literal text escaped.
fn write_blueprint_string(out: &mut String, s: &str, bp: &CheckedBlueprint) -> Result<(), String> {
    if !s.contains("${") {
        return write_literal_string(out, s);
    }
    let t = Template::parse(s).map_err(|e| e.message)?;
    match t.parts.as_slice() {
        [Part::Ref(r)] => super::terraform::reference_expr(bp, r, out),
        parts => {
            out.push('"');
            for part in parts {
                match part {
                    Part::Literal(l) if plain(l) => out.push_str(l),
                    Part::Literal(l) => out.push_str(&escaped_fragment(l)?),
                    Part::Ref(r) => {
                        out.push_str("${");
                        super::terraform::reference_expr(bp, r, out);
                        out.push('}');
                    }
                }
            }
            out.push('"');
        }
    }
    Ok(())
}

/// A string written as `mode` says.
fn write_string(out: &mut String, s: &str, mode: Strings<'_>) -> Result<(), String> {
    let template = match mode {
        Strings::Literal => false,
        Strings::TerraformJson => true,
        Strings::Blueprint(bp) => return write_blueprint_string(out, s, bp),
    };
    if !template || !(s.contains("${") || s.contains("%{") || s.contains("%%{")) {
        return write_literal_string(out, s);
    }
    let segs = segments(s)?;
    match segs.as_slice() {
        [Segment::Interp(e)] => write_reference(out, e),
        [Segment::Literal(l)] => write_literal_string(out, l),
        _ => {
            out.push('"');
            for seg in &segs {
                match seg {
                    Segment::Literal(l) if plain(l) => out.push_str(l),
                    Segment::Literal(l) => out.push_str(&escaped_fragment(l)?),
                    Segment::Interp(e) => {
                        out.push_str("${");
                        write_reference(out, e)?;
                        out.push('}');
                    }
                }
            }
            out.push('"');
            Ok(())
        }
    }
}

fn write_key(out: &mut String, k: &str, mode: Strings<'_>) -> Result<(), String> {
    let template = matches!(mode, Strings::TerraformJson);
    let text = if template && (k.contains("$${") || k.contains("%%{")) {
        let mut lit = String::new();
        for seg in segments(k)? {
            match seg {
                Segment::Literal(l) => lit.push_str(&l),
                Segment::Interp(_) => return Err(format!("object key {k:?} holds an expression")),
            }
        }
        lit
    } else {
        k.to_string()
    };
    if is_identifier(&text) && !matches!(text.as_str(), "true" | "false" | "null") {
        out.push_str(&text);
        Ok(())
    } else {
        write_literal_string(out, &text)
    }
}

fn pad(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn write_value(
    out: &mut String,
    v: &Value,
    template: Strings<'_>,
    indent: usize,
) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            number(n)?;
            out.push_str(&n.to_string());
        }
        Value::String(s) => write_string(out, s, template)?,
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            let start = out.len();
            if items
                .iter()
                .all(|i| !matches!(i, Value::Array(_) | Value::Object(_)))
            {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_value(out, item, template, indent)?;
                }
                out.push(']');
                let one_line = out.get(start..).is_some_and(|t| !t.contains('\n'));
                if one_line && out.len() - start <= INLINE_LIST_MAX {
                    return Ok(());
                }
                out.truncate(start);
            }
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                pad(out, indent + 1);
                write_value(out, item, template, indent + 1)?;
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            pad(out, indent);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push_str("{\n");
            for (k, v) in map {
                pad(out, indent + 1);
                write_key(out, k, template)?;
                out.push_str(" = ");
                write_value(out, v, template, indent + 1)?;
                out.push('\n');
            }
            pad(out, indent);
            out.push('}');
        }
    }
    Ok(())
}

fn check_ident(k: &str) -> Result<(), String> {
    if is_identifier(k) && Identifier::new(k).is_ok() {
        Ok(())
    } else {
        Err(format!("`{k}` is not an HCL identifier"))
    }
}

fn write_attribute(
    out: &mut String,
    k: &str,
    v: &Value,
    template: Strings<'_>,
    indent: usize,
) -> Result<(), String> {
    check_ident(k)?;
    pad(out, indent);
    out.push_str(k);
    out.push_str(" = ");
    write_value(out, v, template, indent)?;
    out.push('\n');
    Ok(())
}

/// A list of bare references (`depends_on`, `ignore_changes`).
fn write_refs(out: &mut String, items: &[Value], indent: usize) -> Result<(), String> {
    let start = out.len();
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let s = item.as_str().ok_or("a reference list holds strings")?;
        write_reference(out, s)?;
    }
    out.push(']');
    if out.len() - start <= INLINE_LIST_MAX {
        return Ok(());
    }
    out.truncate(start);
    out.push_str("[\n");
    for (i, item) in items.iter().enumerate() {
        pad(out, indent + 1);
        write_reference(out, item.as_str().unwrap_or_default())?;
        if i + 1 < items.len() {
            out.push(',');
        }
        out.push('\n');
    }
    pad(out, indent);
    out.push(']');
    Ok(())
}

fn write_block(
    out: &mut String,
    k: &str,
    map: &serde_json::Map<String, Value>,
    schema: Option<&BlockSchema>,
    mode: Strings<'_>,
    indent: usize,
) -> Result<(), String> {
    check_ident(k)?;
    if !out.is_empty() && !out.ends_with("{\n") {
        out.push('\n');
    }
    pad(out, indent);
    out.push_str(k);
    out.push_str(" {\n");
    write_body(out, map, schema, mode, indent + 1)?;
    pad(out, indent);
    out.push_str("}\n");
    Ok(())
}

/// The arguments of a block: attributes, and nested blocks where the schema says so.
pub(crate) fn write_body(
    out: &mut String,
    map: &serde_json::Map<String, Value>,
    schema: Option<&BlockSchema>,
    mode: Strings<'_>,
    indent: usize,
) -> Result<(), String> {
    let mut after_block = false;
    for (k, v) in map {
        if v.is_null() {
            continue;
        }
        let nested = schema.and_then(|s| s.get(k)).and_then(|a| match &a.ty {
            ArgType::Block(b) | ArgType::BlockList(b) => Some(b),
            _ => None,
        });
        match (nested, v) {
            (Some(inner), Value::Object(m)) => {
                write_block(out, k, m, Some(inner), mode, indent)?;
                after_block = true;
            }
            (Some(inner), Value::Array(items))
                if items.iter().all(|i| matches!(i, Value::Object(_))) =>
            {
                for item in items {
                    if let Value::Object(m) = item {
                        write_block(out, k, m, Some(inner), mode, indent)?;
                    }
                }
                after_block = !items.is_empty() || after_block;
            }
            (Some(_), _) => {
                return Err(format!(
                    "`{k}` is a nested block; it takes an object or a list of objects"
                ))
            }
            (None, v) => {
                if after_block {
                    out.push('\n');
                    after_block = false;
                }
                write_attribute(out, k, v, mode, indent)?;
            }
        }
    }
    Ok(())
}

/// The body of a resource block from a resource of the context: `count`, the arguments (nested
/// blocks per the provider schema), `depends_on`, `lifecycle`.
fn write_resource_body(out: &mut String, r: &serde_json::Map<String, Value>) -> Result<(), String> {
    if let Some(count) = r.get("count").filter(|c| !c.is_null()) {
        write_attribute(out, "count", count, Strings::Literal, 1)?;
        out.push('\n');
    }
    let type_name = r.get("type").and_then(Value::as_str).unwrap_or_default();
    let schema = Provider::owning(type_name).and_then(|p| provider_schema(p).get(type_name));
    if let Some(props) = r.get("properties").and_then(Value::as_object) {
        write_body(out, props, schema, Strings::TerraformJson, 1)?;
    }
    if let Some(deps) = r
        .get("depends_on")
        .and_then(Value::as_array)
        .filter(|d| !d.is_empty())
    {
        out.push_str("\n  depends_on = ");
        write_refs(out, deps, 1)?;
        out.push('\n');
    }
    if let Some(l) = r
        .get("lifecycle")
        .and_then(Value::as_object)
        .filter(|l| !l.is_empty())
    {
        out.push_str("\n  lifecycle {\n");
        for (k, v) in l {
            match (k.as_str(), v) {
                ("ignore_changes", Value::String(all)) if all == IGNORE_ALL => {
                    out.push_str("    ignore_changes = all\n");
                }
                ("ignore_changes" | "replace_triggered_by", Value::Array(items)) => {
                    out.push_str("    ");
                    out.push_str(k);
                    out.push_str(" = ");
                    write_refs(out, items, 2)?;
                    out.push('\n');
                }
                _ => write_attribute(out, k, v, Strings::Literal, 2)?,
            }
        }
        out.push_str("  }\n");
    }
    Ok(())
}

/// A whole `resource` block (with its description as comment lines before it), written straight
/// from the blueprint: what `main.tf.tera` of the Terraform format lays out. `props` are the
/// arguments in blueprint syntax, `depends_on` the addresses of explicit dependencies.
pub(crate) fn write_resource_block(
    out: &mut String,
    bp: &CheckedBlueprint,
    r: &crate::blueprint::Resource,
    type_name: &str,
    props: &serde_json::Map<String, Value>,
    depends_on: &[Value],
) -> Result<(), String> {
    if let Some(d) = &r.description {
        let normalized = d.replace("\r\n", "\n").replace('\r', "\n");
        for line in normalized.split('\n') {
            out.push('#');
            if !line.is_empty() {
                out.push(' ');
                out.push_str(line);
            }
            out.push('\n');
        }
    }
    out.push_str("resource ");
    write_literal_string(out, type_name)?;
    out.push(' ');
    write_literal_string(out, &r.name)?;
    out.push_str(" {\n");
    let start = out.len();
    if let Some(count) = r.count {
        out.push_str("  count = ");
        out.push_str(&count.to_string());
        out.push_str("\n\n");
    }
    let schema = provider_schema(bp.provider()).get(type_name);
    write_body(out, props, schema, Strings::Blueprint(bp), 1)?;
    if !depends_on.is_empty() {
        out.push_str("\n  depends_on = ");
        write_refs(out, depends_on, 1)?;
        out.push('\n');
    }
    let l = &r.lifecycle;
    if !l.is_default() {
        out.push_str("\n  lifecycle {\n");
        if l.create_before_destroy {
            out.push_str("    create_before_destroy = true\n");
        }
        if l.ignore_changes.iter().any(|c| c == IGNORE_ALL) {
            // A keyword, not a list: `[all]` would name an argument called `all`.
            out.push_str("    ignore_changes = all\n");
        } else if !l.ignore_changes.is_empty() {
            let items: Vec<Value> = l
                .ignore_changes
                .iter()
                .map(|c| Value::String(c.clone()))
                .collect();
            out.push_str("    ignore_changes = ");
            write_refs(out, &items, 2)?;
            out.push('\n');
        }
        if l.prevent_destroy {
            out.push_str("    prevent_destroy = true\n");
        }
        out.push_str("  }\n");
    }
    while out.len() > start && out.ends_with('\n') {
        out.pop();
    }
    out.push_str("\n}\n");
    Ok(())
}

// What the filters below write (`hcl_string`, `hcl_value`, `hcl_literal`, `hcl_ident`,
// `hcl_type`), for the Terraform files the engine writes without tera (`terraform::embedded_file`).

/// A value as a quoted HCL string literal (a string as it is, anything else as its JSON text).
pub(crate) fn string(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => quoted_literal(s),
        other => quoted_literal(&other.to_string()),
    }
}

/// A Terraform JSON-syntax value as an HCL expression, continuation lines indented by `indent`.
pub(crate) fn expression(out: &mut String, value: &Value, indent: usize) -> Result<(), String> {
    write_value(out, value, Strings::TerraformJson, indent)
}

/// A value whose strings are literal text (variable defaults) as an HCL expression.
pub(crate) fn literal(out: &mut String, value: &Value, indent: usize) -> Result<(), String> {
    write_value(out, value, Strings::Literal, indent)
}

/// A string that must be an HCL identifier.
pub(crate) fn ident(value: &Value) -> Result<&str, String> {
    match value.as_str() {
        Some(s) if is_identifier(s) => Ok(s),
        _ => Err(format!("{value} is not an HCL identifier")),
    }
}

/// A variable type expression (`string`, `list(number)`, ...), validated; `string` when absent.
pub(crate) fn var_type(value: &Value) -> Result<String, String> {
    let text = value.as_str().unwrap_or("string");
    crate::check::VarType::parse(text).map(|t| t.to_string())
}

#[cfg(feature = "templates")]
/// `hcl_string`: a string as a quoted HCL string literal.
pub(crate) fn filter_string(value: &Value, _args: &Args) -> tera::Result<Value> {
    Ok(Value::String(string(value).map_err(tera::Error::msg)?))
}

#[cfg(feature = "templates")]
/// `hcl_value`: a Terraform JSON-syntax value as an HCL expression; `indent=N` for its
/// continuation lines.
pub(crate) fn filter_value(value: &Value, args: &Args) -> tera::Result<Value> {
    let mut out = String::new();
    expression(&mut out, value, arg_usize(args, "indent", 0)).map_err(tera::Error::msg)?;
    Ok(Value::String(out))
}

#[cfg(feature = "templates")]
/// `hcl_literal`: a value whose strings are literal text (variable defaults) as an HCL expression.
pub(crate) fn filter_literal(value: &Value, args: &Args) -> tera::Result<Value> {
    let mut out = String::new();
    literal(&mut out, value, arg_usize(args, "indent", 0)).map_err(tera::Error::msg)?;
    Ok(Value::String(out))
}

#[cfg(feature = "templates")]
/// `hcl_body`: an object of arguments as the lines of a block body, indented by `indent` levels
/// (default 1); `type=` a Terraform resource type writes its nested blocks as blocks.
pub(crate) fn filter_body(value: &Value, args: &Args) -> tera::Result<Value> {
    let Value::Object(map) = value else {
        return Err(tera::Error::msg("hcl_body expects an object"));
    };
    let type_name = arg_str(args, "type", "");
    let schema = Provider::owning(type_name).and_then(|p| provider_schema(p).get(type_name));
    let mut out = String::new();
    write_body(
        &mut out,
        map,
        schema,
        Strings::TerraformJson,
        arg_usize(args, "indent", 1),
    )
    .map_err(tera::Error::msg)?;
    while out.ends_with('\n') {
        out.pop();
    }
    Ok(Value::String(out))
}

#[cfg(feature = "templates")]
/// `hcl_resource_body`: a resource of the context (`count`, `properties`, `depends_on`,
/// `lifecycle`) as the lines of its `resource` block body.
pub(crate) fn filter_resource_body(value: &Value, _args: &Args) -> tera::Result<Value> {
    let Value::Object(r) = value else {
        return Err(tera::Error::msg("hcl_resource_body expects a resource"));
    };
    let mut out = String::with_capacity(512);
    write_resource_body(&mut out, r).map_err(tera::Error::msg)?;
    while out.ends_with('\n') {
        out.pop();
    }
    Ok(Value::String(out))
}

#[cfg(feature = "templates")]
/// `hcl_refs`: a list of addresses or argument names (`aws_vpc.main`, `tags`) as an HCL list of
/// bare references (for `depends_on`, `ignore_changes`).
pub(crate) fn filter_refs(value: &Value, args: &Args) -> tera::Result<Value> {
    if value.as_str() == Some(IGNORE_ALL) {
        // `ignore_changes = all` (the context's `lifecycle.ignore_changes` is `"all"` then).
        return Ok(Value::String(IGNORE_ALL.into()));
    }
    let Value::Array(items) = value else {
        return Err(tera::Error::msg("hcl_refs expects a list"));
    };
    let mut out = String::new();
    write_refs(&mut out, items, arg_usize(args, "indent", 0)).map_err(tera::Error::msg)?;
    Ok(Value::String(out))
}

#[cfg(feature = "templates")]
/// `hcl_ident`: a string that must be an HCL identifier (an error otherwise).
pub(crate) fn filter_ident(value: &Value, _args: &Args) -> tera::Result<Value> {
    ident(value)
        .map(|s| Value::String(s.to_string()))
        .map_err(tera::Error::msg)
}

#[cfg(feature = "templates")]
/// `hcl_type`: a variable type expression (`string`, `list(number)`, ...), validated.
pub(crate) fn filter_type(value: &Value, _args: &Args) -> tera::Result<Value> {
    var_type(value).map(Value::String).map_err(tera::Error::msg)
}

#[cfg(feature = "templates")]
/// `hcl_comment`: text as `#` comment lines (one per line of the text).
pub(crate) fn filter_comment(value: &Value, _args: &Args) -> tera::Result<Value> {
    let text = value.as_str().unwrap_or_default();
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = normalized
        .split('\n')
        .map(|l| {
            if l.is_empty() {
                "#".to_string()
            } else {
                format!("# {l}")
            }
        })
        .collect();
    Ok(Value::String(lines.join("\n")))
}

/// Final pass over a rendered `.tf` file: trailing spaces removed, no blank line right after an
/// opening brace or right before a closing one, at most one blank line in a row, exactly one
/// newline at the end, and `=` aligned as `terraform fmt` aligns them: a run of lines that each
/// assign a whole single-line value breaks at any other line (blank, block header, closing brace,
/// comment, multi-line value); within a run, every `=` goes one column after the longest name.
/// HCL strings never hold raw newlines (they are escaped), so working line by line cannot touch
/// a value.
pub(crate) fn finish(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    Tidy::new().feed(text, &mut out);
    out
}

/// [`finish`] fed piece by piece: feeding the pieces of a text one after the other writes what
/// `finish` writes for the whole text, provided every piece but the last ends where a line ends
/// (the text goes on with `\n`) and no run of assignments spans two pieces (a piece's last line
/// that is not blank is not an assignment, e.g. a block's closing `}`). The Terraform writer feeds
/// each resource block as soon as it is written, so no text of the whole file is read twice.
pub(crate) struct Tidy {
    /// A blank line is pending.
    blank: bool,
    /// The last kept line opened a block (or none was kept yet).
    after_open: bool,
    /// The current run of assignments: (start, end, offset of `=` in the line, columns of the
    /// name) of lines of the text being fed (kept across feeds only for its allocation).
    run: Vec<(usize, usize, usize, usize)>,
}

impl Tidy {
    pub(crate) fn new() -> Self {
        Tidy {
            blank: false,
            after_open: true,
            run: Vec::new(),
        }
    }

    /// Tidies the lines of `text` into `out`.
    pub(crate) fn feed(&mut self, text: &str, out: &mut String) {
        // Tidy as the lines stream by: a blank line is held back until the next line shows
        // whether it stays (never after an opening line, never before a closing one, never two
        // in a row, none at the end).
        let mut start = 0;
        for raw in text.split('\n') {
            let line_start = start;
            start += raw.len() + 1;
            let line = raw.trim_end();
            if line.is_empty() {
                self.blank |= !self.after_open;
                continue;
            }
            if self.blank && !line.trim_start().starts_with('}') {
                self.flush(text, out);
                out.push('\n');
            }
            self.blank = false;
            // One kept line: an assignment joins the run, any other line ends it.
            match assignment(line) {
                Some(eq) => {
                    let cols = columns(line.get(..eq).unwrap_or("").trim_end());
                    self.run
                        .push((line_start, line_start + line.len(), eq, cols));
                }
                None => {
                    self.flush(text, out);
                    out.push_str(line);
                    out.push('\n');
                }
            }
            self.after_open = line.ends_with('{');
        }
        self.flush(text, out);
    }

    /// Writes the run with its `=` signs aligned one space after the widest name.
    fn flush(&mut self, text: &str, out: &mut String) {
        let width = self.run.iter().map(|r| r.3).max().unwrap_or(0);
        for &(start, end, e, cols) in &self.run {
            let l = text.get(start..end).unwrap_or("");
            out.push_str(l.get(..e).unwrap_or("").trim_end());
            for _ in 0..(width - cols + 1) {
                out.push(' ');
            }
            out.push_str(l.get(e..).unwrap_or(""));
            out.push('\n');
        }
        self.run.clear();
    }
}

/// Aligns `=` signs (see [`finish`]), keeping everything else as it is.
#[cfg(test)]
fn align(text: &str) -> String {
    let mut out = finish(text);
    if !text.ends_with('\n') {
        out.pop();
    }
    out
}

/// Display columns of a lead, counted in grapheme clusters as `terraform fmt` counts them.
fn columns(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.graphemes(true).count()
    }
}

/// The byte offset of the `=` of a line that assigns a whole single-line value, if it does.
fn assignment(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    // A quick answer for lines that cannot assign (`}`, `resource "a" "b" {`, comments).
    let first = bytes.iter().position(|b| *b != b' ' && *b != b'\t')?;
    if matches!(bytes.get(first), Some(b'}' | b'#' | b'/')) || !bytes.contains(&b'=') {
        return None;
    }
    // Strings and interpolations nest alternately (code, string, code inside `${`, ...), so the
    // nesting is a level: odd levels are code, even levels are strings.
    let mut level: usize = 1;
    // Brace depth at which each open `${` interpolation started, to find its end.
    const MAX_INTERP: usize = 16;
    let mut interp_depth = [0usize; MAX_INTERP];
    let mut interps = 0usize;
    let mut depth: usize = 0;
    let mut eq: Option<usize> = None;
    let mut seen_token = false;
    let mut net: i64 = 0;
    let mut i = first;
    while i < bytes.len() {
        let c = bytes.get(i).copied().unwrap_or(0);
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        if level % 2 == 0 {
            // In a string.
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'"' {
                level -= 1;
            } else if (c == b'$' || c == b'%') && next == b'{' {
                // `$${` / `%%{` are escapes: skip the doubled marker.
                if i > 0 && bytes.get(i - 1) == Some(&c) {
                    i += 1;
                    continue;
                }
                let slot = interp_depth.get_mut(interps)?;
                *slot = depth;
                interps += 1;
                level += 1;
                depth += 1;
                i += 2;
                continue;
            }
        } else {
            match c {
                b'#' => break,
                b'/' if next == b'/' || next == b'*' => break,
                b'"' => {
                    level += 1;
                    seen_token = true;
                }
                b'{' | b'[' | b'(' => {
                    depth += 1;
                    if eq.is_some() {
                        net += 1;
                    }
                    seen_token = true;
                }
                b'}' | b']' | b')' => {
                    depth = depth.saturating_sub(1);
                    let closes_interp =
                        c == b'}' && interps > 0 && interp_depth.get(interps - 1) == Some(&depth);
                    if closes_interp {
                        interps -= 1;
                        level -= 1;
                    } else if eq.is_some() {
                        net -= 1;
                    }
                    seen_token = true;
                }
                b'=' => {
                    let prev = if i > 0 {
                        bytes.get(i - 1).copied()
                    } else {
                        None
                    };
                    let is_op = next == b'='
                        || next == b'>'
                        || matches!(prev, Some(b'=' | b'!' | b'<' | b'>'));
                    if !is_op && eq.is_none() && level == 1 && seen_token {
                        eq = Some(i);
                    }
                    seen_token = true;
                }
                b' ' | b'\t' => {}
                _ => seen_token = true,
            }
        }
        i += 1;
    }
    match eq {
        Some(pos) if net == 0 => Some(pos),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_marker_is_escaped_even_after_a_dollar_or_percent() {
        // hcl-rs alone wrote `$${a} $${b}` and `$${a} %${b}` for these (a lost `$`, a live
        // interpolation).
        for (text, escaped) in [
            ("${a} $${b}", "$${a} $$${b}"),
            ("${a} %${b}", "$${a} %$${b}"),
            (
                "${a} $%{ if b }c$%{ endif }",
                "$${a} $%%{ if b }c$%%{ endif }",
            ),
            ("%{a}%%{b}$${c}", "%%{a}%%%{b}$$${c}"),
            ("plain \"q\" \\ \n", "plain \\\"q\\\" \\\\ \\n"),
            ("$", "$"),
            ("", ""),
        ] {
            assert_eq!(escaped_fragment(text).unwrap(), escaped, "{text:?}");
            let back: hcl::Body = hcl::parse(&format!("x = \"{escaped}\"\n")).unwrap();
            let hcl::Structure::Attribute(a) = back.iter().next().unwrap() else {
                panic!("not an attribute")
            };
            let literal = match &a.expr {
                Expression::String(s) => s.clone(),
                Expression::TemplateExpr(t) => {
                    let t = hcl::Template::from_expr(t).unwrap();
                    t.elements()
                        .iter()
                        .map(|e| match e {
                            hcl::template::Element::Literal(l) => l.clone(),
                            other => panic!("{text:?} became {other:?}"),
                        })
                        .collect()
                }
                other => panic!("{other:?}"),
            };
            assert_eq!(literal, text);
        }
    }

    #[test]
    fn aligns_runs_like_terraform_fmt() {
        let text = "resource \"a\" \"b\" {\n  count = 2\n  cidr_block = \"10.0.0.0/16\"\n  tags = {\n    Name = \"x\"\n    \"kubernetes.io/role\" = \"elb\"\n  }\n\n  é = 1\n  ab = 2\n}\n";
        let expected = "resource \"a\" \"b\" {\n  count      = 2\n  cidr_block = \"10.0.0.0/16\"\n  tags = {\n    Name                 = \"x\"\n    \"kubernetes.io/role\" = \"elb\"\n  }\n\n  é  = 1\n  ab = 2\n}\n";
        assert_eq!(align(text), expected);
    }

    #[test]
    fn assignment_detection() {
        assert_eq!(assignment("  a = 1"), Some(4));
        assert_eq!(assignment("  a = {"), None);
        assert_eq!(assignment("  a = \"x = {\""), Some(4));
        assert_eq!(assignment("  a = \"${aws_vpc.main.id}-{\""), Some(4));
        assert_eq!(assignment("  a = \"$${x\""), Some(4));
        assert_eq!(assignment("  # a = 1"), None);
        assert_eq!(assignment("  = 1"), None);
        assert_eq!(assignment("  a = b == c"), Some(4));
        assert_eq!(assignment("}"), None);
    }

    #[test]
    fn strings_and_references() {
        let w = |s: &str, t: bool| {
            let mut out = String::new();
            let mode = if t {
                Strings::TerraformJson
            } else {
                Strings::Literal
            };
            write_string(&mut out, s, mode).unwrap();
            out
        };
        assert_eq!(w("${aws_vpc.main.id}", true), "aws_vpc.main.id");
        assert_eq!(
            w("arn:${aws_s3_bucket.b.arn}/* $${x} %%{y} \"q\"", true),
            r#""arn:${aws_s3_bucket.b.arn}/* $${x} %%{y} \"q\"""#
        );
        assert_eq!(
            w("${aws_instance.web[1].id}", true),
            "aws_instance.web[1].id"
        );
        assert_eq!(w("${x} \u{8}\u{c}", false), r#""$${x} \u0008\u000c""#);
        assert!(write_string(&mut String::new(), "${a b}", Strings::TerraformJson).is_err());
    }
}
