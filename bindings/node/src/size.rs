//! How much native memory a value holds, approximately: what the addon tells V8 about the
//! engine values that JS objects keep alive (a `Blueprint`, a result whose large members are
//! built when read).
//!
//! V8 sees only the few bytes of a JS wrapper; without a hint, it does not collect the wrappers
//! of large native values for a long time, so their memory piles up (a loop of
//! 1,000-resource `estimate` calls grew by ~0.8 MB per call, every page of it new to the
//! process: ~200 page faults and as much kernel time as the engine's own work per call). With
//! the hint (`napi_adjust_external_memory`), V8 collects them as their memory grows and the
//! allocator reuses the pages.
//!
//! The count walks the value with serde: each string's bytes plus a fixed cost per value,
//! string, sequence, map and entry for the headers and allocations around them. Long sequences
//! and maps are sampled: their first [`SAMPLE`] items are counted and the rest are taken to be
//! of the same average size, so the count costs a few microseconds whatever the size of the
//! result (counting every item of a 1,000-resource estimate took ~0.3 ms, its money amounts
//! being written as text to be counted). It is only a hint: V8 uses it to decide when to
//! collect, not to account.

use std::cell::Cell;

use napi::Env;
use serde::ser::{self, Serialize};

thread_local! {
    /// Bytes V8 was told about whose values were dropped where no `Env` was at hand (the
    /// finalizer of a result's external value), still to be given back. Each environment has
    /// its own thread (the main thread, each worker), so this is per environment.
    static OWED: Cell<i64> = const { Cell::new(0) };
}

/// Tells V8 that `bytes` more native memory is held (and gives back what dropped values owe
/// first). Returns what was reported: `bytes`, or 0 when V8 could not be told (only the hint is
/// then lost).
pub fn report(env: &Env, bytes: i64) -> i64 {
    let owed = OWED.with(|o| o.replace(0));
    match env.adjust_external_memory(bytes.saturating_sub(owed)) {
        Ok(_) => bytes,
        Err(_) => {
            owe(owed);
            0
        }
    }
}

/// Tells V8 that `bytes` reported by [`report`] are freed (with what dropped values owe).
pub fn give_back(env: &Env, bytes: i64) {
    let owed = OWED.with(|o| o.replace(0)).saturating_add(bytes);
    if owed != 0 && env.adjust_external_memory(-owed).is_err() {
        owe(owed);
    }
}

/// Records that `bytes` reported by [`report`] are freed, to tell V8 at the next [`report`] or
/// [`give_back`] on this thread (for drops that have no `Env`: V8 looks at the total only when
/// it grows, so telling it before the next report is in time).
pub fn owe(bytes: i64) {
    OWED.with(|o| o.set(o.get().saturating_add(bytes)));
}

/// Bytes counted for each value (an enum or number in a struct, the header of a `String` or a
/// `Vec`).
const VALUE: usize = 24;
/// Bytes counted for each map entry beyond its key and value (a B-tree or hash map's slot).
const ENTRY: usize = 16;
/// How many items of a sequence or map are counted; the others are extrapolated.
const SAMPLE: usize = 8;

/// The approximate number of bytes `value` holds, itself included.
pub fn approx_bytes<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut size = Size(0);
    // The counting serializer never fails; an error from a value's own `Serialize` leaves what
    // was counted so far, which is still a hint.
    let _ = value.serialize(&mut size);
    size.0
}

/// The running count.
struct Size(usize);

impl Size {
    fn add(&mut self, bytes: usize) {
        self.0 = self.0.saturating_add(bytes);
    }
}

/// The error type of the count (never produced by the count itself).
#[derive(Debug)]
struct Never(String);

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Never {}

impl ser::Error for Never {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Never(msg.to_string())
    }
}

/// The serializer methods of scalars: a fixed cost each.
macro_rules! scalars {
    ($($method:ident($ty:ty);)*) => {
        $(fn $method(self, _: $ty) -> Result<(), Never> {
            self.add(VALUE);
            Ok(())
        })*
    };
}

impl<'s> ser::Serializer for &'s mut Size {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Items<'s>;
    type SerializeTuple = Items<'s>;
    type SerializeTupleStruct = Items<'s>;
    type SerializeTupleVariant = Items<'s>;
    type SerializeMap = Items<'s>;
    type SerializeStruct = Items<'s>;
    type SerializeStructVariant = Items<'s>;

    scalars! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
        serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
        serialize_u64(u64); serialize_f32(f32); serialize_f64(f64); serialize_char(char);
        serialize_unit_struct(&'static str);
    }

    fn serialize_str(self, v: &str) -> Result<(), Never> {
        self.add(VALUE + v.len());
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Never> {
        self.add(VALUE + v.len());
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Never> {
        self.add(VALUE);
        Ok(())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Never> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Never> {
        self.add(VALUE);
        Ok(())
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Never> {
        self.add(VALUE);
        Ok(())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Never> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), Never> {
        value.serialize(self)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Items<'s>, Never> {
        self.add(VALUE);
        Ok(Items::sampled(self, len))
    }

    fn serialize_tuple(self, _: usize) -> Result<Items<'s>, Never> {
        Ok(Items::all(self))
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Items<'s>, Never> {
        Ok(Items::all(self))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Items<'s>, Never> {
        Ok(Items::all(self))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Items<'s>, Never> {
        self.add(VALUE);
        Ok(Items::sampled(self, len))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Items<'s>, Never> {
        Ok(Items::all(self))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Items<'s>, Never> {
        Ok(Items::all(self))
    }
}

/// The items of a sequence, map, tuple or struct being counted: all of them, or (a sequence or
/// map of known length) the first [`SAMPLE`], the rest extrapolated at [`Items::end`].
struct Items<'s> {
    size: &'s mut Size,
    /// The length, when the rest is to be extrapolated.
    len: Option<usize>,
    /// Items seen so far.
    seen: usize,
    /// The count before the first item.
    before: usize,
}

impl<'s> Items<'s> {
    fn all(size: &'s mut Size) -> Self {
        let before = size.0;
        Items {
            size,
            len: None,
            seen: 0,
            before,
        }
    }

    fn sampled(size: &'s mut Size, len: Option<usize>) -> Self {
        Items {
            len,
            ..Items::all(size)
        }
    }

    /// Counts `item` unless the sample is complete.
    fn item(&mut self, count: impl FnOnce(&mut Size) -> Result<(), Never>) -> Result<(), Never> {
        let counted = self.len.is_none() || self.seen < SAMPLE;
        self.seen += 1;
        if counted {
            count(self.size)
        } else {
            Ok(())
        }
    }

    /// Adds the items not counted, at the sample's average size.
    fn end(self) -> Result<(), Never> {
        if let Some(len) = self.len {
            let sampled = self.seen.min(SAMPLE);
            if len > sampled && sampled > 0 {
                let average = (self.size.0 - self.before) / sampled;
                self.size.add(average.saturating_mul(len - sampled));
            }
        }
        Ok(())
    }
}

/// The compound serializers whose items are values.
macro_rules! elements {
    ($($trait:ident::$method:ident;)*) => {
        $(impl ser::$trait for Items<'_> {
            type Ok = ();
            type Error = Never;

            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Never> {
                self.item(|size| value.serialize(size))
            }

            fn end(self) -> Result<(), Never> {
                Items::end(self)
            }
        })*
    };
}

elements! {
    SerializeSeq::serialize_element;
    SerializeTuple::serialize_element;
    SerializeTupleStruct::serialize_field;
    SerializeTupleVariant::serialize_field;
}

impl ser::SerializeMap for Items<'_> {
    type Ok = ();
    type Error = Never;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, _: &T) -> Result<(), Never> {
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, _: &T) -> Result<(), Never> {
        Ok(())
    }

    fn serialize_entry<K: ?Sized + Serialize, V: ?Sized + Serialize>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), Never> {
        self.item(|size| {
            size.add(ENTRY);
            key.serialize(&mut *size)?;
            value.serialize(size)
        })
    }

    fn end(self) -> Result<(), Never> {
        Items::end(self)
    }
}

/// A struct's fields are counted as their values (the names are not stored).
macro_rules! fields {
    ($($trait:ident;)*) => {
        $(impl ser::$trait for Items<'_> {
            type Ok = ();
            type Error = Never;

            fn serialize_field<T: ?Sized + Serialize>(
                &mut self,
                _: &'static str,
                value: &T,
            ) -> Result<(), Never> {
                self.item(|size| value.serialize(size))
            }

            fn end(self) -> Result<(), Never> {
                Items::end(self)
            }
        })*
    };
}

fields! {
    SerializeStruct;
    SerializeStructVariant;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use serde_json::json;

    #[test]
    fn counts_grow_with_the_value() {
        let small = json!({"a": 1});
        let text = "x".repeat(10_000);
        let big = json!({"a": 1, "b": [text.clone(), text]});
        assert!(approx_bytes(&small) > 0);
        assert!(approx_bytes(&big) > 20_000);
        assert!(approx_bytes(&big) < 21_000);
        let items: Vec<_> = (0..1000).map(|i| json!({"id": i})).collect();
        let n = approx_bytes(&items);
        assert!(
            (1000 * (ENTRY + VALUE)..1000 * (ENTRY + 4 * VALUE)).contains(&n),
            "{n}"
        );
    }
}
