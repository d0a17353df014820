//! Random tokens and codes, their digests, and constant-time comparison.
//!
//! Tokens and codes are stored only as SHA-256 digests. A bearer token has 256 random bits, so
//! its digest cannot be reversed and can serve as the database key. Mailed codes have only six
//! digits, so their digest is bound to the account and purpose, and they live for minutes and
//! allow a few attempts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;

/// SHA-256 digest of a token or code.
pub type Digest = [u8; 32];

/// Number of random bytes in a bearer token (256 bits).
const TOKEN_BYTES: usize = 32;

/// Characters of recovery codes: lower-case letters and digits without the look-alikes
/// `0`, `1`, `l` and `o`. 32 symbols give 5 bits per character, so 16 characters carry 80 bits.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// Length of a recovery code, as the API's schema requires.
pub const RECOVERY_CODE_LENGTH: usize = 16;

/// Fills an array with bytes from the thread-local CSPRNG (ChaCha, seeded by the OS).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::fill(&mut bytes[..]);
    bytes
}

/// Generates a bearer token: 32 random bytes as unpadded base64url (43 characters).
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<TOKEN_BYTES>())
}

/// Generates a uniformly random code of `digits` decimal digits, with leading zeros.
pub fn random_digits(digits: u32) -> String {
    let bound = 10u64.pow(digits);
    let value = rand::random_range(0..bound);
    format!("{value:0width$}", width = digits as usize)
}

/// Generates one recovery code of [`RECOVERY_CODE_LENGTH`] characters.
pub fn random_recovery_code() -> String {
    (0..RECOVERY_CODE_LENGTH)
        .map(|_| char::from(RECOVERY_ALPHABET[rand::random_range(0..RECOVERY_ALPHABET.len())]))
        .collect()
}

/// Returns the digest under which a bearer token is stored.
pub fn token_digest(token: &str) -> Digest {
    Sha256::digest(token.as_bytes()).into()
}

/// Returns the digest of a code that belongs to one account and one purpose, so a code stored
/// for one purpose never matches another.
pub fn code_digest(user_id: i64, purpose: &str, code: &str) -> Digest {
    let mut hasher = Sha256::new();
    hasher.update(user_id.to_be_bytes());
    hasher.update((purpose.len() as u64).to_be_bytes());
    hasher.update(purpose.as_bytes());
    hasher.update(code.as_bytes());
    hasher.finalize().into()
}

/// Compares two byte strings in constant time for equal lengths.
pub fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    left.ct_eq(right).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_43_base64url_characters() {
        let token = random_token();
        assert_eq!(token.len(), 43);
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(token, random_token());
    }

    #[test]
    fn digits_keep_leading_zeros() {
        for _ in 0..200 {
            let code = random_digits(6);
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn recovery_code_uses_alphabet() {
        let code = random_recovery_code();
        assert_eq!(code.len(), RECOVERY_CODE_LENGTH);
        assert!(code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)));
    }

    #[test]
    fn code_digest_binds_user_and_purpose() {
        let base = code_digest(1, "reset", "123456");
        assert_eq!(base, code_digest(1, "reset", "123456"));
        assert_ne!(base, code_digest(2, "reset", "123456"));
        assert_ne!(base, code_digest(1, "transfer", "123456"));
        assert_ne!(base, code_digest(1, "reset", "123457"));
    }

    #[test]
    fn constant_time_eq_compares_content() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
