//! Accounts: creation, password change and reset, and e-mail address change.

use super::{AuthError, AuthService, MailOptions, Principal, ServiceError, addresses, mails};
use crate::limits::FailureState;
use crate::password;
use crate::store::{CheckKind, CodePurpose, MailKind, StoreError, TokenKind};

impl AuthService {
    /// Creates an account and returns its id; [`AuthError::EmailInUse`] when the address is taken.
    pub async fn create_account(&self, email: &str, password: &str) -> Result<i64, ServiceError> {
        let (email, password) = (email.to_owned(), password.to_owned());
        self.run(move |inner| {
            if !addresses::is_valid_email(&email) {
                return Err(AuthError::InvalidEmail.into());
            }
            password::check_policy(&password)?;
            let hash = inner.hasher.hash(&password)?;
            let now = inner.now();
            inner.transaction(|transaction| match transaction.insert_account(&email, &hash, now) {
                Ok(id) => {
                    tracing::info!(user_id = id, "account created");
                    Ok(id)
                }
                Err(StoreError::Duplicate) => Err(AuthError::EmailInUse.into()),
                Err(error) => Err(error.into()),
            })
        })
        .await
    }

    /// Creates the account unless one with the address exists; returns whether it was created.
    pub async fn ensure_account(&self, email: &str, password: &str) -> Result<bool, ServiceError> {
        match self.create_account(email, password).await {
            Ok(_) => Ok(true),
            Err(ServiceError::Auth(AuthError::EmailInUse)) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Replaces the password after checking the current one. Needs a sudo token, or an access
    /// token when 2FA is disabled. Wrong current passwords count towards the growing wait of
    /// [`CheckKind::Password`].
    pub async fn change_password(
        &self,
        principal: &Principal,
        old_password: &str,
        new_password: &str,
    ) -> Result<(), ServiceError> {
        let (principal, old_password, new_password) =
            (principal.clone(), old_password.to_owned(), new_password.to_owned());
        self.run(move |inner| {
            password::check_policy(&new_password)?;
            let now = inner.now();
            let account = inner.transaction(|transaction| {
                let account = inner.load(transaction, &principal, now)?;
                principal.require_sudo_or_access_without_two_factor(&account)?;
                let state = inner.ensure_not_locked(transaction, account.id, CheckKind::Password, now)?;
                let reserved = FailureState { failures: state.failures.saturating_add(1), last_failure_at: Some(now) };
                transaction.set_failures(account.id, CheckKind::Password, reserved)?;
                Ok(account)
            })?;
            inner.check_password(&account, &old_password)?;
            let new_hash = inner.hasher.hash(&new_password)?;
            inner.transaction(|transaction| {
                let mut current = inner.account_with_same_password(transaction, &account)?;
                inner.load(transaction, &principal, now)?;
                current.password_hash = new_hash;
                transaction.update_account(&current)?;
                transaction.set_failures(current.id, CheckKind::Password, FailureState::default())?;
                tracing::info!(user_id = current.id, "password changed");
                Ok(())
            })
        })
        .await
    }

    /// Mails a password reset code to the account with address `email`. Succeeds without
    /// sending anything when no account has that address, so the response does not reveal
    /// which addresses have accounts.
    pub async fn send_password_reset(&self, email: &str, options: MailOptions) -> Result<(), ServiceError> {
        let email = email.to_owned();
        let prepared = self
            .run(move |inner| {
                if addresses::is_forbidden_provider(&email, &inner.config.mail.forbidden_providers) {
                    return Err(AuthError::ForbiddenMailProvider.into());
                }
                let now = inner.now();
                inner.transaction(|transaction| {
                    let Some(account) = transaction.account_by_email(&email)? else {
                        tracing::info!("password reset requested for an address without account");
                        return Ok(None);
                    };
                    let lifetime = inner.config.mail.code_lifetime_seconds;
                    tracing::info!(user_id = account.id, ?options, "password reset code requested");
                    inner
                        .prepare_code_mail(
                            transaction,
                            account.id,
                            MailKind::PasswordReset,
                            CodePurpose::PasswordReset,
                            &account.email,
                            None,
                            now,
                            |code| mails::code_mail(CodePurpose::PasswordReset, code, lifetime),
                        )
                        .map(Some)
                })
            })
            .await?;
        match prepared {
            Some(prepared) => self.deliver(prepared).await,
            None => Ok(()),
        }
    }

    /// Mails a password reset link (with a code) to the account with address `email`, for the
    /// main API's postForgotPassword. The caller must hold an access token. It shares the code
    /// and rate limit of [`AuthService::send_password_reset`].
    pub async fn send_password_reset_link(
        &self,
        principal: &Principal,
        email: &str,
        options: MailOptions,
    ) -> Result<(), ServiceError> {
        let (principal, email) = (principal.clone(), email.to_owned());
        let prepared = self
            .run(move |inner| {
                principal.require(&[TokenKind::Access])?;
                if !addresses::is_valid_email(&email) {
                    return Err(AuthError::InvalidEmail.into());
                }
                if addresses::is_forbidden_provider(&email, &inner.config.mail.forbidden_providers) {
                    return Err(AuthError::ForbiddenMailProvider.into());
                }
                let now = inner.now();
                inner.transaction(|transaction| {
                    inner.load(transaction, &principal, now)?;
                    let Some(account) = transaction.account_by_email(&email)? else {
                        tracing::info!("password reset link requested for an address without account");
                        return Ok(None);
                    };
                    let lifetime = inner.config.mail.code_lifetime_seconds;
                    let reset_url = inner.config.mail.password_reset_url.clone();
                    let address = account.email.clone();
                    tracing::info!(user_id = account.id, ?options, "password reset link requested");
                    inner
                        .prepare_code_mail(
                            transaction,
                            account.id,
                            MailKind::PasswordReset,
                            CodePurpose::PasswordReset,
                            &account.email,
                            None,
                            now,
                            |code| mails::reset_link_mail(&reset_url, &address, code, lifetime),
                        )
                        .map(Some)
                })
            })
            .await?;
        match prepared {
            Some(prepared) => self.deliver(prepared).await,
            None => Ok(()),
        }
    }

    /// Checks a password reset code without using it up. A wrong guess counts against the code.
    pub async fn validate_password_reset(&self, email: &str, code: &str) -> Result<(), ServiceError> {
        let (email, code) = (email.to_owned(), code.to_owned());
        self.run(move |inner| {
            let now = inner.now();
            inner.transaction(|transaction| {
                let Some(account) = transaction.account_by_email(&email)? else {
                    return Err(AuthError::CodeInvalidOrExpired.into());
                };
                inner.check_mail_code(transaction, account.id, CodePurpose::PasswordReset, &code, now)?;
                Ok(())
            })
        })
        .await
    }

    /// Sets a new password with a reset code, uses the code up, revokes every token of the
    /// account (a forgotten password may mean a stolen session) and clears the password
    /// failure count.
    pub async fn reset_password(&self, email: &str, code: &str, new_password: &str) -> Result<(), ServiceError> {
        let (email, code, new_password) = (email.to_owned(), code.to_owned(), new_password.to_owned());
        self.run(move |inner| {
            password::check_policy(&new_password)?;
            let now = inner.now();
            // Check the code before hashing, so wrong codes cost no Argon2 run.
            inner.transaction(|transaction| {
                let Some(account) = transaction.account_by_email(&email)? else {
                    return Err(AuthError::CodeInvalidOrExpired.into());
                };
                inner.check_mail_code(transaction, account.id, CodePurpose::PasswordReset, &code, now)?;
                Ok(())
            })?;
            let new_hash = inner.hasher.hash(&new_password)?;
            inner.transaction(|transaction| {
                let Some(mut account) = transaction.account_by_email(&email)? else {
                    return Err(AuthError::CodeInvalidOrExpired.into());
                };
                // Check again: a parallel request may have used the code meanwhile.
                inner.check_mail_code(transaction, account.id, CodePurpose::PasswordReset, &code, now)?;
                transaction.delete_mail_code(account.id, CodePurpose::PasswordReset)?;
                account.password_hash = new_hash;
                transaction.update_account(&account)?;
                transaction.set_failures(account.id, CheckKind::Password, FailureState::default())?;
                let revoked = transaction.revoke_tokens_of(account.id)?;
                tracing::info!(user_id = account.id, revoked_tokens = revoked, "password reset");
                Ok(())
            })
        })
        .await
    }

    /// Starts an e-mail address change by mailing a code to `new_email`.
    pub async fn initiate_email_change(
        &self,
        principal: &Principal,
        new_email: &str,
        options: MailOptions,
    ) -> Result<(), ServiceError> {
        let (principal, new_email) = (principal.clone(), new_email.to_owned());
        let prepared = self
            .run(move |inner| {
                let now = inner.now();
                inner.transaction(|transaction| {
                    let account = inner.load(transaction, &principal, now)?;
                    principal.require_sudo_or_access_without_two_factor(&account)?;
                    if !addresses::is_valid_email(&new_email) {
                        return Err(AuthError::InvalidEmail.into());
                    }
                    if addresses::is_forbidden_provider(&new_email, &inner.config.mail.forbidden_providers) {
                        return Err(AuthError::ForbiddenMailProvider.into());
                    }
                    let lifetime = inner.config.mail.code_lifetime_seconds;
                    tracing::info!(user_id = account.id, ?options, "e-mail address change started");
                    inner.prepare_code_mail(
                        transaction,
                        account.id,
                        MailKind::EmailTransfer,
                        CodePurpose::EmailTransfer,
                        &new_email,
                        Some(new_email.clone()),
                        now,
                        |code| mails::code_mail(CodePurpose::EmailTransfer, code, lifetime),
                    )
                })
            })
            .await?;
        self.deliver(prepared).await
    }

    /// Completes an e-mail address change with the code sent to the new address.
    pub async fn complete_email_change(&self, principal: &Principal, code: &str) -> Result<(), ServiceError> {
        let (principal, code) = (principal.clone(), code.to_owned());
        self.run(move |inner| {
            principal.require(&[TokenKind::Access])?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let mut account = inner.load(transaction, &principal, now)?;
                let stored = inner.check_mail_code(transaction, account.id, CodePurpose::EmailTransfer, &code, now)?;
                let Some(new_email) = stored.target else {
                    return Err(StoreError::Corrupt("e-mail change code without address".into()).into());
                };
                let taken = transaction.account_by_email(&new_email)?.is_some_and(|other| other.id != account.id);
                if taken {
                    return Err(AuthError::EmailInUse.into());
                }
                transaction.delete_mail_code(account.id, CodePurpose::EmailTransfer)?;
                account.email = new_email;
                transaction.update_account(&account)?;
                tracing::info!(user_id = account.id, "e-mail address changed");
                Ok(())
            })
        })
        .await
    }
}
