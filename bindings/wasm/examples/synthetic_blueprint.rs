//! Prints `iac_dharma_bench::synthetic_aws_text(n)` — the blueprint the criterion benches use —
//! for the browser test to time parse + check on (`n` is the first argument, default 1000).

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    println!("{}", iac_dharma_bench::synthetic_aws_text(n));
}
