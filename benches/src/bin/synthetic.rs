//! Prints the synthetic AWS blueprint of about N resources (default 1000) as JSON, for the
//! whole-process comparisons in `scripts/test.d/30-policy-tools.sh` and `docs/policies.md`.
//!
//!     cargo run --release -p iac-dharma-bench --bin synthetic -- 10000 > synthetic-10k.json

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    println!("{}", iac_dharma_bench::synthetic_aws_text(n));
}
