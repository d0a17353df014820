//! Renders the findings of `cargo xtask bench` as `BENCHMARKS.md`.

use std::fmt::Write as _;

use super::compile::Variant;
use super::generation::{SHORT_RUN, SHORT_RUN_FACTOR};
use super::profile::{FREQUENCY, Profile, TOP_FUNCTIONS};
use super::server::{WRK_CONNECTIONS, WRK_THREADS};
use super::stats::{Summary, cell};
use super::{COMPILE_TARGET, Findings, GENERATION_TARGET, SERVER_TARGET, paired_ratio};

pub fn render(findings: &Findings) -> String {
    let mut out = String::new();
    header(&mut out, findings);
    targets(&mut out, findings);
    generation(&mut out, findings);
    size(&mut out, findings);
    server(&mut out, findings);
    client(&mut out, findings);
    profiles(&mut out, findings);
    out
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "missed" }
}

fn header(out: &mut String, findings: &Findings) {
    let machine = &findings.machine;
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(out, "Written by `{}`, which took {:.1} minutes.\n", findings.options_line, findings.minutes);

    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| date | {} |", machine.date);
    let dirty = if machine.uncommitted_paths > 0 {
        format!(" with {} uncommitted paths in the work tree", machine.uncommitted_paths)
    } else {
        String::new()
    };
    let _ = writeln!(out, "| commit | `{}`{dirty} |", machine.commit);
    let _ = writeln!(out, "| CPU | {}, {} logical cores |", machine.cpu_model, machine.cores);
    let _ = writeln!(out, "| memory | {:.1} GiB |", machine.memory_gib);
    let _ = writeln!(out, "| toolchain | {} |", machine.rustc);
    if let Some(version) = &findings.progenitor_version {
        let _ = writeln!(out, "| progenitor | {version}, installed from crates.io |");
    }
    if let Some(version) = &findings.wrk_version {
        let _ = writeln!(out, "| load generator | {version} |");
    }
    let _ = writeln!(
        out,
        "| 1-minute load average | {} at the start, {} at the end |",
        machine.load_at_start, findings.load_at_end
    );

    // The bench itself keeps about one core busy, so a higher load means other processes ran too.
    let busiest = [&machine.load_at_start, &findings.load_at_end]
        .iter()
        .filter_map(|load| load.parse::<f64>().ok())
        .fold(0.0, f64::max);
    let sharing = if busiest > 1.5 {
        "Other processes, such as other builds, ran on this machine during the bench, as the load average shows, \
         so absolute figures are noisy."
    } else {
        "The load average shows little else running on the machine during the bench."
    };
    let _ = writeln!(
        out,
        "\n{sharing} Each comparison alternates the two variants within every repetition and reports the median of \
         the per-repetition ratios, which shared load disturbs much less than the absolute figures. \
         Figures are `median (min–max)` over the repetitions.\n"
    );
}

fn targets(out: &mut String, findings: &Findings) {
    let _ = writeln!(out, "## Targets\n");
    let _ = writeln!(out, "| target | measured ratio | goal | result |\n|---|---|---|---|");
    if let Some(runs) = &findings.generation {
        for (document, runs) in findings.documents.iter().zip(runs) {
            let failed = match (&runs.ours.failure, &runs.progenitor.failure) {
                (Some(_), _) => Some("our generator fails"),
                (None, Some(_)) => Some("progenitor fails"),
                (None, None) => None,
            };
            if let Some(failed) = failed {
                let _ = writeln!(
                    out,
                    "| generation time, ours / progenitor, {} | – ({failed}) | ≤ {GENERATION_TARGET} | not compared |",
                    document.name
                );
            } else if let Some(ratio) = paired_ratio(&runs.ours.wall_ms(), &runs.progenitor.wall_ms()) {
                let _ = writeln!(
                    out,
                    "| generation time, ours / progenitor, {} | {} | ≤ {GENERATION_TARGET} | {} |",
                    document.name,
                    ratio.display(2),
                    verdict(ratio.median <= GENERATION_TARGET)
                );
            }
        }
    }
    if let Some(compile) = &findings.compile {
        for (name, series) in [("cargo check", &compile.check), ("cargo build", &compile.build)] {
            if let Some(ratio) = paired_ratio(&series[0], &series[2]) {
                let _ = writeln!(
                    out,
                    "| {name} time of the {} client, ours (api + client crates) / progenitor | {} | ≤ {COMPILE_TARGET} | {} |",
                    compile.document,
                    ratio.display(2),
                    verdict(ratio.median <= COMPILE_TARGET)
                );
            }
        }
    }
    if let Some(loads) = &findings.server {
        for load in loads {
            if let Some(ratio) = server_ratio(load) {
                let _ = writeln!(
                    out,
                    "| server throughput, generated / hand-written, {} | {} | ≥ {SERVER_TARGET} | {} |",
                    load.operation,
                    ratio.display(3),
                    verdict(ratio.median >= SERVER_TARGET)
                );
            }
        }
    }
    let _ = writeln!(out);
}

fn server_ratio(load: &super::server::OperationLoad) -> Option<Summary> {
    let generated: Vec<f64> = load.generated.iter().map(|run| run.requests_per_second).collect();
    let handwritten: Vec<f64> = load.handwritten.iter().map(|run| run.requests_per_second).collect();
    paired_ratio(&generated, &handwritten)
}

fn generation(out: &mut String, findings: &Findings) {
    let Some(runs) = &findings.generation else { return };
    let _ = writeln!(out, "## 1. Generation\n");
    let _ = writeln!(
        out,
        "Wall time from starting the program to its exit, with every file formatted and written to an emptied \
         folder: our command-line program (release build) against `cargo progenitor`, which formats with rustfmt \
         in a child process. CPU time is user plus system time of the program and its children, and max RSS \
         is the largest resident set of the program or any of its children, both from `getrusage(RUSAGE_CHILDREN)` \
         in a helper process that runs only the measured program. Each tool runs once untimed on each document, \
         then the timed runs alternate which tool goes first. A document whose median run takes under {} ms for \
         both tools gets {SHORT_RUN_FACTOR} times as many timed runs, since scheduling delays on a shared machine \
         are a large part of such short runs.\n",
        SHORT_RUN.as_millis()
    );
    let _ = writeln!(
        out,
        "| document | KB | operations | timed runs | ours ms | progenitor ms | ours / progenitor | ours CPU ms | progenitor CPU ms | CPU ours / progenitor | ours max RSS MiB | progenitor max RSS MiB |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (document, runs) in findings.documents.iter().zip(runs) {
        let operations = document.operations.map(|count| count.to_string()).unwrap_or_else(|| "–".to_owned());
        let failed =
            |failure: &Option<String>, figure: String| if failure.is_some() { "failed".to_owned() } else { figure };
        let _ = writeln!(
            out,
            "| {} | {} | {operations} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            document.name,
            document.bytes / 1024,
            runs.ours.runs.len().max(runs.progenitor.runs.len()),
            failed(&runs.ours.failure, cell(Summary::of(&runs.ours.wall_ms()), 0)),
            failed(&runs.progenitor.failure, cell(Summary::of(&runs.progenitor.wall_ms()), 0)),
            cell(paired_ratio(&runs.ours.wall_ms(), &runs.progenitor.wall_ms()), 2),
            cell(Summary::of(&runs.ours.cpu_ms()), 0),
            cell(Summary::of(&runs.progenitor.cpu_ms()), 0),
            cell(paired_ratio(&runs.ours.cpu_ms(), &runs.progenitor.cpu_ms()), 2),
            cell(Summary::of(&runs.ours.max_rss_mib()), 0),
            cell(Summary::of(&runs.progenitor.max_rss_mib()), 0),
        );
    }
    let _ = writeln!(out);
    for (document, runs) in findings.documents.iter().zip(runs) {
        for (tool, failure) in [("our generator", &runs.ours.failure), ("progenitor", &runs.progenitor.failure)] {
            if let Some(failure) = failure {
                let _ = writeln!(
                    out,
                    "- {tool} fails on {}, so it is left out of the comparison. First error line: `{}`",
                    document.name,
                    failure.replace('`', "'")
                );
            }
        }
    }
    let _ = writeln!(out);
}

fn per_operation(lines: usize, operations: Option<usize>) -> String {
    match operations {
        Some(operations) if operations > 0 => format!("{:.0}", lines as f64 / operations as f64),
        _ => "–".to_owned(),
    }
}

fn size(out: &mut String, findings: &Findings) {
    if let Some(lines) = &findings.lines {
        let _ = writeln!(out, "## 2. Size and compile cost\n");
        let _ = writeln!(
            out,
            "Non-blank lines of the generated `.rs` files, total and per operation. Ours counts the api, server \
             and client crates together, then the api crate (types, validation, trait) and the client crate alone; \
             progenitor writes one client crate with its types.\n"
        );
        let _ = writeln!(
            out,
            "| document | operations | ours: 3 crates | per operation | ours: api | per operation | ours: client | per operation | progenitor | per operation |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (document, lines) in findings.documents.iter().zip(lines) {
            let operations = document.operations;
            let count = |count: usize| if lines.ours_failed { "failed".to_owned() } else { count.to_string() };
            let per =
                |count: usize| if lines.ours_failed { "–".to_owned() } else { per_operation(count, operations) };
            let progenitor = lines.progenitor.map(|count| count.to_string()).unwrap_or_else(|| "failed".to_owned());
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {progenitor} | {} |",
                document.name,
                operations.map(|count| count.to_string()).unwrap_or_else(|| "–".to_owned()),
                count(lines.ours_total),
                per(lines.ours_total),
                count(lines.ours_api),
                per(lines.ours_api),
                count(lines.ours_client),
                per(lines.ours_client),
                lines.progenitor.map(|count| per_operation(count, operations)).unwrap_or_else(|| "–".to_owned()),
            );
        }
        let _ = writeln!(out);
    }
    let Some(compile) = &findings.compile else { return };
    let _ = writeln!(
        out,
        "Compile time of the {} clients in a scratch workspace under `target/bench/compile/`, with the root \
         `Cargo.lock` as starting point. Each package is built and checked once first, so its dependencies are \
         ready; each timed run then touches the crate's sources and runs `cargo check` or `cargo build` (dev \
         profile, `CARGO_INCREMENTAL=0`, no `RUSTFLAGS`) on that package alone. Progenitor's one crate holds the \
         types and the client, so the fair comparison is with our api and client crates compiled together; our \
         client crate alone is shown too. Seconds, and ratios paired by round:\n",
        compile.document
    );
    let _ = writeln!(
        out,
        "| variant | cargo check s | / progenitor | cargo build s | / progenitor |\n|---|---:|---:|---:|---:|"
    );
    for (index, variant) in Variant::ALL.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            variant.label(),
            cell(Summary::of(&compile.check[index]), 1),
            cell(paired_ratio(&compile.check[index], &compile.check[2]), 2),
            cell(Summary::of(&compile.build[index]), 1),
            cell(paired_ratio(&compile.build[index], &compile.build[2]), 2),
        );
    }
    if let Some(failure) = &compile.progenitor_failure {
        let _ = writeln!(out, "\nProgenitor's crate was left out: `{}`", failure.replace('`', "'"));
    }
    let _ = writeln!(out);
}

fn server(out: &mut String, findings: &Findings) {
    let Some(loads) = &findings.server else { return };
    let _ = writeln!(out, "## 3. Server overhead\n");
    let _ = writeln!(
        out,
        "`auth-bench serve` (a release build of `bench/`) serves the generated router, called with an in-memory \
         implementation of the trait, and a hand-written axum router for the same three operations on two ports of \
         127.0.0.1, in one process with tokio's default multi-threaded runtime and no tracing subscriber. The \
         hand-written handlers do the same work with axum's extractors: the same bearer check, JSON decoding \
         through `serde_path_to_error`, length and e-mail checks, status, media type and body. Before the load \
         starts, the helper checks that both routers return 200 with identical bodies. wrk runs with \
         {WRK_THREADS} thread and {WRK_CONNECTIONS} connections for a warm-up of 2 s per operation and router, \
         then the measurements alternate which router goes first. Latencies are wrk's percentiles in µs.\n"
    );
    let _ = writeln!(
        out,
        "| operation | generated req/s | hand-written req/s | generated / hand-written | generated p50 / p90 / p99 | hand-written p50 / p90 / p99 |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    for load in loads {
        let figure = |runs: &[super::server::WrkResult], pick: fn(&super::server::WrkResult) -> f64| {
            Summary::of(&runs.iter().map(pick).collect::<Vec<_>>())
        };
        let percentiles = |runs: &[super::server::WrkResult]| {
            format!(
                "{} / {} / {}",
                cell(figure(runs, |run| run.p50_us), 0),
                cell(figure(runs, |run| run.p90_us), 0),
                cell(figure(runs, |run| run.p99_us), 0)
            )
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            load.path,
            cell(figure(&load.generated, |run| run.requests_per_second), 0),
            cell(figure(&load.handwritten, |run| run.requests_per_second), 0),
            cell(server_ratio(load), 3),
            percentiles(&load.generated),
            percentiles(&load.handwritten),
        );
    }
    let failures: u64 =
        loads.iter().flat_map(|load| load.generated.iter().chain(&load.handwritten)).map(|run| run.non_success).sum();
    let _ = writeln!(out, "\nResponses outside 2xx during the load: {failures}.");
    for run in loads.iter().flat_map(|load| load.generated.iter().chain(&load.handwritten)) {
        if let Some(errors) = &run.socket_errors {
            let _ = writeln!(out, "wrk reported `{errors}`.");
        }
    }
    let _ = writeln!(out);
}

fn client(out: &mut String, findings: &Findings) {
    let Some(times) = &findings.client else { return };
    let _ = writeln!(out, "## 4. Client overhead\n");
    let _ = writeln!(
        out,
        "`auth-bench client` sends sequential requests to the generated router on 127.0.0.1, through the generated \
         client and through plain reqwest calls that send the same request and decode the same response type. Both \
         share one `reqwest::Client`, so they differ only in the code around the call. Each round times a block of \
         requests per operation and variant (after 200 untimed ones) and keeps the median; rounds alternate which \
         variant goes first. µs per request:\n"
    );
    let _ = writeln!(out, "| operation | generated client | plain reqwest | generated / plain |\n|---|---:|---:|---:|");
    for entry in times {
        let generated: Vec<f64> = entry.rounds.iter().map(|pair| pair.0).collect();
        let plain: Vec<f64> = entry.rounds.iter().map(|pair| pair.1).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            entry.operation,
            cell(Summary::of(&generated), 1),
            cell(Summary::of(&plain), 1),
            cell(paired_ratio(&generated, &plain), 3),
        );
    }
    let _ = writeln!(out);
}

fn profiles(out: &mut String, findings: &Findings) {
    if findings.profiles.is_empty() && findings.notes.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Profiles of missed targets\n");
    let _ = writeln!(
        out,
        "Taken with `perf record -e cpu-clock -F {FREQUENCY}` (software clock samples, since this machine has no \
         hardware counters) and read with `perf report --no-children --sort symbol`: the share of samples that fell \
         in each function itself, and the same shares summed per crate, counting functions of 0.1 % and more. \
         Server profiles sample only the user-space code of `auth-bench serve` (`cpu-clock:u`) while wrk loads one \
         router for one measurement length, and show the hand-written router's share of the same function or crate \
         beside the generated router's.\n"
    );
    for profile in &findings.profiles {
        let _ = writeln!(out, "### {}\n", profile.subject);
        if !profile.phases.is_empty() {
            phase_table(out, &profile.phases);
        }
        match &profile.baseline {
            Some(baseline) => compared_tables(out, profile, baseline),
            None => {
                let _ = writeln!(out, "| self % | function |\n|---:|---|");
                for (percent, function) in profile.functions.iter().take(TOP_FUNCTIONS) {
                    let _ = writeln!(out, "| {percent:.1} | `{}` |", function.replace('|', "\\|"));
                }
                let _ = writeln!(out, "\n| self % | crate |\n|---:|---|");
                for (percent, name) in profile.crates.iter().take(TOP_FUNCTIONS) {
                    let _ = writeln!(out, "| {percent:.1} | {name} |");
                }
            }
        }
        let _ = writeln!(out);
    }
    for note in &findings.notes {
        let _ = writeln!(out, "- {note}");
    }
}

fn phase_table(out: &mut String, phases: &[(String, f64)]) {
    let total: f64 = phases.iter().map(|(_, ms)| ms).sum();
    let _ = writeln!(
        out,
        "Time per phase of the generator library, from a release build of `auth-bench phases` (median of 5 runs). \
         `render` parses each file with syn and prints it with prettyplease. The generator emits and renders \
         files on several threads and sums those two phases over files, so the phases can add up to more than \
         the wall time; the shares compare the work of each phase.\n"
    );
    let _ = writeln!(out, "| phase | ms | share |\n|---|---:|---:|");
    for (phase, ms) in phases {
        let share = if total > 0.0 { ms / total * 100.0 } else { 0.0 };
        let _ = writeln!(out, "| {phase} | {ms:.1} | {share:.0} % |");
    }
    let _ = writeln!(out);
}

/// Writes the top functions and crates of `profile` next to their shares in `baseline`.
fn compared_tables(out: &mut String, profile: &Profile, baseline: &Profile) {
    let _ = writeln!(out, "| generated self % | hand-written self % | function |\n|---:|---:|---|");
    for (percent, function) in profile.functions.iter().take(TOP_FUNCTIONS) {
        let _ = writeln!(
            out,
            "| {percent:.1} | {:.1} | `{}` |",
            baseline.share_of_function(function),
            function.replace('|', "\\|")
        );
    }
    let _ = writeln!(out, "\n| generated self % | hand-written self % | crate |\n|---:|---:|---|");
    for (percent, name) in profile.crates.iter().take(TOP_FUNCTIONS) {
        let _ = writeln!(out, "| {percent:.1} | {:.1} | {name} |", baseline.share_of_crate(name));
    }
}
