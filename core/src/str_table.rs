//! [`StrTable`]: numbered strings kept one after another in one buffer, each found by hash.
//!
//! The engine looks names up by the thousand (a reference names its resource; every logical ID
//! is checked against those given out). A `HashMap<String, usize>` holds each key in its own
//! allocation among the blueprint's: at 10,000 resources its 10,000 keys are scattered over
//! tens of megabytes, and comparing a key is a cache miss. Here the keys of 10,000 names take
//! some 100 kB in one buffer and the table 4 to 8 bytes a name, so a lookup stays in the cache.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Strings numbered in the order they were pushed, found by content.
///
/// Every pushed string gets the next number, even one equal to an earlier string (so that
/// numbers stay in step with a list, such as the blueprint's resources, that has duplicates);
/// [`StrTable::find`] finds the first of equal strings.
#[derive(Clone, Default)]
pub(crate) struct StrTable {
    /// The strings, one after another.
    text: String,
    /// Per string, where it ends in `text` (it starts where the previous one ends).
    ends: Vec<usize>,
    /// The numbers of the first of each distinct string, by the string's hash.
    table: HashTable<usize>,
    hasher: FxBuildHasher,
}

impl std::fmt::Debug for StrTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl StrTable {
    /// A table with room for `n` strings of `bytes` bytes in all before it grows.
    pub(crate) fn with_capacity(n: usize, bytes: usize) -> Self {
        StrTable {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(n),
            table: HashTable::with_capacity(n),
            hasher: FxBuildHasher,
        }
    }

    /// How many strings were pushed.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// String number `i`.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        string_at(&self.text, &self.ends, i)
    }

    /// The number of the first string equal to `s`.
    pub(crate) fn find(&self, s: &str) -> Option<usize> {
        let (text, ends) = (&self.text, &self.ends);
        self.table
            .find(self.hasher.hash_one(s), |&i| {
                string_at(text, ends, i) == Some(s)
            })
            .copied()
    }

    /// Appends `s` as the next string: `Ok(its number)`, or `Err(the number of the first
    /// equal string)` when there is one (`s` is appended all the same, with the next number).
    pub(crate) fn push(&mut self, s: &str) -> Result<usize, usize> {
        let hash = self.hasher.hash_one(s);
        let (text, ends) = (&self.text, &self.ends);
        let first = self
            .table
            .find(hash, |&i| string_at(text, ends, i) == Some(s))
            .copied();
        let number = self.ends.len();
        self.text.push_str(s);
        self.ends.push(self.text.len());
        match first {
            Some(first) => Err(first),
            None => {
                let (text, ends, hasher) = (&self.text, &self.ends, &self.hasher);
                self.table.insert_unique(hash, number, |&i| {
                    hasher.hash_one(string_at(text, ends, i).unwrap_or_default())
                });
                Ok(number)
            }
        }
    }

    /// The strings in number order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

fn string_at<'t>(text: &'t str, ends: &[usize], i: usize) -> Option<&'t str> {
    let start = match i.checked_sub(1) {
        Some(before) => *ends.get(before)?,
        None => 0,
    };
    text.get(start..*ends.get(i)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_pushes_and_find_gives_the_first() {
        let mut t = StrTable::with_capacity(2, 8);
        assert_eq!(t.push("web"), Ok(0));
        assert_eq!(t.push(""), Ok(1));
        assert_eq!(t.push("db"), Ok(2));
        assert_eq!(t.push("web"), Err(0));
        assert_eq!(t.push("api"), Ok(4));
        assert_eq!(t.len(), 5);
        assert_eq!(t.get(3), Some("web"));
        assert_eq!(t.get(1), Some(""));
        assert_eq!(t.get(5), None);
        assert_eq!(t.find("web"), Some(0));
        assert_eq!(t.find(""), Some(1));
        assert_eq!(t.find("api"), Some(4));
        assert_eq!(t.find("we"), None);
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            ["web", "", "db", "web", "api"]
        );
        assert_eq!(format!("{t:?}"), r#"["web", "", "db", "web", "api"]"#);
    }

    #[test]
    fn a_grown_table_still_finds_every_string() {
        let mut t = StrTable::default();
        for i in 0..5_000 {
            assert_eq!(t.push(&format!("r{i}")), Ok(i));
        }
        for i in (0..5_000).step_by(7) {
            assert_eq!(t.find(&format!("r{i}")), Some(i));
        }
        assert_eq!(t.find("r5000"), None);
    }
}
