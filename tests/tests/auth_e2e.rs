//! End-to-end tests of the generated auth client against the generated auth server.
//!
//! Each test serves `auth_server::router` over `FakeAuth`, a small in-memory implementation of
//! `AuthApi`, on 127.0.0.1 and calls it through `auth_client::Client`. Raw reqwest requests cover
//! the mistakes that the typed client cannot make.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use auth_client::*;
use auth_server::{Rejection, ServerOptions, router, router_with};
use axum::http::StatusCode;
use integration_tests::serve;

const USER_ID: i64 = 42;
const ACCOUNT_EMAIL: &str = "alice@example.com";
const PASSWORD: &str = "OldPassw0rd";
const ACCESS: &str = "access-token";
const SUDO: &str = "sudo-token";
const PARTIAL: &str = "partial-auth-token";
/// The refresh token that a new `Account` accepts. Tokens issued later are numbered from 2.
const REFRESH: &str = "refresh-token-1";
const MAIN_API_TOKEN: &str = "main-api-token";
/// The code that the email OTP operations mail, for the setup and for challenges alike.
const EMAIL_OTP_CODE: &str = "123456";
const TOTP_CODE: &str = "654321";
const PUT_EMAIL_CODE: &str = "135790";
const RESET_CODE: &str = "246810";
const COMPLETED_AT: &str = "2024-05-01T10:00:00Z";

/// Parses [`COMPLETED_AT`] as the typed timestamp of the generated types.
fn completed_at() -> auth_client::chrono::DateTime<auth_client::chrono::Utc> {
    COMPLETED_AT.parse().expect("COMPLETED_AT is an RFC 3339 timestamp")
}
const TOTP_URL: &str = "otpauth://totp/insights3.eniris.be:Alice?issuer=insights3.eniris.be&secret=NB2W45DFOIZA";
/// Mail provider that the fake rejects with 403.
const FORBIDDEN_DOMAIN: &str = "blocked.example";
/// Address of another account, so putEmail returns 409 for it.
const TAKEN_EMAIL: &str = "bob@example.com";
const OLD_RECOVERY_CODES: [&str; 2] = ["a1b2c3d4e5f6g7h8", "b2c3d4e5f6g7h8i9"];

// ---------------------------------------------------------------------------------------------
// The in-memory implementation
// ---------------------------------------------------------------------------------------------

/// Error of `FakeAuth`, returned when a test injects `Fault::Error`.
#[derive(Debug)]
struct FakeError(String);

impl fmt::Display for FakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fake account store failed: {}", self.0)
    }
}

impl std::error::Error for FakeError {}

/// A failure that the next call to `FakeAuth` produces instead of its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Panic,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum EmailOtp {
    Off,
    /// initiateEmailOtp mailed a setup code to `address`, and completeEmailOtp has not confirmed it yet.
    Pending {
        address: String,
    },
    Active {
        address: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Totp {
    Off,
    /// initiateTotp created a secret, and completeTotp has not confirmed it yet.
    Pending,
    Active,
}

/// One request as the implementation received it from the server.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    GetTwoFa(GetTwoFaRequest),
    RemoveEmailOtp(RemoveEmailOtpRequest),
    VerifyEmailOtpAuthentication(VerifyEmailOtpAuthenticationRequest),
    InitiateEmailOtpAuthentication(InitiateEmailOtpAuthenticationRequest),
    CompleteEmailOtp(CompleteEmailOtpRequest),
    NewEmailOtpWaitDuration(NewEmailOtpWaitDurationRequest),
    InitiateEmailOtp(InitiateEmailOtpRequest),
    VerifyRecoveryCodes(VerifyRecoveryCodesRequest),
    RecoveryCodeGuessWaitDuration(RecoveryCodeGuessWaitDurationRequest),
    ResetRecoveryCodes(ResetRecoveryCodesRequest),
    RemoveTotp(RemoveTotpRequest),
    VerifyTotp(VerifyTotpRequest),
    CompleteTotp(CompleteTotpRequest),
    TotpGuessWaitDuration(TotpGuessWaitDurationRequest),
    InitiateTotp(InitiateTotpRequest),
    PutEmail(PutEmailRequest),
    InitiatePutEmail(InitiatePutEmailRequest),
    UpdatePasswordViaSudo(UpdatePasswordViaSudoRequest),
    UpdatePasswordViaOtp(UpdatePasswordViaOtpRequest),
    SendPasswordReset(SendPasswordResetRequest),
    ValidatePasswordReset(ValidatePasswordResetRequest),
    PostForgotPassword(PostForgotPasswordRequest),
    Accesstoken(AccesstokenRequest),
    ValidateAccesstoken(ValidateAccesstokenRequest),
    Login(LoginRequest),
    Logout(LogoutRequest),
    Refreshtoken(RefreshtokenRequest),
    ValidateRefreshtoken(ValidateRefreshtokenRequest),
}

/// State of the one account that `FakeAuth` serves, and the calls it received.
#[derive(Debug, Clone, PartialEq)]
struct Account {
    email: String,
    password: String,
    email_otp: EmailOtp,
    totp: Totp,
    recovery_codes: Vec<String>,
    /// New address of an e-mail change that initiatePutEmail started.
    pending_email: Option<String>,
    /// Code that sendPasswordReset mailed.
    reset_code: Option<String>,
    refresh_tokens: Vec<String>,
    /// Seconds that the mail-sending operations ask the caller to wait. `Some` makes them return 429.
    mail_retry_after: Option<i64>,
    /// Seconds that code and password checks ask the caller to wait. `Some` makes them return 429.
    check_retry_after: Option<i64>,
    /// Recipients of the e-mails sent, in order.
    outbox: Vec<String>,
    tokens_issued: u32,
    recovery_code_batches: u32,
    fault: Option<Fault>,
    calls: Vec<Call>,
}

impl Default for Account {
    fn default() -> Self {
        Account {
            email: ACCOUNT_EMAIL.to_owned(),
            password: PASSWORD.to_owned(),
            email_otp: EmailOtp::Off,
            totp: Totp::Off,
            recovery_codes: Vec::new(),
            pending_email: None,
            reset_code: None,
            refresh_tokens: vec![REFRESH.to_owned()],
            mail_retry_after: None,
            check_retry_after: None,
            outbox: Vec::new(),
            tokens_issued: 1,
            recovery_code_batches: 0,
            fault: None,
            calls: Vec::new(),
        }
    }
}

impl Account {
    fn two_fa_enabled(&self) -> bool {
        matches!(self.email_otp, EmailOtp::Active { .. }) || self.totp == Totp::Active
    }

    /// Applies the rule of the sensitive operations: a sudo token, or an access token while 2FA is off.
    fn allows_sensitive(&self, credentials: &Option<Credentials>) -> bool {
        let token = token_of(credentials);
        token == SUDO || (token == ACCESS && !self.two_fa_enabled())
    }

    fn issue_refresh_token(&mut self) -> String {
        self.tokens_issued += 1;
        let token = format!("refresh-token-{}", self.tokens_issued);
        self.refresh_tokens.push(token.clone());
        token
    }

    /// Replaces the recovery codes with a new set of 10 codes of 16 characters.
    fn issue_recovery_codes(&mut self) -> Vec<String> {
        self.recovery_code_batches += 1;
        self.recovery_codes = recovery_code_batch(self.recovery_code_batches);
        self.recovery_codes.clone()
    }

    /// Returns the tokens for a verified second factor: only a sudo token for an access token, and
    /// access, refresh and sudo tokens for a partial auth token during a 2FA login.
    fn tokens_after_second_factor(&mut self, credentials: &Option<Credentials>) -> TokenSet {
        if token_of(credentials) == PARTIAL {
            let refresh_token = self.issue_refresh_token();
            TokenSet {
                access_token: Some(ACCESS.to_owned()),
                refresh_token: Some(refresh_token),
                sudo_token: Some(SUDO.to_owned()),
            }
        } else {
            sudo_only()
        }
    }
}

/// An `AuthApi` implementation over one `Account`. Clones share the account, so a test keeps one
/// clone to set up state and to inspect what the server passed on.
#[derive(Clone, Default)]
struct FakeAuth {
    account: Arc<Mutex<Account>>,
}

impl FakeAuth {
    fn new(account: Account) -> Self {
        FakeAuth { account: Arc::new(Mutex::new(account)) }
    }

    /// Locks the account. A panic injected by `Fault::Panic` happens after the lock is released,
    /// so poisoning only follows a bug in the fake itself, and the state is still readable then.
    fn lock(&self) -> MutexGuard<'_, Account> {
        self.account.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    fn inject(&self, fault: Fault) {
        self.lock().fault = Some(fault);
    }

    /// Records `call`, then produces the injected fault if there is one, once.
    fn record(&self, call: Call) -> Result<MutexGuard<'_, Account>, FakeError> {
        let mut account = self.lock();
        account.calls.push(call);
        match account.fault.take() {
            None => Ok(account),
            Some(Fault::Error) => Err(FakeError("injected error".to_owned())),
            Some(Fault::Panic) => {
                drop(account);
                panic!("injected panic in the fake implementation");
            }
        }
    }
}

fn token_of(credentials: &Option<Credentials>) -> &str {
    credentials.as_ref().map_or("", |credentials| credentials.token.as_str())
}

fn is_second_factor_caller(credentials: &Option<Credentials>) -> bool {
    matches!(token_of(credentials), ACCESS | PARTIAL)
}

fn has_forbidden_domain(email: &str) -> bool {
    email.rsplit_once('@').is_some_and(|(_, domain)| domain == FORBIDDEN_DOMAIN)
}

fn recovery_code_batch(batch: u32) -> Vec<String> {
    (0..10).map(|index| format!("batch{batch:03}code{index:04}")).collect()
}

fn sudo_only() -> TokenSet {
    TokenSet { access_token: None, refresh_token: None, sudo_token: Some(SUDO.to_owned()) }
}

/// Builds an `Error` body with the reason phrase spelled as the spec's examples spell it.
fn spec_error(status: i64, error: &str, message: &str, retry_after: Option<i64>) -> Error {
    Error { status_code: status, error: error.to_owned(), message: message.to_owned(), retry_after }
}

fn bad_request(message: &str) -> Error {
    spec_error(400, "Bad Request", message, None)
}

fn unauthorized(message: &str) -> Error {
    spec_error(401, "Unauthorized", message, None)
}

fn forbidden(message: &str) -> Error {
    spec_error(403, "Forbidden", message, None)
}

fn conflict(message: &str) -> Error {
    spec_error(409, "Conflict", message, None)
}

fn too_many_requests(message: &str, retry_after: Option<i64>) -> Error {
    spec_error(429, "Too many requests", message, retry_after)
}

impl AuthApi for FakeAuth {
    type Error = FakeError;

    async fn get_two_fa(&self, request: GetTwoFaRequest) -> Result<GetTwoFaResponse, FakeError> {
        let account = self.record(Call::GetTwoFa(request.clone()))?;
        if token_of(&request.credentials) != ACCESS {
            return Ok(GetTwoFaResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        let email_otp = match &account.email_otp {
            EmailOtp::Active { address } => {
                Some(EmailOtpStatus { email: address.clone(), completed_at: completed_at() })
            }
            EmailOtp::Off | EmailOtp::Pending { .. } => None,
        };
        let completed = || TwoFactorMethodStatus { completed_at: completed_at() };
        Ok(GetTwoFaResponse::Ok(TwoFactorStatus {
            enabled: account.two_fa_enabled(),
            email_otp,
            totp: (account.totp == Totp::Active).then(completed),
            recovery_codes: (!account.recovery_codes.is_empty()).then(completed),
        }))
    }

    async fn remove_email_otp(&self, request: RemoveEmailOtpRequest) -> Result<RemoveEmailOtpResponse, FakeError> {
        let mut account = self.record(Call::RemoveEmailOtp(request.clone()))?;
        if token_of(&request.credentials) != SUDO {
            return Ok(RemoveEmailOtpResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if !matches!(account.email_otp, EmailOtp::Active { .. }) {
            return Ok(RemoveEmailOtpResponse::Conflict(conflict("EMAIL_OTP_ALREADY_INACTIVE")));
        }
        account.email_otp = EmailOtp::Off;
        Ok(RemoveEmailOtpResponse::Ok)
    }

    async fn verify_email_otp_authentication(
        &self,
        request: VerifyEmailOtpAuthenticationRequest,
    ) -> Result<VerifyEmailOtpAuthenticationResponse, FakeError> {
        let mut account = self.record(Call::VerifyEmailOtpAuthentication(request.clone()))?;
        if !is_second_factor_caller(&request.credentials) {
            return Ok(VerifyEmailOtpAuthenticationResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if !matches!(account.email_otp, EmailOtp::Active { .. }) {
            return Ok(VerifyEmailOtpAuthenticationResponse::Conflict(conflict("EMAIL_OTP_INACTIVE")));
        }
        if request.body.otp != EMAIL_OTP_CODE {
            return Ok(VerifyEmailOtpAuthenticationResponse::Unauthorized(unauthorized("OTP_INVALID_EXPIRED")));
        }
        Ok(VerifyEmailOtpAuthenticationResponse::Ok(account.tokens_after_second_factor(&request.credentials)))
    }

    async fn initiate_email_otp_authentication(
        &self,
        request: InitiateEmailOtpAuthenticationRequest,
    ) -> Result<InitiateEmailOtpAuthenticationResponse, FakeError> {
        let mut account = self.record(Call::InitiateEmailOtpAuthentication(request.clone()))?;
        if token_of(&request.credentials) != ACCESS {
            return Ok(InitiateEmailOtpAuthenticationResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        let EmailOtp::Active { address } = account.email_otp.clone() else {
            return Ok(InitiateEmailOtpAuthenticationResponse::Conflict(conflict("EMAIL_OTP_UNINITIALIZED")));
        };
        if let Some(seconds) = account.mail_retry_after {
            let body = too_many_requests("TOO_MANY_OTP_EMAILS", Some(seconds));
            return Ok(InitiateEmailOtpAuthenticationResponse::TooManyRequests(body));
        }
        account.outbox.push(address);
        Ok(InitiateEmailOtpAuthenticationResponse::Ok)
    }

    async fn complete_email_otp(
        &self,
        request: CompleteEmailOtpRequest,
    ) -> Result<CompleteEmailOtpResponse, FakeError> {
        let mut account = self.record(Call::CompleteEmailOtp(request.clone()))?;
        if token_of(&request.credentials) != ACCESS {
            return Ok(CompleteEmailOtpResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        let EmailOtp::Pending { address } = account.email_otp.clone() else {
            return Ok(CompleteEmailOtpResponse::Conflict(conflict("EMAIL_OTP_UNINITIALIZED")));
        };
        if request.body.otp != EMAIL_OTP_CODE {
            return Ok(CompleteEmailOtpResponse::BadRequest(bad_request("otp is invalid or expired")));
        }
        account.email_otp = EmailOtp::Active { address };
        let recovery_codes = account.issue_recovery_codes();
        Ok(CompleteEmailOtpResponse::Ok(RecoveryCodes { recovery_codes }))
    }

    async fn new_email_otp_wait_duration(
        &self,
        request: NewEmailOtpWaitDurationRequest,
    ) -> Result<NewEmailOtpWaitDurationResponse, FakeError> {
        let account = self.record(Call::NewEmailOtpWaitDuration(request.clone()))?;
        if token_of(&request.credentials) != ACCESS {
            return Ok(NewEmailOtpWaitDurationResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if account.email_otp == EmailOtp::Off {
            return Ok(NewEmailOtpWaitDurationResponse::Conflict(conflict("EMAIL_OTP_UNINITIALIZED")));
        }
        Ok(NewEmailOtpWaitDurationResponse::Ok(WaitDuration { duration: account.mail_retry_after.unwrap_or(0) }))
    }

    async fn initiate_email_otp(
        &self,
        request: InitiateEmailOtpRequest,
    ) -> Result<InitiateEmailOtpResponse, FakeError> {
        let mut account = self.record(Call::InitiateEmailOtp(request.clone()))?;
        if !account.allows_sensitive(&request.credentials) {
            return Ok(InitiateEmailOtpResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if let Some(seconds) = account.mail_retry_after {
            return Ok(InitiateEmailOtpResponse::TooManyRequests(too_many_requests(
                "TOO_MANY_OTP_EMAILS",
                Some(seconds),
            )));
        }
        account.email_otp = EmailOtp::Pending { address: request.body.email.clone() };
        account.outbox.push(request.body.email);
        Ok(InitiateEmailOtpResponse::Ok)
    }

    async fn verify_recovery_codes(
        &self,
        request: VerifyRecoveryCodesRequest,
    ) -> Result<VerifyRecoveryCodesResponse, FakeError> {
        let mut account = self.record(Call::VerifyRecoveryCodes(request.clone()))?;
        if !is_second_factor_caller(&request.credentials) {
            return Ok(VerifyRecoveryCodesResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if account.recovery_codes.is_empty() {
            return Ok(VerifyRecoveryCodesResponse::Conflict(conflict("RECOVERY_CODES_UNINITIALIZED")));
        }
        if let Some(seconds) = account.check_retry_after {
            let body = too_many_requests("TOO_MANY_RECOVERY_CODE_CHECKS", Some(seconds));
            return Ok(VerifyRecoveryCodesResponse::TooManyRequests(body));
        }
        let Some(index) = account.recovery_codes.iter().position(|code| *code == request.body.recovery_code) else {
            return Ok(VerifyRecoveryCodesResponse::Unauthorized(unauthorized("RECOVERY_CODE_INVALID")));
        };
        account.recovery_codes.remove(index);
        Ok(VerifyRecoveryCodesResponse::Ok(account.tokens_after_second_factor(&request.credentials)))
    }

    async fn recovery_code_guess_wait_duration(
        &self,
        request: RecoveryCodeGuessWaitDurationRequest,
    ) -> Result<RecoveryCodeGuessWaitDurationResponse, FakeError> {
        let account = self.record(Call::RecoveryCodeGuessWaitDuration(request.clone()))?;
        if token_of(&request.credentials) != ACCESS {
            return Ok(RecoveryCodeGuessWaitDurationResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if account.recovery_codes.is_empty() {
            return Ok(RecoveryCodeGuessWaitDurationResponse::Conflict(conflict("RECOVERY_CODES_UNINITIALIZED")));
        }
        let duration = account.check_retry_after.unwrap_or(0);
        Ok(RecoveryCodeGuessWaitDurationResponse::Ok(WaitDuration { duration }))
    }

    async fn reset_recovery_codes(
        &self,
        request: ResetRecoveryCodesRequest,
    ) -> Result<ResetRecoveryCodesResponse, FakeError> {
        let mut account = self.record(Call::ResetRecoveryCodes(request.clone()))?;
        if token_of(&request.credentials) != SUDO {
            return Ok(ResetRecoveryCodesResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if !account.two_fa_enabled() {
            return Ok(ResetRecoveryCodesResponse::Conflict(conflict("2FA_IS_DISABLED")));
        }
        let recovery_codes = account.issue_recovery_codes();
        Ok(ResetRecoveryCodesResponse::Ok(RecoveryCodes { recovery_codes }))
    }

    async fn remove_totp(&self, request: RemoveTotpRequest) -> Result<RemoveTotpResponse, FakeError> {
        let mut account = self.record(Call::RemoveTotp(request.clone()))?;
        if token_of(&request.credentials) != SUDO {
            return Ok(RemoveTotpResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if account.totp != Totp::Active {
            return Ok(RemoveTotpResponse::Conflict(conflict("TOTP_ALREADY_INACTIVE")));
        }
        account.totp = Totp::Off;
        Ok(RemoveTotpResponse::Ok)
    }

    async fn verify_totp(&self, request: VerifyTotpRequest) -> Result<VerifyTotpResponse, FakeError> {
        let mut account = self.record(Call::VerifyTotp(request.clone()))?;
        if !is_second_factor_caller(&request.credentials) {
            return Ok(VerifyTotpResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if account.totp != Totp::Active {
            return Ok(VerifyTotpResponse::Conflict(conflict("TOTP_UNINITIALIZED")));
        }
        if let Some(seconds) = account.check_retry_after {
            return Ok(VerifyTotpResponse::TooManyRequests(too_many_requests("TOO_MANY_TOTP_CHECKS", Some(seconds))));
        }
        if request.body.totp != TOTP_CODE {
            return Ok(VerifyTotpResponse::Unauthorized(unauthorized("TOTP_INVALID")));
        }
        Ok(VerifyTotpResponse::Ok(account.tokens_after_second_factor(&request.credentials)))
    }

    async fn complete_totp(&self, request: CompleteTotpRequest) -> Result<CompleteTotpResponse, FakeError> {
        let mut account = self.record(Call::CompleteTotp(request.clone()))?;
        if token_of(&request.credentials) != ACCESS {
            return Ok(CompleteTotpResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if account.totp != Totp::Pending {
            return Ok(CompleteTotpResponse::Conflict(conflict("TOTP_UNINITIALIZED")));
        }
        if let Some(seconds) = account.check_retry_after {
            return Ok(CompleteTotpResponse::TooManyRequests(too_many_requests("TOO_MANY_TOTP_CHECKS", Some(seconds))));
        }
        if request.body.totp != TOTP_CODE {
            return Ok(CompleteTotpResponse::BadRequest(bad_request("totp is invalid")));
        }
        account.totp = Totp::Active;
        let recovery_codes = account.issue_recovery_codes();
        Ok(CompleteTotpResponse::Ok(RecoveryCodes { recovery_codes }))
    }

    async fn totp_guess_wait_duration(
        &self,
        request: TotpGuessWaitDurationRequest,
    ) -> Result<TotpGuessWaitDurationResponse, FakeError> {
        let account = self.record(Call::TotpGuessWaitDuration(request.clone()))?;
        if token_of(&request.credentials) != ACCESS {
            return Ok(TotpGuessWaitDurationResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if account.totp == Totp::Off {
            return Ok(TotpGuessWaitDurationResponse::Conflict(conflict("TOTP_UNINITIALIZED")));
        }
        Ok(TotpGuessWaitDurationResponse::Ok(WaitDuration { duration: account.check_retry_after.unwrap_or(0) }))
    }

    async fn initiate_totp(&self, request: InitiateTotpRequest) -> Result<InitiateTotpResponse, FakeError> {
        let mut account = self.record(Call::InitiateTotp(request.clone()))?;
        if !account.allows_sensitive(&request.credentials) {
            return Ok(InitiateTotpResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        account.totp = Totp::Pending;
        Ok(InitiateTotpResponse::Ok(TotpSetup { url: TOTP_URL.to_owned() }))
    }

    async fn put_email(&self, request: PutEmailRequest) -> Result<PutEmailResponse, FakeError> {
        let mut account = self.record(Call::PutEmail(request.clone()))?;
        if token_of(&request.credentials) != ACCESS {
            return Ok(PutEmailResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        let Some(address) = account.pending_email.clone() else {
            return Ok(PutEmailResponse::BadRequest(bad_request("otp is invalid or expired")));
        };
        if request.body.otp != PUT_EMAIL_CODE {
            return Ok(PutEmailResponse::BadRequest(bad_request("otp is invalid or expired")));
        }
        if address == TAKEN_EMAIL {
            return Ok(PutEmailResponse::Conflict(conflict("NEW_EMAIL_ALREADY_IN_USE")));
        }
        account.email = address;
        account.pending_email = None;
        Ok(PutEmailResponse::Ok)
    }

    async fn initiate_put_email(
        &self,
        request: InitiatePutEmailRequest,
    ) -> Result<InitiatePutEmailResponse, FakeError> {
        let mut account = self.record(Call::InitiatePutEmail(request.clone()))?;
        if !account.allows_sensitive(&request.credentials) {
            return Ok(InitiatePutEmailResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if has_forbidden_domain(&request.body.email) {
            return Ok(InitiatePutEmailResponse::Forbidden(forbidden("FORBIDDEN_MAIL_PROVIDER")));
        }
        if let Some(seconds) = account.mail_retry_after {
            let body = too_many_requests("TOO_MANY_TRANSFER_ATTEMPTS", Some(seconds));
            return Ok(InitiatePutEmailResponse::TooManyRequests(body));
        }
        account.pending_email = Some(request.body.email.clone());
        account.outbox.push(request.body.email);
        Ok(InitiatePutEmailResponse::Ok)
    }

    async fn update_password_via_sudo(
        &self,
        request: UpdatePasswordViaSudoRequest,
    ) -> Result<UpdatePasswordViaSudoResponse, FakeError> {
        let mut account = self.record(Call::UpdatePasswordViaSudo(request.clone()))?;
        if !account.allows_sensitive(&request.credentials) {
            return Ok(UpdatePasswordViaSudoResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        if let Some(seconds) = account.check_retry_after {
            let body = too_many_requests("TOO_MANY_FAILED_PASSWORD_CHECKS", Some(seconds));
            return Ok(UpdatePasswordViaSudoResponse::TooManyRequests(body));
        }
        if request.body.old_password != account.password {
            return Ok(UpdatePasswordViaSudoResponse::Unauthorized(unauthorized("PASSWORD_INCORRECT")));
        }
        account.password = request.body.new_password;
        Ok(UpdatePasswordViaSudoResponse::Ok)
    }

    async fn update_password_via_otp(
        &self,
        request: UpdatePasswordViaOtpRequest,
    ) -> Result<UpdatePasswordViaOtpResponse, FakeError> {
        let mut account = self.record(Call::UpdatePasswordViaOtp(request.clone()))?;
        let code_matches = account.reset_code.as_deref() == Some(request.body.otp.as_str());
        if !code_matches || request.body.user_email != account.email {
            return Ok(UpdatePasswordViaOtpResponse::Unauthorized(unauthorized("OTP_INVALID_EXPIRED")));
        }
        account.password = request.body.new_password;
        account.reset_code = None;
        Ok(UpdatePasswordViaOtpResponse::Ok)
    }

    async fn send_password_reset(
        &self,
        request: SendPasswordResetRequest,
    ) -> Result<SendPasswordResetResponse, FakeError> {
        let mut account = self.record(Call::SendPasswordReset(request.clone()))?;
        if has_forbidden_domain(&request.body.email) {
            return Ok(SendPasswordResetResponse::Forbidden(forbidden("FORBIDDEN_MAIL_PROVIDER")));
        }
        if let Some(seconds) = account.mail_retry_after {
            let body = too_many_requests("TOO_MANY_RESET_MAIL_ATTEMPTS", Some(seconds));
            return Ok(SendPasswordResetResponse::TooManyRequests(body));
        }
        // Unknown addresses get 200 as well, so the response does not reveal which accounts exist.
        if request.body.email == account.email {
            account.reset_code = Some(RESET_CODE.to_owned());
            account.outbox.push(request.body.email);
        }
        Ok(SendPasswordResetResponse::Ok)
    }

    async fn validate_password_reset(
        &self,
        request: ValidatePasswordResetRequest,
    ) -> Result<ValidatePasswordResetResponse, FakeError> {
        let account = self.record(Call::ValidatePasswordReset(request.clone()))?;
        let code_matches = account.reset_code.as_deref() == Some(request.body.otp.as_str());
        if !code_matches || request.body.email != account.email {
            return Ok(ValidatePasswordResetResponse::Unauthorized(unauthorized("OTP_INVALID_EXPIRED")));
        }
        Ok(ValidatePasswordResetResponse::Ok)
    }

    async fn post_forgot_password(
        &self,
        request: PostForgotPasswordRequest,
    ) -> Result<PostForgotPasswordResponse, FakeError> {
        let mut account = self.record(Call::PostForgotPassword(request.clone()))?;
        if has_forbidden_domain(&request.body.email) {
            return Ok(PostForgotPasswordResponse::Forbidden(forbidden("Forbidden email provider")));
        }
        if account.mail_retry_after.is_some() {
            // The main API server sends no retryAfter field.
            let body = too_many_requests("Last password forgot call was too recent", None);
            return Ok(PostForgotPasswordResponse::TooManyRequests(body));
        }
        if request.body.email == account.email {
            account.outbox.push(request.body.email);
        }
        Ok(PostForgotPasswordResponse::Ok)
    }

    async fn accesstoken(&self, request: AccesstokenRequest) -> Result<AccesstokenResponse, FakeError> {
        let account = self.record(Call::Accesstoken(request.clone()))?;
        if !account.refresh_tokens.iter().any(|token| token == token_of(&request.credentials)) {
            return Ok(AccesstokenResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        Ok(AccesstokenResponse::Ok(ACCESS.to_owned()))
    }

    async fn validate_accesstoken(
        &self,
        request: ValidateAccesstokenRequest,
    ) -> Result<ValidateAccesstokenResponse, FakeError> {
        let _account = self.record(Call::ValidateAccesstoken(request.clone()))?;
        if token_of(&request.credentials) != ACCESS {
            return Ok(ValidateAccesstokenResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        Ok(ValidateAccesstokenResponse::Ok(UserId { user_id: USER_ID }))
    }

    async fn login(&self, request: LoginRequest) -> Result<LoginResponse, FakeError> {
        let mut account = self.record(Call::Login(request.clone()))?;
        if let Some(seconds) = account.check_retry_after {
            return Ok(LoginResponse::TooManyRequests(too_many_requests(
                "TOO_MANY_FAILED_PASSWORD_CHECKS",
                Some(seconds),
            )));
        }
        if request.body.username != account.email || request.body.password != account.password {
            return Ok(LoginResponse::Unauthorized(unauthorized("PASSWORD_INCORRECT")));
        }
        if account.two_fa_enabled() {
            return Ok(LoginResponse::Ok(PARTIAL.to_owned()));
        }
        Ok(LoginResponse::Ok(account.issue_refresh_token()))
    }

    async fn logout(&self, request: LogoutRequest) -> Result<LogoutResponse, FakeError> {
        let mut account = self.record(Call::Logout(request.clone()))?;
        let token = token_of(&request.credentials);
        let Some(index) = account.refresh_tokens.iter().position(|known| known == token) else {
            return Ok(LogoutResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        };
        account.refresh_tokens.remove(index);
        Ok(LogoutResponse::NoContent)
    }

    async fn refreshtoken(&self, request: RefreshtokenRequest) -> Result<RefreshtokenResponse, FakeError> {
        let mut account = self.record(Call::Refreshtoken(request.clone()))?;
        let token = token_of(&request.credentials);
        let Some(index) = account.refresh_tokens.iter().position(|known| known == token) else {
            return Ok(RefreshtokenResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        };
        account.refresh_tokens.remove(index);
        Ok(RefreshtokenResponse::Ok(account.issue_refresh_token()))
    }

    async fn validate_refreshtoken(
        &self,
        request: ValidateRefreshtokenRequest,
    ) -> Result<ValidateRefreshtokenResponse, FakeError> {
        let account = self.record(Call::ValidateRefreshtoken(request.clone()))?;
        if !account.refresh_tokens.iter().any(|token| token == token_of(&request.credentials)) {
            return Ok(ValidateRefreshtokenResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
        }
        Ok(ValidateRefreshtokenResponse::Ok(UserId { user_id: USER_ID }))
    }
}

// ---------------------------------------------------------------------------------------------
// Test helpers
// ---------------------------------------------------------------------------------------------

struct TestServer {
    base: String,
    client: Client,
    /// A client that sends requests even when they break the schema, to test the server's own checks.
    unchecked: Client,
}

/// Serves `fake` with the default router options and builds a client that sends every operation,
/// including those of the main API server, to it.
async fn start(fake: &FakeAuth) -> TestServer {
    let base = serve(router(fake.clone())).await;
    let client = client_for(&base);
    let unchecked = builder_for(&base).validate_requests(false).build();
    TestServer { base, client, unchecked }
}

/// Configures a client builder that sends the operations of both servers to `base`, so no call can reach the
/// documented public hosts.
fn builder_for(base: &str) -> ClientBuilder {
    Client::builder().server_url(Server::Default, base).server_url(Server::MainApiServer, base)
}

/// Builds a client for `base` without credentials or token source.
fn client_for(base: &str) -> Client {
    builder_for(base).build()
}

/// Credentials as a caller passes them to the client.
fn bearer(token: &str) -> Option<Credentials> {
    Some(Credentials::new(token))
}

/// Credentials as the server passes them to the implementation.
fn received(token: &str, schemes: &[SecurityScheme]) -> Option<Credentials> {
    Some(Credentials::from_values(schemes.iter().map(|scheme| (*scheme, token.to_owned()))))
}

/// Builds a reqwest client for raw requests, with proxies switched off so requests stay on 127.0.0.1.
fn raw_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().expect("failed to build the raw reqwest client")
}

async fn read_error(response: reqwest::Response) -> Error {
    response.json::<Error>().await.expect("the response body is not the Error schema")
}

fn email_otp_active() -> Account {
    Account {
        email_otp: EmailOtp::Active { address: "otp@example.com".to_owned() },
        recovery_codes: OLD_RECOVERY_CODES.map(str::to_owned).to_vec(),
        ..Account::default()
    }
}

fn totp_active() -> Account {
    Account { totp: Totp::Active, recovery_codes: OLD_RECOVERY_CODES.map(str::to_owned).to_vec(), ..Account::default() }
}

// ---------------------------------------------------------------------------------------------
// One success case per operation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn get_two_fa_lists_active_methods() {
    let fake = FakeAuth::new(email_otp_active());
    let server = start(&fake).await;

    let response = server.client.get_two_fa(GetTwoFaRequest { credentials: bearer(ACCESS) }).await.unwrap();

    let completed = TwoFactorMethodStatus { completed_at: completed_at() };
    let expected = TwoFactorStatus {
        enabled: true,
        email_otp: Some(EmailOtpStatus { email: "otp@example.com".to_owned(), completed_at: completed_at() }),
        totp: None,
        recovery_codes: Some(completed),
    };
    assert_eq!(response, GetTwoFaResponse::Ok(expected));
    let request = GetTwoFaRequest { credentials: received(ACCESS, &[SecurityScheme::AccessToken]) };
    assert_eq!(fake.calls(), vec![Call::GetTwoFa(request)]);
}

#[tokio::test]
async fn remove_email_otp_switches_it_off() {
    let fake = FakeAuth::new(email_otp_active());
    let server = start(&fake).await;

    let response = server.client.remove_email_otp(RemoveEmailOtpRequest { credentials: bearer(SUDO) }).await.unwrap();

    assert_eq!(response, RemoveEmailOtpResponse::Ok);
    let request = RemoveEmailOtpRequest { credentials: received(SUDO, &[SecurityScheme::SudoToken]) };
    assert_eq!(fake.calls(), vec![Call::RemoveEmailOtp(request)]);
    assert_eq!(fake.lock().email_otp, EmailOtp::Off);
}

#[tokio::test]
async fn verify_email_otp_returns_sudo_token() {
    let fake = FakeAuth::new(email_otp_active());
    let server = start(&fake).await;
    let body = VerifyEmailOtpAuthenticationBody { otp: EMAIL_OTP_CODE.to_owned() };

    let request = VerifyEmailOtpAuthenticationRequest { body: body.clone(), credentials: bearer(ACCESS) };
    let response = server.client.verify_email_otp_authentication(request).await.unwrap();

    assert_eq!(response, VerifyEmailOtpAuthenticationResponse::Ok(sudo_only()));
    let schemes = [SecurityScheme::AccessToken, SecurityScheme::PartialAuthToken];
    let request = VerifyEmailOtpAuthenticationRequest { body, credentials: received(ACCESS, &schemes) };
    assert_eq!(fake.calls(), vec![Call::VerifyEmailOtpAuthentication(request)]);
}

#[tokio::test]
async fn email_otp_challenge_mails_code() {
    let fake = FakeAuth::new(email_otp_active());
    let server = start(&fake).await;
    let request = InitiateEmailOtpAuthenticationRequest {
        origin: Some("insights".to_owned()),
        language: Some("nl".to_owned()),
        body: Some(BTreeMap::new()),
        credentials: bearer(ACCESS),
    };

    let response = server.client.initiate_email_otp_authentication(request.clone()).await.unwrap();

    assert_eq!(response, InitiateEmailOtpAuthenticationResponse::Ok);
    let expected = InitiateEmailOtpAuthenticationRequest {
        credentials: received(ACCESS, &[SecurityScheme::AccessToken]),
        ..request
    };
    assert_eq!(fake.calls(), vec![Call::InitiateEmailOtpAuthentication(expected)]);
    assert_eq!(fake.lock().outbox, vec!["otp@example.com".to_owned()]);
}

#[tokio::test]
async fn complete_email_otp_returns_recovery_codes() {
    let fake = FakeAuth::new(Account {
        email_otp: EmailOtp::Pending { address: "otp@example.com".to_owned() },
        ..Account::default()
    });
    let server = start(&fake).await;
    let body = CompleteEmailOtpBody { otp: EMAIL_OTP_CODE.to_owned() };

    let request = CompleteEmailOtpRequest { body: body.clone(), credentials: bearer(ACCESS) };
    let response = server.client.complete_email_otp(request).await.unwrap();

    assert_eq!(response, CompleteEmailOtpResponse::Ok(RecoveryCodes { recovery_codes: recovery_code_batch(1) }));
    let request = CompleteEmailOtpRequest { body, credentials: received(ACCESS, &[SecurityScheme::AccessToken]) };
    assert_eq!(fake.calls(), vec![Call::CompleteEmailOtp(request)]);
    assert_eq!(fake.lock().email_otp, EmailOtp::Active { address: "otp@example.com".to_owned() });
}

#[tokio::test]
async fn email_otp_wait_returns_duration() {
    let fake = FakeAuth::new(Account { mail_retry_after: Some(45), ..email_otp_active() });
    let server = start(&fake).await;

    let request = NewEmailOtpWaitDurationRequest { credentials: bearer(ACCESS) };
    let response = server.client.new_email_otp_wait_duration(request).await.unwrap();

    assert_eq!(response, NewEmailOtpWaitDurationResponse::Ok(WaitDuration { duration: 45 }));
    let request = NewEmailOtpWaitDurationRequest { credentials: received(ACCESS, &[SecurityScheme::AccessToken]) };
    assert_eq!(fake.calls(), vec![Call::NewEmailOtpWaitDuration(request)]);
}

#[tokio::test]
async fn initiate_email_otp_mails_setup_code() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;
    let request = InitiateEmailOtpRequest {
        origin: Some("insights".to_owned()),
        language: Some("en".to_owned()),
        body: InitiateEmailOtpBody { email: "otp@example.com".to_owned() },
        credentials: bearer(ACCESS),
    };

    let response = server.client.initiate_email_otp(request.clone()).await.unwrap();

    assert_eq!(response, InitiateEmailOtpResponse::Ok);
    let schemes = [SecurityScheme::SudoToken, SecurityScheme::AccessToken];
    let expected = InitiateEmailOtpRequest { credentials: received(ACCESS, &schemes), ..request };
    assert_eq!(fake.calls(), vec![Call::InitiateEmailOtp(expected)]);
    assert_eq!(fake.lock().email_otp, EmailOtp::Pending { address: "otp@example.com".to_owned() });
    assert_eq!(fake.lock().outbox, vec!["otp@example.com".to_owned()]);
}

#[tokio::test]
async fn verify_recovery_code_consumes_it() {
    let fake = FakeAuth::new(totp_active());
    let server = start(&fake).await;
    let body = VerifyRecoveryCodesBody { recovery_code: OLD_RECOVERY_CODES[0].to_owned() };

    let request = VerifyRecoveryCodesRequest { body: body.clone(), credentials: bearer(ACCESS) };
    let response = server.client.verify_recovery_codes(request).await.unwrap();

    assert_eq!(response, VerifyRecoveryCodesResponse::Ok(sudo_only()));
    let schemes = [SecurityScheme::AccessToken, SecurityScheme::PartialAuthToken];
    let request = VerifyRecoveryCodesRequest { body, credentials: received(ACCESS, &schemes) };
    assert_eq!(fake.calls(), vec![Call::VerifyRecoveryCodes(request)]);
    assert_eq!(fake.lock().recovery_codes, vec![OLD_RECOVERY_CODES[1].to_owned()]);
}

#[tokio::test]
async fn recovery_code_wait_returns_duration() {
    let fake = FakeAuth::new(Account { check_retry_after: Some(30), ..totp_active() });
    let server = start(&fake).await;

    let request = RecoveryCodeGuessWaitDurationRequest { credentials: bearer(ACCESS) };
    let response = server.client.recovery_code_guess_wait_duration(request).await.unwrap();

    assert_eq!(response, RecoveryCodeGuessWaitDurationResponse::Ok(WaitDuration { duration: 30 }));
    let request =
        RecoveryCodeGuessWaitDurationRequest { credentials: received(ACCESS, &[SecurityScheme::AccessToken]) };
    assert_eq!(fake.calls(), vec![Call::RecoveryCodeGuessWaitDuration(request)]);
}

#[tokio::test]
async fn reset_recovery_codes_issues_new_set() {
    let fake = FakeAuth::new(totp_active());
    let server = start(&fake).await;

    // The body is optional, so this call sends none.
    let request = ResetRecoveryCodesRequest { body: None, credentials: bearer(SUDO) };
    let response = server.client.reset_recovery_codes(request).await.unwrap();

    assert_eq!(response, ResetRecoveryCodesResponse::Ok(RecoveryCodes { recovery_codes: recovery_code_batch(1) }));
    let request = ResetRecoveryCodesRequest { body: None, credentials: received(SUDO, &[SecurityScheme::SudoToken]) };
    assert_eq!(fake.calls(), vec![Call::ResetRecoveryCodes(request)]);
    assert_eq!(fake.lock().recovery_codes, recovery_code_batch(1));
}

#[tokio::test]
async fn remove_totp_switches_it_off() {
    let fake = FakeAuth::new(totp_active());
    let server = start(&fake).await;

    let response = server.client.remove_totp(RemoveTotpRequest { credentials: bearer(SUDO) }).await.unwrap();

    assert_eq!(response, RemoveTotpResponse::Ok);
    let request = RemoveTotpRequest { credentials: received(SUDO, &[SecurityScheme::SudoToken]) };
    assert_eq!(fake.calls(), vec![Call::RemoveTotp(request)]);
    assert_eq!(fake.lock().totp, Totp::Off);
}

#[tokio::test]
async fn verify_totp_with_partial_token_logs_in() {
    let fake = FakeAuth::new(totp_active());
    let server = start(&fake).await;
    let body = VerifyTotpBody { totp: TOTP_CODE.to_owned() };

    let response = server
        .client
        .verify_totp(VerifyTotpRequest { body: body.clone(), credentials: bearer(PARTIAL) })
        .await
        .unwrap();

    let tokens = TokenSet {
        access_token: Some(ACCESS.to_owned()),
        refresh_token: Some("refresh-token-2".to_owned()),
        sudo_token: Some(SUDO.to_owned()),
    };
    assert_eq!(response, VerifyTotpResponse::Ok(tokens));
    let schemes = [SecurityScheme::AccessToken, SecurityScheme::PartialAuthToken];
    let request = VerifyTotpRequest { body, credentials: received(PARTIAL, &schemes) };
    assert_eq!(fake.calls(), vec![Call::VerifyTotp(request)]);
}

#[tokio::test]
async fn complete_totp_returns_recovery_codes() {
    let fake = FakeAuth::new(Account { totp: Totp::Pending, ..Account::default() });
    let server = start(&fake).await;
    let body = CompleteTotpBody { totp: TOTP_CODE.to_owned() };

    let request = CompleteTotpRequest { body: body.clone(), credentials: bearer(ACCESS) };
    let response = server.client.complete_totp(request).await.unwrap();

    assert_eq!(response, CompleteTotpResponse::Ok(RecoveryCodes { recovery_codes: recovery_code_batch(1) }));
    let request = CompleteTotpRequest { body, credentials: received(ACCESS, &[SecurityScheme::AccessToken]) };
    assert_eq!(fake.calls(), vec![Call::CompleteTotp(request)]);
    assert_eq!(fake.lock().totp, Totp::Active);
}

#[tokio::test]
async fn totp_wait_returns_duration() {
    let fake = FakeAuth::new(Account { check_retry_after: Some(20), ..totp_active() });
    let server = start(&fake).await;

    let request = TotpGuessWaitDurationRequest { credentials: bearer(ACCESS) };
    let response = server.client.totp_guess_wait_duration(request).await.unwrap();

    assert_eq!(response, TotpGuessWaitDurationResponse::Ok(WaitDuration { duration: 20 }));
    let request = TotpGuessWaitDurationRequest { credentials: received(ACCESS, &[SecurityScheme::AccessToken]) };
    assert_eq!(fake.calls(), vec![Call::TotpGuessWaitDuration(request)]);
}

#[tokio::test]
async fn initiate_totp_returns_otpauth_url() {
    let fake = FakeAuth::new(totp_active());
    let server = start(&fake).await;
    // The body is optional. This call sends the empty object that the spec shows.
    let request = InitiateTotpRequest { body: Some(BTreeMap::new()), credentials: bearer(SUDO) };

    let response = server.client.initiate_totp(request).await.unwrap();

    assert_eq!(response, InitiateTotpResponse::Ok(TotpSetup { url: TOTP_URL.to_owned() }));
    let schemes = [SecurityScheme::SudoToken, SecurityScheme::AccessToken];
    let request = InitiateTotpRequest { body: Some(BTreeMap::new()), credentials: received(SUDO, &schemes) };
    assert_eq!(fake.calls(), vec![Call::InitiateTotp(request)]);
    assert_eq!(fake.lock().totp, Totp::Pending);
}

#[tokio::test]
async fn put_email_changes_address() {
    let fake = FakeAuth::new(Account { pending_email: Some("new@example.com".to_owned()), ..Account::default() });
    let server = start(&fake).await;
    let body = PutEmailBody { otp: PUT_EMAIL_CODE.to_owned() };

    let response =
        server.client.put_email(PutEmailRequest { body: body.clone(), credentials: bearer(ACCESS) }).await.unwrap();

    assert_eq!(response, PutEmailResponse::Ok);
    let request = PutEmailRequest { body, credentials: received(ACCESS, &[SecurityScheme::AccessToken]) };
    assert_eq!(fake.calls(), vec![Call::PutEmail(request)]);
    assert_eq!(fake.lock().email, "new@example.com");
}

#[tokio::test]
async fn initiate_put_email_mails_new_address() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;
    // Reserved and non-ASCII characters check the percent-encoding of query values both ways.
    let request = InitiatePutEmailRequest {
        origin: Some("insights & beta=1+2/ü?".to_owned()),
        language: Some("fr".to_owned()),
        body: InitiatePutEmailBody { email: "new@example.com".to_owned() },
        credentials: bearer(SUDO),
    };

    let response = server.client.initiate_put_email(request.clone()).await.unwrap();

    assert_eq!(response, InitiatePutEmailResponse::Ok);
    let schemes = [SecurityScheme::SudoToken, SecurityScheme::AccessToken];
    let expected = InitiatePutEmailRequest { credentials: received(SUDO, &schemes), ..request };
    assert_eq!(fake.calls(), vec![Call::InitiatePutEmail(expected)]);
    assert_eq!(fake.lock().pending_email.as_deref(), Some("new@example.com"));
}

#[tokio::test]
async fn update_password_via_sudo_changes_it() {
    let fake = FakeAuth::new(totp_active());
    let server = start(&fake).await;
    let body = UpdatePasswordViaSudoBody { old_password: PASSWORD.to_owned(), new_password: "NewPassw0rd".to_owned() };

    let request = UpdatePasswordViaSudoRequest { body: body.clone(), credentials: bearer(SUDO) };
    let response = server.client.update_password_via_sudo(request).await.unwrap();

    assert_eq!(response, UpdatePasswordViaSudoResponse::Ok);
    let schemes = [SecurityScheme::SudoToken, SecurityScheme::AccessToken];
    let request = UpdatePasswordViaSudoRequest { body, credentials: received(SUDO, &schemes) };
    assert_eq!(fake.calls(), vec![Call::UpdatePasswordViaSudo(request)]);
    assert_eq!(fake.lock().password, "NewPassw0rd");
}

#[tokio::test]
async fn update_password_via_otp_changes_it() {
    let fake = FakeAuth::new(Account { reset_code: Some(RESET_CODE.to_owned()), ..Account::default() });
    let server = start(&fake).await;
    let request = UpdatePasswordViaOtpRequest {
        body: UpdatePasswordViaOtpBody {
            user_email: ACCOUNT_EMAIL.to_owned(),
            otp: RESET_CODE.to_owned(),
            new_password: "NewPassw0rd".to_owned(),
        },
    };

    let response = server.client.update_password_via_otp(request.clone()).await.unwrap();

    assert_eq!(response, UpdatePasswordViaOtpResponse::Ok);
    assert_eq!(fake.calls(), vec![Call::UpdatePasswordViaOtp(request)]);
    assert_eq!(fake.lock().password, "NewPassw0rd");
    assert_eq!(fake.lock().reset_code, None);
}

#[tokio::test]
async fn send_password_reset_mails_code() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;
    let request = SendPasswordResetRequest {
        origin: Some("insights".to_owned()),
        language: Some("de".to_owned()),
        body: SendPasswordResetBody { email: ACCOUNT_EMAIL.to_owned() },
    };

    let response = server.client.send_password_reset(request.clone()).await.unwrap();

    assert_eq!(response, SendPasswordResetResponse::Ok);
    assert_eq!(fake.calls(), vec![Call::SendPasswordReset(request)]);
    assert_eq!(fake.lock().reset_code.as_deref(), Some(RESET_CODE));
    assert_eq!(fake.lock().outbox, vec![ACCOUNT_EMAIL.to_owned()]);
}

#[tokio::test]
async fn validate_password_reset_accepts_code() {
    let fake = FakeAuth::new(Account { reset_code: Some(RESET_CODE.to_owned()), ..Account::default() });
    let server = start(&fake).await;
    let request = ValidatePasswordResetRequest {
        body: ValidatePasswordResetBody { email: ACCOUNT_EMAIL.to_owned(), otp: RESET_CODE.to_owned() },
    };

    let response = server.client.validate_password_reset(request.clone()).await.unwrap();

    assert_eq!(response, ValidatePasswordResetResponse::Ok);
    assert_eq!(fake.calls(), vec![Call::ValidatePasswordReset(request)]);
}

#[tokio::test]
async fn post_forgot_password_reaches_server() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;
    let request = PostForgotPasswordRequest {
        origin: Some("insights".to_owned()),
        language: Some("english".to_owned()),
        body: PostForgotPasswordBody { email: ACCOUNT_EMAIL.to_owned() },
        credentials: bearer(MAIN_API_TOKEN),
    };

    let response = server.client.post_forgot_password(request.clone()).await.unwrap();

    assert_eq!(response, PostForgotPasswordResponse::Ok);
    let expected = PostForgotPasswordRequest {
        credentials: received(MAIN_API_TOKEN, &[SecurityScheme::AccessBearerAuth]),
        ..request
    };
    assert_eq!(fake.calls(), vec![Call::PostForgotPassword(expected)]);
    assert_eq!(fake.lock().outbox, vec![ACCOUNT_EMAIL.to_owned()]);
}

#[tokio::test]
async fn accesstoken_returns_plain_text_token() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = server.client.accesstoken(AccesstokenRequest { credentials: bearer(REFRESH) }).await.unwrap();

    assert_eq!(response, AccesstokenResponse::Ok(ACCESS.to_owned()));
    let request = AccesstokenRequest { credentials: received(REFRESH, &[SecurityScheme::RefreshToken]) };
    assert_eq!(fake.calls(), vec![Call::Accesstoken(request)]);
}

#[tokio::test]
async fn validate_accesstoken_returns_user_id() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let request = ValidateAccesstokenRequest { credentials: bearer(ACCESS) };
    let response = server.client.validate_accesstoken(request).await.unwrap();

    assert_eq!(response, ValidateAccesstokenResponse::Ok(UserId { user_id: USER_ID }));
    let request = ValidateAccesstokenRequest { credentials: received(ACCESS, &[SecurityScheme::AccessToken]) };
    assert_eq!(fake.calls(), vec![Call::ValidateAccesstoken(request)]);
}

#[tokio::test]
async fn login_returns_refresh_token() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;
    let request = LoginRequest {
        cookie: Some(false),
        body: LoginBody { username: ACCOUNT_EMAIL.to_owned(), password: PASSWORD.to_owned() },
    };

    let response = server.client.login(request.clone()).await.unwrap();

    assert_eq!(response, LoginResponse::Ok("refresh-token-2".to_owned()));
    assert_eq!(fake.calls(), vec![Call::Login(request)]);
}

#[tokio::test]
async fn logout_revokes_refresh_token() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = server.client.logout(LogoutRequest { credentials: bearer(REFRESH) }).await.unwrap();

    assert_eq!(response, LogoutResponse::NoContent);
    let request = LogoutRequest { credentials: received(REFRESH, &[SecurityScheme::RefreshToken]) };
    assert_eq!(fake.calls(), vec![Call::Logout(request)]);
    assert!(fake.lock().refresh_tokens.is_empty(), "the refresh token is still valid after logout");
}

#[tokio::test]
async fn refreshtoken_rotates_token() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let request = RefreshtokenRequest { cookie: Some(true), credentials: bearer(REFRESH) };
    let response = server.client.refreshtoken(request).await.unwrap();

    assert_eq!(response, RefreshtokenResponse::Ok("refresh-token-2".to_owned()));
    let request =
        RefreshtokenRequest { cookie: Some(true), credentials: received(REFRESH, &[SecurityScheme::RefreshToken]) };
    assert_eq!(fake.calls(), vec![Call::Refreshtoken(request)]);
    assert_eq!(fake.lock().refresh_tokens, vec!["refresh-token-2".to_owned()]);
}

#[tokio::test]
async fn validate_refreshtoken_returns_user_id() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let request = ValidateRefreshtokenRequest { credentials: bearer(REFRESH) };
    let response = server.client.validate_refreshtoken(request).await.unwrap();

    assert_eq!(response, ValidateRefreshtokenResponse::Ok(UserId { user_id: USER_ID }));
    let request = ValidateRefreshtokenRequest { credentials: received(REFRESH, &[SecurityScheme::RefreshToken]) };
    assert_eq!(fake.calls(), vec![Call::ValidateRefreshtoken(request)]);
}

// ---------------------------------------------------------------------------------------------
// Documented errors that the implementation returns
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn remove_email_otp_when_off_conflicts() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = server.client.remove_email_otp(RemoveEmailOtpRequest { credentials: bearer(SUDO) }).await.unwrap();

    assert_eq!(response, RemoveEmailOtpResponse::Conflict(conflict("EMAIL_OTP_ALREADY_INACTIVE")));
}

#[tokio::test]
async fn throttled_challenge_returns_retry_after() {
    let fake = FakeAuth::new(Account { mail_retry_after: Some(60), ..email_otp_active() });
    let server = start(&fake).await;

    let request = InitiateEmailOtpAuthenticationRequest { credentials: bearer(ACCESS), ..Default::default() };
    let response = server.client.initiate_email_otp_authentication(request).await.unwrap();

    let InitiateEmailOtpAuthenticationResponse::TooManyRequests(body) = response else {
        panic!("expected the TooManyRequests variant, got {response:?}");
    };
    assert_eq!(body.retry_after, Some(60));
    assert_eq!(body.status_code, 429);
    assert_eq!(body.message, "TOO_MANY_OTP_EMAILS");
    assert!(fake.lock().outbox.is_empty(), "a throttled challenge still sent an e-mail");
}

#[tokio::test]
async fn throttled_login_returns_retry_after() {
    let fake = FakeAuth::new(Account { check_retry_after: Some(300), ..Account::default() });
    let server = start(&fake).await;
    let body = LoginBody { username: ACCOUNT_EMAIL.to_owned(), password: PASSWORD.to_owned() };

    let response = server.client.login(LoginRequest { cookie: None, body }).await.unwrap();

    assert_eq!(
        response,
        LoginResponse::TooManyRequests(too_many_requests("TOO_MANY_FAILED_PASSWORD_CHECKS", Some(300)))
    );
}

#[tokio::test]
async fn throttled_forgot_password_omits_retry_after() {
    let fake = FakeAuth::new(Account { mail_retry_after: Some(60), ..Account::default() });
    let server = start(&fake).await;
    let request = PostForgotPasswordRequest {
        origin: None,
        language: None,
        body: PostForgotPasswordBody { email: ACCOUNT_EMAIL.to_owned() },
        credentials: bearer(MAIN_API_TOKEN),
    };

    let response = server.client.post_forgot_password(request).await.unwrap();

    let PostForgotPasswordResponse::TooManyRequests(body) = response else {
        panic!("expected the TooManyRequests variant, got {response:?}");
    };
    assert_eq!(body.retry_after, None);
    assert_eq!(body.message, "Last password forgot call was too recent");
}

#[tokio::test]
async fn forbidden_mail_provider_gets_403() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;
    let request = InitiatePutEmailRequest {
        origin: None,
        language: None,
        body: InitiatePutEmailBody { email: format!("new@{FORBIDDEN_DOMAIN}") },
        credentials: bearer(ACCESS),
    };

    let response = server.client.initiate_put_email(request).await.unwrap();

    assert_eq!(response, InitiatePutEmailResponse::Forbidden(forbidden("FORBIDDEN_MAIL_PROVIDER")));
    assert_eq!(fake.lock().pending_email, None);
}

#[tokio::test]
async fn login_wrong_password_gets_401() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;
    let body = LoginBody { username: ACCOUNT_EMAIL.to_owned(), password: "WrongPassw0rd".to_owned() };

    let response = server.client.login(LoginRequest { cookie: None, body }).await.unwrap();

    assert_eq!(response, LoginResponse::Unauthorized(unauthorized("PASSWORD_INCORRECT")));
}

#[tokio::test]
async fn login_with_2fa_returns_partial_token() {
    let fake = FakeAuth::new(totp_active());
    let server = start(&fake).await;
    let body = LoginBody { username: ACCOUNT_EMAIL.to_owned(), password: PASSWORD.to_owned() };

    let response = server.client.login(LoginRequest { cookie: None, body }).await.unwrap();

    assert_eq!(response, LoginResponse::Ok(PARTIAL.to_owned()));
}

#[tokio::test]
async fn access_token_is_not_sudo_with_2fa() {
    let fake = FakeAuth::new(totp_active());
    let server = start(&fake).await;

    let response =
        server.client.initiate_totp(InitiateTotpRequest { body: None, credentials: bearer(ACCESS) }).await.unwrap();

    assert_eq!(response, InitiateTotpResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
    assert_eq!(fake.lock().totp, Totp::Active);
}

// ---------------------------------------------------------------------------------------------
// Validation by the server: 400 before the implementation is called
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn client_rejects_invalid_request() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let body = CompleteEmailOtpBody { otp: "12345".to_owned() };
    let result = server.client.complete_email_otp(CompleteEmailOtpRequest { body, credentials: bearer(ACCESS) }).await;

    let Err(ClientError::InvalidRequest(violations)) = result else {
        panic!("expected ClientError::InvalidRequest, got {result:?}");
    };
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].location, Location::Body("/otp".to_owned()));
    assert!(fake.calls().is_empty(), "the request reached the implementation");
}

#[tokio::test]
async fn five_character_otp_gets_400() {
    let fake = FakeAuth::new(Account {
        email_otp: EmailOtp::Pending { address: "otp@example.com".to_owned() },
        ..Account::default()
    });
    let server = start(&fake).await;

    let body = CompleteEmailOtpBody { otp: "12345".to_owned() };
    let response = server
        .unchecked
        .complete_email_otp(CompleteEmailOtpRequest { body, credentials: bearer(ACCESS) })
        .await
        .unwrap();

    let CompleteEmailOtpResponse::BadRequest(error) = response else {
        panic!("expected the BadRequest variant, got {response:?}");
    };
    assert_eq!(error.status_code, 400);
    assert_eq!(error.error, "Bad Request");
    assert!(error.message.contains("/otp"), "the message does not name the field: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn invalid_email_gets_400() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;
    let request = InitiateEmailOtpRequest {
        origin: None,
        language: None,
        body: InitiateEmailOtpBody { email: "not-an-email".to_owned() },
        credentials: bearer(ACCESS),
    };

    let response = server.unchecked.initiate_email_otp(request).await.unwrap();

    let InitiateEmailOtpResponse::BadRequest(error) = response else {
        panic!("expected the BadRequest variant, got {response:?}");
    };
    assert_eq!(error.status_code, 400);
    assert_eq!(error.error, "Bad Request");
    assert!(error.message.contains("/email"), "the message does not name the field: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn password_without_uppercase_gets_400() {
    let fake = FakeAuth::new(Account { reset_code: Some(RESET_CODE.to_owned()), ..Account::default() });
    let server = start(&fake).await;
    let request = UpdatePasswordViaOtpRequest {
        body: UpdatePasswordViaOtpBody {
            user_email: ACCOUNT_EMAIL.to_owned(),
            otp: RESET_CODE.to_owned(),
            new_password: "passw0rd-without-capitals".to_owned(),
        },
    };

    let response = server.unchecked.update_password_via_otp(request).await.unwrap();

    let UpdatePasswordViaOtpResponse::BadRequest(error) = response else {
        panic!("expected the BadRequest variant, got {response:?}");
    };
    assert_eq!(error.status_code, 400);
    assert_eq!(error.error, "Bad Request");
    assert!(error.message.contains("/newPassword"), "the message does not name the field: {}", error.message);
    assert!(error.message.contains("pattern"), "the message does not name the pattern: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
    assert_eq!(fake.lock().password, PASSWORD);
}

#[tokio::test]
async fn three_letter_language_gets_400() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;
    let request = SendPasswordResetRequest {
        origin: None,
        language: Some("eng".to_owned()),
        body: SendPasswordResetBody { email: ACCOUNT_EMAIL.to_owned() },
    };

    let response = server.unchecked.send_password_reset(request).await.unwrap();

    let SendPasswordResetResponse::BadRequest(error) = response else {
        panic!("expected the BadRequest variant, got {response:?}");
    };
    assert_eq!(error.status_code, 400);
    assert_eq!(error.error, "Bad Request");
    assert!(error.message.contains("language"), "the message does not name the parameter: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn multibyte_code_length_counts_characters() {
    // 16 characters in 32 bytes of UTF-8: minLength and maxLength count characters, not bytes.
    let code = "ä".repeat(16);
    let fake = FakeAuth::new(Account { recovery_codes: vec![code.clone()], ..totp_active() });
    let server = start(&fake).await;

    let body = VerifyRecoveryCodesBody { recovery_code: code };
    let response = server
        .client
        .verify_recovery_codes(VerifyRecoveryCodesRequest { body, credentials: bearer(ACCESS) })
        .await
        .unwrap();

    assert_eq!(response, VerifyRecoveryCodesResponse::Ok(sudo_only()));
}

// ---------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn missing_token_gets_401() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = server.client.get_two_fa(GetTwoFaRequest { credentials: None }).await.unwrap();

    let GetTwoFaResponse::Unauthorized(error) = response else {
        panic!("expected the Unauthorized variant, got {response:?}");
    };
    assert_eq!(error.status_code, 401);
    assert_eq!(error.error, "Unauthorized");
    assert!(!error.message.is_empty(), "the 401 body has an empty message");
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn rejection_message_sets_documented_code() {
    let fake = FakeAuth::default();
    let options = ServerOptions {
        rejection_message: Some(Arc::new(|rejection: &Rejection| match rejection {
            Rejection::MissingCredentials => "NO_TOKEN_PROVIDED".to_owned(),
            other => other.to_string(),
        })),
        ..ServerOptions::default()
    };
    let client = client_for(&serve(router_with(fake.clone(), options)).await);

    let response = client.get_two_fa(GetTwoFaRequest { credentials: None }).await.unwrap();

    assert_eq!(response, GetTwoFaResponse::Unauthorized(unauthorized("NO_TOKEN_PROVIDED")));
}

/// Sends `GET /user/2fa` with the raw `Authorization` header `value`.
async fn get_two_fa_with_authorization(base: &str, value: &str) -> reqwest::Response {
    raw_client().get(format!("{base}/user/2fa")).header("authorization", value).send().await.unwrap()
}

#[tokio::test]
async fn basic_authorization_gets_401() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = get_two_fa_with_authorization(&server.base, "Basic xyz").await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let error = read_error(response).await;
    assert_eq!(error.status_code, 401);
    assert_eq!(error.error, "Unauthorized");
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn bearer_without_token_gets_401() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    for value in ["Bearer", "Bearer ", "Bearer    "] {
        let response = get_two_fa_with_authorization(&server.base, value).await;

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "header {value:?}");
        assert_eq!(read_error(response).await.status_code, 401, "header {value:?}");
    }
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn bearer_scheme_is_case_insensitive() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = get_two_fa_with_authorization(&server.base, &format!("bearer {ACCESS}")).await;

    assert_eq!(response.status(), StatusCode::OK);
    let request = GetTwoFaRequest { credentials: received(ACCESS, &[SecurityScheme::AccessToken]) };
    assert_eq!(fake.calls(), vec![Call::GetTwoFa(request)]);
}

/// A token source that hands out the access token and records the schemes of every token request.
#[derive(Clone, Default)]
struct RecordingTokenSource {
    requested: Arc<Mutex<Vec<Vec<SecurityScheme>>>>,
}

impl TokenSource for RecordingTokenSource {
    fn token<'a>(&'a self, schemes: &'a [SecurityScheme]) -> TokenFuture<'a> {
        self.requested.lock().unwrap_or_else(PoisonError::into_inner).push(schemes.to_vec());
        Box::pin(async { Some(ACCESS.to_owned()) })
    }
}

#[tokio::test]
async fn token_source_fills_missing_credentials() {
    let fake = FakeAuth::default();
    let base = serve(router(fake.clone())).await;
    let client = builder_for(&base).token_source(StaticToken("t".into())).build();

    let response = client.get_two_fa(GetTwoFaRequest { credentials: None }).await.unwrap();

    // The fake accepts no token "t", so it returns 401 itself after the server passed the call on.
    assert_eq!(response, GetTwoFaResponse::Unauthorized(unauthorized("TOKEN_INVALID")));
    let request = GetTwoFaRequest { credentials: received("t", &[SecurityScheme::AccessToken]) };
    assert_eq!(fake.calls(), vec![Call::GetTwoFa(request)]);
}

#[tokio::test]
async fn explicit_credentials_override_token_source() {
    let fake = FakeAuth::default();
    let base = serve(router(fake.clone())).await;
    let source = RecordingTokenSource::default();
    let client = builder_for(&base).token_source(source.clone()).build();

    let response =
        client.validate_refreshtoken(ValidateRefreshtokenRequest { credentials: bearer(REFRESH) }).await.unwrap();

    assert_eq!(response, ValidateRefreshtokenResponse::Ok(UserId { user_id: USER_ID }));
    let request = ValidateRefreshtokenRequest { credentials: received(REFRESH, &[SecurityScheme::RefreshToken]) };
    assert_eq!(fake.calls(), vec![Call::ValidateRefreshtoken(request)]);
    assert!(source.requested.lock().unwrap().is_empty(), "the client asked the token source anyway");
}

#[tokio::test]
async fn token_source_receives_first_alternative() {
    let fake = FakeAuth::new(totp_active());
    let base = serve(router(fake.clone())).await;
    let source = RecordingTokenSource::default();
    let client = builder_for(&base).token_source(source.clone()).build();

    let body = VerifyTotpBody { totp: TOTP_CODE.to_owned() };
    let response = client.verify_totp(VerifyTotpRequest { body, credentials: None }).await.unwrap();

    assert_eq!(response, VerifyTotpResponse::Ok(sudo_only()));
    // The first alternative is `accessToken`, and the token source supplies it.
    let expected = vec![vec![SecurityScheme::AccessToken]];
    assert_eq!(*source.requested.lock().unwrap(), expected);
}

#[tokio::test]
async fn anonymous_operation_skips_token_source() {
    let fake = FakeAuth::default();
    let base = serve(router(fake.clone())).await;
    let source = RecordingTokenSource::default();
    let client = builder_for(&base).token_source(source.clone()).build();

    let body = LoginBody { username: ACCOUNT_EMAIL.to_owned(), password: PASSWORD.to_owned() };
    let response = client.login(LoginRequest { cookie: None, body }).await.unwrap();

    assert_eq!(response, LoginResponse::Ok("refresh-token-2".to_owned()));
    assert!(
        source.requested.lock().unwrap().is_empty(),
        "the client asked for a token for an operation without security"
    );
}

// ---------------------------------------------------------------------------------------------
// Failures of the implementation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn panic_gets_500_error_body() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;
    fake.inject(Fault::Panic);
    let body = LoginBody { username: ACCOUNT_EMAIL.to_owned(), password: PASSWORD.to_owned() };

    let response = server.client.login(LoginRequest { cookie: None, body }).await.unwrap();

    let LoginResponse::InternalServerError(error) = response else {
        panic!("expected the InternalServerError variant, got {response:?}");
    };
    assert_eq!(error.status_code, 500);
    // NOTE: the server writes the standard reason phrase, while the spec's examples spell the
    // authentication server's phrase "Internal server error".
    assert_eq!(error.error, "Internal Server Error");
    assert_eq!(error.message, "internal server error");
}

#[tokio::test]
async fn panic_leaves_server_serving() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;
    fake.inject(Fault::Panic);
    let request = ValidateAccesstokenRequest { credentials: bearer(ACCESS) };

    let first = server.client.validate_accesstoken(request.clone()).await;
    let second = server.client.validate_accesstoken(request).await.unwrap();

    assert!(
        matches!(first, Err(ClientError::UnexpectedStatus { status: 500, .. })),
        "expected an undocumented 500, got {first:?}"
    );
    assert_eq!(second, ValidateAccesstokenResponse::Ok(UserId { user_id: USER_ID }));
}

#[tokio::test]
async fn implementation_error_gets_500() {
    let fake = FakeAuth::new(totp_active());
    let server = start(&fake).await;
    fake.inject(Fault::Error);
    let body = VerifyTotpBody { totp: TOTP_CODE.to_owned() };

    let response = server.client.verify_totp(VerifyTotpRequest { body, credentials: bearer(ACCESS) }).await.unwrap();

    let VerifyTotpResponse::InternalServerError(error) = response else {
        panic!("expected the InternalServerError variant, got {response:?}");
    };
    assert_eq!(error.status_code, 500);
    assert_eq!(error.message, "internal server error");
}

#[tokio::test]
async fn undocumented_500_keeps_error_body() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;
    fake.inject(Fault::Error);

    let response = get_two_fa_with_authorization(&server.base, &format!("Bearer {ACCESS}")).await;

    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let error = read_error(response).await;
    assert_eq!(error.status_code, 500);
    assert!(!error.message.contains("injected"), "the 500 body leaks the implementation error: {}", error.message);
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP mistakes that the client cannot make
// ---------------------------------------------------------------------------------------------

/// Sends `POST /user/2fa/email-otp/enable` with an access token and the raw `body`.
async fn post_complete_email_otp(base: &str, content_type: &str, body: &str) -> reqwest::Response {
    raw_client()
        .post(format!("{base}/user/2fa/email-otp/enable"))
        .bearer_auth(ACCESS)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn malformed_json_gets_400() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = post_complete_email_otp(&server.base, "application/json", r#"{"otp": "123456""#).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = read_error(response).await;
    assert_eq!(error.status_code, 400);
    assert_eq!(error.error, "Bad Request");
    assert!(error.message.contains("body"), "the message does not name the body: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn array_body_gets_400() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    // serde's derived structs accept an array of their fields; the schema demands an object.
    let response = post_complete_email_otp(&server.base, "application/json", r#"["123456"]"#).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = read_error(response).await;
    assert!(error.message.contains("must be a JSON object"), "unexpected message: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn text_plain_body_gets_415() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = post_complete_email_otp(&server.base, "text/plain", r#"{"otp": "123456"}"#).await;

    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let error = read_error(response).await;
    assert_eq!(error.status_code, 415);
    assert!(error.message.contains("application/json"), "the message does not name the media type: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn wrong_field_type_gets_400() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = post_complete_email_otp(&server.base, "application/json", r#"{"otp": 123456}"#).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = read_error(response).await;
    assert_eq!(error.status_code, 400);
    assert!(error.message.contains("/otp"), "the message does not name the field: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn missing_field_gets_400() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = post_complete_email_otp(&server.base, "application/json", "{}").await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = read_error(response).await;
    assert!(error.message.contains("missing field `otp`"), "the message does not name the field: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn repeated_field_gets_400() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let body = r#"{"otp": "123456", "otp": "654321"}"#;
    let response = post_complete_email_otp(&server.base, "application/json", body).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = read_error(response).await;
    assert!(error.message.contains("duplicate field `otp`"), "unexpected message: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn missing_required_body_gets_400() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = post_complete_email_otp(&server.base, "application/json", "").await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = read_error(response).await;
    assert!(error.message.contains("body"), "the message does not name the body: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn repeated_query_parameter_gets_400() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = raw_client()
        .post(format!("{}/user/password/reset/send?language=en&language=nl", server.base))
        .json(&serde_json::json!({ "email": ACCOUNT_EMAIL }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = read_error(response).await;
    assert!(error.message.contains("language"), "the message does not name the parameter: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn non_boolean_cookie_gets_400() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = raw_client()
        .post(format!("{}/auth/login?cookie=yes", server.base))
        .json(&serde_json::json!({ "username": ACCOUNT_EMAIL, "password": PASSWORD }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = read_error(response).await;
    assert!(error.message.contains("cookie"), "the message does not name the parameter: {}", error.message);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn oversized_body_gets_413() {
    let fake = FakeAuth::default();
    let options = ServerOptions { body_limit: 64, ..ServerOptions::default() };
    let base = serve(router_with(fake.clone(), options)).await;
    let password = "Passw0rd".repeat(16);

    let response = raw_client()
        .post(format!("{base}/auth/login"))
        .json(&serde_json::json!({ "username": ACCOUNT_EMAIL, "password": password }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(read_error(response).await.status_code, 413);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

#[tokio::test]
async fn json_charset_parameter_is_accepted() {
    let fake = FakeAuth::new(Account {
        email_otp: EmailOtp::Pending { address: "otp@example.com".to_owned() },
        ..Account::default()
    });
    let server = start(&fake).await;

    let response =
        post_complete_email_otp(&server.base, "Application/JSON; charset=utf-8", r#"{"otp": "123456"}"#).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(fake.calls().len(), 1, "the implementation was not called");
}

#[tokio::test]
async fn invalid_utf8_query_gets_400() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    // `%FF%FE` is not UTF-8. Decoding it lossily would pass two U+FFFD characters as a valid language.
    let response = raw_client()
        .post(format!("{}/user/password/reset/send?language=%FF%FE", server.base))
        .json(&serde_json::json!({ "email": ACCOUNT_EMAIL }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(fake.calls().is_empty(), "the implementation was called with {:?}", fake.calls());
}

#[tokio::test]
async fn null_response_is_json_null() {
    let fake = FakeAuth::new(totp_active());
    let server = start(&fake).await;

    let response =
        raw_client().delete(format!("{}/user/2fa/totp", server.base)).bearer_auth(SUDO).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.text().await.unwrap(), "null");
}

#[tokio::test]
async fn accesstoken_response_is_plain_text() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response =
        raw_client().get(format!("{}/auth/accesstoken", server.base)).bearer_auth(REFRESH).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/plain");
    assert_eq!(response.text().await.unwrap(), ACCESS);
}

#[tokio::test]
async fn unknown_route_gets_404() {
    let fake = FakeAuth::default();
    let server = start(&fake).await;

    let response = raw_client().get(format!("{}/user/unknown", server.base)).bearer_auth(ACCESS).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(fake.calls().is_empty(), "the implementation was called");
}

// ---------------------------------------------------------------------------------------------
// Servers and responses outside the spec
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn forgot_password_uses_main_api_server() {
    let authentication = FakeAuth::default();
    let main_api = FakeAuth::default();
    let authentication_base = serve(router(authentication.clone())).await;
    let main_api_base = serve(router(main_api.clone())).await;
    let client = Client::builder()
        .server_url(Server::Default, &authentication_base)
        .server_url(Server::MainApiServer, &main_api_base)
        .build();
    let request = PostForgotPasswordRequest {
        origin: None,
        language: None,
        body: PostForgotPasswordBody { email: ACCOUNT_EMAIL.to_owned() },
        credentials: bearer(MAIN_API_TOKEN),
    };

    let response = client.post_forgot_password(request).await.unwrap();

    assert_eq!(response, PostForgotPasswordResponse::Ok);
    assert_eq!(main_api.calls().len(), 1, "the main API server did not receive the call");
    assert!(authentication.calls().is_empty(), "the authentication server received the call");
}

#[tokio::test]
async fn undocumented_status_is_unexpected() {
    let stub = axum::Router::new()
        .route("/user/2fa", axum::routing::get(|| async { (StatusCode::IM_A_TEAPOT, "short and stout") }));
    let client = client_for(&serve(stub).await);

    let result = client.get_two_fa(GetTwoFaRequest { credentials: bearer(ACCESS) }).await;

    let Err(ClientError::UnexpectedStatus { status, body, .. }) = result else {
        panic!("expected ClientError::UnexpectedStatus, got {result:?}");
    };
    assert_eq!(status, 418);
    assert_eq!(body, b"short and stout");
}

#[tokio::test]
async fn undecodable_body_is_decode_error() {
    let stub = axum::Router::new().route("/user/2fa", axum::routing::get(|| async { "not json" }));
    let client = client_for(&serve(stub).await);

    let result = client.get_two_fa(GetTwoFaRequest { credentials: bearer(ACCESS) }).await;

    let Err(ClientError::Decode { status, body, .. }) = result else {
        panic!("expected ClientError::Decode, got {result:?}");
    };
    assert_eq!(status, 200);
    assert_eq!(body, b"not json");
}

#[tokio::test]
async fn closed_port_is_transport_error() {
    // Binding and dropping a listener leaves a port on 127.0.0.1 that refuses connections.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = client_for(&format!("http://{address}"));

    let result = client.get_two_fa(GetTwoFaRequest { credentials: bearer(ACCESS) }).await;

    assert!(matches!(result, Err(ClientError::Transport(_))), "expected ClientError::Transport, got {result:?}");
}
