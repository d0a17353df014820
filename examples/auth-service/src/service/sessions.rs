//! Login and the refresh, access and partial auth tokens.

use super::{AuthError, AuthService, Inner, Principal, ServiceError};
use crate::limits::FailureState;
use crate::store::{Account, CheckKind, TokenKind};

/// Token returned by a successful login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginToken {
    /// The account has 2FA disabled: a refresh token.
    Refresh(String),
    /// The account has 2FA enabled: a partial auth token to exchange with a second factor.
    PartialAuth(String),
}

impl AuthService {
    /// Checks a username (the account's e-mail address) and password.
    ///
    /// Wrong passwords count towards the growing wait of [`CheckKind::Password`]; while the
    /// account waits, the password is not checked at all.
    pub async fn login(&self, username: &str, password: &str) -> Result<LoginToken, ServiceError> {
        let (username, password) = (username.to_owned(), password.to_owned());
        self.run(move |inner| inner.login(&username, &password)).await
    }

    /// Exchanges a refresh token for an access token.
    pub async fn issue_access_token(&self, principal: &Principal) -> Result<String, ServiceError> {
        let principal = principal.clone();
        self.run(move |inner| {
            principal.require(&[TokenKind::Refresh])?;
            let now = inner.now();
            inner.transaction(|transaction| {
                inner.load(transaction, &principal, now)?;
                inner.issue(transaction, principal.user_id, TokenKind::Access, now)
            })
        })
        .await
    }

    /// Exchanges a refresh token for a new one and revokes the old one.
    pub async fn renew_refresh_token(&self, principal: &Principal) -> Result<String, ServiceError> {
        let principal = principal.clone();
        self.run(move |inner| {
            principal.require(&[TokenKind::Refresh])?;
            let now = inner.now();
            inner.transaction(|transaction| {
                inner.load(transaction, &principal, now)?;
                if !transaction.revoke_token(&principal.digest)? {
                    return Err(AuthError::InvalidToken.into());
                }
                let token = inner.issue(transaction, principal.user_id, TokenKind::Refresh, now)?;
                tracing::info!(user_id = principal.user_id, "refresh token renewed");
                Ok(token)
            })
        })
        .await
    }

    /// Revokes a refresh token.
    pub async fn logout(&self, principal: &Principal) -> Result<(), ServiceError> {
        let principal = principal.clone();
        self.run(move |inner| {
            principal.require(&[TokenKind::Refresh])?;
            let now = inner.now();
            inner.transaction(|transaction| {
                inner.load(transaction, &principal, now)?;
                if !transaction.revoke_token(&principal.digest)? {
                    return Err(AuthError::InvalidToken.into());
                }
                tracing::info!(user_id = principal.user_id, "logged out");
                Ok(())
            })
        })
        .await
    }

    /// Returns the account id of a valid token of `kind`.
    pub async fn token_owner(&self, principal: &Principal, kind: TokenKind) -> Result<i64, ServiceError> {
        let principal = principal.clone();
        self.run(move |inner| {
            principal.require(&[kind])?;
            let now = inner.now();
            inner.transaction(|transaction| Ok(inner.load(transaction, &principal, now)?.id))
        })
        .await
    }
}

impl Inner {
    fn login(&self, username: &str, password: &str) -> Result<LoginToken, ServiceError> {
        let now = self.now();
        let Some(account) = self.reserve_password_check(username, now)? else {
            self.hasher.verify_dummy(password);
            tracing::warn!("login failed: unknown account");
            return Err(AuthError::PasswordIncorrect.into());
        };
        self.check_password(&account, password)?;
        self.transaction(|transaction| {
            let current = self.account_with_same_password(transaction, &account)?;
            transaction.set_failures(current.id, CheckKind::Password, FailureState::default())?;
            if current.two_factor_enabled() {
                tracing::info!(user_id = current.id, "password accepted; second factor required");
                Ok(LoginToken::PartialAuth(self.issue(transaction, current.id, TokenKind::PartialAuth, now)?))
            } else {
                tracing::info!(user_id = current.id, "logged in");
                Ok(LoginToken::Refresh(self.issue(transaction, current.id, TokenKind::Refresh, now)?))
            }
        })
    }

    /// Counts a password check as failed before running it, so parallel guesses cannot pass
    /// the growing wait; a correct password clears the count afterwards. Returns `None` for an
    /// unknown address.
    pub(super) fn reserve_password_check(&self, email: &str, now: i64) -> Result<Option<Account>, ServiceError> {
        self.transaction(|transaction| {
            let Some(account) = transaction.account_by_email(email)? else {
                return Ok(None);
            };
            let state = self.ensure_not_locked(transaction, account.id, CheckKind::Password, now)?;
            let reserved = FailureState { failures: state.failures.saturating_add(1), last_failure_at: Some(now) };
            transaction.set_failures(account.id, CheckKind::Password, reserved)?;
            Ok(Some(account))
        })
    }

    /// Verifies `password` against the account's hash, outside any transaction because Argon2
    /// takes tens of milliseconds.
    pub(super) fn check_password(&self, account: &Account, password: &str) -> Result<(), ServiceError> {
        match self.hasher.verify(password, &account.password_hash) {
            Ok(true) => Ok(()),
            Ok(false) => {
                tracing::warn!(user_id = account.id, "password check failed");
                Err(AuthError::PasswordIncorrect.into())
            }
            Err(error) => {
                tracing::error!(user_id = account.id, %error, "stored password hash is unusable");
                Err(AuthError::NoPasswordInfo.into())
            }
        }
    }

    /// Reloads the account and fails when its password changed since `checked` was read.
    pub(super) fn account_with_same_password(
        &self,
        transaction: &mut dyn crate::store::Transaction,
        checked: &Account,
    ) -> Result<Account, ServiceError> {
        match transaction.account(checked.id)? {
            Some(current) if current.password_hash == checked.password_hash => Ok(current),
            _ => Err(AuthError::PasswordIncorrect.into()),
        }
    }
}
