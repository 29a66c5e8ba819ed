//! Results of the async variants, cut into pieces on the pool thread so that the JS thread can
//! turn them into objects a few at a time, between other events.
//!
//! A whole result parsed at once blocks the event loop for as long as `JSON.parse` of its text
//! takes (an estimate of 10,000 resources is ~20 MB of JSON: a few hundred ms). Here the pool
//! thread serializes the result as a list of steps, each with a small piece of JSON text (at
//! most [`PIECE`] bytes, unless a single number or key is larger): the JS side
//! (`materialize.js`) parses a few pieces per turn of the event loop and yields
//! (`setImmediate`) in between, so a timer is never held back for long. The object built is
//! the same as `JSON.parse` of the whole text: same keys in the same order, same values.
//!
//! A step is `[op, path, start, end]`: the piece is `body[start..end]` (UTF-8 JSON text) and
//! `path` names a place in the result from its root (object keys as strings, array indexes as
//! numbers). Ops: `0` put the value at `path` (the empty path is the root), `1` push the items
//! of the piece (an array) onto the array at `path`, `2` copy the members of the piece (an
//! object) onto the object at `path`, in order, `3` append the piece (a string) to the string
//! at `path`. Containers are created (op 0 with `[]`/`{}`/`""`) before anything is put in them.

use napi::bindgen_prelude::{Buffer, FnArgs, Function, FunctionRef, Unknown};
use napi::Env;
use serde::Serialize;

use crate::convert::{json_parse, to_json};
use crate::error::{env_data, invalid_argument, Failure, Outcome};

/// `materialize(steps, body)` of `materialize.js`: returns a Promise of the result.
pub type Materializer = FunctionRef<FnArgs<(String, Buffer)>, Unknown<'static>>;

/// The source of the materializer (a script whose value is the function).
const MATERIALIZE_JS: &str = include_str!("materialize.js");

/// Largest piece of JSON text in bytes, about: parsing this much takes well under a millisecond.
/// (A run of items is closed before it passes this size; one item or member that fits is not
/// cut, so a piece can pass it by the length of a key and two brackets.)
pub const PIECE: usize = 32 * 1024;

/// Bytes of a long string's text per piece.
const STRING_PIECE: usize = PIECE / 2;

const SET: u8 = 0;
const EXTEND: u8 = 1;
const ASSIGN: u8 = 2;
const APPEND: u8 = 3;

/// One segment of a path: an object key or an array index.
#[derive(Clone, Serialize)]
#[serde(untagged)]
enum Segment {
    Key(String),
    Index(usize),
}

/// A result cut into steps: `steps` is the JSON list of `[op, path, start, end]`, `body` the
/// pieces' text.
pub struct Chunked {
    /// The steps, as JSON text.
    pub steps: String,
    /// The pieces, one after the other.
    pub body: Vec<u8>,
    /// Whether there is a single step: the whole result's text, small enough to parse at once.
    pub whole: bool,
}

/// Cuts a serializable result into steps (on the pool thread). The pieces are cut from the
/// result's JSON text, so keys keep the order in which the engine writes them.
pub fn chunked<T: Serialize + ?Sized>(value: &T) -> Outcome<Chunked> {
    chunk_text(to_json(value)?)
}

/// Cuts a result already written as compact JSON (serde_json's output) into steps.
pub fn chunk_text(text: String) -> Outcome<Chunked> {
    let mut out = Writer {
        text: text.as_bytes(),
        steps: Vec::new(),
        body: Vec::with_capacity(text.len() + text.len() / 64),
    };
    out.value(0, text.len(), &mut Vec::new())?;
    let steps = serde_json::to_string(&out.steps).map_err(|e| malformed(&e.to_string()))?;
    Ok(Chunked {
        whole: out.steps.len() == 1,
        steps,
        body: out.body,
    })
}

/// The result as a JS value, on the JS thread: a single piece is parsed at once; a result cut
/// into pieces becomes a Promise of the value, built a few pieces per turn of the event loop
/// (the async variant's promise takes on that promise's value).
pub fn materialize<'e>(env: &'e Env, chunked: Chunked) -> napi::Result<Unknown<'e>> {
    if chunked.whole {
        let text =
            String::from_utf8(chunked.body).map_err(|e| napi::Error::from_reason(e.to_string()))?;
        return json_parse(env, &text);
    }
    let data = env_data(env)?;
    if data.materializer.is_none() {
        let function: Function<'_, FnArgs<(String, Buffer)>, Unknown<'static>> =
            env.run_script(MATERIALIZE_JS)?;
        data.materializer = Some(function.create_ref()?);
    }
    let Some(materializer) = data.materializer.as_ref() else {
        return Err(napi::Error::from_reason("no materializer"));
    };
    let promise = materializer
        .borrow_back(env)?
        .call(FnArgs::from((chunked.steps, Buffer::from(chunked.body))))?;
    Ok(promise)
}

fn malformed(what: &str) -> Failure {
    Failure::Engine(invalid_argument(
        "",
        format!("the result cannot be cut into pieces: {what}"),
        None,
    ))
}

struct Writer<'t> {
    /// The whole result as compact JSON (serde_json's output: no white space).
    text: &'t [u8],
    steps: Vec<(u8, Vec<Segment>, usize, usize)>,
    body: Vec<u8>,
}

/// Consecutive small items (or members) gathered into one piece.
struct Run {
    start: usize,
    open: u8,
    close: u8,
    empty: bool,
}

impl Writer<'_> {
    fn byte(&self, i: usize) -> Outcome<u8> {
        self.text
            .get(i)
            .copied()
            .ok_or_else(|| malformed("unexpected end"))
    }

    fn slice(&self, start: usize, end: usize) -> Outcome<&[u8]> {
        self.text
            .get(start..end)
            .ok_or_else(|| malformed("range out of bounds"))
    }

    /// End (exclusive) of the string starting at `i` (its opening quote).
    fn string_end(&self, i: usize) -> Outcome<usize> {
        let mut j = i + 1;
        loop {
            match self.byte(j)? {
                b'\\' => j += 2,
                b'"' => return Ok(j + 1),
                _ => j += 1,
            }
        }
    }

    /// End (exclusive) of the value starting at `i`.
    fn value_end(&self, i: usize) -> Outcome<usize> {
        match self.byte(i)? {
            b'"' => self.string_end(i),
            b'[' | b'{' => {
                let mut depth = 0usize;
                let mut j = i;
                loop {
                    match self.byte(j)? {
                        b'"' => {
                            j = self.string_end(j)?;
                            continue;
                        }
                        b'[' | b'{' => depth += 1,
                        b']' | b'}' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                return Ok(j + 1);
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
            }
            _ => {
                let mut j = i;
                while j < self.text.len() && !matches!(self.text.get(j), Some(b',' | b']' | b'}')) {
                    j += 1;
                }
                Ok(j)
            }
        }
    }

    fn step(&mut self, op: u8, path: &[Segment], piece: &[&[u8]]) {
        let start = self.body.len();
        for p in piece {
            self.body.extend_from_slice(p);
        }
        self.steps.push((op, path.to_vec(), start, self.body.len()));
    }

    /// The value at `start..end`.
    fn value(&mut self, start: usize, end: usize, path: &mut Vec<Segment>) -> Outcome<()> {
        if end - start <= PIECE {
            let text = self.text;
            let piece = text.get(start..end).ok_or_else(|| malformed("range"))?;
            self.step(SET, path, &[piece]);
            return Ok(());
        }
        match self.byte(start)? {
            b'[' => {
                self.step(SET, path, &[b"[]"]);
                self.items(start + 1, path)
            }
            b'{' => {
                self.step(SET, path, &[b"{}"]);
                self.members(start + 1, path)
            }
            b'"' => {
                self.step(SET, path, &[b"\"\""]);
                self.string(start + 1, end - 1, path)
            }
            // A number longer than a piece: one step anyway.
            _ => {
                let text = self.text;
                let piece = text.get(start..end).ok_or_else(|| malformed("range"))?;
                self.step(SET, path, &[piece]);
                Ok(())
            }
        }
    }

    /// A long string's text (`start..end`, escaped, without quotes) in pieces, cut between
    /// characters and escapes (a surrogate pair's two escapes may be cut apart: JS joins the
    /// halves back into the pair).
    fn string(&mut self, start: usize, end: usize, path: &[Segment]) -> Outcome<()> {
        let mut piece_start = start;
        let mut j = start;
        while j < end {
            let next = match self.byte(j)? {
                b'\\' if self.byte(j + 1)? == b'u' => j + 6,
                b'\\' => j + 2,
                b if b < 0x80 => j + 1,
                b if b >= 0xF0 => j + 4,
                b if b >= 0xE0 => j + 3,
                _ => j + 2,
            };
            if next - piece_start > STRING_PIECE && j > piece_start {
                let text = self.text;
                let piece = text.get(piece_start..j).ok_or_else(|| malformed("range"))?;
                self.step(APPEND, path, &[b"\"", piece, b"\""]);
                piece_start = j;
            }
            j = next;
        }
        if end > piece_start {
            let text = self.text;
            let piece = text
                .get(piece_start..end)
                .ok_or_else(|| malformed("range"))?;
            self.step(APPEND, path, &[b"\"", piece, b"\""]);
        }
        Ok(())
    }

    fn open(&mut self, open: u8, close: u8) -> Run {
        let start = self.body.len();
        self.body.push(open);
        Run {
            start,
            open,
            close,
            empty: true,
        }
    }

    /// Adds `text` (an item, or `"key":value`) to the run, or closes the run first when the
    /// text would make its piece larger than [`PIECE`].
    fn add(&mut self, run: &mut Run, op: u8, path: &[Segment], text: &[u8]) {
        if !run.empty && self.body.len() - run.start + text.len() + 2 > PIECE {
            self.close(run, op, path);
            *run = self.open(run.open, run.close);
        }
        if !run.empty {
            self.body.push(b',');
        }
        self.body.extend_from_slice(text);
        run.empty = false;
    }

    /// Ends the run: a step for its piece, or nothing (and its opening bracket taken back) when
    /// it is empty.
    fn close(&mut self, run: &mut Run, op: u8, path: &[Segment]) {
        if run.empty {
            self.body.truncate(run.start);
            return;
        }
        self.body.push(run.close);
        self.steps
            .push((op, path.to_vec(), run.start, self.body.len()));
        run.empty = true;
        run.start = self.body.len();
    }

    /// The items of the array whose first item starts at `i`.
    fn items(&mut self, mut i: usize, path: &mut Vec<Segment>) -> Outcome<()> {
        let mut run = self.open(b'[', b']');
        if self.byte(i)? != b']' {
            for index in 0.. {
                let end = self.value_end(i)?;
                if end - i <= PIECE {
                    let text = self.text;
                    self.add(
                        &mut run,
                        EXTEND,
                        path,
                        text.get(i..end).ok_or_else(|| malformed("range"))?,
                    );
                } else {
                    self.close(&mut run, EXTEND, path);
                    path.push(Segment::Index(index));
                    self.value(i, end, path)?;
                    path.pop();
                    run = self.open(b'[', b']');
                }
                match self.byte(end)? {
                    b',' => i = end + 1,
                    b']' => break,
                    _ => return Err(malformed("expected `,` or `]`")),
                }
            }
        }
        self.close(&mut run, EXTEND, path);
        Ok(())
    }

    /// The members of the object whose first key starts at `i`.
    fn members(&mut self, mut i: usize, path: &mut Vec<Segment>) -> Outcome<()> {
        let mut run = self.open(b'{', b'}');
        if self.byte(i)? != b'}' {
            loop {
                let key_end = self.string_end(i)?;
                if self.byte(key_end)? != b':' {
                    return Err(malformed("expected `:`"));
                }
                let end = self.value_end(key_end + 1)?;
                if end - (key_end + 1) <= PIECE {
                    let text = self.text;
                    self.add(
                        &mut run,
                        ASSIGN,
                        path,
                        text.get(i..end).ok_or_else(|| malformed("range"))?,
                    );
                } else {
                    self.close(&mut run, ASSIGN, path);
                    let key: String = serde_json::from_slice(self.slice(i, key_end)?)
                        .map_err(|e| malformed(&e.to_string()))?;
                    path.push(Segment::Key(key));
                    self.value(key_end + 1, end, path)?;
                    path.pop();
                    run = self.open(b'{', b'}');
                }
                match self.byte(end)? {
                    b',' => i = end + 1,
                    b'}' => break,
                    _ => return Err(malformed("expected `,` or `}`")),
                }
            }
        }
        self.close(&mut run, ASSIGN, path);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use serde_json::Value;

    /// Rebuilds the value from the steps, as `materialize.js` does.
    fn rebuild(c: &Chunked) -> Value {
        let steps: Vec<(u8, Vec<Value>, usize, usize)> = serde_json::from_str(&c.steps).unwrap();
        let mut root = Value::Null;
        for (op, path, start, end) in steps {
            let piece: Value = serde_json::from_slice(&c.body[start..end]).unwrap();
            let mut at = &mut root;
            for seg in &path {
                at = match seg {
                    Value::String(k) => {
                        if !at.is_object() {
                            panic!("not an object at {path:?}");
                        }
                        at.as_object_mut()
                            .unwrap()
                            .entry(k.clone())
                            .or_insert(Value::Null)
                    }
                    Value::Number(n) => {
                        let i = n.as_u64().unwrap() as usize;
                        let arr = at.as_array_mut().unwrap();
                        if i == arr.len() {
                            arr.push(Value::Null);
                        }
                        &mut arr[i]
                    }
                    _ => panic!("bad segment"),
                };
            }
            match op {
                SET => *at = piece,
                EXTEND => at
                    .as_array_mut()
                    .unwrap()
                    .extend(piece.as_array().unwrap().iter().cloned()),
                ASSIGN => {
                    for (k, v) in piece.as_object().unwrap() {
                        at.as_object_mut().unwrap().insert(k.clone(), v.clone());
                    }
                }
                APPEND => {
                    let s = format!("{}{}", at.as_str().unwrap(), piece.as_str().unwrap());
                    *at = Value::String(s);
                }
                _ => panic!("bad op"),
            }
        }
        root
    }

    #[test]
    fn a_small_value_is_one_step() {
        let v = serde_json::json!({"a": [1, 2, {"b": "c"}], "d": null});
        let c = chunked(&v).unwrap();
        assert_eq!(c.steps, format!("[[0,[],0,{}]]", c.body.len()));
        assert!(c.whole);
        assert_eq!(rebuild(&c), v);
    }

    #[test]
    fn a_large_value_is_cut_into_pieces_and_rebuilds_equal() {
        let long = "é—x\"\n".repeat(30_000);
        let items: Vec<Value> = (0..5_000)
            .map(|i| serde_json::json!({"name": format!("r{i}"), "cost": "1.25", "tags": {"k": i}}))
            .collect();
        let v = serde_json::json!({
            "resources": items,
            "files": {"main.tf": long, "small": "x"},
            "nested": [[items.clone()], {"deep": items}],
            "total": "12.50",
        });
        let c = chunked(&v).unwrap();
        let steps: Vec<(u8, Vec<Value>, usize, usize)> = serde_json::from_str(&c.steps).unwrap();
        assert!(steps.len() > 20, "{} steps", steps.len());
        for (_, _, start, end) in &steps {
            assert!(end - start <= PIECE + 64, "piece of {} bytes", end - start);
        }
        assert_eq!(rebuild(&c), v);
        // Every op is used: a long string is appended in pieces, runs extend and assign.
        for op in [SET, EXTEND, ASSIGN, APPEND] {
            assert!(steps.iter().any(|s| s.0 == op), "op {op} unused");
        }
    }

    #[test]
    fn empty_containers_and_scalars_at_the_top() {
        for v in [
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!("x"),
            serde_json::json!(null),
            serde_json::json!({"a": [], "b": {}, "big": vec![serde_json::json!({}); 20_000]}),
        ] {
            assert_eq!(rebuild(&chunked(&v).unwrap()), v);
        }
    }
}
