//! Text data files embedded compressed (zlib, by `build.rs`): the price catalog CSVs, the
//! provider catalogs and the CloudFormation/ARM mappings, ~600 KB of text that takes ~90 KB this
//! way. Every user parses its file once into a `OnceLock`, so each file is inflated once per
//! process. The inflater (`miniz_oxide`) is linked anyway for the provider schemas.

/// The compressed bytes of a data file, by its flat name in `OUT_DIR` (see `build.rs`:
/// `pricing/aws.csv` is `pricing-aws.csv`).
macro_rules! packed {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".zz"))
    };
}
pub(crate) use packed;

/// The text of a data file packed by `build.rs`. The bytes come from our own build script; a
/// failure would mean a corrupt build, and an empty text (which every loader reports as missing
/// data) is the safe degradation.
pub(crate) fn text(packed: &[u8]) -> String {
    miniz_oxide::inflate::decompress_to_vec_zlib(packed)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn packed_files_inflate_to_their_source() {
        let text = super::text(packed!("pricing-free.csv"));
        assert_eq!(text, include_str!("../../pricing/free.csv"));
        assert_eq!(super::text(b"not zlib"), "");
    }
}
