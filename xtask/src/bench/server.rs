//! Section 3: throughput and latency of the generated router against a hand-written axum router,
//! both served by `auth-bench serve` on 127.0.0.1 and loaded by wrk.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use anyhow::{Context, Result, bail};

/// wrk settings: one load thread, so the two server threads of a 2-core machine keep a core.
pub const WRK_THREADS: u32 = 1;
pub const WRK_CONNECTIONS: u32 = 16;
/// Length of the untimed load that precedes the measurements of each operation.
const WARM_UP_SECONDS: u64 = 2;

/// One wrk run.
#[derive(Debug, Clone, Default)]
pub struct WrkResult {
    pub requests_per_second: f64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    /// Responses with a status outside 2xx and 3xx.
    pub non_success: u64,
    /// wrk's `Socket errors:` line, when it printed one.
    pub socket_errors: Option<String>,
}

/// The measurements of one operation, in repetition order.
pub struct OperationLoad {
    pub operation: String,
    pub path: String,
    pub generated: Vec<WrkResult>,
    pub handwritten: Vec<WrkResult>,
}

/// A running `auth-bench serve`; dropping it closes its standard input, which stops it.
pub struct Servers {
    child: Child,
    stdin: Option<ChildStdin>,
    pub generated: String,
    pub handwritten: String,
    /// Operation, path and query, wrk script.
    pub operations: Vec<(String, String, PathBuf)>,
}

impl Servers {
    pub fn start(helper: &Path, scripts: &Path) -> Result<Servers> {
        let mut child = Command::new(helper)
            .arg("serve")
            .arg("--scripts")
            .arg(scripts)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("failed to start {}", helper.display()))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("no standard output from auth-bench")?;
        let mut servers =
            Servers { child, stdin, generated: String::new(), handwritten: String::new(), operations: Vec::new() };
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if line == "ready" {
                break;
            }
            let field = |name: &str| {
                line.split_whitespace().find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')).map(str::to_owned)
            };
            match (field("server").as_deref(), field("url"), field("operation"), field("path"), field("script")) {
                (Some("generated"), Some(url), ..) => servers.generated = url,
                (Some("handwritten"), Some(url), ..) => servers.handwritten = url,
                (_, _, Some(operation), Some(path), Some(script)) => {
                    servers.operations.push((operation, path, PathBuf::from(script)))
                }
                _ => bail!("unexpected line from auth-bench serve: {line}"),
            }
        }
        if servers.generated.is_empty() || servers.handwritten.is_empty() {
            bail!("auth-bench serve stopped before it was ready; see its error above");
        }
        Ok(servers)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// Runs wrk for `seconds` against `url` with the request of `script`.
pub fn wrk(url: &str, script: &Path, seconds: u64) -> Result<WrkResult> {
    let output = Command::new("wrk")
        .arg(format!("--threads={WRK_THREADS}"))
        .arg(format!("--connections={WRK_CONNECTIONS}"))
        .arg(format!("--duration={seconds}s"))
        .arg("--latency")
        .arg("--script")
        .arg(script)
        .arg(url)
        .output()
        .context("failed to run wrk; install it with `apt-get install -y wrk`")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("wrk failed on {url}: {}{}", text, String::from_utf8_lossy(&output.stderr));
    }
    parse_wrk(&text).with_context(|| format!("failed to read the output of wrk on {url}:\n{text}"))
}

fn parse_wrk(text: &str) -> Option<WrkResult> {
    let mut result = WrkResult::default();
    for line in text.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("Requests/sec:"), Some(value)) => result.requests_per_second = value.parse().ok()?,
            (Some("50%"), Some(value)) => result.p50_us = microseconds(value)?,
            (Some("90%"), Some(value)) => result.p90_us = microseconds(value)?,
            (Some("99%"), Some(value)) => result.p99_us = microseconds(value)?,
            (Some("Non-2xx"), _) => result.non_success = line.rsplit(' ').next()?.parse().ok()?,
            (Some("Socket"), Some("errors:")) => result.socket_errors = Some(line.to_owned()),
            _ => {}
        }
    }
    (result.requests_per_second > 0.0).then_some(result)
}

/// Converts a wrk duration such as `812.00us`, `1.20ms` or `1.01s` to microseconds.
fn microseconds(value: &str) -> Option<f64> {
    let (number, factor) = if let Some(number) = value.strip_suffix("us") {
        (number, 1.0)
    } else if let Some(number) = value.strip_suffix("ms") {
        (number, 1_000.0)
    } else if let Some(number) = value.strip_suffix('s') {
        (number, 1_000_000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|number| number * factor)
}

/// Loads each operation on both routers, `repetitions` times each for `seconds`, alternating
/// which router goes first.
pub fn run(servers: &Servers, seconds: u64, repetitions: usize) -> Result<Vec<OperationLoad>> {
    let mut loads: Vec<OperationLoad> = servers
        .operations
        .iter()
        .map(|(operation, path, _)| OperationLoad {
            operation: operation.clone(),
            path: path.clone(),
            generated: Vec::new(),
            handwritten: Vec::new(),
        })
        .collect();
    for (operation, path, script) in &servers.operations {
        for base in [&servers.generated, &servers.handwritten] {
            wrk(&format!("{base}{path}"), script, WARM_UP_SECONDS)
                .with_context(|| format!("warm-up of {operation} failed"))?;
        }
    }
    for repetition in 0..repetitions {
        for (index, (operation, path, script)) in servers.operations.iter().enumerate() {
            let generated_first = (repetition + index) % 2 == 0;
            for generated in [generated_first, !generated_first] {
                let base = if generated { &servers.generated } else { &servers.handwritten };
                let result = wrk(&format!("{base}{path}"), script, seconds)?;
                let load = &mut loads[index];
                if generated { load.generated.push(result) } else { load.handwritten.push(result) }
            }
            eprintln!("server: {operation}, repetition {} of {repetitions} done", repetition + 1);
        }
    }
    Ok(loads)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "Running 10s test @ http://127.0.0.1:1234/user/2fa
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   215.26us  100.00us   5.00ms   90.00%
    Req/Sec    40.00k     1.00k   42.00k    70.00%
  Latency Distribution
     50%  180.00us
     75%  250.00us
     90%  1.20ms
     99%  1.01s
  400000 requests in 10.00s, 60.00MB read
  Non-2xx or 3xx responses: 5
Requests/sec:  39999.50
Transfer/sec:      6.00MB
";

    #[test]
    fn wrk_output_parsed() {
        let result = parse_wrk(OUTPUT).unwrap();
        assert_eq!(result.requests_per_second, 39999.5);
        assert_eq!(result.p50_us, 180.0);
        assert_eq!(result.p90_us, 1200.0);
        assert_eq!(result.p99_us, 1_010_000.0);
        assert_eq!(result.non_success, 5);
        assert_eq!(result.socket_errors, None);
    }
}
