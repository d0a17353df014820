//! The HTTP face of the service: implements the generated `AuthApi` trait by mapping each
//! request to one [`AuthService`] call and each result to the operation's response variant.
//!
//! This is the only module that uses the generated types, so a change of the generated trait
//! touches only this file.

use std::sync::Arc;

use auth_server::chrono::{DateTime, Utc};
use auth_server::{self as generated, AuthApi, Credential, Credentials, Rejection, SecurityScheme, ServerOptions};

use crate::service::{
    AuthError, AuthService, InternalError, IssuedTokens, LoginToken, MailOptions, Principal, ServiceError,
    TwoFactorOverview,
};
use crate::store::{CheckKind, MailKind, TokenKind};

/// Builds the axum router of the API over `service`. [`Tokens`] checks every bearer token before
/// a handler runs. A request without a valid token of an accepted kind gets the API's 401 body
/// with the message `NO_TOKEN_PROVIDED`.
pub fn router(service: AuthService) -> axum::Router {
    let options = ServerOptions { rejection_message: Some(Arc::new(rejection_message)), ..ServerOptions::default() };
    let tokens = Tokens { service: service.clone() };
    auth_server::router_with_authenticator(Api { service }, tokens, options)
}

/// Messages of the generated server's own rejections: the API's code for a missing, unknown or
/// wrong kind of token, and the server's description (naming the invalid field) for everything else.
fn rejection_message(rejection: &Rejection) -> String {
    match rejection {
        Rejection::MissingCredentials | Rejection::InvalidCredentials => "NO_TOKEN_PROVIDED".to_owned(),
        other => other.to_string(),
    }
}

/// The authenticator of the generated router: accepts a bearer token when it is valid and of the
/// kind its security scheme names, and passes the holder to the handlers as the principal.
///
/// Two checks depend on the operation, so the service makes them itself, inside the operation's
/// transaction. The operations that take "a sudo token, or an access token when 2FA is off" list
/// both schemes, so an access token gets through here whatever the account's 2FA state. And some
/// operations that declare only `accessToken` also serve the partial auth token of a 2FA login
/// (the 2FA status, the wait durations and the email OTP challenge), so that scheme accepts both.
pub struct Tokens {
    service: AuthService,
}

impl generated::Authenticator for Tokens {
    type Principal = Principal;

    async fn authenticate(
        &self,
        scheme: SecurityScheme,
        credential: Credential<'_>,
        _scopes: &[&str],
    ) -> Result<Principal, generated::AuthError> {
        let Credential::Bearer(token) = credential else { return Err(generated::AuthError::Rejected) };
        let principal = match self.service.authenticate(token).await {
            Ok(principal) => principal,
            Err(ServiceError::Auth(_)) => return Err(generated::AuthError::Rejected),
            Err(ServiceError::Internal(error)) => {
                tracing::error!(%error, scheme = scheme.name(), "failed to look up a bearer token");
                return Err(generated::AuthError::Internal);
            }
        };
        if accepted_kinds(scheme).contains(&principal.kind()) {
            Ok(principal)
        } else {
            tracing::debug!(scheme = scheme.name(), kind = ?principal.kind(), "rejected a token of the wrong kind");
            Err(generated::AuthError::Rejected)
        }
    }
}

/// Returns the kinds of token that a security scheme of the API accepts.
fn accepted_kinds(scheme: SecurityScheme) -> &'static [TokenKind] {
    match scheme {
        SecurityScheme::AccessToken => &[TokenKind::Access, TokenKind::PartialAuth],
        SecurityScheme::AccessBearerAuth => &[TokenKind::Access],
        SecurityScheme::SudoToken => &[TokenKind::Sudo],
        SecurityScheme::PartialAuthToken => &[TokenKind::PartialAuth],
        SecurityScheme::RefreshToken => &[TokenKind::Refresh],
    }
}

/// Returns the token holder that [`Tokens`] stored in the request's credentials. A router built
/// without the authenticator stores none, and the request is then rejected as unauthenticated.
fn principal(credentials: &Option<Credentials>) -> Result<&Principal, AuthError> {
    credentials.as_ref().and_then(|credentials| credentials.principal::<Principal>()).ok_or(AuthError::InvalidToken)
}

/// The `AuthApi` implementation.
pub struct Api {
    service: AuthService,
}

/// A failure that the API has no documented response for. The generated server logs it and
/// returns 500.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Internal(#[from] InternalError),
    #[error("operation {operation} documents no response for: {error}")]
    Undocumented { operation: &'static str, error: AuthError },
}

/// Returns the reason phrase of an error body, spelled as the API documents it.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        409 => "Conflict",
        429 => "Too many requests",
        _ => "Internal server error",
    }
}

fn error_body(status: u16, message: impl Into<String>, retry_after: Option<i64>) -> generated::Error {
    generated::Error {
        status_code: i64::from(status),
        error: reason_phrase(status).to_owned(),
        message: message.into(),
        retry_after,
    }
}

/// Maps a rejected request to the status and message code of the authentication server.
fn auth_error_body(error: &AuthError) -> generated::Error {
    let (status, message, retry_after) = match error {
        AuthError::InvalidToken => (401, "NO_TOKEN_PROVIDED".to_owned(), None),
        AuthError::PasswordIncorrect => (401, "PASSWORD_INCORRECT".to_owned(), None),
        AuthError::CodeInvalidOrExpired => (401, "OTP_INVALID_EXPIRED".to_owned(), None),
        // The API documents no code for a wrong TOTP or recovery code; these follow its style.
        AuthError::TotpInvalid => (401, "TOTP_INVALID".to_owned(), None),
        AuthError::RecoveryCodeInvalid => (401, "RECOVERY_CODE_INVALID".to_owned(), None),
        AuthError::WeakPassword(violation) => (400, violation.to_string(), None),
        AuthError::InvalidEmail => (400, "Invalid email address".to_owned(), None),
        AuthError::ForbiddenMailProvider => (403, "FORBIDDEN_MAIL_PROVIDER".to_owned(), None),
        AuthError::EmailOtpUninitialized => (409, "EMAIL_OTP_UNINITIALIZED".to_owned(), None),
        AuthError::EmailOtpInactive => (409, "EMAIL_OTP_INACTIVE".to_owned(), None),
        AuthError::EmailOtpAlreadyInactive => (409, "EMAIL_OTP_ALREADY_INACTIVE".to_owned(), None),
        AuthError::TotpUninitialized => (409, "TOTP_UNINITIALIZED".to_owned(), None),
        AuthError::TotpAlreadyInactive => (409, "TOTP_ALREADY_INACTIVE".to_owned(), None),
        AuthError::RecoveryCodesUninitialized => (409, "RECOVERY_CODES_UNINITIALIZED".to_owned(), None),
        AuthError::TwoFactorDisabled => (409, "2FA_IS_DISABLED".to_owned(), None),
        AuthError::EmailInUse => (409, "NEW_EMAIL_ALREADY_IN_USE".to_owned(), None),
        AuthError::TooManyMails { kind, retry_after } => {
            let code = match kind {
                MailKind::EmailOtp => "TOO_MANY_OTP_EMAILS",
                MailKind::EmailTransfer => "TOO_MANY_TRANSFER_ATTEMPTS",
                MailKind::PasswordReset => "TOO_MANY_RESET_MAIL_ATTEMPTS",
            };
            (429, code.to_owned(), Some(*retry_after))
        }
        AuthError::TooManyFailures { check, retry_after } => {
            let code = match check {
                CheckKind::Password => "TOO_MANY_FAILED_PASSWORD_CHECKS",
                CheckKind::Totp => "TOO_MANY_TOTP_CHECKS",
                CheckKind::RecoveryCode => "TOO_MANY_RECOVERY_CODE_CHECKS",
            };
            (429, code.to_owned(), Some(*retry_after))
        }
        AuthError::TotpCorrupt => (500, "TOTP_CORRUPT".to_owned(), None),
        AuthError::NoPasswordInfo => (500, "NO_PASSWORD_INFO".to_owned(), None),
    };
    error_body(status, message, retry_after)
}

/// A response enum that can carry some error statuses.
trait ErrorResponse: Sized {
    /// Wraps `error` in the variant of its status, or `None` when the operation does not
    /// document that status.
    fn from_error(error: generated::Error) -> Option<Self>;
}

macro_rules! error_responses {
    ($($response:ident { $($status:literal => $variant:ident),* $(,)? })*) => {
        $(
            impl ErrorResponse for generated::$response {
                fn from_error(error: generated::Error) -> Option<Self> {
                    match error.status_code {
                        $($status => Some(Self::$variant(error)),)*
                        _ => None,
                    }
                }
            }
        )*
    };
}

error_responses! {
    GetTwoFaResponse { 401 => Unauthorized }
    RemoveEmailOtpResponse { 400 => BadRequest, 401 => Unauthorized, 409 => Conflict }
    VerifyEmailOtpAuthenticationResponse { 400 => BadRequest, 401 => Unauthorized, 409 => Conflict }
    InitiateEmailOtpAuthenticationResponse {
        400 => BadRequest, 401 => Unauthorized, 409 => Conflict, 429 => TooManyRequests, 500 => InternalServerError
    }
    CompleteEmailOtpResponse { 400 => BadRequest, 401 => Unauthorized, 409 => Conflict }
    NewEmailOtpWaitDurationResponse { 400 => BadRequest, 401 => Unauthorized, 409 => Conflict }
    InitiateEmailOtpResponse { 400 => BadRequest, 401 => Unauthorized, 429 => TooManyRequests, 500 => InternalServerError }
    VerifyRecoveryCodesResponse { 400 => BadRequest, 401 => Unauthorized, 409 => Conflict, 429 => TooManyRequests }
    RecoveryCodeGuessWaitDurationResponse { 400 => BadRequest, 401 => Unauthorized, 409 => Conflict }
    ResetRecoveryCodesResponse { 400 => BadRequest, 401 => Unauthorized, 409 => Conflict }
    RemoveTotpResponse { 400 => BadRequest, 401 => Unauthorized, 409 => Conflict }
    VerifyTotpResponse {
        400 => BadRequest, 401 => Unauthorized, 409 => Conflict, 429 => TooManyRequests, 500 => InternalServerError
    }
    CompleteTotpResponse {
        400 => BadRequest, 401 => Unauthorized, 409 => Conflict, 429 => TooManyRequests, 500 => InternalServerError
    }
    TotpGuessWaitDurationResponse { 400 => BadRequest, 401 => Unauthorized, 409 => Conflict }
    InitiateTotpResponse { 400 => BadRequest, 401 => Unauthorized }
    PutEmailResponse { 400 => BadRequest, 401 => Unauthorized, 409 => Conflict }
    InitiatePutEmailResponse {
        400 => BadRequest, 401 => Unauthorized, 403 => Forbidden, 429 => TooManyRequests, 500 => InternalServerError
    }
    UpdatePasswordViaSudoResponse {
        400 => BadRequest, 401 => Unauthorized, 429 => TooManyRequests, 500 => InternalServerError
    }
    UpdatePasswordViaOtpResponse { 400 => BadRequest, 401 => Unauthorized }
    SendPasswordResetResponse { 400 => BadRequest, 403 => Forbidden, 429 => TooManyRequests, 500 => InternalServerError }
    ValidatePasswordResetResponse { 401 => Unauthorized }
    AccesstokenResponse { 401 => Unauthorized }
    ValidateAccesstokenResponse { 401 => Unauthorized }
    LoginResponse { 400 => BadRequest, 401 => Unauthorized, 429 => TooManyRequests, 500 => InternalServerError }
    LogoutResponse { 401 => Unauthorized }
    RefreshtokenResponse { 400 => BadRequest, 401 => Unauthorized }
    ValidateRefreshtokenResponse { 401 => Unauthorized }
}

/// Turns a service outcome into the operation's response: `ok` for success, the documented
/// error variant for a rejection, and `Err` (a logged 500) for everything else.
fn respond<T, R: ErrorResponse>(
    operation: &'static str,
    outcome: Result<T, ServiceError>,
    ok: impl FnOnce(T) -> R,
) -> Result<R, ApiError> {
    match outcome {
        Ok(value) => Ok(ok(value)),
        Err(ServiceError::Auth(error)) => {
            R::from_error(auth_error_body(&error)).ok_or(ApiError::Undocumented { operation, error })
        }
        Err(ServiceError::Internal(error)) => Err(error.into()),
    }
}

/// Converts Unix seconds to the API's `date-time`; times outside chrono's range become the epoch.
fn date_time(unix_seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix_seconds, 0).unwrap_or_default()
}

fn two_factor_status(overview: TwoFactorOverview) -> generated::TwoFactorStatus {
    let method = |completed_at: i64| generated::TwoFactorMethodStatus { completed_at: date_time(completed_at) };
    generated::TwoFactorStatus {
        enabled: overview.enabled,
        email_otp: overview
            .email_otp
            .map(|(email, completed_at)| generated::EmailOtpStatus { email, completed_at: date_time(completed_at) }),
        totp: overview.totp_completed_at.map(method),
        recovery_codes: overview.recovery_codes_issued_at.map(method),
    }
}

fn token_set(tokens: IssuedTokens) -> generated::TokenSet {
    generated::TokenSet {
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        sudo_token: Some(tokens.sudo_token),
    }
}

fn recovery_codes(codes: Vec<String>) -> generated::RecoveryCodes {
    generated::RecoveryCodes { recovery_codes: codes }
}

fn wait_duration(seconds: i64) -> generated::WaitDuration {
    generated::WaitDuration { duration: seconds }
}

impl AuthApi for Api {
    type Error = ApiError;

    async fn get_two_fa(&self, request: generated::GetTwoFaRequest) -> Result<generated::GetTwoFaResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.two_factor_status(principal).await
        }
        .await;
        respond(generated::GetTwoFaRequest::OPERATION_ID, outcome, |overview| {
            generated::GetTwoFaResponse::Ok(two_factor_status(overview))
        })
    }

    async fn remove_email_otp(
        &self,
        request: generated::RemoveEmailOtpRequest,
    ) -> Result<generated::RemoveEmailOtpResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.remove_email_otp(principal).await
        }
        .await;
        respond(generated::RemoveEmailOtpRequest::OPERATION_ID, outcome, |()| generated::RemoveEmailOtpResponse::Ok)
    }

    async fn verify_email_otp_authentication(
        &self,
        request: generated::VerifyEmailOtpAuthenticationRequest,
    ) -> Result<generated::VerifyEmailOtpAuthenticationResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.verify_email_otp(principal, &request.body.otp).await
        }
        .await;
        respond(generated::VerifyEmailOtpAuthenticationRequest::OPERATION_ID, outcome, |tokens| {
            generated::VerifyEmailOtpAuthenticationResponse::Ok(token_set(tokens))
        })
    }

    async fn initiate_email_otp_authentication(
        &self,
        request: generated::InitiateEmailOtpAuthenticationRequest,
    ) -> Result<generated::InitiateEmailOtpAuthenticationResponse, ApiError> {
        let options = MailOptions { origin: request.origin, language: request.language };
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.challenge_email_otp(principal, options).await
        }
        .await;
        respond(generated::InitiateEmailOtpAuthenticationRequest::OPERATION_ID, outcome, |()| {
            generated::InitiateEmailOtpAuthenticationResponse::Ok
        })
    }

    async fn complete_email_otp(
        &self,
        request: generated::CompleteEmailOtpRequest,
    ) -> Result<generated::CompleteEmailOtpResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.complete_email_otp(principal, &request.body.otp).await
        }
        .await;
        respond(generated::CompleteEmailOtpRequest::OPERATION_ID, outcome, |codes| {
            generated::CompleteEmailOtpResponse::Ok(recovery_codes(codes))
        })
    }

    async fn new_email_otp_wait_duration(
        &self,
        request: generated::NewEmailOtpWaitDurationRequest,
    ) -> Result<generated::NewEmailOtpWaitDurationResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.email_otp_wait(principal).await
        }
        .await;
        respond(generated::NewEmailOtpWaitDurationRequest::OPERATION_ID, outcome, |seconds| {
            generated::NewEmailOtpWaitDurationResponse::Ok(wait_duration(seconds))
        })
    }

    async fn initiate_email_otp(
        &self,
        request: generated::InitiateEmailOtpRequest,
    ) -> Result<generated::InitiateEmailOtpResponse, ApiError> {
        let options = MailOptions { origin: request.origin, language: request.language };
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.initiate_email_otp(principal, &request.body.email, options).await
        }
        .await;
        respond(generated::InitiateEmailOtpRequest::OPERATION_ID, outcome, |()| generated::InitiateEmailOtpResponse::Ok)
    }

    async fn verify_recovery_codes(
        &self,
        request: generated::VerifyRecoveryCodesRequest,
    ) -> Result<generated::VerifyRecoveryCodesResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.verify_recovery_code(principal, &request.body.recovery_code).await
        }
        .await;
        respond(generated::VerifyRecoveryCodesRequest::OPERATION_ID, outcome, |tokens| {
            generated::VerifyRecoveryCodesResponse::Ok(token_set(tokens))
        })
    }

    async fn recovery_code_guess_wait_duration(
        &self,
        request: generated::RecoveryCodeGuessWaitDurationRequest,
    ) -> Result<generated::RecoveryCodeGuessWaitDurationResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.recovery_code_wait(principal).await
        }
        .await;
        respond(generated::RecoveryCodeGuessWaitDurationRequest::OPERATION_ID, outcome, |seconds| {
            generated::RecoveryCodeGuessWaitDurationResponse::Ok(wait_duration(seconds))
        })
    }

    async fn reset_recovery_codes(
        &self,
        request: generated::ResetRecoveryCodesRequest,
    ) -> Result<generated::ResetRecoveryCodesResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.reset_recovery_codes(principal).await
        }
        .await;
        respond(generated::ResetRecoveryCodesRequest::OPERATION_ID, outcome, |codes| {
            generated::ResetRecoveryCodesResponse::Ok(recovery_codes(codes))
        })
    }

    async fn remove_totp(
        &self,
        request: generated::RemoveTotpRequest,
    ) -> Result<generated::RemoveTotpResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.remove_totp(principal).await
        }
        .await;
        respond(generated::RemoveTotpRequest::OPERATION_ID, outcome, |()| generated::RemoveTotpResponse::Ok)
    }

    async fn verify_totp(
        &self,
        request: generated::VerifyTotpRequest,
    ) -> Result<generated::VerifyTotpResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.verify_totp(principal, &request.body.totp).await
        }
        .await;
        respond(generated::VerifyTotpRequest::OPERATION_ID, outcome, |tokens| {
            generated::VerifyTotpResponse::Ok(token_set(tokens))
        })
    }

    async fn complete_totp(
        &self,
        request: generated::CompleteTotpRequest,
    ) -> Result<generated::CompleteTotpResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.complete_totp(principal, &request.body.totp).await
        }
        .await;
        respond(generated::CompleteTotpRequest::OPERATION_ID, outcome, |codes| {
            generated::CompleteTotpResponse::Ok(recovery_codes(codes))
        })
    }

    async fn totp_guess_wait_duration(
        &self,
        request: generated::TotpGuessWaitDurationRequest,
    ) -> Result<generated::TotpGuessWaitDurationResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.totp_wait(principal).await
        }
        .await;
        respond(generated::TotpGuessWaitDurationRequest::OPERATION_ID, outcome, |seconds| {
            generated::TotpGuessWaitDurationResponse::Ok(wait_duration(seconds))
        })
    }

    async fn initiate_totp(
        &self,
        request: generated::InitiateTotpRequest,
    ) -> Result<generated::InitiateTotpResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.initiate_totp(principal).await
        }
        .await;
        respond(generated::InitiateTotpRequest::OPERATION_ID, outcome, |url| {
            generated::InitiateTotpResponse::Ok(generated::TotpSetup { url })
        })
    }

    async fn put_email(&self, request: generated::PutEmailRequest) -> Result<generated::PutEmailResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.complete_email_change(principal, &request.body.otp).await
        }
        .await;
        respond(generated::PutEmailRequest::OPERATION_ID, outcome, |()| generated::PutEmailResponse::Ok)
    }

    async fn initiate_put_email(
        &self,
        request: generated::InitiatePutEmailRequest,
    ) -> Result<generated::InitiatePutEmailResponse, ApiError> {
        let options = MailOptions { origin: request.origin, language: request.language };
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.initiate_email_change(principal, &request.body.email, options).await
        }
        .await;
        respond(generated::InitiatePutEmailRequest::OPERATION_ID, outcome, |()| generated::InitiatePutEmailResponse::Ok)
    }

    async fn update_password_via_sudo(
        &self,
        request: generated::UpdatePasswordViaSudoRequest,
    ) -> Result<generated::UpdatePasswordViaSudoResponse, ApiError> {
        let body = request.body;
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.change_password(principal, &body.old_password, &body.new_password).await
        }
        .await;
        respond(generated::UpdatePasswordViaSudoRequest::OPERATION_ID, outcome, |()| {
            generated::UpdatePasswordViaSudoResponse::Ok
        })
    }

    async fn update_password_via_otp(
        &self,
        request: generated::UpdatePasswordViaOtpRequest,
    ) -> Result<generated::UpdatePasswordViaOtpResponse, ApiError> {
        let body = request.body;
        let outcome = self.service.reset_password(&body.user_email, &body.otp, &body.new_password).await;
        respond(generated::UpdatePasswordViaOtpRequest::OPERATION_ID, outcome, |()| {
            generated::UpdatePasswordViaOtpResponse::Ok
        })
    }

    async fn send_password_reset(
        &self,
        request: generated::SendPasswordResetRequest,
    ) -> Result<generated::SendPasswordResetResponse, ApiError> {
        let options = MailOptions { origin: request.origin, language: request.language };
        let outcome = self.service.send_password_reset(&request.body.email, options).await;
        respond(generated::SendPasswordResetRequest::OPERATION_ID, outcome, |()| {
            generated::SendPasswordResetResponse::Ok
        })
    }

    async fn validate_password_reset(
        &self,
        request: generated::ValidatePasswordResetRequest,
    ) -> Result<generated::ValidatePasswordResetResponse, ApiError> {
        let outcome = self.service.validate_password_reset(&request.body.email, &request.body.otp).await;
        respond(generated::ValidatePasswordResetRequest::OPERATION_ID, outcome, |()| {
            generated::ValidatePasswordResetResponse::Ok
        })
    }

    /// The main API server's operation, with its plain-sentence messages and a 429 without
    /// `retryAfter`.
    async fn post_forgot_password(
        &self,
        request: generated::PostForgotPasswordRequest,
    ) -> Result<generated::PostForgotPasswordResponse, ApiError> {
        use generated::PostForgotPasswordResponse as Response;
        let options = MailOptions { origin: request.origin, language: request.language };
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.send_password_reset_link(principal, &request.body.email, options).await
        }
        .await;
        match outcome {
            Ok(()) => Ok(Response::Ok),
            Err(ServiceError::Auth(AuthError::InvalidEmail)) => {
                Ok(Response::BadRequest(error_body(400, "Missing or misformatted query parameter or body", None)))
            }
            Err(ServiceError::Auth(AuthError::ForbiddenMailProvider)) => {
                Ok(Response::Forbidden(error_body(403, "Forbidden email provider", None)))
            }
            Err(ServiceError::Auth(AuthError::TooManyMails { .. })) => {
                Ok(Response::TooManyRequests(error_body(429, "Last password forgot call was too recent", None)))
            }
            // NOTE: only a token revoked after `Tokens` accepted it reaches this arm. The server
            // rejects a missing or invalid token before the handler runs, and its rejection message
            // cannot depend on the operation, so that 401 carries `NO_TOKEN_PROVIDED`.
            Err(ServiceError::Auth(AuthError::InvalidToken)) => {
                Ok(Response::Unauthorized(error_body(401, "Invalid or expired access token", None)))
            }
            Err(ServiceError::Auth(error)) => {
                Err(ApiError::Undocumented { operation: generated::PostForgotPasswordRequest::OPERATION_ID, error })
            }
            Err(ServiceError::Internal(error)) => Err(error.into()),
        }
    }

    async fn accesstoken(
        &self,
        request: generated::AccesstokenRequest,
    ) -> Result<generated::AccesstokenResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.issue_access_token(principal).await
        }
        .await;
        respond(generated::AccesstokenRequest::OPERATION_ID, outcome, generated::AccesstokenResponse::Ok)
    }

    async fn validate_accesstoken(
        &self,
        request: generated::ValidateAccesstokenRequest,
    ) -> Result<generated::ValidateAccesstokenResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.token_owner(principal, TokenKind::Access).await
        }
        .await;
        respond(generated::ValidateAccesstokenRequest::OPERATION_ID, outcome, |user_id| {
            generated::ValidateAccesstokenResponse::Ok(generated::UserId { user_id })
        })
    }

    /// NOTE: the `cookie` option is accepted and ignored, because the API does not document
    /// its effect; the token is always returned in the body.
    async fn login(&self, request: generated::LoginRequest) -> Result<generated::LoginResponse, ApiError> {
        let outcome = self.service.login(&request.body.username, &request.body.password).await;
        respond(generated::LoginRequest::OPERATION_ID, outcome, |token| match token {
            LoginToken::Refresh(token) | LoginToken::PartialAuth(token) => generated::LoginResponse::Ok(token),
        })
    }

    async fn logout(&self, request: generated::LogoutRequest) -> Result<generated::LogoutResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.logout(principal).await
        }
        .await;
        respond(generated::LogoutRequest::OPERATION_ID, outcome, |()| generated::LogoutResponse::NoContent)
    }

    /// NOTE: the `cookie` option is accepted and ignored, as for login.
    async fn refreshtoken(
        &self,
        request: generated::RefreshtokenRequest,
    ) -> Result<generated::RefreshtokenResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.renew_refresh_token(principal).await
        }
        .await;
        respond(generated::RefreshtokenRequest::OPERATION_ID, outcome, generated::RefreshtokenResponse::Ok)
    }

    async fn validate_refreshtoken(
        &self,
        request: generated::ValidateRefreshtokenRequest,
    ) -> Result<generated::ValidateRefreshtokenResponse, ApiError> {
        let outcome = async {
            let principal = principal(&request.credentials)?;
            self.service.token_owner(principal, TokenKind::Refresh).await
        }
        .await;
        respond(generated::ValidateRefreshtokenRequest::OPERATION_ID, outcome, |user_id| {
            generated::ValidateRefreshtokenResponse::Ok(generated::UserId { user_id })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_time_converts_unix_seconds() {
        assert_eq!(date_time(1_566_656_122).to_rfc3339(), "2019-08-24T14:15:22+00:00");
        assert_eq!(date_time(i64::MAX).timestamp(), 0);
    }

    #[test]
    fn too_many_failures_carries_retry_after() {
        let body = auth_error_body(&AuthError::TooManyFailures { check: CheckKind::Totp, retry_after: 42 });
        assert_eq!(body.status_code, 429);
        assert_eq!(body.error, "Too many requests");
        assert_eq!(body.message, "TOO_MANY_TOTP_CHECKS");
        assert_eq!(body.retry_after, Some(42));
    }

    #[test]
    fn undocumented_status_is_not_wrapped() {
        let body = auth_error_body(&AuthError::ForbiddenMailProvider);
        assert!(generated::InitiateEmailOtpResponse::from_error(body.clone()).is_none());
        assert!(matches!(
            generated::InitiatePutEmailResponse::from_error(body),
            Some(generated::InitiatePutEmailResponse::Forbidden(_))
        ));
    }

    #[test]
    fn missing_credentials_message_is_api_code() {
        assert_eq!(rejection_message(&Rejection::MissingCredentials), "NO_TOKEN_PROVIDED");
    }

    #[test]
    fn rejected_token_message_is_api_code() {
        assert_eq!(rejection_message(&Rejection::InvalidCredentials), "NO_TOKEN_PROVIDED");
    }

    #[test]
    fn principal_is_required() {
        assert!(matches!(principal(&None), Err(AuthError::InvalidToken)));
        assert!(matches!(principal(&Some(Credentials::new("token"))), Err(AuthError::InvalidToken)));
    }
}
