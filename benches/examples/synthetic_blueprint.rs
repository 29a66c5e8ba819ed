//! Prints `iac_dharma_bench::synthetic_aws_text(n)` — the blueprint the criterion benches use —
//! for the Python package's tests and benchmarks and the WASM browser test's timing (`n` is the
//! first argument, default 1000):
//! `cargo run -p iac-dharma-bench --example synthetic_blueprint -- 1000 > synthetic-1000.yaml`.

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    println!("{}", iac_dharma_bench::synthetic_aws_text(n));
}
