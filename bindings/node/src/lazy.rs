//! Results whose large parts become JS objects only when they are first read.
//!
//! Turning a whole result into JS objects costs more than the engine's work on many verbs (an
//! estimate of 1,000 resources: ~0.6 ms of engine, ~1.3 ms of `JSON.parse`). So a result is
//! returned as a plain object whose small members (under [`INLINE`] bytes of JSON: `passed`,
//! `counts`, `total_monthly`, `summary`, ...) are there at once, and whose large members
//! (`findings`, `resources`, ...) are enumerable getters that build their value on first read
//! and replace themselves with an ordinary data property (`lazy.js`). A large member that is
//! itself an object is opened the same way, one level down (`run.validation.passed` does not
//! build `run.validation.findings`).
//!
//! What a getter reads is kept on the Rust side in a [`LazyResult`]: either the engine's own
//! result (sync calls on owned results: nothing is serialized until a member is read, and then
//! that member alone), or the large members' JSON text (async calls, written on the pool thread
//! so that the JS thread only parses; and results that borrow their inputs).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use napi::bindgen_prelude::{External, ExternalRef, FnArgs, Function, FunctionRef, Unknown};
use napi::Env;
use serde::ser::{self, Impossible, Serialize, SerializeMap, SerializeStruct};

use crate::convert::{json_parse, to_json};
use crate::error::{disposed, env_data, guard, invalid_argument, Failure, Outcome};
use crate::size::{approx_bytes, give_back, owe, report};

/// Members whose JSON is at most this many bytes are built at once; larger ones on first read.
pub const INLINE: usize = 1024;

/// The process memory an engine result holds per byte [`approx_bytes`] counts (allocation
/// headers and spare capacity on top: measured on a 1,000-resource estimate, 443 kB counted,
/// ~790 kB of process memory per unread result).
const HEAP_PER_COUNTED_BYTE: usize = 2;

/// How many levels of objects are opened (the result itself, and its members).
const DEPTH: usize = 2;

/// `lazy(head, entries, result)` of `lazy.js`: the result object (an object result also gets
/// `dispose()`).
pub type Wrapper = FunctionRef<FnArgs<(String, String, External<LazyResult>)>, Unknown<'static>>;

/// The wrapper as the factory in `lazy.js` returns it.
type Wrapped<'e> = Function<'e, FnArgs<(String, String, External<LazyResult>)>, Unknown<'static>>;

/// The source of the wrapper (a script whose value is the function).
const LAZY_JS: &str = include_str!("lazy.js");

/// A result cut into its head (JSON text of the object with `null` in place of each large
/// member) and its large members (`entries`: the path of each from the root).
pub struct Split {
    head: String,
    entries: Vec<Vec<String>>,
    source: Source,
    /// About how many bytes of native memory `source` holds (V8's hint: see `size.rs`).
    bytes: usize,
}

/// Where the large members' values come from.
enum Source {
    /// The engine's result: a member is serialized when read.
    Value(Box<dyn Pick>),
    /// The members' JSON text, by entry.
    Texts(Vec<Option<String>>),
    /// Not an object (or nothing large): the head is the whole result.
    None,
    /// Freed by the result's `dispose()`.
    Disposed,
}

/// An engine result kept for its members' getters (a JS external value that only `lazy.js`
/// sees; dropped when the result object and its getters are garbage).
pub struct LazyResult {
    paths: Vec<Vec<String>>,
    source: Mutex<Source>,
    /// The native memory V8 was told `source` holds (`size.rs`); 0 once given back.
    bytes: AtomicI64,
}

impl Drop for LazyResult {
    fn drop(&mut self) {
        // Runs in V8's finalizer, on the JS thread: the engine's result is parked for the next
        // call to free (or freed elsewhere, `release.rs`), and V8 is told at the next report
        // (no `Env` here).
        let source = match self.source.get_mut() {
            Ok(source) => source,
            Err(poisoned) => poisoned.into_inner(),
        };
        let bytes = self.bytes.swap(0, Ordering::Relaxed);
        crate::release::finalize(std::mem::replace(source, Source::None), bytes);
        owe(bytes);
    }
}

impl LazyResult {
    /// The JSON text of large member `id` (an index into the entries). Each member is asked for
    /// once (the getter keeps what it got).
    fn member(&self, id: u32) -> Outcome<String> {
        let mut source = self
            .source
            .lock()
            .map_err(|_| Failure::Panic("a lazy result's lock is poisoned".into()))?;
        let index = usize::try_from(id).unwrap_or(usize::MAX);
        match &mut *source {
            Source::Value(value) => {
                let path = self.paths.get(index).ok_or_else(|| missing(id))?;
                value.pick(path)?.ok_or_else(|| missing(id))
            }
            Source::Texts(texts) => texts
                .get_mut(index)
                .and_then(Option::take)
                .ok_or_else(|| missing(id)),
            Source::None => Err(missing(id)),
            Source::Disposed => {
                let name = self
                    .paths
                    .get(index)
                    .map(|p| p.join("."))
                    .unwrap_or_default();
                Err(disposed(&format!(
                    "this result (its member `{name}`, not read before `dispose()`)"
                )))
            }
        }
    }

    /// `dispose()`: frees what the unread members hold now (here when small, see
    /// [`dispose_of`](crate::release::dispose_of)) and tells
    /// V8. Members already read are JS values and stay; reading one that was not throws
    /// `disposed`. A second call does nothing.
    fn release(&self, env: &Env) -> Outcome<()> {
        let mut source = self
            .source
            .lock()
            .map_err(|_| Failure::Panic("a lazy result's lock is poisoned".into()))?;
        let unread = std::mem::replace(&mut *source, Source::Disposed);
        drop(source);
        let bytes = self.bytes.swap(0, Ordering::Relaxed);
        crate::release::dispose_of(unread, bytes);
        give_back(env, bytes);
        Ok(())
    }
}

/// `member(result, id)`, the function `lazy.js` reads a member with: its JSON text.
fn member_function(env: &Env) -> napi::Result<Function<'_, FnArgs<(u32, u32)>, String>> {
    env.create_function_from_closure("member", |ctx| {
        let env = &*ctx.env;
        guard(env, || {
            let result: ExternalRef<LazyResult> = ctx.get(0)?;
            let id: u32 = ctx.get(1)?;
            result.member(id)
        })
    })
}

/// `release(result)`, the function the results' `dispose()` calls.
fn release_function(env: &Env) -> napi::Result<Function<'_, Unknown<'static>, ()>> {
    env.create_function_from_closure("release", |ctx| {
        let env = &*ctx.env;
        guard(env, || {
            let result: ExternalRef<LazyResult> = ctx.get(0)?;
            result.release(env)
        })
    })
}

fn missing(id: u32) -> Failure {
    Failure::Panic(format!(
        "a lazy result has no member {id} (or it was read twice)"
    ))
}

/// A result whose members the getters serialize one at a time.
trait Pick: Send {
    /// The JSON of the member at `path` (object keys from the root); `None` when absent.
    fn pick(&self, path: &[String]) -> Outcome<Option<String>>;
}

impl<T: Serialize + Send> Pick for T {
    fn pick(&self, path: &[String]) -> Outcome<Option<String>> {
        pick(self, path).map_err(|e| serialize_failure(&e))
    }
}

fn serialize_failure(e: &serde_json::Error) -> Failure {
    Failure::Engine(invalid_argument(
        "",
        format!("the result cannot be written as JSON: {e}"),
        None,
    ))
}

/// Splits an owned result (on the JS thread, in a sync call): the head is written now, the
/// large members when read, from the value itself.
pub fn split_value<T: Serialize + Send + 'static>(value: T) -> Outcome<Split> {
    let mut head = Head::new(false);
    match value.serialize(Object(&mut head)) {
        Ok(()) if head.entries.is_empty() => Ok(Split {
            head: head.json,
            entries: Vec::new(),
            source: Source::None,
            bytes: 0,
        }),
        Ok(()) => Ok(Split {
            head: head.json,
            entries: head.entries,
            bytes: approx_bytes(&value).saturating_mul(HEAP_PER_COUNTED_BYTE),
            source: Source::Value(Box::new(value)),
        }),
        Err(e) if is_not_object(&e) => whole(&value),
        Err(e) => Err(serialize_failure(&e)),
    }
}

/// Splits a result (on the pool thread in async calls, or a result that borrows its inputs):
/// the head and the large members are all written now, as JSON text.
pub fn split_text<T: Serialize + ?Sized>(value: &T) -> Outcome<Split> {
    let mut head = Head::new(true);
    match value.serialize(Object(&mut head)) {
        Ok(()) => Ok(Split {
            head: head.json,
            entries: head.entries,
            bytes: head.texts.iter().map(String::len).sum(),
            source: Source::Texts(head.texts.into_iter().map(Some).collect()),
        }),
        Err(e) if is_not_object(&e) => whole(value),
        Err(e) => Err(serialize_failure(&e)),
    }
}

/// A result that is not an object: all of it at once.
fn whole<T: Serialize + ?Sized>(value: &T) -> Outcome<Split> {
    Ok(Split {
        head: to_json(value)?,
        entries: Vec::new(),
        source: Source::None,
        bytes: 0,
    })
}

/// The result as a JS value, on the JS thread.
pub fn to_lazy_js(env: &Env, split: Split) -> napi::Result<Unknown<'_>> {
    if split.entries.is_empty() && !split.head.starts_with('{') {
        // Not an object (a list, `null`): nothing to read later, nothing to dispose.
        return json_parse(env, &split.head);
    }
    let data = env_data(env)?;
    if data.lazy.is_none() {
        type Factory<'e> = Function<
            'e,
            FnArgs<(
                Function<'e, FnArgs<(u32, u32)>, String>,
                Function<'e, Unknown<'static>, ()>,
            )>,
            Wrapped<'e>,
        >;
        let factory: Factory<'_> = env.run_script(LAZY_JS)?;
        let functions = (member_function(env)?, release_function(env)?);
        data.lazy = Some(factory.call(FnArgs::from(functions))?.create_ref()?);
    }
    let Some(wrapper) = data.lazy.as_ref() else {
        return Err(napi::Error::from_reason("no lazy result wrapper"));
    };
    let entries = serde_json::to_string(&split.entries)
        .map_err(|e| napi::Error::from_reason(e.to_string()))?;
    // The hint makes V8 collect unread results as their native memory grows (`size.rs`);
    // `dispose()` gives it back at once.
    let bytes = report(env, i64::try_from(split.bytes).unwrap_or(i64::MAX));
    let result = External::new(LazyResult {
        paths: split.entries,
        source: Mutex::new(split.source),
        bytes: AtomicI64::new(bytes),
    });
    wrapper
        .borrow_back(env)?
        .call(FnArgs::from((split.head, entries, result)))
}

/// A serializable result as a JS value, large members read lazily (sync calls, owned results).
pub fn lazy_value<T: Serialize + Send + 'static>(env: &Env, value: T) -> Outcome<Unknown<'_>> {
    Ok(to_lazy_js(env, split_value(value)?)?)
}

/// A serializable result as a JS value, large members written now and parsed lazily.
pub fn lazy_text<'e, T: Serialize + ?Sized>(env: &'e Env, value: &T) -> Outcome<Unknown<'e>> {
    Ok(to_lazy_js(env, split_text(value)?)?)
}

// ---------------------------------------------------------------------------------------------
// The head: a serializer that accepts an object (struct or map) and writes each member at once
// when small, or records it as an entry.

const NOT_OBJECT: &str = "lazy: not an object";

fn not_object() -> serde_json::Error {
    ser::Error::custom(NOT_OBJECT)
}

fn is_not_object(e: &serde_json::Error) -> bool {
    e.to_string() == NOT_OBJECT
}

/// A writer that fails once more than [`INLINE`] bytes are written to it.
struct Capped {
    bytes: Vec<u8>,
    over: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > INLINE {
            self.over = true;
            return Err(std::io::Error::other("large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The head being written.
struct Head {
    json: String,
    /// Whether a member has been written (a comma is due before the next).
    started: bool,
    /// Keys from the root to the object being written.
    path: Vec<String>,
    entries: Vec<Vec<String>>,
    /// With `keep`: each entry's JSON text.
    texts: Vec<String>,
    keep: bool,
}

impl Head {
    fn new(keep: bool) -> Self {
        Head {
            json: String::new(),
            started: false,
            path: Vec::new(),
            entries: Vec::new(),
            texts: Vec::new(),
            keep,
        }
    }

    fn key(&mut self, key: &str) -> Result<(), serde_json::Error> {
        if self.started {
            self.json.push(',');
        }
        self.started = true;
        self.json.push_str(&serde_json::to_string(key)?);
        self.json.push(':');
        Ok(())
    }

    /// A member: at once when small, opened one level down when a large object (and not too
    /// deep), else an entry.
    fn member<T: Serialize + ?Sized>(
        &mut self,
        key: &str,
        value: &T,
    ) -> Result<(), serde_json::Error> {
        // A sequence or map with enough items is large whatever they are: writing its first
        // kilobyte to find out was most of the head's cost (a 1,000-resource estimate).
        if min_json_len(value) <= INLINE {
            let mut capped = Capped {
                bytes: Vec::new(),
                over: false,
            };
            match serde_json::to_writer(&mut capped, value) {
                Ok(()) => {
                    self.key(key)?;
                    let text = String::from_utf8(capped.bytes).map_err(ser::Error::custom)?;
                    self.json.push_str(&text);
                    return Ok(());
                }
                Err(_) if capped.over => {}
                Err(e) => return Err(e),
            }
        }
        if self.path.len() + 1 < DEPTH {
            // Try it as an object one level down, with its own head.
            let mut inner = Head {
                json: String::new(),
                started: false,
                path: self.path.iter().cloned().chain([key.to_string()]).collect(),
                entries: Vec::new(),
                texts: Vec::new(),
                keep: self.keep,
            };
            match value.serialize(Object(&mut inner)) {
                Ok(()) => {
                    self.key(key)?;
                    self.json.push_str(&inner.json);
                    self.entries.append(&mut inner.entries);
                    self.texts.append(&mut inner.texts);
                    return Ok(());
                }
                Err(e) if is_not_object(&e) => {}
                Err(e) => return Err(e),
            }
        }
        self.key(key)?;
        self.json.push_str("null");
        let mut path = self.path.clone();
        path.push(key.to_string());
        self.entries.push(path);
        if self.keep {
            self.texts.push(serde_json::to_string(value)?);
        }
        Ok(())
    }
}

/// A lower bound of the length of `value`'s JSON, from the number of items of a sequence or
/// map of known length (`[a,b]`: 2 bytes per item plus one; `{"k":v}`: 5 per entry plus one);
/// 0 for anything else. Costs no writing: the value's `serialize` is stopped at its first call.
fn min_json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut len = 0;
    // The probe always stops the value's serialization with an error; only `len` matters.
    let _ = value.serialize(LenProbe(&mut len));
    len
}

/// Serializes an object into a [`Head`]; anything else is [`NOT_OBJECT`].
struct Object<'h>(&'h mut Head);

/// The members of the object being written into a [`Head`].
struct Members<'h> {
    head: &'h mut Head,
    key: Option<String>,
}

impl<'h> Members<'h> {
    fn open(head: &'h mut Head) -> Self {
        head.json.push('{');
        head.started = false;
        Members { head, key: None }
    }

    fn close(self) {
        self.head.json.push('}');
    }
}

/// A map key as a string (JSON object keys: strings as they are, numbers and booleans as text).
fn key_text<K: Serialize + ?Sized>(key: &K) -> Result<String, serde_json::Error> {
    match serde_json::to_value(key)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(b.to_string()),
        _ => Err(ser::Error::custom("a map key must be a string")),
    }
}

impl SerializeStruct for Members<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        self.head.member(key, value)
    }

    fn end(self) -> Result<(), Self::Error> {
        self.close();
        Ok(())
    }
}

impl SerializeMap for Members<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Self::Error> {
        self.key = Some(key_text(key)?);
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Self::Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ser::Error::custom("a map value without a key"))?;
        self.head.member(&key, value)
    }

    fn end(self) -> Result<(), Self::Error> {
        self.close();
        Ok(())
    }
}

/// The serializer methods of a value that is not an object: [`NOT_OBJECT`].
macro_rules! not_object {
    ($($method:ident($($arg:ty),*);)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, Self::Error> {
            Err(not_object())
        })*
    };
}

/// The compound serializers of values that are not objects.
macro_rules! not_object_compounds {
    () => {
        type SerializeSeq = Impossible<Self::Ok, Self::Error>;
        type SerializeTuple = Impossible<Self::Ok, Self::Error>;
        type SerializeTupleStruct = Impossible<Self::Ok, Self::Error>;
        type SerializeTupleVariant = Impossible<Self::Ok, Self::Error>;
        type SerializeStructVariant = Impossible<Self::Ok, Self::Error>;

        not_object! {
            serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
            serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
            serialize_u64(u64); serialize_f32(f32); serialize_f64(f64); serialize_char(char);
            serialize_str(&str); serialize_bytes(&[u8]); serialize_none(); serialize_unit();
            serialize_unit_struct(&'static str);
            serialize_unit_variant(&'static str, u32, &'static str);
        }

        fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<Self::Ok, Self::Error> {
            Err(not_object())
        }

        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<Self::Ok, Self::Error> {
            Err(not_object())
        }

        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
            Err(not_object())
        }

        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Self::Error> {
            Err(not_object())
        }

        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, Self::Error> {
            Err(not_object())
        }

        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Self::Error> {
            Err(not_object())
        }

        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Self::Error> {
            Err(not_object())
        }
    };
}

impl<'h> ser::Serializer for Object<'h> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeMap = Members<'h>;
    type SerializeStruct = Members<'h>;

    not_object_compounds!();

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        value.serialize(self)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Members<'h>, Self::Error> {
        Ok(Members::open(self.0))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Members<'h>, Self::Error> {
        Ok(Members::open(self.0))
    }
}

/// The serializer of [`min_json_len`]: records the bound of a sequence or map, and stops
/// every value at its first call (the error is [`Stop`]).
struct LenProbe<'l>(&'l mut usize);

/// What stops [`LenProbe`] (no message: it is never shown).
#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stop")
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Stop
    }
}

/// The [`LenProbe`] methods of values that are neither sequences nor maps: stop.
macro_rules! stop {
    ($($method:ident($($arg:ty),*);)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<(), Stop> {
            Err(Stop)
        })*
    };
}

impl ser::Serializer for LenProbe<'_> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Impossible<(), Stop>;
    type SerializeTuple = Impossible<(), Stop>;
    type SerializeTupleStruct = Impossible<(), Stop>;
    type SerializeTupleVariant = Impossible<(), Stop>;
    type SerializeMap = Impossible<(), Stop>;
    type SerializeStruct = Impossible<(), Stop>;
    type SerializeStructVariant = Impossible<(), Stop>;

    stop! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
        serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
        serialize_u64(u64); serialize_f32(f32); serialize_f64(f64); serialize_char(char);
        serialize_str(&str); serialize_bytes(&[u8]); serialize_none(); serialize_unit();
        serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Stop> {
        Err(Stop)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
        *self.0 = len.map_or(0, |n| n.saturating_mul(2).saturating_add(1));
        Err(Stop)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
        Err(Stop)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Stop> {
        Err(Stop)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        Err(Stop)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, Stop> {
        *self.0 = len.map_or(0, |n| n.saturating_mul(5).saturating_add(1));
        Err(Stop)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Stop> {
        Err(Stop)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        Err(Stop)
    }
}

// ---------------------------------------------------------------------------------------------
// Picking one member: a serializer that walks a path of keys through objects and writes the
// value at its end, skipping everything else.

/// The JSON of the member at `path` of `value` (`None` when the path names no member).
fn pick<T: Serialize + ?Sized>(
    value: &T,
    path: &[String],
) -> Result<Option<String>, serde_json::Error> {
    let mut found = None;
    value.serialize(Picker {
        path,
        found: &mut found,
    })?;
    Ok(found)
}

/// Walks `path` through an object.
struct Picker<'p, 'f> {
    path: &'p [String],
    found: &'f mut Option<String>,
}

/// The members of an object on the path.
struct PickMembers<'p, 'f> {
    path: &'p [String],
    found: &'f mut Option<String>,
    key: Option<String>,
}

impl PickMembers<'_, '_> {
    fn member<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> serde_json::Result<()> {
        let Some((first, rest)) = self.path.split_first() else {
            return Ok(());
        };
        if first != key || self.found.is_some() {
            return Ok(());
        }
        if rest.is_empty() {
            *self.found = Some(serde_json::to_string(value)?);
            Ok(())
        } else {
            value.serialize(Picker {
                path: rest,
                found: self.found,
            })
        }
    }
}

impl SerializeStruct for PickMembers<'_, '_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        self.member(key, value)
    }

    fn end(self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl SerializeMap for PickMembers<'_, '_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Self::Error> {
        self.key = Some(key_text(key)?);
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Self::Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ser::Error::custom("a map value without a key"))?;
        self.member(&key, value)
    }

    fn end(self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl<'p, 'f> ser::Serializer for Picker<'p, 'f> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeMap = PickMembers<'p, 'f>;
    type SerializeStruct = PickMembers<'p, 'f>;

    not_object_compounds!();

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        value.serialize(self)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        Ok(PickMembers {
            path: self.path,
            found: self.found,
            key: None,
        })
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        Ok(PickMembers {
            path: self.path,
            found: self.found,
            key: None,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use serde_json::{json, Value};

    /// Rebuilds the whole value from a split, as `lazy.js` and the getters do.
    fn rebuild(split: Split) -> Value {
        let mut root: Value = serde_json::from_str(&split.head).unwrap();
        for (i, path) in split.entries.iter().enumerate() {
            let text = match &split.source {
                Source::Value(v) => v.pick(path).ok().flatten().unwrap(),
                Source::Texts(t) => t[i].clone().unwrap(),
                Source::None | Source::Disposed => panic!("entries without a source"),
            };
            let mut at = &mut root;
            for key in path {
                at = at.get_mut(key).unwrap();
            }
            assert!(at.is_null(), "placeholder at {path:?}");
            *at = serde_json::from_str(&text).unwrap();
        }
        root
    }

    fn samples() -> Vec<Value> {
        let big: Vec<Value> = (0..200)
            .map(|i| json!({"id": i, "name": format!("r{i}")}))
            .collect();
        vec![
            json!(null),
            json!([1, 2, 3]),
            json!("text"),
            json!({}),
            json!({"a": 1, "b": "two"}),
            json!({"passed": true, "findings": big, "counts": {"fail": 1}}),
            json!({"decision": {"status": "ready"}, "validation": {"passed": false, "findings": big.clone()}, "files": {"main.tf": "x".repeat(5000)}}),
            json!({"deep": {"deeper": {"items": big.clone()}}, "__proto__": big.clone(), "k\"ey": big}),
        ]
    }

    #[test]
    fn splits_rebuild_the_value() {
        for v in samples() {
            assert_eq!(rebuild(split_text(&v).unwrap()), v, "text split of {v}");
            assert_eq!(
                rebuild(split_value(v.clone()).unwrap()),
                v,
                "value split of {v}"
            );
        }
    }

    #[test]
    fn long_sequences_and_maps_are_large_by_their_length_alone() {
        // `[0,...,0]` of 511 items is 1,023 bytes (inline), of 512 items 1,025 (large): the
        // bound from the length and the written text agree at the edge.
        let inline = json!({"items": vec![0; 511], "n": 1});
        let large = json!({"items": vec![0; 512], "n": 1});
        assert!(split_value(inline.clone()).unwrap().entries.is_empty());
        assert_eq!(
            split_value(large.clone()).unwrap().entries,
            vec![vec!["items".to_string()]]
        );
        let map: serde_json::Map<String, Value> =
            (0..300).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(min_json_len(&map) > INLINE);
        assert_eq!(min_json_len(&json!([])), 1);
        assert_eq!(min_json_len(&Some(vec![1, 2])), 5);
        assert_eq!(min_json_len(&json!({"a": 1})), 6);
        assert_eq!(min_json_len(&"text"), 0);
        for v in [inline, large, Value::Object(map)] {
            assert_eq!(rebuild(split_value(v.clone()).unwrap()), v);
            assert_eq!(rebuild(split_text(&v).unwrap()), v);
        }
    }

    #[test]
    fn small_members_are_inline_and_large_ones_entries() {
        let v = &samples()[6];
        let split = split_value(v.clone()).unwrap();
        assert_eq!(
            split.entries,
            // (serde_json's maps are sorted by key)
            vec![
                vec!["files".to_string(), "main.tf".to_string()],
                vec!["validation".to_string(), "findings".to_string()],
            ]
        );
        let head: Value = serde_json::from_str(&split.head).unwrap();
        assert_eq!(head["decision"]["status"], "ready");
        assert_eq!(head["validation"]["passed"], false);
        // Objects deeper than DEPTH are entries as a whole.
        let split = split_value(samples()[7].clone()).unwrap();
        assert!(split
            .entries
            .contains(&vec!["deep".to_string(), "deeper".to_string()]));
    }
}
