//! Human-readable error and warning output on stderr (colored when stderr is a terminal and
//! `NO_COLOR` is not set). User text is shown through [`printable`]: escapes in a blueprint
//! value or a file name never reach the terminal raw.

use std::io::{IsTerminal, Write};

use iac_dharma::{printable, Error, Finding, Severity};

/// `n` and the singular or plural words that follow it: "1 resource", "2 resources".
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub struct Reporter {
    color: bool,
}

impl Reporter {
    pub fn stderr() -> Reporter {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Reporter { color }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// One line per finding: `file:line:col: error[code]: path: message`, then a `help:` line
    /// with the suggestion, if any.
    pub fn finding(&self, file: &str, f: &Finding) -> String {
        let (label, color) = match f.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        let mut place = printable(file).into_owned();
        if let Some(loc) = f.location {
            place.push_str(&format!(":{}:{}", loc.line, loc.column));
        }
        let mut line = format!(
            "{}: {}: ",
            self.paint(color, &format!("{label}[{}]", f.code)),
            place
        );
        if !f.path.is_empty() {
            line.push_str(&self.paint("1", &f.path));
            line.push_str(": ");
        }
        line.push_str(&printable(&f.message));
        if let Some(s) = &f.suggestion {
            line.push_str(&format!(
                "\n  {} did you mean `{}`?",
                self.paint("1;36", "help:"),
                printable(s)
            ));
        }
        line
    }

    pub fn error(&self, file: &str, e: &Error) {
        let mut out = String::new();
        for f in e.findings() {
            out.push_str(&self.finding(file, f));
            out.push('\n');
        }
        let errors = e
            .findings()
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let noun = if errors == 1 { "problem" } else { "problems" };
        out.push_str(&format!(
            "{}: {}: {errors} {noun} ({} error)\n",
            self.paint("1;31", "error"),
            printable(file),
            e.kind()
        ));
        let _ = std::io::stderr().lock().write_all(out.as_bytes());
    }

    pub fn warnings(&self, file: &str, warnings: &[Finding]) {
        let mut out = String::new();
        for f in warnings {
            out.push_str(&self.finding(file, f));
            out.push('\n');
        }
        let _ = std::io::stderr().lock().write_all(out.as_bytes());
    }

    pub fn message(&self, text: &str) {
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}: {}",
            self.paint("1;31", "error"),
            printable(text)
        );
    }
}
