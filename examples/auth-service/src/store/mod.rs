//! Persistent state behind the [`Store`] trait, and the records it holds.
//!
//! The service runs every state change in one [`Transaction`], so a change is either stored
//! completely or not at all.

mod sqlite;

pub use sqlite::SqliteStore;

use crate::limits::FailureState;
use crate::secrets::Digest;

/// A failure of the storage backend.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a record with the same unique key already exists")]
    Duplicate,
    #[error("the database schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database operation failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Storage of accounts, tokens, codes and counters.
pub trait Store: Send + Sync + 'static {
    /// Starts a transaction. It holds the write lock until [`Transaction::commit`] or until it
    /// is dropped, which rolls it back.
    fn begin(&self) -> Result<Box<dyn Transaction + '_>, StoreError>;
}

/// The reads and writes of one transaction.
pub trait Transaction {
    /// Makes every write of the transaction durable.
    fn commit(self: Box<Self>) -> Result<(), StoreError>;

    /// Inserts an account and returns its id; [`StoreError::Duplicate`] when the address is taken.
    fn insert_account(&mut self, email: &str, password_hash: &str, now: i64) -> Result<i64, StoreError>;
    fn account(&mut self, id: i64) -> Result<Option<Account>, StoreError>;
    /// Finds an account by address, ignoring ASCII case.
    fn account_by_email(&mut self, email: &str) -> Result<Option<Account>, StoreError>;
    /// Writes every field of `account` except its id and creation time.
    fn update_account(&mut self, account: &Account) -> Result<(), StoreError>;

    fn insert_token(&mut self, token: &TokenRecord) -> Result<(), StoreError>;
    fn token(&mut self, digest: &Digest) -> Result<Option<TokenRecord>, StoreError>;
    /// Marks a token revoked; returns `false` when it is unknown or was already revoked.
    fn revoke_token(&mut self, digest: &Digest) -> Result<bool, StoreError>;
    /// Revokes every token of an account and returns how many were still active.
    fn revoke_tokens_of(&mut self, user_id: i64) -> Result<usize, StoreError>;
    /// Deletes tokens and mailed codes that expired before `now`; returns how many rows went.
    fn delete_expired(&mut self, now: i64) -> Result<usize, StoreError>;

    /// Replaces all recovery codes of an account with `digests`.
    fn replace_recovery_codes(&mut self, user_id: i64, digests: &[Digest]) -> Result<(), StoreError>;
    fn unused_recovery_codes(&mut self, user_id: i64) -> Result<Vec<RecoveryCodeRecord>, StoreError>;
    fn mark_recovery_code_used(&mut self, id: i64, now: i64) -> Result<(), StoreError>;
    fn delete_recovery_codes(&mut self, user_id: i64) -> Result<(), StoreError>;

    fn mail_code(&mut self, user_id: i64, purpose: CodePurpose) -> Result<Option<MailCode>, StoreError>;
    /// Stores a code, replacing the account's previous code of the same purpose.
    fn put_mail_code(&mut self, code: &MailCode) -> Result<(), StoreError>;
    fn delete_mail_code(&mut self, user_id: i64, purpose: CodePurpose) -> Result<(), StoreError>;

    fn last_mail_sent(&mut self, user_id: i64, kind: MailKind) -> Result<Option<i64>, StoreError>;
    fn set_last_mail_sent(&mut self, user_id: i64, kind: MailKind, at: Option<i64>) -> Result<(), StoreError>;

    fn failures(&mut self, user_id: i64, check: CheckKind) -> Result<FailureState, StoreError>;
    fn set_failures(&mut self, user_id: i64, check: CheckKind, state: FailureState) -> Result<(), StoreError>;
}

/// An account and its 2FA state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    /// Login name and contact address.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub created_at: i64,
    /// Active TOTP method.
    pub totp: Option<TotpMethod>,
    /// Latest TOTP step accepted for the active secret, so its code is not accepted twice.
    pub totp_last_step: Option<i64>,
    /// Secret created by initiateTotp and not yet confirmed by completeTotp (base32).
    pub totp_pending_secret: Option<String>,
    /// Active email OTP method.
    pub email_otp: Option<EmailOtpMethod>,
    /// When the current set of recovery codes was issued; `None` when there is none.
    pub recovery_codes_issued_at: Option<i64>,
}

impl Account {
    /// 2FA is enabled when at least one second factor (TOTP or email OTP) is active.
    pub fn two_factor_enabled(&self) -> bool {
        self.totp.is_some() || self.email_otp.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpMethod {
    /// Base32 secret.
    pub secret: String,
    pub completed_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailOtpMethod {
    /// Address that receives the codes.
    pub address: String,
    pub completed_at: i64,
}

/// The kinds of bearer tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Long-lived session token, exchanged for access tokens.
    Refresh,
    /// Short-lived proof of identity.
    Access,
    /// Short-lived proof that a second factor was verified.
    Sudo,
    /// Proof of a correct password during a 2FA login, exchanged with a second factor.
    PartialAuth,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Refresh => "refresh",
            TokenKind::Access => "access",
            TokenKind::Sudo => "sudo",
            TokenKind::PartialAuth => "partial_auth",
        }
    }

    pub fn parse(text: &str) -> Option<TokenKind> {
        [TokenKind::Refresh, TokenKind::Access, TokenKind::Sudo, TokenKind::PartialAuth]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// A stored bearer token. Only its digest is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub digest: Digest,
    pub kind: TokenKind,
    pub user_id: i64,
    pub issued_at: i64,
    pub expires_at: i64,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryCodeRecord {
    pub id: i64,
    pub digest: Digest,
}

/// Purpose of a mailed code. An account has at most one code per purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodePurpose {
    /// Confirms the address given to initiateEmailOtp.
    EmailOtpSetup,
    /// Second factor sent by initiateEmailOtpAuthentication.
    EmailOtpChallenge,
    /// Confirms the new address given to initiatePutEmail.
    EmailTransfer,
    /// Sent by sendPasswordReset and postForgotPassword.
    PasswordReset,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::EmailOtpSetup => "email_otp_setup",
            CodePurpose::EmailOtpChallenge => "email_otp_challenge",
            CodePurpose::EmailTransfer => "email_transfer",
            CodePurpose::PasswordReset => "password_reset",
        }
    }
}

/// A mailed one-time code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailCode {
    pub user_id: i64,
    pub purpose: CodePurpose,
    pub digest: Digest,
    /// Address the code was sent to, for purposes that confirm an address.
    pub target: Option<String>,
    pub expires_at: i64,
    /// Wrong guesses so far.
    pub attempts: u32,
}

/// Kinds of mail that share one rate limit per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    /// Setup and challenge codes of email OTP.
    EmailOtp,
    /// Confirmation codes of an e-mail address change.
    EmailTransfer,
    /// Password reset codes and links.
    PasswordReset,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::EmailOtp => "email_otp",
            MailKind::EmailTransfer => "email_transfer",
            MailKind::PasswordReset => "password_reset",
        }
    }
}

/// Checks whose failures impose a growing wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckKind {
    Password,
    Totp,
    RecoveryCode,
}

impl CheckKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Password => "password",
            CheckKind::Totp => "totp",
            CheckKind::RecoveryCode => "recovery_code",
        }
    }
}
