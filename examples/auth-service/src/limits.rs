//! Rate-limit arithmetic: the gap between mails and the growing wait after failed checks.

use serde::Deserialize;

/// Consecutive failures of one kind of check on one account, as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailureState {
    /// Failures since the last success.
    pub failures: u32,
    /// Time of the latest failure, in Unix seconds; `None` when `failures` is zero.
    pub last_failure_at: Option<i64>,
}

/// Growing wait after failed password, TOTP and recovery-code checks.
///
/// The first `threshold - 1` failures cost nothing. From the `threshold`-th failure on, the next
/// check must wait `base_seconds`, doubled for every further failure, up to `max_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backoff {
    pub threshold: u32,
    pub base_seconds: i64,
    pub max_seconds: i64,
}

impl Default for Backoff {
    /// Waits 30 s after the 5th failure, then 60 s, 120 s and so on, at most one hour.
    fn default() -> Self {
        Backoff { threshold: 5, base_seconds: 30, max_seconds: 3600 }
    }
}

impl Backoff {
    /// Returns the wait in seconds that `failures` consecutive failures impose.
    pub fn wait_after(&self, failures: u32) -> i64 {
        if failures < self.threshold.max(1) {
            return 0;
        }
        let doublings = failures - self.threshold.max(1);
        let factor = 1i64.checked_shl(doublings.min(62)).unwrap_or(i64::MAX);
        self.base_seconds.saturating_mul(factor).min(self.max_seconds)
    }

    /// Returns the seconds left before the next check is allowed; zero when it is allowed now.
    pub fn remaining(&self, state: FailureState, now: i64) -> i64 {
        match state.last_failure_at {
            Some(at) => (at.saturating_add(self.wait_after(state.failures)) - now).max(0),
            None => 0,
        }
    }
}

/// Returns the seconds left before another mail may be sent, or zero when one may be sent now.
/// `last_sent_at` is the time of the previous mail and `min_gap_seconds` the minimum gap.
pub fn mail_wait(last_sent_at: Option<i64>, min_gap_seconds: i64, now: i64) -> i64 {
    match last_sent_at {
        Some(at) => (at.saturating_add(min_gap_seconds) - now).max(0),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_starts_at_threshold_and_doubles() {
        let backoff = Backoff::default();
        assert_eq!(backoff.wait_after(0), 0);
        assert_eq!(backoff.wait_after(4), 0);
        assert_eq!(backoff.wait_after(5), 30);
        assert_eq!(backoff.wait_after(6), 60);
        assert_eq!(backoff.wait_after(7), 120);
        assert_eq!(backoff.wait_after(12), 3600);
        assert_eq!(backoff.wait_after(u32::MAX), 3600);
    }

    #[test]
    fn backoff_remaining_counts_down() {
        let backoff = Backoff::default();
        let state = FailureState { failures: 5, last_failure_at: Some(1_000) };
        assert_eq!(backoff.remaining(state, 1_000), 30);
        assert_eq!(backoff.remaining(state, 1_029), 1);
        assert_eq!(backoff.remaining(state, 1_030), 0);
        assert_eq!(backoff.remaining(FailureState::default(), 1_000), 0);
    }

    #[test]
    fn mail_wait_counts_down() {
        assert_eq!(mail_wait(None, 60, 1_000), 0);
        assert_eq!(mail_wait(Some(1_000), 60, 1_000), 60);
        assert_eq!(mail_wait(Some(1_000), 60, 1_059), 1);
        assert_eq!(mail_wait(Some(1_000), 60, 1_060), 0);
    }
}
