//! Boundary types: Python values to the engine's JSON values and back, decimal arguments, and the
//! result objects of `iac_dharma._results`.

use iac_dharma::{Code, Decimal, Error, ErrorKind, Finding, Value};

use crate::error::{engine, guard};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PySequence, PyString, PyTuple,
};

/// Deepest nesting accepted from Python (also stops self-referencing containers).
const MAX_DEPTH: usize = 128;

/// An `invalid_input` error about an argument (or a part of one, at `path`).
pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::single(
        ErrorKind::InvalidInput,
        Finding::error(Code::InvalidArgument, path, message),
    )
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Converts a Python value (dict, list, tuple, str, int, float, bool, None, `Decimal`) into a JSON
/// value. `path` names the value in errors (`resources[2].properties.tags`).
///
/// # Errors
/// An `invalid_input` error at the path of a value of another type, of a non-string key, of a
/// float that is not finite, or past [`MAX_DEPTH`].
pub fn to_value(obj: &Bound<'_, PyAny>, path: &str) -> Result<Value, Error> {
    to_value_at(obj, path, 0)
}

/// A Python exception raised while a value was read (by its `__len__`, `__getitem__`, `items()`
/// or `__str__`). A `TypeError` is the value's own shape, reported by `shape_error` at its path;
/// any other (`KeyboardInterrupt`, `MemoryError`, the caller's own error) is left pending, and
/// [`crate::error::to_py`] raises it as it is instead of the engine error returned here.
fn raised(py: Python<'_>, e: PyErr, shape_error: impl FnOnce() -> Error) -> Error {
    if !e.is_instance_of::<pyo3::exceptions::PyTypeError>(py) {
        e.restore(py);
    }
    shape_error()
}

/// The text of a Python string at `path`, refused (not replaced with U+FFFD, as `str()` of it
/// would) when it holds a lone surrogate, which UTF-8 cannot hold.
pub fn strict_text(s: &Bound<'_, PyString>, path: &str) -> Result<String, Error> {
    s.to_str().map(str::to_string).map_err(|_| {
        invalid(
            path,
            "the string holds a lone surrogate (a half of a UTF-16 pair), which is not text",
        )
    })
}

fn to_value_at(obj: &Bound<'_, PyAny>, path: &str, depth: usize) -> Result<Value, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::single(
            ErrorKind::Limit,
            Finding::error(
                Code::LimitExceeded,
                path,
                format!("nested deeper than {MAX_DEPTH} levels"),
            ),
        ));
    }
    let type_error = || {
        let type_name = obj
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into());
        invalid(
            path,
            format!("a value of type `{type_name}` cannot be converted to JSON"),
        )
    };
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return strict_text(s, path).map(Value::String);
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(invalid(path, "the integer does not fit in 64 bits"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return serde_json::Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| invalid(path, "the number is not finite (NaN or infinity)"));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, v) in dict.iter() {
            let key = k
                .cast::<PyString>()
                .ok()
                .and_then(|s| s.to_str().ok().map(str::to_string))
                .ok_or_else(|| invalid(path, "every key of a mapping must be a string"))?;
            let value = to_value_at(&v, &join(path, &key), depth + 1)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let seq = obj.cast::<PySequence>().map_err(|_| type_error())?;
        let len = seq.len().map_err(|e| raised(obj.py(), e, type_error))?;
        let mut items = Vec::with_capacity(len);
        for i in 0..len {
            let item = seq
                .get_item(i)
                .map_err(|e| raised(obj.py(), e, type_error))?;
            items.push(to_value_at(&item, &format!("{path}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    if is_decimal(obj) {
        let text = obj
            .str()
            .map_err(|e| raised(obj.py(), e, type_error))?
            .to_string();
        return decimal_number(&text).ok_or_else(|| invalid(path, "the number is not finite"));
    }
    if let Ok(mapping) = obj.cast::<PyMapping>() {
        // Other mappings (MappingProxyType, OrderedDict subclasses...): through their items.
        let items = mapping
            .items()
            .map_err(|e| raised(obj.py(), e, type_error))?;
        let mut map = serde_json::Map::new();
        for pair in items.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair
                .extract()
                .map_err(|e| raised(obj.py(), e, type_error))?;
            let key: String = k
                .extract()
                .map_err(|_| invalid(path, "every key of a mapping must be a string"))?;
            let value = to_value_at(&v, &join(path, &key), depth + 1)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    Err(type_error())
}

fn is_decimal(obj: &Bound<'_, PyAny>) -> bool {
    let ty = obj.get_type();
    let module = ty.module().map(|m| m.to_string()).unwrap_or_default();
    let name = ty.name().map(|n| n.to_string()).unwrap_or_default();
    module == "decimal" && name == "Decimal"
}

/// A decimal's text as a JSON number (an integer when it has no fraction, else a float).
fn decimal_number(text: &str) -> Option<Value> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
}

/// Converts a JSON value into Python objects (dict, list, str, int, float, bool, None).
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Reads a money argument: `decimal.Decimal`, `int`, `str` (`"1500.50"`) or `float` (read from
/// its shortest text, so `0.1` is exactly 0.1).
///
/// # Errors
/// An `invalid_input` error at `name` for booleans, other types and text that is not a decimal.
pub fn decimal_arg(obj: &Bound<'_, PyAny>, name: &str) -> Result<Decimal, Error> {
    let readable = !obj.is_instance_of::<PyBool>()
        && (obj.is_instance_of::<PyInt>()
            || obj.is_instance_of::<PyFloat>()
            || obj.is_instance_of::<PyString>()
            || is_decimal(obj));
    let text = if readable {
        obj.str().ok().map(|s| s.to_string())
    } else {
        None
    };
    let Some(text) = text else {
        return Err(invalid(
            name,
            format!("`{name}` must be a decimal.Decimal, int, float or decimal string"),
        ));
    };
    iac_dharma::exact_decimal(&text).map_err(|message| invalid(name, message))
}

/// An engine result as the engine returned it, serialized to JSON only when Python first reads it
/// (the private class `iac_dharma._iac_dharma._Pending` inside a result object of
/// `iac_dharma._results`). A verb thus returns as soon as the engine does, and a caller that
/// only forwards the JSON or reads one field never pays for a conversion to Python objects.
#[pyclass(frozen, module = "iac_dharma._iac_dharma", name = "_Pending")]
pub struct Pending {
    value: Box<dyn ToJson>,
}

/// A result that can be written as JSON (any serializable engine result), whole or one field.
trait ToJson: Send + Sync {
    fn to_json(&self) -> Result<String, Error>;
    /// The JSON of the field `name` of a result that serializes as a struct (`None` when the
    /// struct leaves it out); an error for results of other shapes.
    fn field_json(&self, name: &str) -> Result<Option<String>, serde_json::Error>;
}

impl<T: serde::Serialize + Send + Sync> ToJson for T {
    fn to_json(&self) -> Result<String, Error> {
        json(self)
    }

    fn field_json(&self, name: &str) -> Result<Option<String>, serde_json::Error> {
        self.serialize(pick::Picker { name })
    }
}

#[pymethods]
impl Pending {
    /// The result as the engine's compact JSON text (serialized with the GIL released).
    fn json(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || engine(py, || self.value.to_json()))
    }

    /// `(True, JSON text of the field name)` (`None` for a field the result leaves out), written
    /// without the rest of the result; `(False, None)` when the result is not a struct (read
    /// `json()` instead).
    fn field(&self, py: Python<'_>, name: &str) -> PyResult<(bool, Option<String>)> {
        guard(py, || {
            Ok(py.detach(|| match self.value.field_json(name) {
                Ok(text) => (true, text),
                Err(_) => (false, None),
            }))
        })
    }

    fn __repr__(&self) -> &'static str {
        "<_Pending engine result>"
    }
}

/// A serde serializer that writes one field of a struct as JSON and skips the others, so that
/// reading `estimate.total_monthly` does not write the whole estimate.
mod pick {
    use serde::ser::{self, Impossible, Serialize, SerializeStruct};

    type Fail = Impossible<Option<String>, serde_json::Error>;

    fn not_a_struct() -> serde_json::Error {
        ser::Error::custom("not a struct")
    }

    /// Serializes a struct into the JSON of its field `name` (`None` when skipped).
    pub struct Picker<'a> {
        pub name: &'a str,
    }

    /// The fields of the struct being serialized.
    pub struct Fields<'a> {
        name: &'a str,
        found: Option<String>,
    }

    impl SerializeStruct for Fields<'_> {
        type Ok = Option<String>;
        type Error = serde_json::Error;

        fn serialize_field<T: ?Sized + Serialize>(
            &mut self,
            key: &'static str,
            value: &T,
        ) -> Result<(), Self::Error> {
            if key == self.name {
                self.found = Some(serde_json::to_string(value)?);
            }
            Ok(())
        }

        fn end(self) -> Result<Option<String>, Self::Error> {
            Ok(self.found)
        }
    }

    macro_rules! refuse {
        ($($method:ident($($arg:ty),*);)*) => {
            $(fn $method(self, $(_: $arg),*) -> Result<Option<String>, serde_json::Error> {
                Err(not_a_struct())
            })*
        };
    }

    impl<'a> ser::Serializer for Picker<'a> {
        type Ok = Option<String>;
        type Error = serde_json::Error;
        type SerializeSeq = Fail;
        type SerializeTuple = Fail;
        type SerializeTupleStruct = Fail;
        type SerializeTupleVariant = Fail;
        type SerializeMap = Fail;
        type SerializeStruct = Fields<'a>;
        type SerializeStructVariant = Fail;

        refuse! {
            serialize_bool(bool);
            serialize_i8(i8);
            serialize_i16(i16);
            serialize_i32(i32);
            serialize_i64(i64);
            serialize_u8(u8);
            serialize_u16(u16);
            serialize_u32(u32);
            serialize_u64(u64);
            serialize_f32(f32);
            serialize_f64(f64);
            serialize_char(char);
            serialize_str(&str);
            serialize_bytes(&[u8]);
            serialize_none();
            serialize_unit();
            serialize_unit_struct(&'static str);
            serialize_unit_variant(&'static str, u32, &'static str);
        }

        fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Self::Ok, Self::Error> {
            value.serialize(self)
        }

        fn serialize_newtype_struct<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            value: &T,
        ) -> Result<Self::Ok, Self::Error> {
            value.serialize(self)
        }

        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<Self::Ok, Self::Error> {
            Err(not_a_struct())
        }

        fn serialize_seq(self, _: Option<usize>) -> Result<Fail, Self::Error> {
            Err(not_a_struct())
        }

        fn serialize_tuple(self, _: usize) -> Result<Fail, Self::Error> {
            Err(not_a_struct())
        }

        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Fail, Self::Error> {
            Err(not_a_struct())
        }

        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Fail, Self::Error> {
            Err(not_a_struct())
        }

        fn serialize_map(self, _: Option<usize>) -> Result<Fail, Self::Error> {
            Err(not_a_struct())
        }

        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields<'a>, Self::Error> {
            Ok(Fields {
                name: self.name,
                found: None,
            })
        }

        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Fail, Self::Error> {
            Err(not_a_struct())
        }
    }
}

/// Wraps an engine result in the result class `class` of `iac_dharma._results`, unconverted
/// (see [`Pending`]).
pub fn pending<'py, T: serde::Serialize + Send + Sync + 'static>(
    py: Python<'py>,
    class: &str,
    value: T,
) -> PyResult<Bound<'py, PyAny>> {
    let value = Bound::new(
        py,
        Pending {
            value: Box::new(value),
        },
    )?;
    let cls = py.import("iac_dharma._results")?.getattr(class)?;
    cls.call_method1("_from_native", (value,))
}

/// Wraps engine JSON (an object, or a list of objects when `list` is true) in the result class
/// `class` of `iac_dharma._results`. The text is parsed by the result object when first read.
pub fn record<'py>(
    py: Python<'py>,
    class: &str,
    json: String,
    list: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let cls = py.import("iac_dharma._results")?.getattr(class)?;
    let method = if list {
        "_list_from_json"
    } else {
        "_from_json"
    };
    cls.call_method1(method, (json,))
}

/// Serializes an engine result to JSON text (in the thread that holds no GIL).
///
/// # Errors
/// Only if the engine produced a value JSON cannot hold (a non-string map key): an internal bug,
/// reported as `invalid_input` rather than a panic.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| invalid("", format!("cannot serialize result: {e}")))
}
