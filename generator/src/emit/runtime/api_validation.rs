//! Validation support shared by the generated types and requests.

// A document may use only some of the constraint checks below.
#![allow(dead_code)]

use std::fmt;

/// The place in a request where a violation was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A JSON pointer into the request or response body; empty for the body itself.
    Body(String),
    Path(String),
    Query(String),
    Header(String),
    Cookie(String),
    /// The status code of a response.
    Status,
}

/// A [`Location`] that borrows its name or pointer, so checks build the owned one only for a violation.
#[derive(Debug, Clone, Copy)]
pub enum LocationRef<'a> {
    Body(&'a str),
    Path(&'a str),
    Query(&'a str),
    Header(&'a str),
    Cookie(&'a str),
}

impl LocationRef<'_> {
    pub fn to_owned(self) -> Location {
        match self {
            LocationRef::Body(pointer) => Location::Body(pointer.to_owned()),
            LocationRef::Path(name) => Location::Path(name.to_owned()),
            LocationRef::Query(name) => Location::Query(name.to_owned()),
            LocationRef::Header(name) => Location::Header(name.to_owned()),
            LocationRef::Cookie(name) => Location::Cookie(name.to_owned()),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Body(pointer) if pointer.is_empty() => f.write_str("body"),
            Location::Body(pointer) => write!(f, "body field {pointer}"),
            Location::Path(name) => write!(f, "path parameter `{name}`"),
            Location::Query(name) => write!(f, "query parameter `{name}`"),
            Location::Header(name) => write!(f, "header `{name}`"),
            Location::Cookie(name) => write!(f, "cookie `{name}`"),
            Location::Status => f.write_str("status code"),
        }
    }
}

/// A value that breaks the schema, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub location: Location,
    pub message: String,
}

impl Violation {
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Violation { location, message: message.into() }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Joins violations into one message, one per clause.
pub fn describe(violations: &[Violation]) -> String {
    violations.iter().map(Violation::to_string).collect::<Vec<_>>().join("; ")
}

/// Checks of the schema constraints that deserialization does not enforce.
pub trait Validate {
    /// Appends a violation for every constraint the value breaks; `pointer` locates the value in the body.
    fn collect_violations(&self, pointer: &str, violations: &mut Vec<Violation>);

    /// Returns every violation of the value, or `Ok` when it meets its schema.
    fn validate(&self) -> Result<(), Vec<Violation>> {
        let mut violations = Vec::new();
        self.collect_violations("", &mut violations);
        if violations.is_empty() { Ok(()) } else { Err(violations) }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn collect_violations(&self, pointer: &str, violations: &mut Vec<Violation>) {
        (**self).collect_violations(pointer, violations);
    }
}

pub(crate) fn check_length(value: &str, min: Option<u64>, max: Option<u64>, location: LocationRef<'_>, violations: &mut Vec<Violation>) {
    let length = value.chars().count() as u64;
    if let Some(min) = min
        && length < min
    {
        violations.push(Violation::new(location.to_owned(), format!("must be at least {min} characters long")));
    }
    if let Some(max) = max
        && length > max
    {
        violations.push(Violation::new(location.to_owned(), format!("must be at most {max} characters long")));
    }
}

pub(crate) fn check_pattern(value: &str, regex: &regress::Regex, pattern: &str, location: LocationRef<'_>, violations: &mut Vec<Violation>) {
    if regex.find(value).is_none() {
        violations.push(Violation::new(location.to_owned(), format!("must match the pattern `{pattern}`")));
    }
}

pub(crate) fn check_format(value: &str, format: &str, location: LocationRef<'_>, violations: &mut Vec<Violation>) {
    let valid = match format {
        "email" => is_email(value),
        "date-time" => is_date_time(value),
        "date" => is_date(value),
        "uuid" => is_uuid(value),
        "uri" => is_uri(value),
        _ => true,
    };
    if !valid {
        violations.push(Violation::new(location.to_owned(), format!("must be a valid {format}")));
    }
}

pub(crate) fn check_range(
    value: f64,
    minimum: Option<f64>,
    maximum: Option<f64>,
    exclusive: (bool, bool),
    multiple_of: Option<f64>,
    location: LocationRef<'_>,
    violations: &mut Vec<Violation>,
) {
    if let Some(minimum) = minimum {
        if exclusive.0 && value <= minimum {
            violations.push(Violation::new(location.to_owned(), format!("must be greater than {minimum}")));
        } else if value < minimum {
            violations.push(Violation::new(location.to_owned(), format!("must be at least {minimum}")));
        }
    }
    if let Some(maximum) = maximum {
        if exclusive.1 && value >= maximum {
            violations.push(Violation::new(location.to_owned(), format!("must be less than {maximum}")));
        } else if value > maximum {
            violations.push(Violation::new(location.to_owned(), format!("must be at most {maximum}")));
        }
    }
    if let Some(divisor) = multiple_of {
        let quotient = value / divisor;
        if (quotient - quotient.round()).abs() > 1e-9 {
            violations.push(Violation::new(location.to_owned(), format!("must be a multiple of {divisor}")));
        }
    }
}

pub(crate) fn check_count(count: usize, min: Option<u64>, max: Option<u64>, noun: &str, location: LocationRef<'_>, violations: &mut Vec<Violation>) {
    let count = count as u64;
    if let Some(min) = min
        && count < min
    {
        violations.push(Violation::new(location.to_owned(), format!("must have at least {min} {noun}")));
    }
    if let Some(max) = max
        && count > max
    {
        violations.push(Violation::new(location.to_owned(), format!("must have at most {max} {noun}")));
    }
}

pub(crate) fn check_unique<T: PartialEq>(items: &[T], location: LocationRef<'_>, violations: &mut Vec<Violation>) {
    let repeated = items.iter().enumerate().any(|(index, item)| items[..index].contains(item));
    if repeated {
        violations.push(Violation::new(location.to_owned(), "must not contain the same item twice"));
    }
}

pub(crate) fn check_allowed<T: serde::Serialize>(value: &T, allowed: &[&str], location: LocationRef<'_>, violations: &mut Vec<Violation>) {
    let Ok(actual) = serde_json::to_value(value) else { return };
    let found = allowed.iter().any(|text| serde_json::from_str::<serde_json::Value>(text).is_ok_and(|a| a == actual));
    if !found {
        violations.push(Violation::new(location.to_owned(), format!("must be one of {}", allowed.join(", "))));
    }
}

/// Checks the status of a response variant that covers the range of `digit` (such as 4 for `4XX`) or, with
/// `digit` 0, `default`. The status must be in the range and must not be one that another variant documents:
/// one of `codes`, or for `default` one in the range of a digit of `ranges`.
pub(crate) fn check_status(status: u16, digit: u16, codes: &[u16], ranges: &[u16], violations: &mut Vec<Violation>) {
    let (low, high) = if digit == 0 { (100, 599) } else { (digit * 100, digit * 100 + 99) };
    if !(low..=high).contains(&status) {
        violations.push(Violation::new(Location::Status, format!("{status} is outside {low}..={high}")));
    } else if codes.contains(&status) || (digit == 0 && ranges.contains(&(status / 100))) {
        violations.push(Violation::new(Location::Status, format!("{status} is documented by another variant, which must be used")));
    }
}

/// Appends a reference token to a JSON pointer, escaping it (RFC 6901).
pub fn pointer_child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// Accepts `local@domain` where the domain has a dot and no empty labels; a practical subset of RFC 5321.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else { return false };
    let local_ok = !local.is_empty() && local.len() <= 64 && !local.chars().any(|c| c.is_whitespace() || c.is_control() || c == '@');
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-') && !label.starts_with('-') && !label.ends_with('-'));
    local_ok && domain_ok
}

fn digits(text: &str, count: usize) -> bool {
    text.len() == count && text.bytes().all(|b| b.is_ascii_digit())
}

/// Checks RFC 3339 `full-date`: `YYYY-MM-DD` with a month and day in range.
pub fn is_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    if parts.len() != 3 || !digits(parts[0], 4) || !digits(parts[1], 2) || !digits(parts[2], 2) {
        return false;
    }
    let month: u32 = parts[1].parse().unwrap_or(0);
    let day: u32 = parts[2].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Checks RFC 3339 `date-time`, such as `2019-08-24T14:15:22Z` or `2019-08-24T14:15:22.5+02:00`.
pub fn is_date_time(value: &str) -> bool {
    let Some(split) = value.find(['T', 't']) else { return false };
    let (date, rest) = value.split_at(split);
    let time = &rest[1..];
    if !is_date(date) || time.len() < 9 {
        return false;
    }
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(index) => time.split_at(index),
        None => return false,
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (clock, None),
    };
    let hms: Vec<&str> = hms.split(':').collect();
    let clock_ok = hms.len() == 3
        && hms.iter().all(|part| digits(part, 2))
        && hms[0] < "24"
        && hms[1] < "60"
        && hms[2] <= "60"
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    let zone_ok = zone.eq_ignore_ascii_case("z")
        || (zone.len() == 6 && digits(&zone[1..3], 2) && &zone[3..4] == ":" && digits(&zone[4..6], 2));
    clock_ok && zone_ok
}

/// Checks the 8-4-4-4-12 hexadecimal form of a UUID.
pub fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    groups.len() == 5 && groups.iter().zip(lengths).all(|(group, length)| group.len() == length && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Checks for a scheme followed by `:` (RFC 3986 section 3.1) and no whitespace.
pub fn is_uri(value: &str) -> bool {
    let Some((scheme, _)) = value.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !value.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_accept_and_reject() {
        assert!(is_email("user@example.com"));
        assert!(!is_email("user@example"));
        assert!(!is_email("@example.com"));
        assert!(is_date_time("2019-08-24T14:15:22Z"));
        assert!(is_date_time("2019-08-24T14:15:22.123+02:00"));
        assert!(!is_date_time("2019-08-24 14:15:22"));
        assert!(is_date("2019-08-24"));
        assert!(!is_date("2019-13-24"));
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!is_uuid("123e4567"));
        assert!(is_uri("otpauth://totp/x?secret=A"));
        assert!(!is_uri("not a uri"));
    }
}
