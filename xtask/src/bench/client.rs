//! Section 4: per-request time of the generated client against plain reqwest calls, measured by
//! `auth-bench client`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Median per-request times of one operation, one pair per round.
pub struct ClientTimes {
    pub operation: String,
    /// (generated client, plain reqwest) in microseconds.
    pub rounds: Vec<(f64, f64)>,
}

pub fn run(helper: &Path, iterations: usize, rounds: usize) -> Result<Vec<ClientTimes>> {
    let output = Command::new(helper)
        .args(["client", "--iterations", &iterations.to_string(), "--rounds", &rounds.to_string()])
        .output()
        .with_context(|| format!("failed to run {}", helper.display()))?;
    if !output.status.success() {
        bail!("auth-bench client failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    parse(&String::from_utf8_lossy(&output.stdout))
}

/// Reads lines of the form `operation=… round=… generated_ns=… plain_ns=…`.
fn parse(text: &str) -> Result<Vec<ClientTimes>> {
    let mut times: Vec<ClientTimes> = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let field = |name: &str| {
            line.split_whitespace()
                .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
                .with_context(|| format!("no `{name}` in the auth-bench line `{line}`"))
        };
        let operation = field("operation")?;
        let nanoseconds = |name: &str| -> Result<f64> {
            field(name)?.parse::<f64>().with_context(|| format!("`{name}` is not a number in `{line}`"))
        };
        let pair = (nanoseconds("generated_ns")? / 1000.0, nanoseconds("plain_ns")? / 1000.0);
        match times.iter_mut().find(|entry| entry.operation == operation) {
            Some(entry) => entry.rounds.push(pair),
            None => times.push(ClientTimes { operation: operation.to_owned(), rounds: vec![pair] }),
        }
    }
    Ok(times)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_grouped_by_operation() {
        let text = "operation=getTwoFa round=0 generated_ns=52000 plain_ns=50000\n\
                    operation=login round=0 generated_ns=1000 plain_ns=1000\n\
                    operation=getTwoFa round=1 generated_ns=51000 plain_ns=49000\n";
        let times = parse(text).unwrap();
        assert_eq!(times.len(), 2);
        assert_eq!(times[0].rounds, vec![(52.0, 50.0), (51.0, 49.0)]);
    }
}
