//! The password policy and Argon2id password hashing.

use argon2::password_hash::{self, PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::secrets::random_bytes;

/// Minimum password length in characters.
pub const MIN_LENGTH: usize = 8;
/// Maximum password length in characters.
pub const MAX_LENGTH: usize = 256;

/// The first rule of the password policy that a new password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PolicyViolation {
    #[error("Password must be at least {MIN_LENGTH} characters long")]
    TooShort,
    #[error("Password must be at most {MAX_LENGTH} characters long")]
    TooLong,
    #[error("Password must not contain line breaks")]
    LineBreak,
    #[error("Password must contain at least one uppercase character")]
    NoUppercase,
    #[error("Password must contain at least one lowercase character")]
    NoLowercase,
    #[error("Password must contain at least one digit")]
    NoDigit,
}

/// Checks a new password against the policy of the API: 8 to 256 characters, at least one ASCII
/// upper-case letter, one ASCII lower-case letter and one ASCII digit. This is the pattern
/// `^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).*$` of the API, whose `.` also excludes line breaks.
pub fn check_policy(password: &str) -> Result<(), PolicyViolation> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PolicyViolation::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PolicyViolation::TooLong);
    }
    if password.chars().any(|c| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')) {
        return Err(PolicyViolation::LineBreak);
    }
    if !password.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(PolicyViolation::NoUppercase);
    }
    if !password.chars().any(|c| c.is_ascii_lowercase()) {
        return Err(PolicyViolation::NoLowercase);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        return Err(PolicyViolation::NoDigit);
    }
    Ok(())
}

/// Cost parameters of Argon2id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashingCost {
    /// Memory per hash in KiB.
    pub memory_kib: u32,
    /// Number of passes over the memory.
    pub iterations: u32,
    /// Number of lanes.
    pub parallelism: u32,
}

impl Default for HashingCost {
    /// Returns the OWASP Password Storage Cheat Sheet's Argon2id setting: 19 MiB of memory,
    /// 2 passes, 1 lane.
    fn default() -> Self {
        HashingCost { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }
}

/// A failure of the hashing library itself, such as cost parameters out of range.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// A stored password hash that cannot be parsed, so no password can match it.
#[derive(Debug, thiserror::Error)]
#[error("the stored password hash is not a valid PHC string")]
pub struct CorruptHash;

/// Hashes and verifies passwords with Argon2id.
///
/// Hashes are PHC strings that carry their own parameters, so a change of [`HashingCost`]
/// applies to new hashes and old hashes keep verifying.
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    /// Hash of a random password. A login that names an unknown account verifies against it, so
    /// the response takes as long as for a known account.
    dummy_hash: String,
}

impl PasswordHasher {
    pub fn new(cost: HashingCost) -> Result<Self, HashError> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|error| HashError(format!("invalid Argon2 cost {cost:?}: {error}")))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut hasher = PasswordHasher { argon2, dummy_hash: String::new() };
        let dummy_password = crate::secrets::random_token();
        hasher.dummy_hash = hasher.hash(&dummy_password)?;
        Ok(hasher)
    }

    /// Hashes `password` with a fresh 16-byte salt.
    pub fn hash(&self, password: &str) -> Result<String, HashError> {
        let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|error| HashError(error.to_string()))?;
        self.argon2
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| HashError(error.to_string()))
    }

    /// Returns whether `password` matches `stored`.
    pub fn verify(&self, password: &str, stored: &str) -> Result<bool, CorruptHash> {
        let parsed = PasswordHash::new(stored).map_err(|_| CorruptHash)?;
        match self.argon2.verify_password(password.as_bytes(), &parsed) {
            Ok(()) => Ok(true),
            Err(password_hash::Error::Password) => Ok(false),
            Err(_) => Err(CorruptHash),
        }
    }

    /// Spends the time of one verification without a stored hash.
    pub fn verify_dummy(&self, password: &str) {
        let _ = self.verify(password, &self.dummy_hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap_hasher() -> PasswordHasher {
        PasswordHasher::new(HashingCost { memory_kib: 64, iterations: 1, parallelism: 1 }).unwrap()
    }

    #[test]
    fn policy_accepts_valid_password() {
        assert_eq!(check_policy("Passw0rdExample"), Ok(()));
        assert_eq!(check_policy("aB3aaaaa"), Ok(()));
    }

    #[test]
    fn policy_rejects_each_rule() {
        assert_eq!(check_policy("aB3aaaa"), Err(PolicyViolation::TooShort));
        assert_eq!(check_policy(&format!("aB3{}", "a".repeat(254))), Err(PolicyViolation::TooLong));
        assert_eq!(check_policy("password1"), Err(PolicyViolation::NoUppercase));
        assert_eq!(check_policy("PASSWORD1"), Err(PolicyViolation::NoLowercase));
        assert_eq!(check_policy("Passwordd"), Err(PolicyViolation::NoDigit));
        assert_eq!(check_policy("Passw0rd\nline"), Err(PolicyViolation::LineBreak));
    }

    #[test]
    fn policy_counts_characters_not_bytes() {
        // Seven characters but more than eight bytes.
        assert_eq!(check_policy("aB3ééé€"), Err(PolicyViolation::TooShort));
        assert_eq!(check_policy(&format!("aB3{}", "é".repeat(253))), Ok(()));
    }

    #[test]
    fn policy_needs_ascii_letters() {
        // Non-ASCII upper-case letters do not match `[A-Z]` of the API pattern.
        assert_eq!(check_policy("ÄÖÜpassw0rd"), Err(PolicyViolation::NoUppercase));
    }

    #[test]
    fn hash_verifies_only_its_password() {
        let hasher = cheap_hasher();
        let hash = hasher.hash("Passw0rdExample").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(hasher.verify("Passw0rdExample", &hash).unwrap());
        assert!(!hasher.verify("Passw0rdExamplE", &hash).unwrap());
    }

    #[test]
    fn hash_salts_differ() {
        let hasher = cheap_hasher();
        assert_ne!(hasher.hash("Passw0rdExample").unwrap(), hasher.hash("Passw0rdExample").unwrap());
    }

    #[test]
    fn corrupt_hash_is_an_error() {
        assert!(cheap_hasher().verify("Passw0rdExample", "not a hash").is_err());
    }

    #[test]
    fn old_cost_still_verifies() {
        let old = cheap_hasher().hash("Passw0rdExample").unwrap();
        let newer = PasswordHasher::new(HashingCost { memory_kib: 128, iterations: 2, parallelism: 1 }).unwrap();
        assert!(newer.verify("Passw0rdExample", &old).unwrap());
    }
}
