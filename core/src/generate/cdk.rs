//! Lowering to an AWS CDK (TypeScript) app: the CloudFormation template of
//! [`super::cloudformation`], written as L1 (`Cfn*`) constructs whose construct IDs are the
//! template's logical IDs (so `cdk synth` gives back the same logical IDs, and adding a resource
//! never renames another). `Ref` becomes `.ref`, `Fn::GetAtt` `.attrX`, parameters `CfnParameter`,
//! `Fn::Sub`/`Fn::Base64` `cdk.Fn.sub`/`cdk.Fn.base64`. Every string is written as a JSON-quoted
//! TypeScript literal (never a template literal), so user text is never code.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use serde_json::json;

use crate::blueprint::Value;
use crate::check::CheckedBlueprint;
use crate::error::{Code, Result};

use super::cloudformation::{lower, mapping, plan, streamed, verbatim_paths};
use super::gen_error;
use super::idents::{camel_case, pascal_case, ts_string, Namespace};
use super::node::{Node, NodeMap, Str};
use super::values::truthy;

/// CloudFormation property name → CDK property name (`VPCSecurityGroups` → `vpcSecurityGroups`,
/// `MultiAZ` → `multiAz`, `Ipv4IpamPoolId` → `ipv4IpamPoolId`): words split where a lowercase
/// letter or digit meets an uppercase one, and before the last capital of a run of capitals
/// followed by a lowercase letter; the first word lowercased, the others capitalized.
pub(crate) fn cdk_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i > 0 {
            chars.get(i - 1).copied()
        } else {
            None
        };
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                // `ARNs`, `VPCs`: a plural `s` stays with its acronym.
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| {
                    n.is_ascii_lowercase()
                        && !(n == 's'
                            && chars
                                .get(i + 2)
                                .is_none_or(|after| after.is_ascii_uppercase()))
                }),
                _ => false,
            };
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut out = String::with_capacity(name.len());
    for (i, w) in words.iter().enumerate() {
        let lower = w.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut cs = lower.chars();
            if let Some(f) = cs.next() {
                out.push(f.to_ascii_uppercase());
                out.push_str(cs.as_str());
            }
        }
    }
    out
}

/// [`cdk_name`] of `name` pushed on `out`, without the intermediate strings for an ASCII name
/// (every CloudFormation property name): each letter is lowercased but where a word starts
/// after the first, the same character for character.
fn push_cdk_name(name: &str, out: &mut String) {
    if !name.is_ascii() {
        out.push_str(&cdk_name(name));
        return;
    }
    let b = name.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && match b.get(i - 1) {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                // `ARNs`, `VPCs`: a plural `s` stays with its acronym.
                Some(p) if p.is_ascii_uppercase() => b.get(i + 1).is_some_and(|&n| {
                    n.is_ascii_lowercase()
                        && !(n == b's' && b.get(i + 2).is_none_or(|a| a.is_ascii_uppercase()))
                }),
                _ => false,
            };
        out.push(char::from(if boundary {
            c
        } else {
            c.to_ascii_lowercase()
        }));
    }
}

fn is_ts_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// Logical ID → (variable, kind) where kind is "resource" or the parameter's CFN type.
type Vars<'a> = HashMap<&'a str, (String, &'a str)>;

struct Writer<'a, 't> {
    /// Logical ID → (variable, kind) where kind is "resource" or the parameter's CFN type.
    vars: &'a Vars<'a>,
    /// The logical IDs of the template's resources, sorted (the names of `Fn::Sub` that are
    /// IDs).
    ids: &'a [Str<'a>],
    /// The logical IDs the values written since the last [`Writer::take_refs`] refer to (as
    /// [`referenced_ids`] finds them), collected while writing so that each resource body is
    /// walked once.
    refs: RefCell<Vec<&'t str>>,
    /// Above zero below an entry whose references are already collected (no more are looked
    /// for there, as [`referenced_ids`] does not look).
    muted: Cell<usize>,
}

/// The verbatim paths (see [`verbatim_paths`]) below `key`, and whether `key` itself is one.
fn descend<'k>(candidates: &[&'k str], key: &str) -> (bool, Vec<&'k str>) {
    if candidates.is_empty() {
        return (false, Vec::new());
    }
    let mut exact = false;
    let mut below = Vec::new();
    for c in candidates {
        if let Some(rest) = c.strip_prefix(key) {
            if rest.is_empty() {
                exact = true;
            } else if let Some(r) = rest.strip_prefix('.') {
                below.push(r);
            }
        }
    }
    (exact, below)
}

/// `Endpoint.Address` → `attrEndpointAddress`, `DNSName` → `attrDnsName`.
fn attr_name(attr: &str) -> String {
    let mut out = String::from("attr");
    for seg in attr.split('.') {
        let c = cdk_name(seg);
        let mut chars = c.chars();
        if let Some(f) = chars.next() {
            out.push(f.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// A pseudo parameter as CDK code.
fn pseudo(name: &str) -> Option<&'static str> {
    Some(match name {
        "AWS::AccountId" => "cdk.Aws.ACCOUNT_ID",
        "AWS::Region" => "cdk.Aws.REGION",
        "AWS::Partition" => "cdk.Aws.PARTITION",
        "AWS::StackId" => "cdk.Aws.STACK_ID",
        "AWS::StackName" => "cdk.Aws.STACK_NAME",
        "AWS::URLSuffix" => "cdk.Aws.URL_SUFFIX",
        "AWS::NoValue" => "cdk.Aws.NO_VALUE",
        _ => return None,
    })
}

impl<'a, 't> Writer<'a, 't> {
    fn new(vars: &'a Vars<'a>, ids: &'a [Str<'a>]) -> Self {
        Writer {
            vars,
            ids,
            refs: RefCell::new(Vec::new()),
            muted: Cell::new(0),
        }
    }

    /// The logical IDs collected since the last call.
    fn take_refs(&self) -> Vec<&'t str> {
        std::mem::take(&mut *self.refs.borrow_mut())
    }

    /// Collects the references of the object entry `k: inner` itself (see [`entry_refs`]);
    /// true when it is a reference entry.
    fn collect(&self, k: &str, inner: &'t Node<'_>) -> bool {
        if self.muted.get() > 0 {
            return false;
        }
        entry_refs(k, inner, self.ids, &mut self.refs.borrow_mut())
    }

    /// Writes `v`; `verbatim` keeps object keys as they are (data, not property names);
    /// `paths` are the verbatim paths below this value.
    fn value(
        &self,
        v: &'t Node<'_>,
        indent: usize,
        verbatim: bool,
        paths: &[&str],
        out: &mut String,
    ) -> Result<()> {
        match v {
            Node::Null => out.push_str("undefined"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Number(n) => out.push_str(&n.to_string()),
            Node::String(s) => out.push_str(&ts_string(s)),
            Node::Array(items) => {
                if items.is_empty() {
                    out.push_str("[]");
                    return Ok(());
                }
                out.push_str("[\n");
                for item in items {
                    pad(out, indent + 1);
                    self.value(item, indent + 1, verbatim, paths, out)?;
                    out.push_str(",\n");
                }
                pad(out, indent);
                out.push(']');
            }
            Node::Object(m) => {
                if m.len() == 1 && self.intrinsic(m, indent, out)? {
                    return Ok(());
                }
                if m.is_empty() {
                    out.push_str("{}");
                    return Ok(());
                }
                out.push_str("{\n");
                for (k, v) in m.entries() {
                    pad(out, indent + 1);
                    let start = out.len();
                    if verbatim {
                        out.push_str(k);
                    } else {
                        push_cdk_name(k, out);
                    }
                    if !out.get(start..).is_some_and(is_ts_ident) {
                        let quoted = ts_string(out.get(start..).unwrap_or_default());
                        out.truncate(start);
                        out.push_str(&quoted);
                    }
                    out.push_str(": ");
                    let (exact, below) = descend(paths, k);
                    let reference = self.collect(k, v);
                    if reference {
                        self.muted.set(self.muted.get() + 1);
                    }
                    let written = self.value(v, indent + 1, verbatim || exact, &below, out);
                    if reference {
                        self.muted.set(self.muted.get() - 1);
                    }
                    written?;
                    out.push_str(",\n");
                }
                pad(out, indent);
                out.push('}');
            }
        }
        Ok(())
    }

    fn var(&self, id: &str) -> Result<&(String, &str)> {
        self.vars.get(id).ok_or_else(|| {
            gen_error(
                Code::UnmappedAttribute,
                "",
                format!("`{id}` is not a construct of the stack"),
            )
        })
    }

    /// Writes a CloudFormation intrinsic function as CDK code; false when `m` is not one.
    fn intrinsic(&self, m: &'t NodeMap<'_>, indent: usize, out: &mut String) -> Result<bool> {
        let Some((k, v)) = m.entries().next() else {
            return Ok(false);
        };
        let written = self.intrinsic_code(k, v, indent, out)?;
        if written {
            self.collect(k, v);
        }
        Ok(written)
    }

    /// Writes the intrinsic function `k: v` (the one entry of an object); false when it is
    /// not one.
    fn intrinsic_code(
        &self,
        k: &str,
        v: &'t Node<'_>,
        indent: usize,
        out: &mut String,
    ) -> Result<bool> {
        match (k, v) {
            ("Ref", Node::String(id)) => {
                if let Some(code) = pseudo(id) {
                    out.push_str(code);
                    return Ok(true);
                }
                let (var, kind) = self.var(id)?;
                out.push_str(var);
                out.push_str(match *kind {
                    "resource" => ".ref",
                    "Number" => ".valueAsNumber",
                    "CommaDelimitedList" | "List<Number>" => ".valueAsList",
                    _ => ".valueAsString",
                });
            }
            ("Fn::GetAtt", Node::Array(parts)) => {
                let id = parts.first().and_then(Node::as_str).unwrap_or_default();
                let attr = parts.get(1).and_then(Node::as_str).unwrap_or_default();
                let (var, _) = self.var(id)?;
                out.push_str(var);
                out.push('.');
                out.push_str(&attr_name(attr));
            }
            ("Fn::Sub", Node::String(s)) => {
                out.push_str("cdk.Fn.sub(");
                out.push_str(&ts_string(s));
                out.push(')');
            }
            ("Fn::Base64", inner) => {
                out.push_str("cdk.Fn.base64(");
                self.value(inner, indent, false, &[], out)?;
                out.push(')');
            }
            ("Fn::Join", Node::Array(args)) if args.len() == 2 => {
                out.push_str("cdk.Fn.join(");
                self.args(args, indent, out)?;
                out.push(')');
            }
            ("Fn::Split", Node::Array(args)) if args.len() == 2 => {
                out.push_str("cdk.Fn.split(");
                self.args(args, indent, out)?;
                out.push(')');
            }
            ("Fn::Select", Node::Array(args)) if args.len() == 2 => {
                out.push_str("cdk.Fn.select(");
                self.args(args, indent, out)?;
                out.push(')');
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Function arguments, comma-separated.
    fn args(&self, args: &'t [Node<'_>], indent: usize, out: &mut String) -> Result<()> {
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.value(a, indent, false, &[], out)?;
        }
        Ok(())
    }
}

fn pad(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

/// `AWS::EC2::VPC` → (`aws-cdk-lib/aws-ec2` module alias `ec2`, class `CfnVPC`).
fn class_of(cfn_type: &str) -> Option<(String, String)> {
    let mut parts = cfn_type.split("::");
    let (Some("AWS"), Some(service), Some(resource)) = (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some((service.to_ascii_lowercase(), format!("Cfn{resource}")))
}

/// The position of `id` in the sorted logical IDs `ids`.
fn position(ids: &[Str<'_>], id: &str) -> Option<usize> {
    ids.binary_search_by(|k| k.as_ref().cmp(id)).ok()
}

/// The logical IDs the object entry `k: inner` refers to by itself (`Ref`, `Fn::GetAtt`,
/// `Fn::Sub`, `DependsOn`), pushed on `out`; false when it is no such entry (its value may
/// hold references further down).
fn entry_refs<'t>(k: &str, inner: &'t Node<'_>, ids: &[Str<'_>], out: &mut Vec<&'t str>) -> bool {
    match (k, inner) {
        ("Ref", Node::String(id)) => out.push(id),
        ("Fn::GetAtt", Node::Array(parts)) => {
            if let Some(id) = parts.first().and_then(Node::as_str) {
                out.push(id);
            }
        }
        ("Fn::Sub", Node::String(text)) => {
            let mut rest: &str = text;
            while let Some(pos) = rest.find("${") {
                let after = rest.get(pos + 2..).unwrap_or("");
                let end = after.find('}').unwrap_or(after.len());
                let name = after.get(..end).unwrap_or("");
                let id = name.split('.').next().unwrap_or("");
                if !name.starts_with('!') && position(ids, id).is_some() {
                    out.push(id);
                }
                rest = after.get(end..).unwrap_or("");
            }
        }
        ("DependsOn", Node::Array(deps)) => {
            out.extend(deps.iter().filter_map(Node::as_str));
        }
        _ => return false,
    }
    true
}

/// The logical IDs a resource body refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `DependsOn`).
fn referenced_ids<'t>(v: &'t Node<'_>, ids: &[Str<'_>], out: &mut Vec<&'t str>) {
    match v {
        Node::Object(m) => {
            for (k, inner) in m.entries() {
                if !entry_refs(k, inner, ids, out) {
                    referenced_ids(inner, ids, out);
                }
            }
        }
        Node::Array(items) => items.iter().for_each(|i| referenced_ids(i, ids, out)),
        _ => {}
    }
}

/// The resources in an order where each comes after everything it refers to (constructs are
/// variables: a TypeScript variable must be declared before it is used): in waves, each wave
/// the resources whose references are all in earlier waves, by logical ID within a wave.
/// Resources are positions in logical ID order; `deps` are, per resource, the others it
/// refers to (sorted, without duplicates).
fn creation_order(deps: &[Vec<usize>]) -> Vec<usize> {
    let n = deps.len();
    let mut waiting = vec![0usize; n];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, deps) in deps.iter().enumerate() {
        if let Some(w) = waiting.get_mut(i) {
            *w = deps.len();
        }
        for &d in deps {
            if let Some(list) = dependents.get_mut(d) {
                list.push(i);
            }
        }
    }
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    let mut wave: Vec<usize> = (0..n).filter(|&i| waiting.get(i) == Some(&0)).collect();
    while !wave.is_empty() {
        let mut next = Vec::new();
        for &i in &wave {
            if let Some(p) = placed.get_mut(i) {
                *p = true;
            }
            order.push(i);
            for &j in dependents.get(i).map(Vec::as_slice).unwrap_or_default() {
                if let Some(w) = waiting.get_mut(j) {
                    *w -= 1;
                    if *w == 0 {
                        next.push(j);
                    }
                }
            }
        }
        next.sort_unstable();
        wave = next;
    }
    // A cycle cannot come from a checked blueprint; keep the rest in ID order.
    order.extend(
        placed
            .iter()
            .enumerate()
            .filter(|(_, p)| !**p)
            .map(|(i, _)| i),
    );
    order
}

/// One resource of the stack: its `resources` context entry, or what the embedded template
/// writes of it; its `props_code` is kept apart (see [`resource_entry`]).
struct CdkResource<'a, 't> {
    id: &'t str,
    var: Option<&'a str>,
    cfn_type: &'t str,
    module: String,
    class: String,
    depends_on: Vec<&'a str>,
    deletion_policy: Option<String>,
    update_replace_policy: Option<String>,
    update_policy: Option<String>,
}

impl CdkResource<'_, '_> {
    /// The context entry, with `props_code`.
    fn entry(self, props_code: String) -> Value {
        let entry = json!({
            "id": self.id,
            "var": self.var,
            "type": self.cfn_type,
            "module": self.module,
            "class": self.class,
            "depends_on": self.depends_on,
            "deletion_policy": self.deletion_policy,
            "update_replace_policy": self.update_replace_policy,
            "update_policy": self.update_policy,
        });
        super::with_entries(entry, [("props_code", Value::String(props_code))])
    }

    /// What `cdk-ts/lib/stack.ts.tera` writes of the entry (from the line break before it).
    fn write(&self, props_code: &str, out: &mut String) {
        let var = self.var.unwrap_or_default();
        for part in [
            "\n    const ",
            var,
            " = new ",
            &self.module,
            ".",
            &self.class,
            "(this, ",
            &ts_string(self.id),
            ", ",
            props_code,
            ");\n",
        ] {
            out.push_str(part);
        }
        for d in &self.depends_on {
            for part in ["    ", var, ".node.addDependency(", d, ");\n"] {
                out.push_str(part);
            }
        }
        for (option, code) in [
            ("deletionPolicy", &self.deletion_policy),
            ("updateReplacePolicy", &self.update_replace_policy),
            ("updatePolicy", &self.update_policy),
        ] {
            if let Some(code) = code.as_deref().filter(|c| !c.is_empty()) {
                for part in ["    ", var, ".cfnOptions.", option, " = ", code, ";\n"] {
                    out.push_str(part);
                }
            }
        }
    }
}

/// The resource `id` (`r` its template body), its construct code (`props_code`) written into
/// `code`, the references it holds left in `w` (see [`Writer::take_refs`]).
fn resource_entry<'a, 't>(
    w: &Writer<'a, 't>,
    id: &'t str,
    r: &'t Node<'_>,
    verbatim: &HashMap<String, Vec<String>>,
    modules: &mut Vec<String>,
    code: &mut String,
) -> Result<CdkResource<'a, 't>> {
    let cfn_type = r.get("Type").and_then(Node::as_str).unwrap_or_default();
    let (module, class) = class_of(cfn_type).ok_or_else(|| {
        gen_error(
            Code::UnmappedType,
            "",
            format!("{cfn_type} has no CDK L1 construct"),
        )
    })?;
    if !modules.contains(&module) {
        modules.push(module.clone());
    }
    let paths: Vec<&str> = verbatim
        .get(cfn_type)
        .map(|v| v.iter().map(String::as_str).collect())
        .unwrap_or_default();
    match r.get("Properties") {
        Some(props) => w.value(props, 2, false, &paths, code)?,
        None => code.push_str("{}"),
    }
    let update_policy = match r.get("UpdatePolicy") {
        Some(p) => {
            let mut code = String::new();
            w.value(p, 2, false, &[], &mut code)?;
            Some(code)
        }
        None => None,
    };
    let vars = w.vars;
    let depends: Vec<&'a str> = r
        .get("DependsOn")
        .and_then(Node::as_array)
        .into_iter()
        .flatten()
        .filter_map(Node::as_str)
        .filter_map(|d| vars.get(d).map(|v| v.0.as_str()))
        .collect();
    let policy = |key: &str| {
        r.get(key)
            .and_then(Node::as_str)
            .map(|p| format!("cdk.CfnDeletionPolicy.{}", p.to_ascii_uppercase()))
    };
    Ok(CdkResource {
        id,
        var: vars.get(id).map(|v| v.0.as_str()),
        cfn_type,
        module,
        class,
        depends_on: depends,
        deletion_policy: policy("DeletionPolicy"),
        update_replace_policy: policy("UpdateReplacePolicy"),
        update_policy,
    })
}

/// Text as `//` comment lines, as the `ts_comment` template filter writes it.
fn comment_filter(text: &str) -> String {
    let lines: Vec<String> = text
        .split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .map(|l| format!("// {l}").trim_end().to_string())
        .collect();
    lines.join("\n")
}

/// The template context of `cdk-ts` (documented in `templates/README.md`). With `direct` (the
/// embedded templates), `lib/stack.ts` too, written as `cdk-ts/lib/stack.ts.tera` writes it
/// (`direct_files_are_what_tera_renders` in `tests/generate_terraform.rs`), and the context
/// without what only that template uses (`modules`, `parameters`, `resources`, `outputs`):
/// each resource's code is written once, into one buffer, and copied out in creation order,
/// instead of an entry per resource being kept for the template; and each resource is lowered
/// right before its code is written, then dropped (one lowered resource at a time instead of the
/// whole template).
pub(crate) fn context(bp: &CheckedBlueprint, direct: bool) -> Result<(Value, Option<String>)> {
    let plan = plan(bp)?;
    if direct {
        if let Ok((head, ids, resources)) = streamed(bp, &plan) {
            let head = Node::Object(head);
            let ids = ids.into_iter().map(Str::Borrowed).collect();
            let resources = resources.map(|r| r.map(|(id, res)| (Str::Borrowed(id), res)));
            if let Ok(done) = write_stack(bp, &head, ids, resources, true) {
                return Ok(done);
            }
        }
        // The errors are those of the whole template lowered first, in its order (the
        // lowering's, then the stack's in creation order).
    }
    let mut lowered = lower(bp, &plan)?;
    // The resources are moved out of the template, to be dropped one by one once written.
    let resources = match &mut lowered.template {
        Node::Object(t) => match t.get_mut("Resources") {
            Some(node @ Node::Object(_)) => match std::mem::replace(node, Node::Null) {
                Node::Object(resources) => resources,
                _ => NodeMap::new(),
            },
            _ => NodeMap::new(),
        },
        _ => NodeMap::new(),
    };
    // The logical IDs of the resources, sorted as the map is (borrowed from the plan: no copy).
    let ids: Vec<Str<'_>> = resources.entries().map(|(id, _)| id.clone()).collect();
    write_stack(
        bp,
        &lowered.template,
        ids,
        resources.into_iter().map(Ok),
        direct,
    )
}

/// [`context`] of the template `t` (without its resources), its resources' logical IDs `ids`
/// (sorted) and its resources, in that order, each dropped once its code is written.
fn write_stack<'r>(
    bp: &CheckedBlueprint,
    t: &Node<'_>,
    ids: Vec<Str<'r>>,
    resources: impl Iterator<Item = Result<(Str<'r>, Node<'r>)>>,
    direct: bool,
) -> Result<(Value, Option<String>)> {
    let verbatim = verbatim_paths()?;

    let mut ns = Namespace::default();
    // Module aliases (`ec2`, `s3`, ...) and names the generated code uses are never variables.
    for (_, tm) in mapping()?.all() {
        if let Some((module, _)) = tm.cfn_type.as_deref().and_then(class_of) {
            ns.claim_free(&module, "module");
        }
    }
    for word in ["cdk", "scope", "id", "props", "Construct"] {
        ns.claim_free(word, "generated code");
    }
    let mut vars: Vars<'_> = HashMap::new();
    let empty = NodeMap::new();
    let params = t
        .get("Parameters")
        .and_then(Node::as_object)
        .unwrap_or(&empty);
    vars.reserve(params.len() + ids.len());
    for (id, p) in params.entries() {
        let var = ns.claim_free(&camel_case(id), id);
        let kind = p.get("Type").and_then(Node::as_str).unwrap_or("String");
        vars.insert(id, (var, kind));
    }
    for id in &ids {
        let var = ns.claim_free(&camel_case(id), id);
        vars.insert(id, (var, "resource"));
    }
    let w = Writer::new(&vars, &ids);

    // With `direct`: the parameters' code (as the template writes it), and the resources' (in
    // logical ID order, each its span of `written`).
    let mut param_ctx = Vec::new();
    let mut param_code = String::new();
    for (id, p) in params.entries() {
        let mut code = String::new();
        match p {
            Node::Object(_) => w.value(p, 2, false, &[], &mut code)?,
            _ => code.push_str("{}"),
        }
        let id: &str = id;
        let var = vars.get(id).map(|v| v.0.as_str());
        if direct {
            for part in [
                "\n    const ",
                var.unwrap_or_default(),
                " = new cdk.CfnParameter(this, ",
                &ts_string(id),
                ", ",
                &code,
                ");\n",
            ] {
                param_code.push_str(part);
            }
        } else {
            param_ctx.push(json!({"id": id, "var": var, "props_code": code}));
        }
    }

    // Each resource body is walked once, in logical ID order: its code written and the IDs it
    // refers to collected on the way, then dropped while it is still in cache (in batches, see
    // `crate::memory`); the entries are then put in creation order.
    let mut modules: Vec<String> = Vec::new();
    let mut entries: Vec<Option<Result<Value>>> = Vec::new();
    let mut written = String::new();
    let mut spans: Vec<Option<Result<std::ops::Range<usize>>>> = Vec::new();
    if direct {
        // About what the synthetic blueprints take per resource: grown rarely, if ever.
        written.reserve(ids.len() * 768);
        spans.reserve(ids.len());
    } else {
        entries.reserve(ids.len());
    }
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(ids.len());
    let mut code = String::new();
    for (n, resource) in resources.enumerate() {
        let (id, r) = resource?;
        let w = Writer::new(&vars, &ids);
        code.clear();
        let entry = resource_entry(&w, &id, &r, verbatim, &mut modules, &mut code);
        let mut refs = w.take_refs();
        drop(w);
        match &entry {
            Ok(_) => {
                // The body's other entries (`DependsOn`, ...): what `w` did not write.
                for (k, inner) in r.as_object().into_iter().flat_map(NodeMap::entries) {
                    if !matches!(k.as_ref(), "Properties" | "UpdatePolicy")
                        && !entry_refs(k, inner, &ids, &mut refs)
                    {
                        referenced_ids(inner, &ids, &mut refs);
                    }
                }
            }
            // Writing stopped part way: the references of the whole body.
            Err(_) => {
                refs.clear();
                referenced_ids(&r, &ids, &mut refs);
            }
        }
        let id: &str = &id;
        let mut on: Vec<usize> = refs
            .into_iter()
            .filter(|d| *d != id)
            .filter_map(|d| position(&ids, d))
            .collect();
        on.sort_unstable();
        on.dedup();
        deps.push(on);
        if direct {
            spans.push(Some(entry.map(|e| {
                let start = written.len();
                e.write(&code, &mut written);
                start..written.len()
            })));
        } else {
            entries.push(Some(entry.map(|e| e.entry(std::mem::take(&mut code)))));
        }
        drop(r);
        if (n + 1) % crate::memory::BATCH == 0 {
            crate::memory::merge_freed_blocks();
        }
    }
    let order = creation_order(&deps);
    let mut res_ctx = Vec::new();
    let mut stack = String::new();
    modules.sort();
    let doc = bp.blueprint();
    let stack_class = format!("{}Stack", pascal_case(&doc.name));
    if direct {
        stack.reserve(written.len() + param_code.len() + 4096);
        stack.push_str("import * as cdk from 'aws-cdk-lib';\n");
        for m in &modules {
            for part in [
                "import * as ",
                m,
                " from ",
                &ts_string(&format!("aws-cdk-lib/aws-{m}")),
                ";\n",
            ] {
                stack.push_str(part);
            }
        }
        stack.push_str("import { Construct } from 'constructs';\n\n");
        if let Some(d) = doc.description.as_deref().filter(|d| !d.is_empty()) {
            stack.push_str(&comment_filter(d));
            stack.push('\n');
        }
        for part in [
            "export class ",
            &stack_class,
            " extends cdk.Stack {\n  constructor(scope: Construct, id: string, props?: cdk.StackProps) {\n    super(scope, id, props);\n",
            &param_code,
        ] {
            stack.push_str(part);
        }
        for i in order {
            if let Some(span) = spans.get_mut(i).and_then(Option::take) {
                stack.push_str(written.get(span?).unwrap_or_default());
            }
        }
    } else {
        res_ctx.reserve(ids.len());
        for i in order {
            if let Some(entry) = entries.get_mut(i).and_then(Option::take) {
                res_ctx.push(entry?);
            }
        }
    }

    let mut out_ctx = Vec::new();
    for (id, o) in t
        .get("Outputs")
        .and_then(Node::as_object)
        .into_iter()
        .flat_map(NodeMap::entries)
    {
        let mut code = String::new();
        w.value(
            o.get("Value").unwrap_or(&Node::Null),
            2,
            false,
            &[],
            &mut code,
        )?;
        let id: &str = id;
        let description = o.get("Description").map(Node::to_value);
        if direct {
            for part in [
                "\n    new cdk.CfnOutput(this, ",
                &ts_string(id),
                ", {\n      value: ",
                &code,
                ",\n",
            ] {
                stack.push_str(part);
            }
            if let Some(d) = description.as_ref().filter(|d| truthy(d)) {
                let text = match d {
                    Value::String(s) => ts_string(s),
                    other => ts_string(&other.to_string()),
                };
                for part in ["      description: ", &text, ",\n"] {
                    stack.push_str(part);
                }
            }
            stack.push_str("    });\n");
        } else {
            out_ctx.push(json!({"id": id, "value_code": code, "description": description}));
        }
    }

    let ctx = json!({
        "blueprint": super::blueprint_context(bp),
        "stack": {"class": stack_class, "id": pascal_case(&doc.name), "description": doc.description},
        "package": {"name": doc.name.to_ascii_lowercase(), "version": bp.version().to_string()},
    });
    if direct {
        stack.push_str("  }\n}\n");
        return Ok((ctx, Some(stack)));
    }
    Ok((
        super::with_entries(
            ctx,
            [
                ("modules", json!(modules)),
                ("parameters", Value::Array(param_ctx)),
                ("resources", Value::Array(res_ctx)),
                ("outputs", Value::Array(out_ctx)),
            ],
        ),
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdk_property_names() {
        for (cfn, cdk) in [
            ("VPCSecurityGroups", "vpcSecurityGroups"),
            ("MultiAZ", "multiAz"),
            ("Ipv4IpamPoolId", "ipv4IpamPoolId"),
            ("DBInstanceClass", "dbInstanceClass"),
            ("CidrIpv6", "cidrIpv6"),
            ("EnableDns64", "enableDns64"),
            ("CPUCredits", "cpuCredits"),
            (
                "EnableIAMDatabaseAuthentication",
                "enableIamDatabaseAuthentication",
            ),
            ("PerformanceInsightsKMSKeyId", "performanceInsightsKmsKeyId"),
            ("Key", "key"),
            ("TargetGroupARNs", "targetGroupArns"),
            ("VPCs", "vpcs"),
            ("IPSetReferenceStatement", "ipSetReferenceStatement"),
            ("OKActions", "okActions"),
            ("WebACLId", "webAclId"),
            ("IPV6Enabled", "ipv6Enabled"),
        ] {
            assert_eq!(cdk_name(cfn), cdk, "{cfn}");
            let mut pushed = String::from("x");
            push_cdk_name(cfn, &mut pushed);
            assert_eq!(pushed, format!("x{cdk}"), "{cfn}");
        }
        assert_eq!(ts_string("a\"b${c}`\u{2028}"), "\"a\\\"b${c}`\\u2028\"");
    }

    #[test]
    fn pushed_cdk_names_are_cdk_names() {
        // Every name of up to 5 characters over letters, digits and `_` of both cases.
        let alphabet = ['a', 'A', 's', 'S', 'B', '1', '_'];
        let mut names = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = names
                .iter()
                .filter(|n| n.len() == names.last().map_or(0, String::len))
                .flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}")))
                .collect();
            names.extend(longer);
        }
        names.push("Ünïcode".into());
        for name in &names {
            let mut pushed = String::new();
            push_cdk_name(name, &mut pushed);
            assert_eq!(pushed, cdk_name(name), "{name}");
        }
        assert!(names.len() > 19_000);
    }
}
