//! Time-based one-time passwords (RFC 6238) with HMAC-SHA-1, 6 digits and a 30-second step,
//! the parameters that authenticator apps assume.

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::Sha1;

use crate::secrets::{constant_time_eq, random_bytes};

/// Number of digits of a code.
pub const DIGITS: u32 = 6;
/// Length of one time step in seconds.
pub const PERIOD_SECONDS: i64 = 30;
/// Steps accepted on either side of the current one, for clocks that drift.
pub const SKEW_STEPS: i64 = 1;
/// Length of a new secret in bytes: 160 bits, the HMAC-SHA-1 output size that RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

/// Characters left as they are in the otpauth label and query: RFC 3986 unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Generates a new secret and returns it as unpadded RFC 4648 base32, the form of the otpauth URL.
pub fn generate_secret() -> String {
    encode_secret(&random_bytes::<SECRET_BYTES>())
}

/// Encodes secret bytes as unpadded base32.
pub fn encode_secret(secret: &[u8]) -> String {
    base32::encode(base32::Alphabet::Rfc4648 { padding: false }, secret)
}

/// Decodes a stored base32 secret; `None` when it is not valid base32 or empty.
pub fn decode_secret(encoded: &str) -> Option<Vec<u8>> {
    base32::decode(base32::Alphabet::Rfc4648 { padding: false }, encoded).filter(|bytes| !bytes.is_empty())
}

/// Returns the time step that contains `unix_seconds`.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(PERIOD_SECONDS)
}

/// Computes the HOTP value (RFC 4226) of `secret` at `counter` with `digits` digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    // HMAC (RFC 2104) hashes keys longer than the block size and pads shorter ones, so the
    // `hmac` crate's `new_from_slice` returns an error for no key length.
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret).expect("HMAC accepts keys of every length");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([hash[offset] & 0x7f, hash[offset + 1], hash[offset + 2], hash[offset + 3]]);
    let value = u64::from(binary) % 10u64.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

/// Computes the 6-digit code of `secret` for the step that contains `unix_seconds`.
pub fn code_at(secret: &[u8], unix_seconds: i64) -> String {
    hotp(secret, step_at(unix_seconds).max(0) as u64, DIGITS)
}

/// Finds the step within [`SKEW_STEPS`] of `now` whose code equals `code`.
///
/// Steps at or before `last_used_step` are skipped, so a code that was accepted once is never
/// accepted again. Every candidate is compared in constant time, and all candidates are computed
/// whatever matches.
pub fn matching_step(secret: &[u8], code: &str, now: i64, last_used_step: Option<i64>) -> Option<i64> {
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_at(now);
    let mut matched = None;
    for step in (current - SKEW_STEPS)..=(current + SKEW_STEPS) {
        if step < 0 || last_used_step.is_some_and(|last| step <= last) {
            continue;
        }
        let expected = hotp(secret, step as u64, DIGITS);
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) && matched.is_none() {
            matched = Some(step);
        }
    }
    matched
}

/// Builds the otpauth URL that authenticator apps scan, in the form
/// `otpauth://totp/ISSUER:ACCOUNT?issuer=ISSUER&secret=SECRET&algorithm=SHA1&digits=6&period=30`.
pub fn otpauth_url(issuer: &str, account: &str, secret_base32: &str) -> String {
    let issuer = utf8_percent_encode(issuer, UNRESERVED).to_string();
    let account = utf8_percent_encode(account, UNRESERVED).to_string();
    format!(
        "otpauth://totp/{issuer}:{account}?issuer={issuer}&secret={secret_base32}&algorithm=SHA1&digits={DIGITS}&period={PERIOD_SECONDS}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SHA-1 secret of the RFC 4226 and RFC 6238 test vectors.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn hotp_matches_rfc_4226_vectors() {
        let expected =
            ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64, 6), *code, "counter {counter}");
        }
    }

    #[test]
    fn totp_matches_rfc_6238_vectors() {
        let vectors = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, code) in vectors {
            assert_eq!(hotp(RFC_SECRET, step_at(time) as u64, 8), code, "time {time}");
            assert_eq!(code_at(RFC_SECRET, time), code[2..], "time {time}");
        }
    }

    #[test]
    fn matching_step_allows_one_step_of_skew() {
        let now = 1_000_000_000;
        let current = step_at(now);
        for offset in [-1, 0, 1] {
            let code = code_at(RFC_SECRET, now + offset * PERIOD_SECONDS);
            assert_eq!(matching_step(RFC_SECRET, &code, now, None), Some(current + offset));
        }
        for offset in [-2, 2] {
            let code = code_at(RFC_SECRET, now + offset * PERIOD_SECONDS);
            assert_eq!(matching_step(RFC_SECRET, &code, now, None), None, "offset {offset}");
        }
    }

    #[test]
    fn matching_step_skips_used_steps() {
        let now = 1_000_000_000;
        let code = code_at(RFC_SECRET, now);
        assert_eq!(matching_step(RFC_SECRET, &code, now, Some(step_at(now))), None);
        assert_eq!(matching_step(RFC_SECRET, &code, now, Some(step_at(now) - 1)), Some(step_at(now)));
    }

    #[test]
    fn matching_step_rejects_malformed_codes() {
        let now = 1_000_000_000;
        for code in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert_eq!(matching_step(RFC_SECRET, code, now, None), None, "code {code:?}");
        }
    }

    #[test]
    fn secret_round_trips_through_base32() {
        let secret = generate_secret();
        assert_eq!(secret.len(), 32);
        let bytes = decode_secret(&secret).unwrap();
        assert_eq!(bytes.len(), SECRET_BYTES);
        assert_eq!(encode_secret(&bytes), secret);
        assert_eq!(decode_secret("not base32!"), None);
        assert_eq!(decode_secret(""), None);
    }

    #[test]
    fn otpauth_url_has_documented_form() {
        let url = otpauth_url("insights3.eniris.be", "Alice", "NB2W45DFOIZA");
        assert_eq!(
            url,
            "otpauth://totp/insights3.eniris.be:Alice?issuer=insights3.eniris.be&secret=NB2W45DFOIZA&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn otpauth_url_encodes_label() {
        let url = otpauth_url("My Service", "alice@example.com", "ABC");
        assert!(url.starts_with("otpauth://totp/My%20Service:alice%40example.com?issuer=My%20Service&"));
    }
}
