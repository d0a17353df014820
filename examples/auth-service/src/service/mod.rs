//! The authentication domain: accounts, tokens, second factors, mailed codes and rate limits.
//!
//! Nothing here uses the HTTP API's types. [`AuthService`] offers one async method per use
//! case. Each runs its checks and writes in one store transaction on a blocking thread, and
//! sends mail after the transaction committed.

mod account;
mod addresses;
mod mails;
mod second_factor;
mod sessions;

use std::fmt;
use std::sync::Arc;

pub use second_factor::{IssuedTokens, TwoFactorOverview};
pub use sessions::LoginToken;

use crate::clock::Clock;
use crate::config::Config;
use crate::limits::FailureState;
use crate::mail::{MailError, MailMessage, Mailer};
use crate::password::{HashError, PasswordHasher, PolicyViolation};
use crate::secrets::{self, Digest};
use crate::store::{
    Account, CheckKind, CodePurpose, MailCode, MailKind, Store, StoreError, TokenKind, TokenRecord, Transaction,
};

/// Maximum length of a bearer token that is looked up. Issued tokens have 43 characters.
const MAX_TOKEN_LENGTH: usize = 512;

/// A request that the service rejects. Each variant has a documented error response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The token is missing, unknown, expired, revoked or of a kind the operation does not accept.
    #[error("no valid token of an accepted kind")]
    InvalidToken,
    #[error("the password is incorrect")]
    PasswordIncorrect,
    /// A mailed code is wrong, expired, used up or was never sent.
    #[error("the code is invalid or expired")]
    CodeInvalidOrExpired,
    #[error("the TOTP code is invalid")]
    TotpInvalid,
    #[error("the recovery code is invalid")]
    RecoveryCodeInvalid,
    #[error(transparent)]
    WeakPassword(#[from] PolicyViolation),
    #[error("invalid email address")]
    InvalidEmail,
    #[error("the mail provider of the address is not allowed")]
    ForbiddenMailProvider,
    /// Email OTP is neither active nor being set up.
    #[error("email OTP has not been set up")]
    EmailOtpUninitialized,
    /// Email OTP is not active, so it cannot be used as a second factor.
    #[error("email OTP is not active")]
    EmailOtpInactive,
    #[error("email OTP is already inactive")]
    EmailOtpAlreadyInactive,
    #[error("TOTP has not been set up")]
    TotpUninitialized,
    #[error("TOTP is already inactive")]
    TotpAlreadyInactive,
    #[error("the account has no recovery codes")]
    RecoveryCodesUninitialized,
    #[error("2FA is disabled for the account")]
    TwoFactorDisabled,
    #[error("another account uses the new address")]
    EmailInUse,
    #[error("too many mails of kind {kind:?}; retry after {retry_after} s")]
    TooManyMails { kind: MailKind, retry_after: i64 },
    #[error("too many failed {check:?} checks; retry after {retry_after} s")]
    TooManyFailures { check: CheckKind, retry_after: i64 },
    /// The stored TOTP secret cannot be decoded.
    #[error("the stored TOTP secret is corrupt")]
    TotpCorrupt,
    /// The stored password hash cannot be parsed.
    #[error("no usable password is stored for the account")]
    NoPasswordInfo,
}

/// A failure of the service's own machinery rather than of the request.
#[derive(Debug, thiserror::Error)]
pub enum InternalError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("a blocking task failed: {0}")]
    Task(String),
}

/// The outcome of a failed service call.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        ServiceError::Internal(InternalError::Store(error))
    }
}

impl From<HashError> for ServiceError {
    fn from(error: HashError) -> Self {
        ServiceError::Internal(InternalError::Hash(error))
    }
}

impl From<PolicyViolation> for ServiceError {
    fn from(violation: PolicyViolation) -> Self {
        ServiceError::Auth(AuthError::WeakPassword(violation))
    }
}

/// The holder of a valid token, as found by [`AuthService::authenticate`]. Operations check
/// its kind and re-check the token inside their own transaction.
#[derive(Clone, PartialEq, Eq)]
pub struct Principal {
    user_id: i64,
    kind: TokenKind,
    digest: Digest,
}

impl Principal {
    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    /// Fails with [`AuthError::InvalidToken`] unless the token is of one of `kinds`.
    fn require(&self, kinds: &[TokenKind]) -> Result<(), AuthError> {
        if kinds.contains(&self.kind) { Ok(()) } else { Err(AuthError::InvalidToken) }
    }

    /// Accepts a sudo token, or an access token when the account has 2FA disabled.
    fn require_sudo_or_access_without_two_factor(&self, account: &Account) -> Result<(), AuthError> {
        match self.kind {
            TokenKind::Sudo => Ok(()),
            TokenKind::Access if !account.two_factor_enabled() => Ok(()),
            _ => Err(AuthError::InvalidToken),
        }
    }
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal").field("user_id", &self.user_id).field("kind", &self.kind).finish_non_exhaustive()
    }
}

/// Mail options of the API: `origin` selects a mail configuration and `language` the language.
///
/// NOTE: this service has one mail configuration and English templates only, so both options
/// are accepted and logged but change nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailOptions {
    pub origin: Option<String>,
    pub language: Option<String>,
}

/// The authentication service. Clones share the same state.
#[derive(Clone)]
pub struct AuthService {
    inner: Arc<Inner>,
}

struct Inner {
    store: Box<dyn Store>,
    clock: Arc<dyn Clock>,
    mailer: Arc<dyn Mailer>,
    hasher: PasswordHasher,
    config: Config,
}

/// A code mail whose code and rate-limit entry are committed, and what undoes them when the
/// mail cannot be sent.
struct PreparedMail {
    message: MailMessage,
    user_id: i64,
    purpose: CodePurpose,
    digest: Digest,
    kind: MailKind,
    sent_at: i64,
    previous_sent_at: Option<i64>,
}

impl AuthService {
    /// Creates the service over an opened store. Fails when the hashing cost is invalid.
    pub fn new(
        config: Config,
        store: Box<dyn Store>,
        clock: Arc<dyn Clock>,
        mailer: Arc<dyn Mailer>,
    ) -> Result<AuthService, InternalError> {
        let hasher = PasswordHasher::new(config.password_hashing)?;
        Ok(AuthService { inner: Arc::new(Inner { store, clock, mailer, hasher, config }) })
    }

    /// Runs `work` on a blocking thread, because it uses the database and Argon2.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> Result<T, ServiceError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(|error| ServiceError::Internal(InternalError::Task(error.to_string())))?
    }

    /// Finds the holder of a bearer token; [`AuthError::InvalidToken`] when it is unknown,
    /// expired or revoked.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, ServiceError> {
        if token.is_empty() || token.len() > MAX_TOKEN_LENGTH {
            return Err(AuthError::InvalidToken.into());
        }
        let digest = secrets::token_digest(token);
        self.run(move |inner| {
            let now = inner.now();
            inner.transaction(|transaction| {
                let record = inner.valid_token(transaction, &digest, now)?;
                Ok(Principal { user_id: record.user_id, kind: record.kind, digest })
            })
        })
        .await
    }

    /// Deletes expired tokens and mailed codes; returns how many rows went.
    pub async fn purge_expired(&self) -> Result<usize, ServiceError> {
        self.run(|inner| {
            let now = inner.now();
            inner.transaction(|transaction| Ok(transaction.delete_expired(now)?))
        })
        .await
    }

    /// Sends a prepared code mail. When sending fails, the code and the rate-limit entry are
    /// withdrawn so the user can ask again at once.
    async fn deliver(&self, prepared: PreparedMail) -> Result<(), ServiceError> {
        let Err(error) = self.inner.mailer.send(&prepared.message).await else {
            return Ok(());
        };
        tracing::error!(%error, user_id = prepared.user_id, purpose = %prepared.message.purpose, "failed to send mail");
        self.run(move |inner| inner.withdraw(&prepared)).await?;
        Err(InternalError::Mail(error).into())
    }
}

impl Inner {
    fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Runs `work` in one transaction. It commits when `work` returns `Ok` or an [`AuthError`],
    /// so counted failures persist, and rolls back on an [`InternalError`].
    fn transaction<T>(
        &self,
        work: impl FnOnce(&mut dyn Transaction) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        let mut transaction = self.store.begin()?;
        let outcome = work(transaction.as_mut());
        if matches!(outcome, Err(ServiceError::Internal(_))) {
            return outcome;
        }
        transaction.commit()?;
        outcome
    }

    /// Returns the token record when the token is known, unrevoked and unexpired.
    fn valid_token(
        &self,
        transaction: &mut dyn Transaction,
        digest: &Digest,
        now: i64,
    ) -> Result<TokenRecord, ServiceError> {
        match transaction.token(digest)? {
            // The lookup was by digest already; the constant-time comparison only guards
            // against a backend that matches keys loosely.
            Some(record)
                if !record.revoked && record.expires_at > now && secrets::constant_time_eq(&record.digest, digest) =>
            {
                Ok(record)
            }
            _ => Err(AuthError::InvalidToken.into()),
        }
    }

    /// Re-checks the principal's token inside the current transaction and loads its account.
    fn load(
        &self,
        transaction: &mut dyn Transaction,
        principal: &Principal,
        now: i64,
    ) -> Result<Account, ServiceError> {
        self.valid_token(transaction, &principal.digest, now)?;
        transaction.account(principal.user_id)?.ok_or_else(|| AuthError::InvalidToken.into())
    }

    fn lifetime(&self, kind: TokenKind) -> i64 {
        let lifetimes = &self.config.tokens;
        match kind {
            TokenKind::Refresh => lifetimes.refresh_seconds,
            TokenKind::Access => lifetimes.access_seconds,
            TokenKind::Sudo => lifetimes.sudo_seconds,
            TokenKind::PartialAuth => lifetimes.partial_auth_seconds,
        }
    }

    /// Issues a new token of `kind` and stores its digest.
    fn issue(
        &self,
        transaction: &mut dyn Transaction,
        user_id: i64,
        kind: TokenKind,
        now: i64,
    ) -> Result<String, ServiceError> {
        let token = secrets::random_token();
        transaction.insert_token(&TokenRecord {
            digest: secrets::token_digest(&token),
            kind,
            user_id,
            issued_at: now,
            expires_at: now.saturating_add(self.lifetime(kind)),
            revoked: false,
        })?;
        Ok(token)
    }

    /// Fails with [`AuthError::TooManyFailures`] while the account must wait after failed
    /// checks of `check`; otherwise returns the current failure count.
    fn ensure_not_locked(
        &self,
        transaction: &mut dyn Transaction,
        user_id: i64,
        check: CheckKind,
        now: i64,
    ) -> Result<FailureState, ServiceError> {
        let state = transaction.failures(user_id, check)?;
        let retry_after = self.config.backoff.remaining(state, now);
        if retry_after > 0 {
            tracing::warn!(user_id, check = check.as_str(), retry_after, "check rejected while the account waits");
            return Err(AuthError::TooManyFailures { check, retry_after }.into());
        }
        Ok(state)
    }

    fn record_failure(
        &self,
        transaction: &mut dyn Transaction,
        user_id: i64,
        check: CheckKind,
        state: FailureState,
        now: i64,
    ) -> Result<(), ServiceError> {
        let failures = state.failures.saturating_add(1);
        transaction.set_failures(user_id, check, FailureState { failures, last_failure_at: Some(now) })?;
        tracing::warn!(user_id, check = check.as_str(), failures, "check failed");
        Ok(())
    }

    /// Returns the seconds left before `check` may run again for the account.
    fn check_wait(
        &self,
        transaction: &mut dyn Transaction,
        user_id: i64,
        check: CheckKind,
        now: i64,
    ) -> Result<i64, ServiceError> {
        Ok(self.config.backoff.remaining(transaction.failures(user_id, check)?, now))
    }

    /// Returns the seconds left before another mail of `kind` may go to the account.
    fn mail_wait(
        &self,
        transaction: &mut dyn Transaction,
        user_id: i64,
        kind: MailKind,
        now: i64,
    ) -> Result<i64, ServiceError> {
        let last = transaction.last_mail_sent(user_id, kind)?;
        Ok(crate::limits::mail_wait(last, self.config.mail.min_gap_seconds, now))
    }

    /// Stores a new code for `purpose`, takes the rate-limit slot of `kind`, and composes the
    /// mail to `to` with `compose(code)`. Fails with [`AuthError::TooManyMails`] while the
    /// previous mail of `kind` is too recent.
    #[allow(clippy::too_many_arguments)]
    fn prepare_code_mail(
        &self,
        transaction: &mut dyn Transaction,
        user_id: i64,
        kind: MailKind,
        purpose: CodePurpose,
        to: &str,
        target: Option<String>,
        now: i64,
        compose: impl FnOnce(&str) -> MailMessage,
    ) -> Result<PreparedMail, ServiceError> {
        let previous_sent_at = transaction.last_mail_sent(user_id, kind)?;
        let retry_after = crate::limits::mail_wait(previous_sent_at, self.config.mail.min_gap_seconds, now);
        if retry_after > 0 {
            tracing::warn!(user_id, kind = kind.as_str(), retry_after, "mail rejected by the rate limit");
            return Err(AuthError::TooManyMails { kind, retry_after }.into());
        }
        let code = secrets::random_digits(6);
        let digest = secrets::code_digest(user_id, purpose.as_str(), &code);
        transaction.put_mail_code(&MailCode {
            user_id,
            purpose,
            digest,
            target,
            expires_at: now.saturating_add(self.config.mail.code_lifetime_seconds),
            attempts: 0,
        })?;
        transaction.set_last_mail_sent(user_id, kind, Some(now))?;
        let mut message = compose(&code);
        message.to = to.to_owned();
        Ok(PreparedMail { message, user_id, purpose, digest, kind, sent_at: now, previous_sent_at })
    }

    /// Undoes [`Inner::prepare_code_mail`] unless a later request replaced its code.
    fn withdraw(&self, prepared: &PreparedMail) -> Result<(), ServiceError> {
        self.transaction(|transaction| {
            let stored = transaction.mail_code(prepared.user_id, prepared.purpose)?;
            if stored.is_some_and(|code| code.digest == prepared.digest) {
                transaction.delete_mail_code(prepared.user_id, prepared.purpose)?;
            }
            if transaction.last_mail_sent(prepared.user_id, prepared.kind)? == Some(prepared.sent_at) {
                transaction.set_last_mail_sent(prepared.user_id, prepared.kind, prepared.previous_sent_at)?;
            }
            Ok(())
        })
    }

    /// Checks a mailed code. A wrong guess counts against the code, which stops working after
    /// `mail.code_max_attempts` wrong guesses or when it expires. The code stays stored; the
    /// caller deletes it when it is used up.
    fn check_mail_code(
        &self,
        transaction: &mut dyn Transaction,
        user_id: i64,
        purpose: CodePurpose,
        code: &str,
        now: i64,
    ) -> Result<MailCode, ServiceError> {
        let Some(mut stored) = transaction.mail_code(user_id, purpose)? else {
            return Err(AuthError::CodeInvalidOrExpired.into());
        };
        if stored.expires_at <= now || stored.attempts >= self.config.mail.code_max_attempts {
            return Err(AuthError::CodeInvalidOrExpired.into());
        }
        let digest = secrets::code_digest(user_id, purpose.as_str(), code);
        if !secrets::constant_time_eq(&digest, &stored.digest) {
            stored.attempts += 1;
            transaction.put_mail_code(&stored)?;
            tracing::warn!(user_id, purpose = purpose.as_str(), attempts = stored.attempts, "wrong mailed code");
            return Err(AuthError::CodeInvalidOrExpired.into());
        }
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::mail::SendFuture;
    use crate::password::HashingCost;
    use crate::store::SqliteStore;

    /// A mailer that always fails, to check that failed mail is withdrawn.
    struct FailingMailer;

    impl Mailer for FailingMailer {
        fn send<'a>(&'a self, _message: &'a MailMessage) -> SendFuture<'a> {
            Box::pin(async { Err(MailError::Smtp("relay unreachable".into())) })
        }
    }

    fn service(folder: &tempfile::TempDir, mailer: Arc<dyn Mailer>) -> (AuthService, ManualClock) {
        let clock = ManualClock::new(1_700_000_000);
        let config = Config {
            password_hashing: HashingCost { memory_kib: 64, iterations: 1, parallelism: 1 },
            ..Config::default()
        };
        let store = SqliteStore::open(&folder.path().join("auth.sqlite3")).unwrap();
        (AuthService::new(config, Box::new(store), Arc::new(clock.clone()), mailer).unwrap(), clock)
    }

    #[tokio::test]
    async fn failed_mail_frees_the_rate_limit() {
        let folder = tempfile::tempdir().unwrap();
        let (service, _clock) = service(&folder, Arc::new(FailingMailer));
        service.create_account("alice@example.com", "Passw0rdExample").await.unwrap();
        for _ in 0..2 {
            let error = service.send_password_reset("alice@example.com", MailOptions::default()).await.unwrap_err();
            assert!(matches!(error, ServiceError::Internal(InternalError::Mail(_))), "{error:?}");
        }
        let error = service.validate_password_reset("alice@example.com", "000000").await.unwrap_err();
        assert!(matches!(error, ServiceError::Auth(AuthError::CodeInvalidOrExpired)));
    }

    #[tokio::test]
    async fn weak_password_rejected_by_domain() {
        let folder = tempfile::tempdir().unwrap();
        let outbox = crate::mail::OutboxMailer::new(folder.path().join("outbox")).unwrap();
        let (service, _clock) = service(&folder, Arc::new(outbox));
        let error = service.create_account("alice@example.com", "weakpassword").await.unwrap_err();
        assert!(matches!(error, ServiceError::Auth(AuthError::WeakPassword(PolicyViolation::NoUppercase))));
        service.create_account("alice@example.com", "Passw0rdExample").await.unwrap();
        let LoginToken::Refresh(refresh) = service.login("alice@example.com", "Passw0rdExample").await.unwrap() else {
            panic!("2FA is off, so login returns a refresh token");
        };
        let refresh = service.authenticate(&refresh).await.unwrap();
        let access = service.issue_access_token(&refresh).await.unwrap();
        let access = service.authenticate(&access).await.unwrap();
        let error = service.change_password(&access, "Passw0rdExample", "nodigitsHere").await.unwrap_err();
        assert!(matches!(error, ServiceError::Auth(AuthError::WeakPassword(PolicyViolation::NoDigit))));
        let error = service.reset_password("alice@example.com", "123456", "short1A").await.unwrap_err();
        assert!(matches!(error, ServiceError::Auth(AuthError::WeakPassword(PolicyViolation::TooShort))));
    }

    #[tokio::test]
    async fn oversized_token_is_rejected_without_lookup() {
        let folder = tempfile::tempdir().unwrap();
        let (service, _clock) = service(&folder, Arc::new(FailingMailer));
        let error = service.authenticate(&"a".repeat(MAX_TOKEN_LENGTH + 1)).await.unwrap_err();
        assert!(matches!(error, ServiceError::Auth(AuthError::InvalidToken)));
    }
}
