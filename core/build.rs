//! Compresses the data files the engine embeds, so the library, and above all the WASM package
//! (`bindings/wasm`, whose size budget this serves), carry ~450 KB instead of ~2.9 MB of text:
//! the provider argument schemas (`catalog/schemas/*.schema`, ~1.6 MB), the Pulumi maps, and the
//! data files read once at run time (price catalog, provider catalogs, generator mappings; see
//! `src/embedded.rs`). Each is decoded lazily, the first time it is needed.
//!
//! zlib -9 by default. With the `compact-data` feature, LZMA instead (the `.lzma` container:
//! properties, dictionary size and length, then the stream), written by `lzma-rust2`'s encoder at
//! its strongest preset: 17% smaller in all (the schemas: 217 KB against 275 KB), what the WASM
//! package downloads, but ~5x slower to decode (the AWS schema: ~9 ms against ~2 ms, once per
//! process), so the native builds keep zlib.

use std::{env, fs, io::Write, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    let lzma = env::var_os("CARGO_FEATURE_COMPACT_DATA").is_some();
    // check: the Terraform argument schemas of every resource type (~1.6 MB of text).
    // generate (pulumi-yaml, pulumi-ts): the Pulumi tokens and property names (~550 KB of text).
    // Data files read once at run time (price catalog, provider catalogs, generator mappings).
    // Output names are the paths with `/` replaced by `-` (`pricing/aws.csv` ->
    // `pricing-aws.csv.packed`).
    for path in [
        "catalog/schemas/terraform-aws.schema",
        "catalog/schemas/terraform-azurerm.schema",
        "catalog/schemas/terraform-google.schema",
        "catalog/formats/pulumi-aws.map",
        "catalog/formats/pulumi-azure.map",
        "catalog/formats/pulumi-gcp.map",
        "pricing/aws.csv",
        "pricing/azure.csv",
        "pricing/gcp.csv",
        "pricing/gcp-extra.csv",
        "pricing/free.csv",
        "catalog/aws.yaml",
        "catalog/azure.yaml",
        "catalog/gcp.yaml",
        "catalog/formats/arm.yaml",
        "catalog/formats/cloudformation.yaml",
    ] {
        let src = manifest.join("..").join(path);
        println!("cargo:rerun-if-changed={}", src.display());
        let mut text =
            fs::read(&src).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", src.display())));
        if path.ends_with(".yaml") {
            text = blank_comment_lines(&text);
        }
        let packed = if lzma {
            pack_lzma(&text).unwrap_or_else(|e| fail(&format!("cannot compress {path}: {e}")))
        } else {
            miniz_oxide::deflate::compress_to_vec_zlib(&text, 9)
        };
        let dest = out.join(format!("{}.packed", path.replace('/', "-")));
        if let Err(e) = fs::write(&dest, packed) {
            fail(&format!("cannot write {}: {e}", dest.display()));
        }
    }
}

/// A YAML file with its whole-line comments blanked: they cite the sources of the data for its
/// maintainers (~45 KB in the five catalogs) and the engine never reads them. The lines stay,
/// empty, so a line number in an error still points into the file. A file with a block scalar
/// (`key: |`), whose lines starting with `#` may be text, is kept as it is.
fn blank_comment_lines(bytes: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bytes.to_vec();
    };
    let block_scalar = text.lines().any(|line| {
        let value = line.split_once(": ").map_or("", |(_, v)| v.trim());
        value.starts_with(['|', '>'])
            && value[1..]
                .chars()
                .all(|c| matches!(c, '-' | '+' | '0'..='9'))
    });
    if block_scalar {
        return bytes.to_vec();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with('#') {
            if line.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    out.into_bytes()
}

/// `bytes` as a `.lzma` file (header with the length, no end marker), preset 9.
fn pack_lzma(bytes: &[u8]) -> lzma_rust2::Result<Vec<u8>> {
    let options = lzma_rust2::LzmaOptions::with_preset(9);
    let mut writer =
        lzma_rust2::LzmaWriter::new_use_header(Vec::new(), &options, Some(bytes.len() as u64))?;
    writer.write_all(bytes)?;
    writer.finish()
}

fn fail(message: &str) -> ! {
    println!("cargo:warning={message}");
    std::process::exit(1)
}
