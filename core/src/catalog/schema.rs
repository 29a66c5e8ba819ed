//! Terraform argument schemas of every resource type of the three providers, embedded compressed.
//!
//! The data (`catalog/schemas/terraform-*.schema`, format described in
//! `scripts/data/extract_schemas.py`) is inflated the first time a provider is needed, indexed by
//! type name, and each type's arguments are parsed the first time that type is looked up. So a
//! blueprint with three resource types pays for three types, not for 1,580.

use std::sync::OnceLock;

use super::Provider;

/// The value type of an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgType {
    /// A string.
    String,
    /// A number.
    Number,
    /// A boolean.
    Bool,
    /// Any value (the type was not recorded in the source schema).
    Any,
    /// A list or set of values.
    List(Box<ArgType>),
    /// A map from string keys to values.
    Map(Box<ArgType>),
    /// One nested block (an object), e.g. `versioning { enabled = true }`.
    Block(BlockSchema),
    /// A repeatable nested block (a list of objects), e.g. `ingress { ... }` several times.
    BlockList(BlockSchema),
}

impl ArgType {
    /// A short description for messages (`string`, `list(string)`, `block`, ...).
    pub fn describe(&self) -> String {
        match self {
            ArgType::String => "string".into(),
            ArgType::Number => "number".into(),
            ArgType::Bool => "bool".into(),
            ArgType::Any => "any".into(),
            ArgType::List(t) => format!("list({})", t.describe()),
            ArgType::Map(t) => format!("map({})", t.describe()),
            ArgType::Block(_) => "block (an object)".into(),
            ArgType::BlockList(_) => "list of blocks (objects)".into(),
        }
    }
}

/// One argument of a resource type or nested block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argument {
    /// The argument's name.
    pub name: String,
    /// Whether a configuration must set it.
    pub required: bool,
    /// Its value type.
    pub ty: ArgType,
}

/// The arguments of a resource type or nested block, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockSchema {
    /// The arguments, sorted by name.
    pub arguments: Vec<Argument>,
}

impl BlockSchema {
    /// Looks up an argument by name.
    pub fn get(&self, name: &str) -> Option<&Argument> {
        self.arguments
            .binary_search_by(|a| a.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.arguments.get(i))
    }

    /// Argument names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.arguments.iter().map(|a| a.name.as_str())
    }
}

/// One resource type: its arguments and, when recorded, the attributes the provider computes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct TypeSchema {
    block: BlockSchema,
    computed: Option<Vec<String>>,
}

/// The argument schema of one provider.
pub struct ProviderSchema {
    text: String,
    /// (type name range, body range) into `text`, sorted by type name.
    index: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
    parsed: Vec<OnceLock<TypeSchema>>,
    /// Where the data came from, from the file's header comment.
    pub origin: String,
}

impl std::fmt::Debug for ProviderSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSchema")
            .field("types", &self.index.len())
            .field("origin", &self.origin)
            .finish()
    }
}

static AWS: &[u8] = crate::embedded::packed!("catalog-schemas-terraform-aws.schema");
static AZURERM: &[u8] = crate::embedded::packed!("catalog-schemas-terraform-azurerm.schema");
static GOOGLE: &[u8] = crate::embedded::packed!("catalog-schemas-terraform-google.schema");

/// The schema of a provider's resource types (inflated on first use, then shared).
pub fn provider_schema(provider: Provider) -> &'static ProviderSchema {
    static CELLS: [OnceLock<ProviderSchema>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (cell, data) = match provider {
        Provider::Aws => (&CELLS[0], AWS),
        Provider::Azure => (&CELLS[1], AZURERM),
        Provider::Gcp => (&CELLS[2], GOOGLE),
    };
    cell.get_or_init(|| {
        // The data is produced by our own build script; a failure here would mean a corrupt build,
        // and an empty schema (every type unknown) is the safe degradation.
        let text = crate::embedded::text(data);
        ProviderSchema::from_text(text)
    })
}

impl ProviderSchema {
    fn from_text(text: String) -> ProviderSchema {
        let mut index = Vec::new();
        let mut origin = String::new();
        let mut current: Option<(std::ops::Range<usize>, usize)> = None;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            if let Some(name) = line.strip_prefix('@') {
                if let Some((name_range, body_start)) = current.take() {
                    index.push((name_range, body_start..start));
                }
                let name = name.trim_end();
                current = Some((start + 1..start + 1 + name.len(), offset));
            } else if let Some(comment) = line.strip_prefix("# ") {
                if origin.is_empty() {
                    origin = comment.trim_end().to_string();
                }
            }
        }
        if let Some((name_range, body_start)) = current {
            index.push((name_range, body_start..text.len()));
        }
        // The extractor writes types sorted; sort anyway so lookups never depend on it.
        index.sort_by(|a, b| text[a.0.clone()].cmp(&text[b.0.clone()]));
        let parsed = index.iter().map(|_| OnceLock::new()).collect();
        ProviderSchema {
            text,
            index,
            parsed,
            origin,
        }
    }

    /// Number of resource types.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when the schema holds no types.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Every resource type name, sorted.
    pub fn type_names(&self) -> impl Iterator<Item = &str> {
        self.index.iter().map(|(n, _)| &self.text[n.clone()])
    }

    /// Whether the provider has this resource type.
    pub fn contains(&self, type_name: &str) -> bool {
        self.position(type_name).is_some()
    }

    fn position(&self, type_name: &str) -> Option<usize> {
        self.index
            .binary_search_by(|(n, _)| self.text[n.clone()].cmp(type_name))
            .ok()
    }

    fn type_schema(&self, type_name: &str) -> Option<&TypeSchema> {
        let i = self.position(type_name)?;
        let (_, body) = self.index.get(i)?;
        let cell = self.parsed.get(i)?;
        Some(cell.get_or_init(|| parse_type(&self.text[body.clone()])))
    }

    /// The arguments of a resource type, parsed on first use.
    pub fn get(&self, type_name: &str) -> Option<&BlockSchema> {
        self.type_schema(type_name).map(|t| &t.block)
    }

    /// The attributes a resource type computes besides its arguments (`arn`, `dns_name`, ...;
    /// `id` always), or `None` when the data does not record them for this type.
    pub fn computed(&self, type_name: &str) -> Option<&[String]> {
        self.type_schema(type_name)?.computed.as_deref()
    }
}

/// Parses the indented argument lines of one type, and its ` ~ computed...` line.
fn parse_type(body: &str) -> TypeSchema {
    let mut computed = None;
    let lines: Vec<(usize, &str)> = body
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let depth = l.len() - l.trim_start_matches(' ').len();
            let text = l.trim();
            if depth == 1 && (text == "~" || text.starts_with("~ ")) {
                let mut attrs: Vec<String> = text
                    .split_whitespace()
                    .skip(1)
                    .map(str::to_string)
                    .collect();
                attrs.push("id".to_string());
                attrs.sort();
                attrs.dedup();
                computed = Some(attrs);
                return None;
            }
            Some((depth, text))
        })
        .collect();
    let mut pos = 0;
    TypeSchema {
        block: parse_level(&lines, &mut pos, 1),
        computed,
    }
}

fn parse_level(lines: &[(usize, &str)], pos: &mut usize, depth: usize) -> BlockSchema {
    let mut arguments = Vec::new();
    while let Some(&(d, line)) = lines.get(*pos) {
        if d < depth {
            break;
        }
        *pos += 1;
        if d > depth {
            // Children of an argument that is not a block: malformed data; skip them.
            continue;
        }
        let (name, code) = line.split_once(' ').unwrap_or((line, "a"));
        let required = code.ends_with('!');
        let code = code.trim_end_matches('!');
        let ty = match code {
            "B" => ArgType::Block(parse_level(lines, pos, depth + 1)),
            "L" => ArgType::BlockList(parse_level(lines, pos, depth + 1)),
            other => parse_type_code(other),
        };
        arguments.push(Argument {
            name: name.to_string(),
            required,
            ty,
        });
    }
    arguments.sort_by(|a, b| a.name.cmp(&b.name));
    BlockSchema { arguments }
}

fn parse_type_code(code: &str) -> ArgType {
    match code {
        "s" => ArgType::String,
        "n" => ArgType::Number,
        "b" => ArgType::Bool,
        _ => {
            if let Some(inner) = code.strip_prefix("l(").and_then(|c| c.strip_suffix(')')) {
                ArgType::List(Box::new(parse_type_code(inner)))
            } else if let Some(inner) = code.strip_prefix("m(").and_then(|c| c.strip_suffix(')')) {
                ArgType::Map(Box::new(parse_type_code(inner)))
            } else {
                ArgType::Any
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_aws_vpc_and_security_group() {
        let aws = provider_schema(Provider::Aws);
        assert!(aws.len() > 1500, "{}", aws.len());
        assert!(aws.origin.contains("hashicorp/aws"), "{}", aws.origin);
        let vpc = aws.get("aws_vpc").unwrap();
        assert_eq!(vpc.get("cidr_block").unwrap().ty, ArgType::String);
        assert_eq!(
            vpc.get("tags").unwrap().ty,
            ArgType::Map(Box::new(ArgType::String))
        );
        let sg = aws.get("aws_security_group").unwrap();
        let ArgType::BlockList(ingress) = &sg.get("ingress").unwrap().ty else {
            panic!("ingress is a block list")
        };
        assert_eq!(ingress.get("from_port").unwrap().ty, ArgType::Number);
        assert!(aws.get("aws_no_such_thing").is_none());
        let lb = aws.computed("aws_lb").unwrap();
        for attr in ["arn", "dns_name", "zone_id", "id"] {
            assert!(lb.iter().any(|a| a == attr), "aws_lb computes {attr}");
        }
        assert!(aws.get("aws_lb").unwrap().get("dns_name").is_none());
    }

    #[test]
    fn required_flags_and_nested_blocks() {
        let aws = provider_schema(Provider::Aws);
        let bucket = aws.get("aws_s3_bucket_versioning").unwrap();
        assert!(bucket.get("bucket").unwrap().required);
        let ArgType::Block(cfg) = &bucket.get("versioning_configuration").unwrap().ty else {
            panic!("versioning_configuration is a block")
        };
        assert!(cfg.get("status").unwrap().required);
    }

    #[test]
    fn azure_and_google_load() {
        assert!(provider_schema(Provider::Azure).contains("azurerm_virtual_network"));
        assert!(provider_schema(Provider::Gcp).contains("google_compute_network"));
    }
}
