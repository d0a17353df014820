//! The in-memory account data both servers read, and the `AuthApi` implementation the generated
//! router calls.
//!
//! Only the three benchmarked operations are implemented. The others return an error, which the
//! generated router turns into a logged 500.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use auth_server::chrono::{DateTime, Utc};
use auth_server::{AuthApi, TwoFactorMethodStatus, TwoFactorStatus};

/// Bearer token that the store accepts for every account operation.
pub const TOKEN: &str = "t";
/// Address and reset code that `validatePasswordReset` accepts.
pub const RESET_EMAIL: &str = "user@example.com";
pub const RESET_CODE: &str = "123456";

/// Read-only account data, filled once before serving, so neither server waits on a lock.
pub struct Store {
    two_factor: HashMap<String, TwoFactorStatus>,
    reset_codes: HashMap<String, String>,
    refresh_tokens: HashMap<String, String>,
}

impl Store {
    pub fn new() -> Self {
        let completed_at = DateTime::<Utc>::from_timestamp(1_566_656_122, 0).unwrap_or_default();
        let status = TwoFactorStatus {
            enabled: true,
            email_otp: None,
            totp: Some(TwoFactorMethodStatus { completed_at }),
            recovery_codes: Some(TwoFactorMethodStatus { completed_at }),
        };
        Store {
            two_factor: HashMap::from([(TOKEN.to_owned(), status)]),
            reset_codes: HashMap::from([(RESET_EMAIL.to_owned(), RESET_CODE.to_owned())]),
            refresh_tokens: HashMap::from([(TOKEN.to_owned(), "eyJhbGciOiJIUzI1NiJ9.refresh".to_owned())]),
        }
    }

    pub fn two_factor(&self, token: &str) -> Option<&TwoFactorStatus> {
        self.two_factor.get(token)
    }

    pub fn reset_code_matches(&self, email: &str, code: &str) -> bool {
        self.reset_codes.get(email).is_some_and(|expected| expected == code)
    }

    /// Returns a new refresh token for a valid one.
    pub fn refresh(&self, token: &str) -> Option<&str> {
        self.refresh_tokens.get(token).map(String::as_str)
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

/// Returns the error body of a 401, as the authentication server spells it.
pub fn unauthorized(message: &str) -> auth_server::Error {
    auth_server::Error {
        status_code: 401,
        error: "Unauthorized".to_owned(),
        message: message.to_owned(),
        retry_after: None,
    }
}

/// An operation that the benchmark does not call.
#[derive(Debug)]
pub struct NotBenchmarked(&'static str);

impl fmt::Display for NotBenchmarked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "operation {} is not implemented by the benchmark service", self.0)
    }
}

impl std::error::Error for NotBenchmarked {}

/// The `AuthApi` implementation behind the generated router.
#[derive(Clone)]
pub struct InMemory {
    pub store: Arc<Store>,
}

/// Implements trait methods that return [`NotBenchmarked`].
macro_rules! not_benchmarked {
    ($($method:ident($request:ident) -> $response:ident;)*) => {
        $(
            async fn $method(
                &self,
                _request: auth_server::$request,
            ) -> Result<auth_server::$response, Self::Error> {
                Err(NotBenchmarked(stringify!($method)))
            }
        )*
    };
}

impl AuthApi for InMemory {
    type Error = NotBenchmarked;

    async fn get_two_fa(
        &self,
        request: auth_server::GetTwoFaRequest,
    ) -> Result<auth_server::GetTwoFaResponse, Self::Error> {
        let token = request.credentials.as_ref().map(|credentials| credentials.token.as_str()).unwrap_or_default();
        Ok(match self.store.two_factor(token) {
            Some(status) => auth_server::GetTwoFaResponse::Ok(status.clone()),
            None => auth_server::GetTwoFaResponse::Unauthorized(unauthorized("TOKEN_INVALID")),
        })
    }

    async fn validate_password_reset(
        &self,
        request: auth_server::ValidatePasswordResetRequest,
    ) -> Result<auth_server::ValidatePasswordResetResponse, Self::Error> {
        Ok(if self.store.reset_code_matches(&request.body.email, &request.body.otp) {
            auth_server::ValidatePasswordResetResponse::Ok
        } else {
            auth_server::ValidatePasswordResetResponse::Unauthorized(unauthorized("OTP_INVALID_EXPIRED"))
        })
    }

    async fn refreshtoken(
        &self,
        request: auth_server::RefreshtokenRequest,
    ) -> Result<auth_server::RefreshtokenResponse, Self::Error> {
        let token = request.credentials.as_ref().map(|credentials| credentials.token.as_str()).unwrap_or_default();
        Ok(match self.store.refresh(token) {
            Some(refreshed) => auth_server::RefreshtokenResponse::Ok(refreshed.to_owned()),
            None => auth_server::RefreshtokenResponse::Unauthorized(unauthorized("TOKEN_INVALID")),
        })
    }

    not_benchmarked! {
        remove_email_otp(RemoveEmailOtpRequest) -> RemoveEmailOtpResponse;
        verify_email_otp_authentication(VerifyEmailOtpAuthenticationRequest) -> VerifyEmailOtpAuthenticationResponse;
        initiate_email_otp_authentication(InitiateEmailOtpAuthenticationRequest) -> InitiateEmailOtpAuthenticationResponse;
        complete_email_otp(CompleteEmailOtpRequest) -> CompleteEmailOtpResponse;
        new_email_otp_wait_duration(NewEmailOtpWaitDurationRequest) -> NewEmailOtpWaitDurationResponse;
        initiate_email_otp(InitiateEmailOtpRequest) -> InitiateEmailOtpResponse;
        verify_recovery_codes(VerifyRecoveryCodesRequest) -> VerifyRecoveryCodesResponse;
        recovery_code_guess_wait_duration(RecoveryCodeGuessWaitDurationRequest) -> RecoveryCodeGuessWaitDurationResponse;
        reset_recovery_codes(ResetRecoveryCodesRequest) -> ResetRecoveryCodesResponse;
        remove_totp(RemoveTotpRequest) -> RemoveTotpResponse;
        verify_totp(VerifyTotpRequest) -> VerifyTotpResponse;
        complete_totp(CompleteTotpRequest) -> CompleteTotpResponse;
        totp_guess_wait_duration(TotpGuessWaitDurationRequest) -> TotpGuessWaitDurationResponse;
        initiate_totp(InitiateTotpRequest) -> InitiateTotpResponse;
        put_email(PutEmailRequest) -> PutEmailResponse;
        initiate_put_email(InitiatePutEmailRequest) -> InitiatePutEmailResponse;
        update_password_via_sudo(UpdatePasswordViaSudoRequest) -> UpdatePasswordViaSudoResponse;
        update_password_via_otp(UpdatePasswordViaOtpRequest) -> UpdatePasswordViaOtpResponse;
        send_password_reset(SendPasswordResetRequest) -> SendPasswordResetResponse;
        post_forgot_password(PostForgotPasswordRequest) -> PostForgotPasswordResponse;
        accesstoken(AccesstokenRequest) -> AccesstokenResponse;
        validate_accesstoken(ValidateAccesstokenRequest) -> ValidateAccesstokenResponse;
        login(LoginRequest) -> LoginResponse;
        logout(LogoutRequest) -> LogoutResponse;
        validate_refreshtoken(ValidateRefreshtokenRequest) -> ValidateRefreshtokenResponse;
    }
}
