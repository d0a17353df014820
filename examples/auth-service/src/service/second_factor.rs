//! The second factors: TOTP, email OTP and recovery codes, and the tokens they unlock.

use super::{AuthError, AuthService, Inner, MailOptions, Principal, ServiceError, addresses, mails};
use crate::limits::FailureState;
use crate::secrets;
use crate::store::{Account, CheckKind, CodePurpose, EmailOtpMethod, MailKind, TokenKind, TotpMethod, Transaction};
use crate::totp;

/// Number of recovery codes in a set.
pub const RECOVERY_CODE_COUNT: usize = 10;

/// Purpose string under which recovery-code digests are bound to an account.
const RECOVERY_PURPOSE: &str = "recovery_code";

/// Tokens issued after a second factor was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTokens {
    /// Present when the second factor completed a login.
    pub access_token: Option<String>,
    /// Present when the second factor completed a login.
    pub refresh_token: Option<String>,
    pub sudo_token: String,
}

/// The 2FA state of an account, with completion times in Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorOverview {
    pub enabled: bool,
    /// Address and completion time of active email OTP.
    pub email_otp: Option<(String, i64)>,
    pub totp_completed_at: Option<i64>,
    pub recovery_codes_issued_at: Option<i64>,
}

/// Tokens that may run the read-only 2FA operations and the verifications. A partial auth
/// token is accepted too, because a 2FA login needs them before it has an access token.
const ACCESS_OR_PARTIAL: &[TokenKind] = &[TokenKind::Access, TokenKind::PartialAuth];

impl AuthService {
    /// Returns the 2FA state of the account.
    pub async fn two_factor_status(&self, principal: &Principal) -> Result<TwoFactorOverview, ServiceError> {
        let principal = principal.clone();
        self.run(move |inner| {
            principal.require(ACCESS_OR_PARTIAL)?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let account = inner.load(transaction, &principal, now)?;
                Ok(TwoFactorOverview {
                    enabled: account.two_factor_enabled(),
                    email_otp: account.email_otp.map(|method| (method.address, method.completed_at)),
                    totp_completed_at: account.totp.map(|method| method.completed_at),
                    recovery_codes_issued_at: account.recovery_codes_issued_at,
                })
            })
        })
        .await
    }

    /// Creates a new pending TOTP secret and returns its otpauth URL. An active secret stays in
    /// use until [`AuthService::complete_totp`] confirms the new one.
    pub async fn initiate_totp(&self, principal: &Principal) -> Result<String, ServiceError> {
        let principal = principal.clone();
        self.run(move |inner| {
            let now = inner.now();
            inner.transaction(|transaction| {
                let mut account = inner.load(transaction, &principal, now)?;
                principal.require_sudo_or_access_without_two_factor(&account)?;
                let secret = totp::generate_secret();
                let url = totp::otpauth_url(&inner.config.totp.issuer, &account.email, &secret);
                account.totp_pending_secret = Some(secret);
                transaction.update_account(&account)?;
                tracing::info!(user_id = account.id, "TOTP setup started");
                Ok(url)
            })
        })
        .await
    }

    /// Activates the pending TOTP secret with a current code. Returns new recovery codes when
    /// this is the first active second factor, and an empty list otherwise.
    pub async fn complete_totp(&self, principal: &Principal, code: &str) -> Result<Vec<String>, ServiceError> {
        let (principal, code) = (principal.clone(), code.to_owned());
        self.run(move |inner| {
            principal.require(&[TokenKind::Access])?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let mut account = inner.load(transaction, &principal, now)?;
                let Some(pending) = account.totp_pending_secret.clone() else {
                    return Err(AuthError::TotpUninitialized.into());
                };
                let step = inner.check_totp(transaction, account.id, &pending, &code, None, now)?;
                account.totp = Some(TotpMethod { secret: pending, completed_at: now });
                account.totp_pending_secret = None;
                account.totp_last_step = Some(step);
                let codes = inner.issue_recovery_codes_if_first(transaction, &mut account, now)?;
                transaction.update_account(&account)?;
                tracing::info!(user_id = account.id, "TOTP activated");
                Ok(codes)
            })
        })
        .await
    }

    /// Verifies a TOTP code as second factor.
    pub async fn verify_totp(&self, principal: &Principal, code: &str) -> Result<IssuedTokens, ServiceError> {
        let (principal, code) = (principal.clone(), code.to_owned());
        self.run(move |inner| {
            principal.require(ACCESS_OR_PARTIAL)?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let mut account = inner.load(transaction, &principal, now)?;
                let Some(method) = account.totp.clone() else {
                    return Err(AuthError::TotpUninitialized.into());
                };
                let step =
                    inner.check_totp(transaction, account.id, &method.secret, &code, account.totp_last_step, now)?;
                account.totp_last_step = Some(step);
                transaction.update_account(&account)?;
                tracing::info!(user_id = account.id, "TOTP verified");
                inner.finish_second_factor(transaction, &principal, now)
            })
        })
        .await
    }

    /// Switches TOTP off.
    pub async fn remove_totp(&self, principal: &Principal) -> Result<(), ServiceError> {
        let principal = principal.clone();
        self.run(move |inner| {
            principal.require(&[TokenKind::Sudo])?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let mut account = inner.load(transaction, &principal, now)?;
                if account.totp.is_none() {
                    return Err(AuthError::TotpAlreadyInactive.into());
                }
                account.totp = None;
                account.totp_last_step = None;
                inner.disable_if_last_method(transaction, &mut account)?;
                transaction.update_account(&account)?;
                tracing::info!(user_id = account.id, "TOTP deactivated");
                Ok(())
            })
        })
        .await
    }

    /// Returns the seconds left before the next TOTP code may be tried.
    pub async fn totp_wait(&self, principal: &Principal) -> Result<i64, ServiceError> {
        let principal = principal.clone();
        self.run(move |inner| {
            principal.require(ACCESS_OR_PARTIAL)?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let account = inner.load(transaction, &principal, now)?;
                if account.totp.is_none() && account.totp_pending_secret.is_none() {
                    return Err(AuthError::TotpUninitialized.into());
                }
                inner.check_wait(transaction, account.id, CheckKind::Totp, now)
            })
        })
        .await
    }

    /// Stores `email` as the pending email OTP address and mails it a setup code.
    pub async fn initiate_email_otp(
        &self,
        principal: &Principal,
        email: &str,
        options: MailOptions,
    ) -> Result<(), ServiceError> {
        let (principal, email) = (principal.clone(), email.to_owned());
        let prepared = self
            .run(move |inner| {
                let now = inner.now();
                inner.transaction(|transaction| {
                    let account = inner.load(transaction, &principal, now)?;
                    principal.require_sudo_or_access_without_two_factor(&account)?;
                    if !addresses::is_valid_email(&email) {
                        return Err(AuthError::InvalidEmail.into());
                    }
                    let lifetime = inner.config.mail.code_lifetime_seconds;
                    tracing::info!(user_id = account.id, ?options, "email OTP setup started");
                    inner.prepare_code_mail(
                        transaction,
                        account.id,
                        MailKind::EmailOtp,
                        CodePurpose::EmailOtpSetup,
                        &email,
                        Some(email.clone()),
                        now,
                        |code| mails::code_mail(CodePurpose::EmailOtpSetup, code, lifetime),
                    )
                })
            })
            .await?;
        self.deliver(prepared).await
    }

    /// Activates email OTP with the setup code. Returns new recovery codes when this is the
    /// first active second factor, and an empty list otherwise.
    pub async fn complete_email_otp(&self, principal: &Principal, code: &str) -> Result<Vec<String>, ServiceError> {
        let (principal, code) = (principal.clone(), code.to_owned());
        self.run(move |inner| {
            principal.require(&[TokenKind::Access])?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let mut account = inner.load(transaction, &principal, now)?;
                if transaction.mail_code(account.id, CodePurpose::EmailOtpSetup)?.is_none() {
                    return Err(AuthError::EmailOtpUninitialized.into());
                }
                let stored = inner.check_mail_code(transaction, account.id, CodePurpose::EmailOtpSetup, &code, now)?;
                let Some(address) = stored.target else {
                    return Err(crate::store::StoreError::Corrupt("email OTP setup code without address".into()).into());
                };
                transaction.delete_mail_code(account.id, CodePurpose::EmailOtpSetup)?;
                account.email_otp = Some(EmailOtpMethod { address, completed_at: now });
                let codes = inner.issue_recovery_codes_if_first(transaction, &mut account, now)?;
                transaction.update_account(&account)?;
                tracing::info!(user_id = account.id, "email OTP activated");
                Ok(codes)
            })
        })
        .await
    }

    /// Mails a sign-in code to the active email OTP address.
    pub async fn challenge_email_otp(&self, principal: &Principal, options: MailOptions) -> Result<(), ServiceError> {
        let principal = principal.clone();
        let prepared = self
            .run(move |inner| {
                principal.require(ACCESS_OR_PARTIAL)?;
                let now = inner.now();
                inner.transaction(|transaction| {
                    let account = inner.load(transaction, &principal, now)?;
                    let Some(method) = account.email_otp.clone() else {
                        return Err(AuthError::EmailOtpUninitialized.into());
                    };
                    let lifetime = inner.config.mail.code_lifetime_seconds;
                    tracing::info!(user_id = account.id, ?options, "email OTP challenge requested");
                    inner.prepare_code_mail(
                        transaction,
                        account.id,
                        MailKind::EmailOtp,
                        CodePurpose::EmailOtpChallenge,
                        &method.address,
                        None,
                        now,
                        |code| mails::code_mail(CodePurpose::EmailOtpChallenge, code, lifetime),
                    )
                })
            })
            .await?;
        self.deliver(prepared).await
    }

    /// Verifies a mailed sign-in code as second factor.
    pub async fn verify_email_otp(&self, principal: &Principal, code: &str) -> Result<IssuedTokens, ServiceError> {
        let (principal, code) = (principal.clone(), code.to_owned());
        self.run(move |inner| {
            principal.require(ACCESS_OR_PARTIAL)?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let account = inner.load(transaction, &principal, now)?;
                if account.email_otp.is_none() {
                    return Err(AuthError::EmailOtpInactive.into());
                }
                inner.check_mail_code(transaction, account.id, CodePurpose::EmailOtpChallenge, &code, now)?;
                transaction.delete_mail_code(account.id, CodePurpose::EmailOtpChallenge)?;
                tracing::info!(user_id = account.id, "email OTP verified");
                inner.finish_second_factor(transaction, &principal, now)
            })
        })
        .await
    }

    /// Switches email OTP off.
    pub async fn remove_email_otp(&self, principal: &Principal) -> Result<(), ServiceError> {
        let principal = principal.clone();
        self.run(move |inner| {
            principal.require(&[TokenKind::Sudo])?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let mut account = inner.load(transaction, &principal, now)?;
                if account.email_otp.is_none() {
                    return Err(AuthError::EmailOtpAlreadyInactive.into());
                }
                account.email_otp = None;
                transaction.delete_mail_code(account.id, CodePurpose::EmailOtpChallenge)?;
                inner.disable_if_last_method(transaction, &mut account)?;
                transaction.update_account(&account)?;
                tracing::info!(user_id = account.id, "email OTP deactivated");
                Ok(())
            })
        })
        .await
    }

    /// Returns the seconds left before another email OTP mail may be sent.
    pub async fn email_otp_wait(&self, principal: &Principal) -> Result<i64, ServiceError> {
        let principal = principal.clone();
        self.run(move |inner| {
            principal.require(ACCESS_OR_PARTIAL)?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let account = inner.load(transaction, &principal, now)?;
                let setup_pending = transaction.mail_code(account.id, CodePurpose::EmailOtpSetup)?.is_some();
                if account.email_otp.is_none() && !setup_pending {
                    return Err(AuthError::EmailOtpUninitialized.into());
                }
                inner.mail_wait(transaction, account.id, MailKind::EmailOtp, now)
            })
        })
        .await
    }

    /// Uses one recovery code as second factor.
    pub async fn verify_recovery_code(&self, principal: &Principal, code: &str) -> Result<IssuedTokens, ServiceError> {
        let (principal, code) = (principal.clone(), code.to_owned());
        self.run(move |inner| {
            principal.require(ACCESS_OR_PARTIAL)?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let account = inner.load(transaction, &principal, now)?;
                if account.recovery_codes_issued_at.is_none() {
                    return Err(AuthError::RecoveryCodesUninitialized.into());
                }
                let state = inner.ensure_not_locked(transaction, account.id, CheckKind::RecoveryCode, now)?;
                let digest = secrets::code_digest(account.id, RECOVERY_PURPOSE, &code.trim().to_ascii_lowercase());
                // Compare with every unused code, without stopping at a match.
                let mut matched = None;
                for stored in transaction.unused_recovery_codes(account.id)? {
                    if secrets::constant_time_eq(&stored.digest, &digest) && matched.is_none() {
                        matched = Some(stored.id);
                    }
                }
                let Some(id) = matched else {
                    inner.record_failure(transaction, account.id, CheckKind::RecoveryCode, state, now)?;
                    return Err(AuthError::RecoveryCodeInvalid.into());
                };
                transaction.mark_recovery_code_used(id, now)?;
                transaction.set_failures(account.id, CheckKind::RecoveryCode, FailureState::default())?;
                tracing::info!(user_id = account.id, "recovery code used");
                inner.finish_second_factor(transaction, &principal, now)
            })
        })
        .await
    }

    /// Returns the seconds left before the next recovery code may be tried.
    pub async fn recovery_code_wait(&self, principal: &Principal) -> Result<i64, ServiceError> {
        let principal = principal.clone();
        self.run(move |inner| {
            principal.require(ACCESS_OR_PARTIAL)?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let account = inner.load(transaction, &principal, now)?;
                if account.recovery_codes_issued_at.is_none() {
                    return Err(AuthError::RecoveryCodesUninitialized.into());
                }
                inner.check_wait(transaction, account.id, CheckKind::RecoveryCode, now)
            })
        })
        .await
    }

    /// Replaces the recovery codes with a new set and returns it.
    pub async fn reset_recovery_codes(&self, principal: &Principal) -> Result<Vec<String>, ServiceError> {
        let principal = principal.clone();
        self.run(move |inner| {
            principal.require(&[TokenKind::Sudo])?;
            let now = inner.now();
            inner.transaction(|transaction| {
                let mut account = inner.load(transaction, &principal, now)?;
                if !account.two_factor_enabled() {
                    return Err(AuthError::TwoFactorDisabled.into());
                }
                let codes = inner.replace_recovery_codes(transaction, &mut account, now)?;
                transaction.update_account(&account)?;
                tracing::info!(user_id = account.id, "recovery codes replaced");
                Ok(codes)
            })
        })
        .await
    }
}

impl Inner {
    /// Checks a TOTP code against `secret` under the growing wait of [`CheckKind::Totp`] and
    /// returns the matched step.
    fn check_totp(
        &self,
        transaction: &mut dyn Transaction,
        user_id: i64,
        secret: &str,
        code: &str,
        last_used_step: Option<i64>,
        now: i64,
    ) -> Result<i64, ServiceError> {
        let state = self.ensure_not_locked(transaction, user_id, CheckKind::Totp, now)?;
        let Some(secret) = totp::decode_secret(secret) else {
            tracing::error!(user_id, "stored TOTP secret is not valid base32");
            return Err(AuthError::TotpCorrupt.into());
        };
        match totp::matching_step(&secret, code, now, last_used_step) {
            Some(step) => {
                transaction.set_failures(user_id, CheckKind::Totp, FailureState::default())?;
                Ok(step)
            }
            None => {
                self.record_failure(transaction, user_id, CheckKind::Totp, state, now)?;
                Err(AuthError::TotpInvalid.into())
            }
        }
    }

    /// Issues the tokens of a verified second factor. A partial auth token is used up and
    /// becomes a full session; an access token gets a sudo token.
    fn finish_second_factor(
        &self,
        transaction: &mut dyn Transaction,
        principal: &Principal,
        now: i64,
    ) -> Result<IssuedTokens, ServiceError> {
        let user_id = principal.user_id;
        if principal.kind != TokenKind::PartialAuth {
            let sudo_token = self.issue(transaction, user_id, TokenKind::Sudo, now)?;
            return Ok(IssuedTokens { access_token: None, refresh_token: None, sudo_token });
        }
        if !transaction.revoke_token(&principal.digest)? {
            return Err(AuthError::InvalidToken.into());
        }
        let sudo_token = self.issue(transaction, user_id, TokenKind::Sudo, now)?;
        let refresh_token = self.issue(transaction, user_id, TokenKind::Refresh, now)?;
        let access_token = self.issue(transaction, user_id, TokenKind::Access, now)?;
        tracing::info!(user_id, "logged in with a second factor");
        Ok(IssuedTokens { access_token: Some(access_token), refresh_token: Some(refresh_token), sudo_token })
    }

    /// Issues recovery codes when the account has none, which is when its first second factor
    /// is activated. Returns the new codes, or an empty list when codes already exist.
    fn issue_recovery_codes_if_first(
        &self,
        transaction: &mut dyn Transaction,
        account: &mut Account,
        now: i64,
    ) -> Result<Vec<String>, ServiceError> {
        if account.recovery_codes_issued_at.is_some() {
            return Ok(Vec::new());
        }
        self.replace_recovery_codes(transaction, account, now)
    }

    fn replace_recovery_codes(
        &self,
        transaction: &mut dyn Transaction,
        account: &mut Account,
        now: i64,
    ) -> Result<Vec<String>, ServiceError> {
        let codes: Vec<String> = (0..RECOVERY_CODE_COUNT).map(|_| secrets::random_recovery_code()).collect();
        let digests: Vec<_> =
            codes.iter().map(|code| secrets::code_digest(account.id, RECOVERY_PURPOSE, code)).collect();
        transaction.replace_recovery_codes(account.id, &digests)?;
        transaction.set_failures(account.id, CheckKind::RecoveryCode, FailureState::default())?;
        account.recovery_codes_issued_at = Some(now);
        Ok(codes)
    }

    /// Drops the recovery codes when no second factor is left, which disables 2FA.
    fn disable_if_last_method(
        &self,
        transaction: &mut dyn Transaction,
        account: &mut Account,
    ) -> Result<(), ServiceError> {
        if !account.two_factor_enabled() {
            transaction.delete_recovery_codes(account.id)?;
            account.recovery_codes_issued_at = None;
            tracing::info!(user_id = account.id, "2FA disabled: no second factor left");
        }
        Ok(())
    }
}
