//! Time per phase of the generator library on one document, in a release build: the breakdown
//! that `cargo xtask bench` shows next to a profile of a missed generation target.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use generator::output::{self, Mode};

/// Generates `spec` into an emptied `out` folder `runs` times and prints one line with the median
/// milliseconds of each phase: `load_ms=… lower_ms=… emit_ms=… render_ms=… write_ms=…`.
pub fn run(spec: &Path, out: &Path, runs: usize) -> Result<()> {
    let config = generator::Config::with_prefix("phases", "Api", &spec.display().to_string());
    let mut samples: [Vec<Duration>; 5] = Default::default();
    for _ in 0..runs.max(1) {
        if out.exists() {
            std::fs::remove_dir_all(out)?;
        }
        let generated = match generator::generate(spec, &config) {
            Ok(generated) => generated,
            Err(failure) => bail!("generation failed for {}:\n{failure}", spec.display()),
        };
        let start = Instant::now();
        output::write_or_check(out, &generated.files, Mode::Write)?;
        let timings = generated.timings;
        for (series, duration) in
            samples.iter_mut().zip([timings.load, timings.lower, timings.emit, timings.render, start.elapsed()])
        {
            series.push(duration);
        }
    }
    let median = |series: &mut Vec<Duration>| {
        series.sort_unstable();
        series[series.len() / 2].as_secs_f64() * 1000.0
    };
    let names = ["load_ms", "lower_ms", "emit_ms", "render_ms", "write_ms"];
    let fields: Vec<String> =
        names.iter().zip(samples.iter_mut()).map(|(name, series)| format!("{name}={:.1}", median(series))).collect();
    println!("{}", fields.join(" "));
    Ok(())
}
