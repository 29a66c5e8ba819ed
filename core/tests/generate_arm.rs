//! ARM output: every Azure blueprint generates a template that parses, has the documented
//! structure, uses only balanced expressions with known ARM functions and existing parameters,
//! and whose `dependsOn` entries all point at resources of the template (resource IDs are
//! evaluated by a small ARM expression evaluator below). Strings round-trip (property).
#![cfg(feature = "generate-arm")] // the format is left out of builds without it
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::collections::{BTreeMap, BTreeSet};

use iac_dharma::{generate, GenerateOptions, OutputFormat, Provider};
use proptest::prelude::*;
use serde_json::{json, Value};

use common::{example_blueprints, gen, repo_root};

// --- A small ARM template-language reader and evaluator -----------------------------------

/// ARM template functions (learn.microsoft.com, "ARM template functions").
const FUNCTIONS: &[&str] = &[
    "array",
    "concat",
    "contains",
    "createArray",
    "empty",
    "first",
    "indexOf",
    "intersection",
    "last",
    "lastIndexOf",
    "length",
    "max",
    "min",
    "range",
    "skip",
    "take",
    "union",
    "coalesce",
    "equals",
    "greater",
    "greaterOrEquals",
    "less",
    "lessOrEquals",
    "dateTimeAdd",
    "dateTimeFromEpoch",
    "dateTimeToEpoch",
    "utcNow",
    "deployment",
    "environment",
    "parameters",
    "variables",
    "and",
    "bool",
    "false",
    "if",
    "not",
    "or",
    "true",
    "add",
    "copyIndex",
    "div",
    "float",
    "int",
    "mod",
    "mul",
    "sub",
    "createObject",
    "json",
    "null",
    "objectKeys",
    "items",
    "shallowMerge",
    "extensionResourceId",
    "listKeys",
    "listAccountSas",
    "listSecrets",
    "pickZones",
    "providers",
    "reference",
    "references",
    "resourceGroup",
    "resourceId",
    "subscription",
    "subscriptionResourceId",
    "managementGroupResourceId",
    "tenantResourceId",
    "managementGroup",
    "tenant",
    "base64",
    "base64ToJson",
    "base64ToString",
    "dataUri",
    "dataUriToString",
    "endsWith",
    "format",
    "guid",
    "join",
    "newGuid",
    "padLeft",
    "replace",
    "split",
    "startsWith",
    "string",
    "substring",
    "toLower",
    "toUpper",
    "trim",
    "uniqueString",
    "uri",
    "uriComponent",
    "uriComponentToString",
    "filter",
    "map",
    "reduce",
    "sort",
    "toObject",
    "tryGet",
    "cidrHost",
    "cidrSubnet",
    "parseCidr",
];

#[derive(Debug, Clone, PartialEq)]
enum Ast {
    Str(String),
    Int(i64),
    Call(String, Vec<Ast>),
    Prop(Box<Ast>, String),
    Index(Box<Ast>, Box<Ast>),
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.pos).is_some_and(|b| *b == b' ') {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), String> {
        self.ws();
        if self.s.get(self.pos) == Some(&b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected `{}` at {}", b as char, self.pos))
        }
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self
            .s
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.pos]).into_owned()
    }

    fn expr(&mut self) -> Result<Ast, String> {
        self.ws();
        let mut e = match self.s.get(self.pos) {
            Some(b'\'') => {
                self.pos += 1;
                let mut out = Vec::new();
                loop {
                    match self.s.get(self.pos) {
                        None => return Err("unterminated string".into()),
                        Some(b'\'') if self.s.get(self.pos + 1) == Some(&b'\'') => {
                            out.push(b'\'');
                            self.pos += 2;
                        }
                        Some(b'\'') => {
                            self.pos += 1;
                            break;
                        }
                        Some(b) => {
                            out.push(*b);
                            self.pos += 1;
                        }
                    }
                }
                Ast::Str(String::from_utf8(out).map_err(|e| e.to_string())?)
            }
            Some(b) if b.is_ascii_digit() || *b == b'-' => {
                let start = self.pos;
                self.pos += 1;
                while self.s.get(self.pos).is_some_and(u8::is_ascii_digit) {
                    self.pos += 1;
                }
                let t = String::from_utf8_lossy(&self.s[start..self.pos]).into_owned();
                Ast::Int(t.parse().map_err(|_| format!("bad number {t}"))?)
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let name = self.ident();
                if !FUNCTIONS.contains(&name.as_str()) {
                    return Err(format!("unknown function `{name}`"));
                }
                self.expect(b'(')?;
                let mut args = Vec::new();
                self.ws();
                if self.s.get(self.pos) == Some(&b')') {
                    self.pos += 1;
                } else {
                    loop {
                        args.push(self.expr()?);
                        self.ws();
                        match self.s.get(self.pos) {
                            Some(b',') => self.pos += 1,
                            Some(b')') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(format!("expected , or ) at {}", self.pos)),
                        }
                    }
                }
                Ast::Call(name, args)
            }
            other => {
                return Err(format!(
                    "unexpected {:?} at {}",
                    other.map(|b| *b as char),
                    self.pos
                ))
            }
        };
        loop {
            match self.s.get(self.pos) {
                Some(b'.') => {
                    self.pos += 1;
                    let p = self.ident();
                    if p.is_empty() {
                        return Err("empty property".into());
                    }
                    e = Ast::Prop(Box::new(e), p);
                }
                Some(b'[') => {
                    self.pos += 1;
                    let i = self.expr()?;
                    self.expect(b']')?;
                    e = Ast::Index(Box::new(e), Box::new(i));
                }
                _ => return Ok(e),
            }
        }
    }
}

/// Parses the text of an expression (without its brackets).
fn parse_expr(text: &str) -> Result<Ast, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    let e = p.expr()?;
    p.ws();
    if p.pos != text.len() {
        return Err(format!("trailing text at {} in `{text}`", p.pos));
    }
    Ok(e)
}

/// A template string: `Ok(literal)` or the expression.
fn read_string(s: &str) -> Result<Result<String, Ast>, String> {
    if s.len() >= 2 && s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[") {
        parse_expr(&s[1..s.len() - 1]).map(Err)
    } else if s.starts_with("[[") && s.ends_with(']') {
        Ok(Ok(s[1..].to_string()))
    } else {
        Ok(Ok(s.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq)]
enum V {
    S(String),
    I(i64),
    B(bool),
    A(Vec<V>),
    O(BTreeMap<String, V>),
    /// Known only at deployment (reference(), listKeys()...).
    Opaque,
}

impl V {
    fn from_json(v: &Value) -> V {
        match v {
            Value::String(s) => V::S(s.clone()),
            Value::Number(n) => V::I(n.as_i64().unwrap_or_default()),
            Value::Bool(b) => V::B(*b),
            Value::Array(a) => V::A(a.iter().map(V::from_json).collect()),
            Value::Object(m) => V::O(
                m.iter()
                    .map(|(k, v)| (k.clone(), V::from_json(v)))
                    .collect(),
            ),
            Value::Null => V::Opaque,
        }
    }
}

const RG_ID: &str = "/subscriptions/SUB/resourceGroups/RG";

struct Env<'a> {
    params: &'a BTreeMap<String, V>,
    copy_index: Option<i64>,
    /// Parameter names used.
    used: std::cell::RefCell<BTreeSet<String>>,
}

fn resource_id(prefix: &str, args: &[V]) -> V {
    let strs: Option<Vec<&str>> = args
        .iter()
        .map(|a| match a {
            V::S(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    let Some(strs) = strs else { return V::Opaque };
    let Some((ty, names)) = strs.split_first() else {
        return V::Opaque;
    };
    let mut parts = ty.split('/');
    let ns = parts.next().unwrap_or_default();
    let mut id = format!("{prefix}/providers/{ns}");
    for (t, n) in parts.zip(names.iter()) {
        id.push_str(&format!("/{t}/{n}"));
    }
    V::S(id)
}

fn eval(e: &Ast, env: &Env) -> Result<V, String> {
    Ok(match e {
        Ast::Str(s) => V::S(s.clone()),
        Ast::Int(i) => V::I(*i),
        Ast::Prop(inner, p) => match eval(inner, env)? {
            V::O(m) => m.get(p).cloned().ok_or(format!("no property {p}"))?,
            _ => V::Opaque,
        },
        Ast::Index(inner, i) => match (eval(inner, env)?, eval(i, env)?) {
            (V::A(a), V::I(i)) => a.get(i as usize).cloned().ok_or("index out of range")?,
            _ => V::Opaque,
        },
        Ast::Call(name, args) => {
            let vals: Vec<V> = args
                .iter()
                .map(|a| eval(a, env))
                .collect::<Result<_, _>>()?;
            match (name.as_str(), vals.as_slice()) {
                ("parameters", [V::S(n)]) => {
                    env.used.borrow_mut().insert(n.clone());
                    env.params
                        .get(n)
                        .cloned()
                        .ok_or(format!("no parameter `{n}`"))?
                }
                ("copyIndex", []) => V::I(env.copy_index.ok_or("copyIndex() outside a copy loop")?),
                ("string", [V::S(s)]) => V::S(s.clone()),
                ("string", [V::I(i)]) => V::S(i.to_string()),
                // ARM's string() of a boolean is `True` / `False`.
                ("string", [V::B(true)]) => V::S("True".into()),
                ("string", [V::B(false)]) => V::S("False".into()),
                ("toLower", [V::S(s)]) => V::S(s.to_lowercase()),
                ("concat", vs) if vs.iter().all(|v| matches!(v, V::S(_))) => V::S(
                    vs.iter()
                        .map(|v| match v {
                            V::S(s) => s.as_str(),
                            _ => "",
                        })
                        .collect(),
                ),
                ("resourceGroup", []) => V::O(BTreeMap::from([
                    ("id".to_string(), V::S(RG_ID.into())),
                    ("name".to_string(), V::S("RG".into())),
                    ("location".to_string(), V::S("LOCATION".into())),
                ])),
                ("resourceId", vs) => resource_id(RG_ID, vs),
                ("subscriptionResourceId", vs) => resource_id("/subscriptions/SUB", vs),
                ("extensionResourceId", [V::S(scope), rest @ ..]) => resource_id(scope, rest),
                ("split", [V::S(s), V::S(sep)]) => {
                    V::A(s.split(sep.as_str()).map(|p| V::S(p.to_string())).collect())
                }
                ("last", [V::A(a)]) => a.last().cloned().unwrap_or(V::Opaque),
                ("replace", [V::S(s), V::S(a), V::S(b)]) => V::S(s.replace(a.as_str(), b)),
                ("not", [V::B(b)]) => V::B(!b),
                ("guid", vs) if vs.iter().all(|v| matches!(v, V::S(_))) => {
                    use std::hash::{Hash, Hasher};
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    format!("{vs:?}").hash(&mut h);
                    V::S(format!("{:016x}", h.finish()))
                }
                _ => V::Opaque,
            }
        }
    })
}

/// Every problem of a generated template: structure, expressions, parameters, dependsOn.
fn check_template(t: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            repo_root().join("core/tests/data/arm-deployment-template.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for e in validator.iter_errors(t) {
        problems.push(format!("schema: {e} at {}", e.instance_path()));
    }
    let params: BTreeMap<String, V> = t["parameters"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, p)| {
                    let v = p
                        .get("defaultValue")
                        .map(V::from_json)
                        .unwrap_or(V::S(format!("<{k}>")));
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default();
    let env = |copy_index| Env {
        params: &params,
        copy_index,
        used: Default::default(),
    };
    // Every expression anywhere parses, with known functions and existing parameters.
    fn walk(
        v: &Value,
        at: &str,
        copy: bool,
        params: &BTreeMap<String, V>,
        problems: &mut Vec<String>,
    ) {
        match v {
            Value::String(s) => match read_string(s) {
                Err(e) => problems.push(format!("{at}: {e}: {s}")),
                Ok(Err(ast)) => {
                    let env = Env {
                        params,
                        copy_index: copy.then_some(0),
                        used: Default::default(),
                    };
                    if let Err(e) = eval(&ast, &env) {
                        problems.push(format!("{at}: {e}: {s}"));
                    }
                }
                Ok(Ok(_)) => {}
            },
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(x, &format!("{at}[{i}]"), copy, params, problems)),
            Value::Object(m) => m.iter().for_each(|(k, x)| {
                walk(
                    &Value::String(k.clone()),
                    &format!("{at}.<key>"),
                    copy,
                    params,
                    problems,
                );
                walk(x, &format!("{at}.{k}"), copy, params, problems)
            }),
            _ => {}
        }
    }
    let resources = t["resources"].as_array().cloned().unwrap_or_default();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut copies: BTreeSet<String> = BTreeSet::new();
    let instances = |r: &Value| -> Vec<Option<i64>> {
        match r["copy"]["count"].as_i64() {
            Some(n) => (0..n).map(Some).collect(),
            None => vec![None],
        }
    };
    let id_of = |r: &Value, k: Option<i64>| -> Result<String, String> {
        let ty = r["type"].as_str().unwrap_or_default();
        let name = match read_string(r["name"].as_str().unwrap_or_default())? {
            Ok(l) => l,
            Err(ast) => match eval(&ast, &env(k))? {
                V::S(s) => s,
                other => return Err(format!("name is not a string before deployment: {other:?}")),
            },
        };
        let segs: Vec<&str> = name.split('/').collect();
        if segs.len() + 1 != ty.split('/').count() {
            return Err(format!(
                "name `{name}` has {} segments for type {ty}",
                segs.len()
            ));
        }
        let scope = match r.get("scope").and_then(Value::as_str) {
            None => RG_ID.to_string(),
            Some(s) => match read_string(s)? {
                Ok(l) => l,
                Err(ast) => match eval(&ast, &env(k))? {
                    V::S(s) => s,
                    other => return Err(format!("scope unknown before deployment: {other:?}")),
                },
            },
        };
        let mut args = vec![V::S(ty.to_string())];
        args.extend(segs.iter().map(|s| V::S(s.to_string())));
        match resource_id(&scope, &args) {
            V::S(id) => Ok(id),
            _ => Err("no id".into()),
        }
    };
    for (n, r) in resources.iter().enumerate() {
        walk(
            r,
            &format!("resources[{n}]"),
            r.get("copy").is_some(),
            &params,
            &mut problems,
        );
        if let Some(c) = r["copy"]["name"].as_str() {
            if !copies.insert(c.to_string()) {
                problems.push(format!("resources[{n}]: copy name {c} used twice"));
            }
        }
        for k in instances(r) {
            match id_of(r, k) {
                Ok(id) => {
                    if !ids.insert(id.clone()) {
                        problems.push(format!("resources[{n}]: {id} defined twice"));
                    }
                }
                Err(e) => problems.push(format!("resources[{n}]: {e}")),
            }
        }
    }
    for (n, r) in resources.iter().enumerate() {
        for dep in r["dependsOn"].as_array().into_iter().flatten() {
            let d = dep.as_str().unwrap_or_default();
            for k in instances(r) {
                match read_string(d) {
                    Ok(Ok(name)) => {
                        if !copies.contains(&name) {
                            problems.push(format!("resources[{n}].dependsOn: `{name}` is no copy loop of the template"));
                        }
                    }
                    Ok(Err(ast)) => match eval(&ast, &env(k)) {
                        Ok(V::S(id)) if ids.contains(&id) => {}
                        other => problems.push(format!("resources[{n}].dependsOn: {d} is no resource of the template ({other:?})")),
                    },
                    Err(e) => problems.push(format!("resources[{n}].dependsOn: {e}")),
                }
            }
        }
    }
    // The dependsOn graph has no cycle (ARM rejects circular dependencies).
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut copy_members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &resources {
        for k in instances(r) {
            if let (Ok(id), Some(c)) = (id_of(r, k), r["copy"]["name"].as_str()) {
                copy_members.entry(c.to_string()).or_default().push(id);
            }
        }
    }
    for r in &resources {
        for k in instances(r) {
            let Ok(id) = id_of(r, k) else { continue };
            let targets = edges.entry(id).or_default();
            for dep in r["dependsOn"].as_array().into_iter().flatten() {
                match read_string(dep.as_str().unwrap_or_default()) {
                    Ok(Ok(name)) => {
                        targets.extend(copy_members.get(&name).cloned().unwrap_or_default())
                    }
                    Ok(Err(ast)) => {
                        if let Ok(V::S(d)) = eval(&ast, &env(k)) {
                            targets.insert(d);
                        }
                    }
                    Err(_) => {}
                }
            }
        }
    }
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
    ) -> bool {
        match state.get(n) {
            Some(1) => return false,
            Some(_) => return true,
            None => {}
        }
        state.insert(n.to_string(), 1);
        for m in edges.get(n).into_iter().flatten() {
            if !visit(m, edges, state) {
                return false;
            }
        }
        state.insert(n.to_string(), 2);
        true
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if !visit(n, &edges, &mut state) {
            problems.push(format!("dependsOn cycle through {n}"));
            break;
        }
    }
    for (k, o) in t["outputs"].as_object().into_iter().flatten() {
        walk(o, &format!("outputs.{k}"), false, &params, &mut problems);
    }
    for (k, p) in t["parameters"].as_object().into_iter().flatten() {
        walk(p, &format!("parameters.{k}"), false, &params, &mut problems);
    }
    problems
}

fn arm(bp: &Value) -> Value {
    let bp = iac_dharma::parse(&bp.to_string()).unwrap();
    let files = generate(&bp, OutputFormat::Arm, &GenerateOptions::default()).unwrap();
    assert_eq!(files.paths().collect::<Vec<_>>(), ["azuredeploy.json"]);
    serde_json::from_str(files.get("azuredeploy.json").unwrap()).unwrap()
}

fn arm_error(bp: &Value) -> iac_dharma::Error {
    let bp = iac_dharma::parse(&bp.to_string()).unwrap();
    generate(&bp, OutputFormat::Arm, &GenerateOptions::default()).unwrap_err()
}

// --- Tests -------------------------------------------------------------------------------

#[test]
fn every_azure_blueprint_generates_a_sound_template() {
    let mut n = 0;
    for (path, bp) in example_blueprints() {
        if bp.provider() != Provider::Azure {
            continue;
        }
        let files = gen(&bp, OutputFormat::Arm);
        let text = files.get("azuredeploy.json").unwrap();
        assert!(text.ends_with("}\n"), "{path}");
        let t: Value = serde_json::from_str(text).unwrap();
        let problems = check_template(&t);
        assert!(problems.is_empty(), "{path}: {problems:#?}");
        // Same input, same bytes.
        assert_eq!(gen(&bp, OutputFormat::Arm), files, "{path}");
        n += 1;
    }
    assert!(n >= 4, "only {n} azure blueprints");
}

#[test]
fn the_checker_catches_broken_templates() {
    let bp = json!({"name": "chk", "version": "1.0.0", "provider": "azure", "region": "westeurope",
        "resources": [
            {"type": "azurerm_virtual_network", "name": "vnet", "properties": {"name": "v", "location": "westeurope", "resource_group_name": "rg", "address_space": ["10.0.0.0/16"]}},
            {"type": "azurerm_subnet", "name": "a", "dependencies": ["vnet"], "properties": {"name": "a", "resource_group_name": "rg", "virtual_network_name": "v", "address_prefixes": ["10.0.1.0/24"]}}]});
    let good = arm(&bp);
    assert!(
        check_template(&good).is_empty(),
        "{:#?}",
        check_template(&good)
    );
    let mut bad = good.clone();
    bad["resources"][1]["dependsOn"] =
        json!(["[resourceId('Microsoft.Network/virtualNetworks', 'w')]"]);
    bad["resources"][0]["properties"]["x"] = json!("[concat('a', bogus('b'))]");
    bad["resources"][0]["properties"]["y"] = json!("[parameters('missing')]");
    bad["resources"][0]["properties"]["z"] = json!("[concat('a']");
    bad["resources"][1]["name"] = json!("only-one-segment");
    let problems = check_template(&bad).join("\n");
    let mut cyclic = good.clone();
    cyclic["resources"][0]["dependsOn"] =
        json!(["[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 'a')]"]);
    assert!(
        check_template(&cyclic)
            .join("\n")
            .contains("dependsOn cycle"),
        "{:?}",
        check_template(&cyclic)
    );
    for needle in [
        "no resource of the template",
        "unknown function `bogus`",
        "no parameter `missing`",
        "expected , or )",
        "segments for type",
    ] {
        assert!(problems.contains(needle), "{needle} not in {problems}");
    }
}

#[test]
fn resource_group_is_the_deployment_target() {
    let t = arm(
        &json!({"name": "rgt", "version": "1.2.3", "provider": "azure", "region": "westeurope",
        "tags": {"team": "a"},
        "resources": [
            {"type": "azurerm_resource_group", "name": "rg", "properties": {"name": "rg-x", "location": "westeurope", "tags": {"env": "dev"}}},
            {"type": "azurerm_virtual_network", "name": "vnet", "properties": {"name": "v", "location": "${rg.location}", "resource_group_name": "${rg.name}", "address_space": ["10.0.0.0/16"]}}]}),
    );
    assert_eq!(t["contentVersion"], "1.2.3.0");
    assert_eq!(
        t["metadata"]["resourceGroup"],
        json!({"name": "rg-x", "location": "westeurope"})
    );
    assert_eq!(
        t["resources"][0],
        json!({"type": "Microsoft.Resources/tags", "apiVersion": "2024-03-01", "name": "default", "properties": {"tags": {"env": "dev", "team": "a"}}})
    );
    assert_eq!(t["resources"][1]["location"], "[resourceGroup().location]");
    assert_eq!(t["resources"][1]["tags"], json!({"team": "a"}));
    assert!(t["resources"][1].get("dependsOn").is_none());

    // resource_group_name must be the group the template is deployed to.
    let e = arm_error(
        &json!({"name": "rgt", "version": "1.0.0", "provider": "azure", "region": "westeurope",
        "resources": [
            {"type": "azurerm_resource_group", "name": "rg", "properties": {"name": "rg-x", "location": "westeurope"}},
            {"type": "azurerm_public_ip", "name": "ip", "properties": {"name": "ip", "location": "westeurope", "resource_group_name": "elsewhere", "allocation_method": "Static"}}]}),
    );
    assert_eq!(e.code().as_str(), "unmapped_property");
    assert_eq!(e.path(), "resources[1].properties.resource_group_name");
    let e = arm_error(
        &json!({"name": "rgt", "version": "1.0.0", "provider": "azure", "region": "westeurope",
        "resources": [
            {"type": "azurerm_resource_group", "name": "a", "properties": {"name": "a", "location": "westeurope"}},
            {"type": "azurerm_resource_group", "name": "b", "properties": {"name": "b", "location": "westeurope"}}]}),
    );
    assert_eq!(e.code().as_str(), "unmapped_type");
    assert_eq!(e.path(), "resources[1].type");
}

#[test]
fn count_becomes_a_copy_loop_with_stable_names() {
    let t = arm(
        &json!({"name": "cpy", "version": "1.0.0", "provider": "azure", "region": "westeurope",
        "resources": [
            {"type": "azurerm_public_ip", "name": "ip", "count": 3, "properties": {"name": "pip", "location": "westeurope", "resource_group_name": "rg", "allocation_method": "Static"}},
            {"type": "azurerm_dns_zone", "name": "z", "properties": {"name": "example.com", "resource_group_name": "rg"}},
            {"type": "azurerm_dns_a_record", "name": "www", "properties": {"name": "www", "zone_name": "${z.name}", "resource_group_name": "rg", "ttl": 60, "records": ["${ip[2].ip_address}"]}}]}),
    );
    let ip = &t["resources"][0];
    assert_eq!(ip["copy"], json!({"name": "ip", "count": 3}));
    assert_eq!(ip["name"], "[concat('pip-', string(copyIndex()))]");
    let www = &t["resources"][2];
    assert_eq!(
        www["dependsOn"],
        json!([
            "ip",
            "[resourceId('Microsoft.Network/dnsZones', 'example.com')]"
        ])
    );
    assert_eq!(
        www["properties"]["ARecords"][0]["ipv4Address"],
        "[reference(resourceId('Microsoft.Network/publicIPAddresses', 'pip-2'), '2024-05-01').ipAddress]"
    );
    assert!(check_template(&t).is_empty(), "{:#?}", check_template(&t));
}

#[test]
fn subnets_of_one_network_are_created_one_after_the_other() {
    // Subnets of a network outside the template stay child resources, created in turn.
    let t = arm(
        &json!({"name": "ser", "version": "1.0.0", "provider": "azure", "region": "westeurope",
        "resources": [
            {"type": "azurerm_subnet", "name": "a", "properties": {"name": "a", "resource_group_name": "rg", "virtual_network_name": "v", "address_prefixes": ["10.0.1.0/24"]}},
            {"type": "azurerm_subnet", "name": "b", "count": 2, "properties": {"name": "b", "resource_group_name": "rg", "virtual_network_name": "v", "address_prefixes": ["10.0.2.0/24"]}}]}),
    );
    assert_eq!(t["resources"][0]["name"], "v/a");
    assert!(t["resources"][0].get("dependsOn").is_none());
    assert_eq!(
        t["resources"][1]["dependsOn"],
        json!(["[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 'a')]"])
    );
    assert_eq!(
        t["resources"][1]["copy"],
        json!({"name": "b", "count": 2, "mode": "serial", "batchSize": 1})
    );
    assert!(check_template(&t).is_empty(), "{:#?}", check_template(&t));

    // A counted subnet of a network of the template stays a child resource (a list item has
    // no copy loop); it waits for the network only, which holds the other subnet.
    let t = arm(
        &json!({"name": "ser", "version": "1.0.0", "provider": "azure", "region": "westeurope",
        "resources": [
            {"type": "azurerm_virtual_network", "name": "vnet", "properties": {"name": "v", "location": "westeurope", "resource_group_name": "rg", "address_space": ["10.0.0.0/16"]}},
            {"type": "azurerm_subnet", "name": "a", "properties": {"name": "a", "resource_group_name": "rg", "virtual_network_name": "${vnet.name}", "address_prefixes": ["10.0.1.0/24"]}},
            {"type": "azurerm_subnet", "name": "b", "count": 2, "properties": {"name": "b", "resource_group_name": "rg", "virtual_network_name": "${vnet.name}", "address_prefixes": ["10.0.2.0/24"]}}]}),
    );
    assert_eq!(t["resources"].as_array().unwrap().len(), 2);
    assert_eq!(
        t["resources"][0]["properties"]["subnets"],
        json!([{"name": "a", "properties": {"addressPrefixes": ["10.0.1.0/24"]}}])
    );
    assert_eq!(
        t["resources"][1]["name"],
        "[concat('v/b-', string(copyIndex()))]"
    );
    assert_eq!(
        t["resources"][1]["dependsOn"],
        json!(["[resourceId('Microsoft.Network/virtualNetworks', 'v')]"])
    );
    assert_eq!(
        t["resources"][1]["copy"],
        json!({"name": "b", "count": 2, "mode": "serial", "batchSize": 1})
    );
    assert!(check_template(&t).is_empty(), "{:#?}", check_template(&t));
}

/// A network with two subnets, an NSG association and a NIC, as Terraform configurations write
/// them.
fn network_blueprint() -> Value {
    json!({"name": "net", "version": "1.0.0", "provider": "azure", "region": "westeurope",
    "outputs": [{"name": "app_subnet", "value": "${app.id}"}, {"name": "app_subnet_name", "value": "${app.name}"}],
    "resources": [
        {"type": "azurerm_resource_group", "name": "rg", "properties": {"name": "rg-net", "location": "westeurope"}},
        {"type": "azurerm_virtual_network", "name": "vnet", "properties": {"name": "vnet-net", "location": "${rg.location}", "resource_group_name": "${rg.name}", "address_space": ["10.0.0.0/16"]}},
        {"type": "azurerm_network_security_group", "name": "nsg", "properties": {"name": "nsg-app", "location": "${rg.location}", "resource_group_name": "${rg.name}"}},
        {"type": "azurerm_subnet", "name": "app", "properties": {"name": "snet-app", "resource_group_name": "${rg.name}", "virtual_network_name": "${vnet.name}", "address_prefixes": ["10.0.1.0/24"], "service_endpoints": ["Microsoft.Storage"]}},
        {"type": "azurerm_subnet", "name": "db", "properties": {"name": "snet-db", "resource_group_name": "${rg.name}", "virtual_network_name": "${vnet.name}", "address_prefixes": ["10.0.2.0/24"], "private_endpoint_network_policies": "Disabled",
            "delegation": [{"name": "fs", "service_delegation": {"name": "Microsoft.DBforPostgreSQL/flexibleServers", "actions": ["Microsoft.Network/virtualNetworks/subnets/join/action"]}}]}},
        {"type": "azurerm_subnet_network_security_group_association", "name": "app_nsg", "properties": {"subnet_id": "${app.id}", "network_security_group_id": "${nsg.id}"}},
        {"type": "azurerm_network_interface", "name": "nic", "properties": {"name": "nic-app", "location": "${rg.location}", "resource_group_name": "${rg.name}",
            "ip_configuration": [{"name": "ipconfig", "subnet_id": "${app.id}", "private_ip_address_allocation": "Dynamic"}]}}]})
}

#[test]
fn subnets_of_a_network_of_the_template_are_in_its_subnets_list() {
    let t = arm(&network_blueprint());
    let problems = check_template(&t);
    assert!(problems.is_empty(), "{problems:#?}");
    let resources = t["resources"].as_array().unwrap();
    // The network, the NSG and the NIC: no subnet resources.
    let types: Vec<&str> = resources
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "Microsoft.Network/virtualNetworks",
            "Microsoft.Network/networkSecurityGroups",
            "Microsoft.Network/networkInterfaces"
        ]
    );
    let vnet = &resources[0];
    let nsg_id = "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-app')]";
    // In blueprint order, each with the azurerm_subnet mapping; the association in its subnet.
    assert_eq!(
        vnet["properties"]["subnets"],
        json!([
            {"name": "snet-app", "properties": {
                "addressPrefixes": ["10.0.1.0/24"],
                "serviceEndpoints": [{"service": "Microsoft.Storage"}],
                "networkSecurityGroup": {"id": nsg_id}}},
            {"name": "snet-db", "properties": {
                "addressPrefixes": ["10.0.2.0/24"],
                "privateEndpointNetworkPolicies": "Disabled",
                "delegations": [{"name": "fs", "properties": {
                    "serviceName": "Microsoft.DBforPostgreSQL/flexibleServers",
                    "actions": ["Microsoft.Network/virtualNetworks/subnets/join/action"]}}]}}
        ])
    );
    assert_eq!(
        vnet["properties"]["addressSpace"]["addressPrefixes"],
        json!(["10.0.0.0/16"])
    );
    // The NSG must exist before the network that uses it.
    assert_eq!(vnet["dependsOn"], json!([nsg_id]));

    // References keep the subnet's own ID; what uses the subnet waits for the network.
    let subnet_id =
        "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-net', 'snet-app')]";
    let nic = &resources[2];
    assert_eq!(
        nic["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"],
        subnet_id
    );
    assert_eq!(
        nic["dependsOn"],
        json!(["[resourceId('Microsoft.Network/virtualNetworks', 'vnet-net')]"])
    );
    assert_eq!(t["outputs"]["app_subnet"]["value"], subnet_id);
    assert_eq!(t["outputs"]["app_subnet_name"]["value"], "snet-app");
}

#[test]
fn nat_gateway_and_route_table_associations_land_in_the_nested_subnet() {
    let mut bp = network_blueprint();
    let extra = json!([
        {"type": "azurerm_nat_gateway", "name": "nat", "properties": {"name": "nat", "location": "${rg.location}", "resource_group_name": "${rg.name}", "sku_name": "Standard"}},
        {"type": "azurerm_route_table", "name": "rt", "properties": {"name": "rt", "location": "${rg.location}", "resource_group_name": "${rg.name}"}},
        {"type": "azurerm_subnet_nat_gateway_association", "name": "db_nat", "properties": {"subnet_id": "${db.id}", "nat_gateway_id": "${nat.id}"}},
        {"type": "azurerm_subnet_route_table_association", "name": "db_rt", "properties": {"subnet_id": "${db.id}", "route_table_id": "${rt.id}"}}
    ]);
    bp["resources"]
        .as_array_mut()
        .unwrap()
        .extend(extra.as_array().unwrap().iter().cloned());
    let t = arm(&bp);
    let problems = check_template(&t);
    assert!(problems.is_empty(), "{problems:#?}");
    let vnet = &t["resources"][0];
    let db = &vnet["properties"]["subnets"][1]["properties"];
    assert_eq!(
        db["natGateway"]["id"],
        "[resourceId('Microsoft.Network/natGateways', 'nat')]"
    );
    assert_eq!(
        db["routeTable"]["id"],
        "[resourceId('Microsoft.Network/routeTables', 'rt')]"
    );
    assert_eq!(
        vnet["dependsOn"],
        json!([
            "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-app')]",
            "[resourceId('Microsoft.Network/natGateways', 'nat')]",
            "[resourceId('Microsoft.Network/routeTables', 'rt')]"
        ])
    );
}

#[test]
fn explicit_dependencies_on_a_nested_subnet_wait_for_the_network() {
    let mut bp = network_blueprint();
    bp["resources"].as_array_mut().unwrap().push(json!(
        {"type": "azurerm_public_ip", "name": "ip", "dependencies": ["db"], "properties": {"name": "pip", "location": "${rg.location}", "resource_group_name": "${rg.name}", "allocation_method": "Static"}}
    ));
    let t = arm(&bp);
    let problems = check_template(&t);
    assert!(problems.is_empty(), "{problems:#?}");
    let ip = t["resources"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(ip["type"], "Microsoft.Network/publicIPAddresses");
    assert_eq!(
        ip["dependsOn"],
        json!(["[resourceId('Microsoft.Network/virtualNetworks', 'vnet-net')]"])
    );
}

#[test]
fn subnets_of_a_network_outside_the_template_stay_child_resources() {
    for vnet_name in ["vnet-shared", "${var.vnet}"] {
        let t = arm(
            &json!({"name": "ext", "version": "1.0.0", "provider": "azure", "region": "westeurope",
            "variables": [{"name": "vnet", "type": "string", "default": "vnet-shared"}],
            "resources": [
                {"type": "azurerm_network_security_group", "name": "nsg", "properties": {"name": "nsg-app", "location": "westeurope", "resource_group_name": "rg"}},
                {"type": "azurerm_subnet", "name": "app", "properties": {"name": "snet-app", "resource_group_name": "rg", "virtual_network_name": vnet_name, "address_prefixes": ["10.0.1.0/24"]}},
                {"type": "azurerm_subnet_network_security_group_association", "name": "app_nsg", "properties": {"subnet_id": "${app.id}", "network_security_group_id": "${nsg.id}"}}]}),
        );
        let problems = check_template(&t);
        assert!(problems.is_empty(), "{problems:#?}");
        let subnet = &t["resources"][1];
        assert_eq!(subnet["type"], "Microsoft.Network/virtualNetworks/subnets");
        let name = if vnet_name.starts_with("${") {
            json!("[concat(parameters('vnet'), '/snet-app')]")
        } else {
            json!("vnet-shared/snet-app")
        };
        assert_eq!(subnet["name"], name);
        assert_eq!(
            subnet["properties"],
            json!({"addressPrefixes": ["10.0.1.0/24"], "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-app')]"}})
        );
        assert_eq!(
            subnet["dependsOn"],
            json!(["[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-app')]"])
        );
    }
}

#[test]
fn a_subnet_whose_dependencies_need_the_network_stays_a_child_resource() {
    // The route table's next hop is the firewall, in a subnet of the same network: written in
    // the network's list, the subnet would make the network wait for itself.
    let t = arm(
        &json!({"name": "hub", "version": "1.0.0", "provider": "azure", "region": "westeurope",
        "resources": [
            {"type": "azurerm_virtual_network", "name": "vnet", "properties": {"name": "v", "location": "westeurope", "resource_group_name": "rg", "address_space": ["10.0.0.0/16"]}},
            {"type": "azurerm_subnet", "name": "fw", "properties": {"name": "AzureFirewallSubnet", "resource_group_name": "rg", "virtual_network_name": "${vnet.name}", "address_prefixes": ["10.0.0.0/26"]}},
            {"type": "azurerm_network_interface", "name": "nva", "properties": {"name": "nva", "location": "westeurope", "resource_group_name": "rg",
                "ip_configuration": [{"name": "ipconfig", "subnet_id": "${fw.id}", "private_ip_address_allocation": "Dynamic"}]}},
            {"type": "azurerm_route_table", "name": "rt", "properties": {"name": "rt", "location": "westeurope", "resource_group_name": "rg",
                "route": [{"name": "out", "address_prefix": "0.0.0.0/0", "next_hop_type": "VirtualAppliance", "next_hop_in_ip_address": "${nva.private_ip_address}"}]}},
            {"type": "azurerm_subnet", "name": "app", "properties": {"name": "app", "resource_group_name": "rg", "virtual_network_name": "${vnet.name}", "address_prefixes": ["10.0.1.0/24"]}},
            {"type": "azurerm_subnet_route_table_association", "name": "app_rt", "properties": {"subnet_id": "${app.id}", "route_table_id": "${rt.id}"}}]}),
    );
    let problems = check_template(&t);
    assert!(problems.is_empty(), "{problems:#?}");
    let resources = t["resources"].as_array().unwrap();
    assert_eq!(
        resources[0]["properties"]["subnets"],
        json!([{"name": "AzureFirewallSubnet", "properties": {"addressPrefixes": ["10.0.0.0/26"]}}])
    );
    let app = resources
        .iter()
        .find(|r| r["name"] == "v/app")
        .expect("app subnet as a child resource");
    assert_eq!(
        app["properties"]["routeTable"]["id"],
        "[resourceId('Microsoft.Network/routeTables', 'rt')]"
    );
}

#[test]
fn inline_subnet_blocks_and_separate_subnets_of_one_network_are_an_error() {
    let e = arm_error(
        &json!({"name": "mix", "version": "1.0.0", "provider": "azure", "region": "westeurope",
        "resources": [
            {"type": "azurerm_virtual_network", "name": "vnet", "properties": {"name": "v", "location": "westeurope", "resource_group_name": "rg", "address_space": ["10.0.0.0/16"],
                "subnet": [{"name": "inline", "address_prefixes": ["10.0.0.0/24"]}]}},
            {"type": "azurerm_subnet", "name": "a", "properties": {"name": "a", "resource_group_name": "rg", "virtual_network_name": "${vnet.name}", "address_prefixes": ["10.0.1.0/24"]}}]}),
    );
    assert_eq!(e.code().as_str(), "unmapped_property");
    assert_eq!(e.path(), "resources[0].properties.subnet");
    let text = e.to_string();
    assert!(text.contains("resources[1]"), "{text}");
    assert!(text.contains("`subnet` blocks"), "{text}");

    // Inline blocks alone are the network's list, as before.
    let t = arm(
        &json!({"name": "inl", "version": "1.0.0", "provider": "azure", "region": "westeurope",
        "resources": [
            {"type": "azurerm_virtual_network", "name": "vnet", "properties": {"name": "v", "location": "westeurope", "resource_group_name": "rg", "address_space": ["10.0.0.0/16"],
                "subnet": [{"name": "inline", "address_prefixes": ["10.0.0.0/24"]}]}}]}),
    );
    assert_eq!(
        t["resources"][0]["properties"]["subnets"],
        json!([{"name": "inline", "properties": {"addressPrefixes": ["10.0.0.0/24"]}}])
    );
}

#[test]
fn a_nested_subnet_keeps_its_lock_and_notes() {
    let mut bp = network_blueprint();
    bp["resources"][3]["lifecycle"] = json!({"prevent_destroy": true});
    bp["resources"][3]["description"] = json!("front end");
    let t = arm(&bp);
    let problems = check_template(&t);
    assert!(problems.is_empty(), "{problems:#?}");
    let resources = t["resources"].as_array().unwrap();
    assert_eq!(resources[0]["comments"], "azurerm_subnet.app: front end");
    let lock = resources
        .iter()
        .find(|r| r["type"] == "Microsoft.Authorization/locks")
        .unwrap();
    assert_eq!(
        lock["scope"],
        "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-net', 'snet-app')]"
    );
    assert_eq!(
        lock["dependsOn"],
        json!(["[resourceId('Microsoft.Network/virtualNetworks', 'vnet-net')]"])
    );
}

#[test]
fn unmappable_types_and_properties_are_errors_naming_them() {
    let e = arm_error(
        &json!({"name": "unm", "version": "1.0.0", "provider": "azure", "region": "westeurope",
        "resources": [{"type": "azurerm_availability_set", "name": "avs", "properties": {"name": "avs", "location": "westeurope", "resource_group_name": "rg"}}]}),
    );
    assert_eq!(e.code().as_str(), "unmapped_type");
    assert_eq!(e.path(), "resources[0].type");
    assert!(
        e.findings()[0].message.contains("ARM"),
        "{}",
        e.findings()[0].message
    );
    let e = arm_error(
        &json!({"name": "unm", "version": "1.0.0", "provider": "azure", "region": "westeurope",
        "resources": [{"type": "azurerm_public_ip", "name": "ip", "properties": {"name": "ip", "location": "westeurope", "resource_group_name": "rg", "allocation_method": "Static", "ip_tags": {"RoutingPreference": "Internet"}}}]}),
    );
    assert_eq!(e.code().as_str(), "unmapped_property");
    assert_eq!(e.path(), "resources[0].properties.ip_tags");
    assert!(e.findings()[0].message.contains("ip_tags") && e.findings()[0].message.contains("ARM"));
}

#[test]
fn mixed_text_becomes_concat_with_quotes_doubled() {
    let t = arm(
        &json!({"name": "mix", "version": "1.0.0", "provider": "azure", "region": "westeurope",
        "variables": [{"name": "n", "type": "number", "default": 3}, {"name": "p", "default": "x"}],
        "resources": [{"type": "azurerm_user_assigned_identity", "name": "id", "properties": {
            "name": "it's-${var.p}-${var.n}-$${x}", "location": "westeurope", "resource_group_name": "rg"}}]}),
    );
    assert_eq!(
        t["resources"][0]["name"],
        "[concat('it''s-', parameters('p'), '-', string(parameters('n')), '-${x}')]"
    );
    assert_eq!(
        t["parameters"]["n"],
        json!({"type": "int", "defaultValue": 3})
    );
}

/// What ARM makes of a template string that holds no expression.
fn arm_literal(v: &Value) -> String {
    match read_string(v.as_str().unwrap()).unwrap() {
        Ok(s) => s,
        Err(e) => panic!("an expression: {e:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arm_strings_round_trip(value in "[a-z0-9 ${}\\[\\]'\"\\\\\n\t\u{0}é😀-]{0,24}", desc in any::<String>()) {
        let escaped = value.replace("${", "$${");
        let t = arm(&json!({"name": "prop", "version": "1.0.0", "provider": "azure", "region": "westeurope",
            "variables": [{"name": "v", "default": value, "description": desc}],
            "outputs": [{"name": "o", "value": escaped}, {"name": "m", "value": format!("{escaped}|${{var.v}}|{escaped}")}],
            "resources": [{"type": "azurerm_key_vault_secret", "name": "s", "properties": {
                "name": "s", "key_vault_id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
                "value": escaped, "content_type": escaped, "tags": {"K": escaped, value.clone(): "x"}}}]}));
        let r = &t["resources"][0];
        prop_assert_eq!(arm_literal(&r["properties"]["value"]), value.clone());
        prop_assert_eq!(arm_literal(&r["properties"]["contentType"]), value.clone());
        prop_assert_eq!(arm_literal(&r["tags"]["K"]), value.clone());
        // `K` is outside the generated alphabet, so the two tag keys never collide.
        let key = r["tags"].as_object().unwrap().keys().find(|k| *k != "K").cloned().unwrap();
        prop_assert_eq!(arm_literal(&Value::String(key)), value.clone());
        prop_assert_eq!(arm_literal(&t["outputs"]["o"]["value"]), value.clone());
        prop_assert_eq!(arm_literal(&t["parameters"]["v"]["defaultValue"]), value.clone());
        prop_assert_eq!(t["parameters"]["v"]["metadata"]["description"].as_str().unwrap(), desc.as_str());
        // Mixed text: concat() evaluates back to the same text around the parameter's value.
        let params = BTreeMap::from([("v".to_string(), V::S("<v>".into()))]);
        let env = Env { params: &params, copy_index: None, used: Default::default() };
        let mixed = match read_string(t["outputs"]["m"]["value"].as_str().unwrap()).unwrap() {
            Ok(l) => panic!("not an expression: {l}"),
            Err(ast) => eval(&ast, &env).unwrap(),
        };
        prop_assert_eq!(mixed, V::S(format!("{value}|<v>|{value}")));
        prop_assert!(check_template(&t).is_empty());
    }
}

/// A replaced `arm` template gets the template as data: written with the `json` filter, it is
/// the embedded template's text (which prints the engine's `template_json`).
#[test]
#[cfg(feature = "templates")] // caller templates need tera
fn replaced_arm_template_gets_the_template_as_data() {
    let set = iac_dharma::TemplateSet::with_overrides([(
        "arm/azuredeploy.json.tera".to_string(),
        "{{ template | json }}\n".to_string(),
    )])
    .unwrap();
    let mut options = GenerateOptions::default();
    options.templates = Some(set);
    let mut seen = 0;
    for (path, bp) in example_blueprints() {
        if !OutputFormat::Arm.supports(bp.provider()) {
            continue;
        }
        let embedded = gen(&bp, OutputFormat::Arm);
        let replaced = generate(&bp, OutputFormat::Arm, &options).unwrap();
        assert_eq!(embedded, replaced, "{path}");
        seen += 1;
    }
    assert!(seen > 0);
}

#[test]
fn booleans_in_text_are_written_as_terraform_writes_them() {
    // A tag value is a string: `${var.flag}` is Terraform's `true`, not a boolean, and in mixed
    // text not ARM's `True`.
    let t = arm(
        &json!({"name": "boolt", "version": "1.0.0", "provider": "azure",
        "region": "westeurope", "variables": [{"name": "flag", "type": "bool", "default": true}],
        "resources": [
            {"type": "azurerm_resource_group", "name": "rg", "properties": {"name": "rg-demo",
                "location": "westeurope", "tags": {"enabled": "${var.flag}", "mixed": "on=${var.flag}"}}},
            {"type": "azurerm_storage_account", "name": "st", "properties": {"name": "stdemo123",
                "location": "${rg.location}", "resource_group_name": "${rg.name}",
                "account_tier": "Standard", "account_replication_type": "LRS",
                "tags": {"enabled": "${var.flag}", "n": 5}}}]}),
    );
    let problems = check_template(&t);
    assert!(problems.is_empty(), "{problems:#?}");
    let lowered = "[toLower(string(parameters('flag')))]";
    let resources = t["resources"].as_array().unwrap();
    let group = resources
        .iter()
        .find(|r| r["type"] == "Microsoft.Resources/tags")
        .unwrap();
    assert_eq!(
        group["properties"]["tags"],
        json!({"enabled": lowered, "mixed": "[concat('on=', toLower(string(parameters('flag'))))]"})
    );
    let st = resources
        .iter()
        .find(|r| r["type"] == "Microsoft.Storage/storageAccounts")
        .unwrap();
    assert_eq!(st["tags"]["enabled"], lowered);
}

#[test]
fn storage_accounts_get_the_providers_defaults() {
    // azurerm: account_kind defaults to StorageV2 (ARM requires a kind), min_tls_version to
    // TLS1_2 (the API's default is TLS1_0); given values win.
    let account = |extra: Value| {
        let mut props = json!({"name": "stdemo123", "location": "${rg.location}",
            "resource_group_name": "${rg.name}", "account_tier": "Standard",
            "account_replication_type": "LRS"});
        props
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let t = arm(
            &json!({"name": "stdef", "version": "1.0.0", "provider": "azure",
            "region": "westeurope", "resources": [
            {"type": "azurerm_resource_group", "name": "rg", "properties": {"name": "rg-demo",
                "location": "westeurope"}},
            {"type": "azurerm_storage_account", "name": "st", "properties": props}]}),
        );
        let problems = check_template(&t);
        assert!(problems.is_empty(), "{problems:#?}");
        t["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == "Microsoft.Storage/storageAccounts")
            .unwrap()
            .clone()
    };
    let st = account(json!({}));
    assert_eq!(st["kind"], "StorageV2");
    assert_eq!(st["properties"]["minimumTlsVersion"], "TLS1_2");
    let st = account(json!({"account_kind": "BlockBlobStorage", "min_tls_version": "TLS1_3"}));
    assert_eq!(st["kind"], "BlockBlobStorage");
    assert_eq!(st["properties"]["minimumTlsVersion"], "TLS1_3");
}
