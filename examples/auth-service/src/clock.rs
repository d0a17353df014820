//! Wall-clock time behind a trait, so tests can move time forward without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Source of the current time for every expiry, rate limit and TOTP step.
pub trait Clock: Send + Sync + 'static {
    /// Returns the current time in whole seconds since the Unix epoch.
    fn now(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
            // A clock set before 1970 is a broken host; count it as the epoch.
            Err(_) => 0,
        }
    }
}

/// A clock that moves only by [`ManualClock::advance`] and [`ManualClock::set`]. Clones share the
/// same time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    seconds: Arc<AtomicI64>,
}

impl ManualClock {
    /// Creates a clock that reads `unix_seconds` until it is advanced or set.
    pub fn new(unix_seconds: i64) -> Self {
        ManualClock { seconds: Arc::new(AtomicI64::new(unix_seconds)) }
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.seconds.fetch_add(seconds, Ordering::SeqCst);
    }

    /// Sets the clock to `unix_seconds`.
    pub fn set(&self, unix_seconds: i64) {
        self.seconds.store(unix_seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.seconds.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_clones_share_time() {
        let clock = ManualClock::new(1_000);
        let copy = clock.clone();
        clock.advance(30);
        assert_eq!(copy.now(), 1_030);
        copy.set(5);
        assert_eq!(clock.now(), 5);
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now() > 1_577_836_800);
    }
}
