//! Data files embedded compressed (by `build.rs`): the provider argument schemas, the Pulumi
//! maps, the price catalog CSVs, the provider catalogs and the CloudFormation/ARM mappings,
//! ~2.9 MB of text. Every user parses its file once into a `OnceLock`, so each file is decoded
//! once per process.
//!
//! zlib by default (454 KB; the AWS schema decodes in ~2 ms); LZMA with the `compact-data`
//! feature (377 KB, ~9 ms for the AWS schema), which the WebAssembly package uses: its download
//! size is what it budgets.

/// The compressed bytes of a data file, by its flat name in `OUT_DIR` (see `build.rs`:
/// `pricing/aws.csv` is `pricing-aws.csv`).
macro_rules! packed {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".packed"))
    };
}
pub(crate) use packed;

/// The text of a data file packed by `build.rs`. The bytes come from our own build script; a
/// failure would mean a corrupt build, and an empty text (which every loader reports as missing
/// data) is the safe degradation.
pub(crate) fn text(packed: &[u8]) -> String {
    unpack(packed)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default()
}

/// Decodes a zlib stream written by `build.rs`.
#[cfg(not(feature = "compact-data"))]
fn unpack(packed: &[u8]) -> Option<Vec<u8>> {
    miniz_oxide::inflate::decompress_to_vec_zlib(packed).ok()
}

/// Decodes a `.lzma` file written by `build.rs` (its header carries the length).
#[cfg(feature = "compact-data")]
fn unpack(packed: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    // The header: properties (1 byte), dictionary size (4), uncompressed length (8, little endian).
    let len = packed.get(5..13)?.try_into().ok().map(u64::from_le_bytes)?;
    // Our own files are a few MB at most; a larger length means a corrupt build.
    let capacity = usize::try_from(len).ok().filter(|&n| n <= 64 << 20)?;
    let mut reader = lzma_rust2::LzmaReader::new_mem_limit(packed, u32::MAX, None).ok()?;
    let mut bytes = Vec::with_capacity(capacity);
    reader.read_to_end(&mut bytes).ok()?;
    (bytes.len() == capacity).then_some(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn packed_files_inflate_to_their_source() {
        let text = super::text(packed!("pricing-free.csv"));
        assert_eq!(text, include_str!("../../pricing/free.csv"));
        let schema = super::text(packed!("catalog-schemas-terraform-google.schema"));
        assert_eq!(
            schema,
            include_str!("../../catalog/schemas/terraform-google.schema")
        );
        assert_eq!(super::text(b"not compressed"), "");
        assert_eq!(super::text(b""), "");
    }

    #[test]
    fn packed_yaml_is_its_source_with_comment_lines_blanked() {
        let source = include_str!("../../catalog/aws.yaml");
        let packed = super::text(packed!("catalog-aws.yaml"));
        assert!(source.lines().any(|l| l.trim_start().starts_with('#')));
        assert_eq!(
            packed.lines().count(),
            source.lines().count(),
            "line numbers kept"
        );
        for (p, s) in packed.lines().zip(source.lines()) {
            if s.trim_start().starts_with('#') {
                assert_eq!(p, "");
            } else {
                assert_eq!(p, s);
            }
        }
    }
}
