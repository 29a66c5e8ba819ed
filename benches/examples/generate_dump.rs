//! Writes what `generate` makes of the synthetic blueprints (1,000 and 10,000 resources, as the
//! criterion bench builds them) in every format, to compare a change to the generators byte for
//! byte against the code before it:
//!
//! ```text
//! cargo build --profile bench -p iac-dharma-bench --example generate_dump
//! cp target/release/examples/generate_dump /tmp/dump-before   # on the old code
//! /tmp/dump-before /tmp/before && target/release/examples/generate_dump /tmp/after
//! diff -r /tmp/before /tmp/after && rm -r /tmp/before /tmp/after
//! ```
//!
//! Arguments: `DIR [SIZES...]` (sizes default to 1000 10000). Files go to
//! `DIR/<format>/<size>/<path>`; `arm` runs on the synthetic Azure blueprint, the AWS-only formats
//! on the synthetic AWS blueprint with `root_block_device` written as an `ebs_block_device`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // comparison harness

use std::path::PathBuf;

use iac_dharma::{GenerateOptions, OutputFormat};
use iac_dharma_bench::synthetic_for;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("an output folder"));
    let mut sizes: Vec<usize> = args.map(|a| a.parse().expect("a size")).collect();
    if sizes.is_empty() {
        sizes = vec![1_000, 10_000];
    }
    for format in OutputFormat::ALL {
        for &n in &sizes {
            let bp = iac_dharma::parse(&synthetic_for(format, n).to_string()).unwrap();
            let files = iac_dharma::generate(&bp, format, &GenerateOptions::default()).unwrap();
            for (path, text) in &files.files {
                let to = dir.join(format.as_str()).join(n.to_string()).join(path);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::write(&to, text).unwrap();
            }
            println!("{format} {n}: {} files", files.len());
        }
    }
}
