//! Identifiers of the target formats: CloudFormation logical IDs (alphanumeric), TypeScript
//! identifiers, with collisions reported instead of silently renamed.

use crate::error::{Code, Result};
use crate::str_table::StrTable;

use super::gen_error;

/// `public_subnet_a` → `PublicSubnetA`, `web-2` → `Web2`: letters and digits only, each word
/// capitalized; a name that would start with a digit (or be empty) gets an `R` in front.
pub(crate) fn pascal_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'R');
    }
    out
}

/// `public_subnet_a` → `publicSubnetA` (a TypeScript identifier; reserved words get a `_`).
pub(crate) fn camel_case(name: &str) -> String {
    let pascal = pascal_case(name);
    let mut chars = pascal.chars();
    let mut out: String = match chars.next() {
        Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::from("r"),
    };
    if TS_RESERVED.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// Words TypeScript does not accept as variable names (plus names the generated code uses).
const TS_RESERVED: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "implements",
    "interface",
    "let",
    "package",
    "private",
    "protected",
    "public",
    "static",
    "yield",
    "await",
    "as",
    "any",
    "async",
    "of",
    "undefined",
    "cdk",
    "pulumi",
    "config",
    "app",
    "stack",
    "scope",
    "id",
    "props",
    "constructs",
    "aws",
    "gcp",
    "azure",
    "string",
    "number",
    "boolean",
    "symbol",
    "require",
    "module",
];

/// A set of identifiers already given out, each with the blueprint path that claimed it.
///
/// Identifiers compare without case (`Web` and `WEB` collide). The lowercased identifiers are
/// kept in a [`StrTable`], numbered in claim order, next to their claimants: a blueprint of
/// 10,000 resources claims 10,000 names, and a map of one allocated key and one claimant per
/// name (some 120 bytes a name, read at random) no longer fits in the cache with the rest of the
/// work, where this (some 30 bytes a name, of which only the table's 9 are read at random) does.
#[derive(Default)]
pub(crate) struct Namespace {
    /// The lowercased identifiers, in claim order.
    keys: StrTable,
    /// Per claim: who claimed it.
    claimants: Vec<Claimant>,
    /// The identifier being claimed, lowercased (reused from claim to claim).
    scratch: String,
}

impl std::fmt::Debug for Namespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Namespace")
            .field("claims", &self.claimants.len())
            .finish_non_exhaustive()
    }
}

/// Who claimed an identifier: a path, or the `name` of an item of a blueprint list, kept as
/// list and index until an error needs the path (a blueprint of 10,000 resources claims 10,000
/// names; their paths are wanted only when two collide).
#[derive(Debug)]
enum Claimant {
    Path(String),
    Item(&'static str, usize),
}

impl std::fmt::Display for Claimant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Claimant::Path(p) => f.write_str(p),
            Claimant::Item(list, i) => write!(f, "{list}[{i}].name"),
        }
    }
}

impl Namespace {
    /// A namespace with room for `n` identifiers before it grows.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Namespace {
            keys: StrTable::with_capacity(n, n * 16),
            claimants: Vec::with_capacity(n),
            scratch: String::new(),
        }
    }

    /// Claims `id` for the thing at `path`; an error naming both when it is taken.
    pub(crate) fn claim(&mut self, id: &str, path: &str) -> Result<String> {
        self.claim_as(id.to_string(), || Claimant::Path(path.to_string()))
    }

    /// Claims `id` for the `name` of item `index` of the blueprint's `list` (`resources`,
    /// `variables`, `outputs`): [`Namespace::claim`] with the path
    /// `list[index].name`, built only for an error.
    pub(crate) fn claim_item(
        &mut self,
        id: String,
        list: &'static str,
        index: usize,
    ) -> Result<String> {
        self.claim_as(id, || Claimant::Item(list, index))
    }

    fn claim_as(&mut self, id: String, claimant: impl FnOnce() -> Claimant) -> Result<String> {
        self.scratch.clear();
        self.scratch.push_str(&id);
        self.scratch.make_ascii_lowercase();
        // One lookup: the identifier is recorded (numbered, but not found again) even when it
        // is taken, so keys and claimants stay in step.
        let taken = self.keys.push(&self.scratch);
        let claimant = claimant();
        let error = taken.err().map(|first| {
            gen_error(
                Code::NameCollision,
                claimant.to_string(),
                format!(
                    "this name becomes the identifier `{id}`, which {} already has; rename one of them",
                    self.claimants.get(first).map(ToString::to_string).unwrap_or_default()
                ),
            )
        });
        self.claimants.push(claimant);
        match error {
            Some(e) => Err(e),
            None => Ok(id),
        }
    }

    /// Claims `id`, or `id_`, `id__`... when taken (for code variables, whose names nothing
    /// outside the generated file depends on).
    pub(crate) fn claim_free(&mut self, id: &str, path: &str) -> String {
        let mut candidate = id.to_string();
        self.scratch.clear();
        self.scratch.push_str(id);
        self.scratch.make_ascii_lowercase();
        while self.keys.find(&self.scratch).is_some() {
            candidate.push('_');
            self.scratch.push('_');
        }
        // Free, as just found: never a duplicate.
        let _ = self.keys.push(&self.scratch);
        self.claimants.push(Claimant::Path(path.to_string()));
        candidate
    }
}

/// A string as a TypeScript string literal (JSON quoting; U+2028/U+2029 escaped too).
pub(crate) fn ts_string(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""));
    if quoted.contains(['\u{2028}', '\u{2029}']) {
        quoted
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
    } else {
        quoted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(pascal_case("public_subnet_a"), "PublicSubnetA");
        assert_eq!(pascal_case("web-2"), "Web2");
        assert_eq!(pascal_case("_1"), "R1");
        assert_eq!(camel_case("main_vpc"), "mainVpc");
        assert_eq!(camel_case("default"), "default_");
        let mut ns = Namespace::default();
        ns.claim("MainVpc", "resources[0].name").unwrap();
        let e = ns.claim("MainVpc", "resources[3].name").unwrap_err();
        assert_eq!(e.code(), Code::NameCollision);
        assert_eq!(e.path(), "resources[3].name");
        ns.claim_item("Web".into(), "resources", 4).unwrap();
        let e = ns.claim("web", "outputs[1].name").unwrap_err();
        assert_eq!(e.path(), "outputs[1].name");
        assert!(
            e.to_string()
                .contains("which resources[4].name already has"),
            "{e}"
        );
        let e = ns.claim_item("WEB".into(), "resources", 7).unwrap_err();
        assert_eq!(e.path(), "resources[7].name");
    }
}
