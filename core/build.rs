//! Compresses the provider argument schemas (`catalog/schemas/*.schema`, ~1.5 MB of text) so the
//! library, and above all the WASM package, embeds ~250 KB instead. They are inflated lazily, one
//! provider at a time, the first time a blueprint of that provider is checked. Also the data files
//! read once at run time (see `src/embedded.rs`).

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default());
    let schemas = manifest.join("../catalog/schemas");
    println!("cargo:rerun-if-changed=build.rs");
    for provider in ["aws", "azurerm", "google"] {
        let src = schemas.join(format!("terraform-{provider}.schema"));
        println!("cargo:rerun-if-changed={}", src.display());
        let text = fs::read(&src).unwrap_or_else(|e| {
            println!("cargo:warning=cannot read {}: {e}", src.display());
            std::process::exit(1)
        });
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&text, 9);
        let dest = out.join(format!("terraform-{provider}.schema.zz"));
        if let Err(e) = fs::write(&dest, packed) {
            println!("cargo:warning=cannot write {}: {e}", dest.display());
            std::process::exit(1)
        }
    }
    // generate (pulumi-yaml, pulumi-ts): the Pulumi tokens and property names (~480 KB of text).
    for provider in ["aws", "azure", "gcp"] {
        let src = manifest.join(format!("../catalog/formats/pulumi-{provider}.map"));
        println!("cargo:rerun-if-changed={}", src.display());
        let text = fs::read(&src).unwrap_or_else(|e| {
            println!("cargo:warning=cannot read {}: {e}", src.display());
            std::process::exit(1)
        });
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&text, 9);
        let dest = out.join(format!("pulumi-{provider}.map.zz"));
        if let Err(e) = fs::write(&dest, packed) {
            println!("cargo:warning=cannot write {}: {e}", dest.display());
            std::process::exit(1)
        }
    }
    // Data files read once at run time (price catalog, provider catalogs, generator mappings):
    // ~600 KB of text, ~90 KB compressed; inflated by `src/embedded.rs`. Output names are the
    // paths with `/` replaced by `-` (`pricing/aws.csv` -> `pricing-aws.csv.zz`).
    for path in [
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
        let text = fs::read(&src).unwrap_or_else(|e| {
            println!("cargo:warning=cannot read {}: {e}", src.display());
            std::process::exit(1)
        });
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&text, 9);
        let dest = out.join(format!("{}.zz", path.replace('/', "-")));
        if let Err(e) = fs::write(&dest, packed) {
            println!("cargo:warning=cannot write {}: {e}", dest.display());
            std::process::exit(1)
        }
    }
}
