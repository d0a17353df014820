//! Medians and spreads of repeated measurements.

/// The median and range of several measurements of one figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub count: usize,
}

impl Summary {
    /// Returns `None` for no values. The median of an even count is the mean of the two middle values.
    pub fn of(values: &[f64]) -> Option<Summary> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|value| value.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let median =
            if sorted.len().is_multiple_of(2) { (sorted[middle - 1] + sorted[middle]) / 2.0 } else { sorted[middle] };
        Some(Summary { median, min: sorted[0], max: sorted[sorted.len() - 1], count: sorted.len() })
    }

    /// Formats as `median (min–max)` with `decimals` digits after the point.
    pub fn display(&self, decimals: usize) -> String {
        if self.count == 1 {
            return format!("{:.decimals$}", self.median);
        }
        format!("{:.decimals$} ({:.decimals$}–{:.decimals$})", self.median, self.min, self.max)
    }
}

/// Formats an optional summary, with an empty cell for none.
pub fn cell(summary: Option<Summary>, decimals: usize) -> String {
    summary.map(|summary| summary.display(decimals)).unwrap_or_else(|| "–".to_owned())
}

/// Returns the ratio of each pair `(a, b)` as `a / b`, leaving out pairs with a zero `b`.
pub fn ratios(pairs: &[(f64, f64)]) -> Vec<f64> {
    pairs.iter().filter(|(_, b)| *b > 0.0).map(|(a, b)| a / b).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_count() {
        let summary = Summary::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!(summary.median, 2.0);
        assert_eq!(summary.min, 1.0);
        assert_eq!(summary.max, 3.0);
    }

    #[test]
    fn median_of_even_count() {
        assert_eq!(Summary::of(&[4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
    }

    #[test]
    fn empty_has_no_summary() {
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn display_shows_range() {
        assert_eq!(Summary::of(&[1.0, 2.0, 4.0]).unwrap().display(1), "2.0 (1.0–4.0)");
    }
}
