//! The harness every CLI integration test shares: run the `dharma` binary (with arguments, in
//! the repository root, or with stdin), write input files into a temporary folder, find the
//! repository's fixtures, and read the output as text or JSON.
//!
//! Each test file includes it with `mod common;`; not every file uses every helper.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The `dharma` command built for these tests, with colors off.
fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dharma"));
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Runs `dharma ARGS` and waits for it.
pub fn dharma(args: &[&str]) -> Output {
    command().args(args).output().expect("run dharma")
}

/// Runs `dharma ARGS` in `dir`.
pub fn dharma_in(dir: &Path, args: &[&str]) -> Output {
    command()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run dharma")
}

/// Runs `dharma ARGS` in the repository root, so relative paths like `examples/...` resolve.
pub fn dharma_in_root(args: &[&str]) -> Output {
    command()
        .args(args)
        .current_dir(root())
        .output()
        .expect("run dharma")
}

/// Runs `dharma ARGS` with `input` on its standard input.
pub fn dharma_stdin(args: &[&str], input: &str) -> Output {
    let mut child = command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dharma");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `tests/fixtures/<kind>/<name>` in the repository, as a command-line argument.
pub fn fixture(kind: &str, name: &str) -> String {
    root()
        .join("tests/fixtures")
        .join(kind)
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Writes `text` to `dir/name` (creating the folders in `name`) and returns its path as a
/// command-line argument.
pub fn write(dir: impl AsRef<Path>, name: &str, text: &str) -> String {
    let p = dir.as_ref().join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// The sorted names in a folder.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Bytes as text (lossy), for messages and `contains` checks.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The command's standard output as text.
pub fn stdout(o: &Output) -> String {
    text(&o.stdout)
}

/// The command's standard error as text.
pub fn stderr(o: &Output) -> String {
    text(&o.stderr)
}

/// The command's standard output parsed as JSON (panics with the output if it is not).
pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}
