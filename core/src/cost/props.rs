//! Reading resource properties as the estimator needs them: literal values, with `${var.x}`
//! resolved to the variable's default and `${res.arg}` to another resource's literal argument.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::blueprint::{Resource, Value};
use crate::check::CheckedBlueprint;
use crate::reference::{may_contain_reference, Reference, Step, Template};

/// Properties of one resource, resolved against the blueprint.
#[derive(Clone, Copy)]
pub(crate) struct Props<'a> {
    pub bp: &'a CheckedBlueprint,
    pub res: &'a Resource,
}

impl<'a> Props<'a> {
    pub fn new(bp: &'a CheckedBlueprint, res: &'a Resource) -> Self {
        Props { bp, res }
    }

    /// The value at a path of argument names; list-valued blocks (`[ {...} ]`) step into their
    /// first element.
    pub fn value(&self, path: &[&str]) -> Option<&'a Value> {
        let (first, rest) = path.split_first()?;
        let mut v = self.resolve(self.res.properties.get(*first)?, 0)?;
        for key in rest {
            v = first_if_list(v);
            v = self.resolve(v.as_object()?.get(*key)?, 0)?;
        }
        Some(v)
    }

    /// A string argument (references resolved where possible).
    pub fn str(&self, path: &[&str]) -> Option<&'a str> {
        let v = match self.value(path)? {
            Value::Array(a) => self.resolve(a.first()?, 0)?,
            v => v,
        };
        match v {
            Value::String(s) if !may_contain_reference(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// A numeric argument (a number or a numeric string).
    pub fn num(&self, path: &[&str]) -> Option<Decimal> {
        match self.value(path)? {
            Value::Number(n) => {
                let t = n.to_string();
                Decimal::from_str(&t)
                    .or_else(|_| Decimal::from_scientific(&t))
                    .ok()
            }
            Value::String(s) => Decimal::from_str(s.trim()).ok(),
            _ => None,
        }
    }

    /// A boolean argument (`true`/`false` or the strings).
    pub fn bool(&self, path: &[&str]) -> Option<bool> {
        match self.value(path)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// The number of elements of a list argument (`None` when absent or not a literal list).
    pub fn len(&self, path: &[&str]) -> Option<usize> {
        match self.value(path)? {
            Value::Array(a) => Some(a.len()),
            _ => None,
        }
    }

    /// Whether the argument is set at all.
    pub fn has(&self, path: &[&str]) -> bool {
        let Some((first, rest)) = path.split_first() else {
            return false;
        };
        let Some(mut v) = self.res.properties.get(*first) else {
            return false;
        };
        for key in rest {
            v = first_if_list(v);
            match v.as_object().and_then(|o| o.get(*key)) {
                Some(x) => v = x,
                None => return false,
            }
        }
        !v.is_null()
    }

    /// The resource a string argument refers to (`launch_template.id: "${lt.id}"` -> `lt`).
    pub fn referenced(&self, path: &[&str]) -> Option<&'a Resource> {
        let (first, rest) = path.split_first()?;
        let mut v = self.res.properties.get(*first)?;
        for key in rest {
            v = first_if_list(v);
            v = v.as_object()?.get(*key)?;
        }
        let Value::String(s) = first_if_list(v) else {
            return None;
        };
        let t = Template::parse(s).ok()?;
        let name = t.references().find_map(|r| match r {
            Reference::Resource { name, .. } => Some(name.as_str()),
            Reference::Variable { .. } => None,
        })?;
        let i = self.bp.index_of(name)?;
        self.bp.resources().get(i)
    }

    /// Follows `${var.x}` (to its default) and `${res.arg}` (to the literal argument of `res`),
    /// at most a few hops; `None` when the value is only known at deploy time.
    fn resolve(&self, v: &'a Value, depth: u8) -> Option<&'a Value> {
        let Value::String(s) = v else {
            return Some(v);
        };
        if !may_contain_reference(s) || depth > 3 {
            return (!may_contain_reference(s)).then_some(v);
        }
        let t = Template::parse(s).ok()?;
        match t.as_single_reference()? {
            Reference::Variable { name } => {
                let var = self
                    .bp
                    .blueprint()
                    .variables
                    .iter()
                    .find(|x| &x.name == name)?;
                self.resolve(var.default.as_ref()?, depth + 1)
            }
            Reference::Resource {
                name, attribute, ..
            } => {
                let target = self.bp.resources().get(self.bp.index_of(name)?)?;
                let mut cur = target.properties.get(match attribute.first()? {
                    Step::Attr(a) => a.as_str(),
                    Step::Index(_) => return None,
                })?;
                for step in attribute.iter().skip(1) {
                    cur = match step {
                        Step::Attr(a) => first_if_list(cur).as_object()?.get(a)?,
                        Step::Index(i) => cur.as_array()?.get(*i as usize)?,
                    };
                }
                let inner = Props {
                    bp: self.bp,
                    res: target,
                };
                inner.resolve(cur, depth + 1)
            }
        }
    }
}

fn first_if_list(v: &Value) -> &Value {
    match v {
        Value::Array(a) if a.first().is_some_and(Value::is_object) => a.first().unwrap_or(v),
        _ => v,
    }
}
