//! End-to-end tests of the service through the generated client: the service runs in-process
//! on 127.0.0.1 with a temporary database and outbox, and a manual clock replaces the system clock.

mod support;

use auth_client::*;
use support::{EMAIL, FORBIDDEN_DOMAIN, Harness, PASSWORD, START, bearer, login_request, secret_of, totp_now};

const NEW_PASSWORD: &str = "NewPassw0rdAlice";

/// Moves the clock to the next TOTP step, so a new code is valid.
fn next_step(harness: &Harness) {
    harness.clock.advance(30);
}

/// Sets up and activates TOTP with an access token; returns the secret and the recovery codes.
async fn enable_totp(harness: &Harness, access: &str) -> (Vec<u8>, Vec<String>) {
    let setup =
        harness.client.initiate_totp(InitiateTotpRequest { body: None, credentials: bearer(access) }).await.unwrap();
    let url = expect!(setup, InitiateTotpResponse::Ok).url;
    let secret = secret_of(&url);
    let completed = harness
        .client
        .complete_totp(CompleteTotpRequest {
            body: CompleteTotpBody { totp: totp_now(&secret, &harness.clock) },
            credentials: bearer(access),
        })
        .await
        .unwrap();
    let codes = expect!(completed, CompleteTotpResponse::Ok).recovery_codes;
    (secret, codes)
}

async fn verify_totp(harness: &Harness, token: &str, code: String) -> VerifyTotpResponse {
    harness
        .client
        .verify_totp(VerifyTotpRequest { body: VerifyTotpBody { totp: code }, credentials: bearer(token) })
        .await
        .unwrap()
}

/// Gets a sudo token with a fresh TOTP code.
async fn sudo_with_totp(harness: &Harness, access: &str, secret: &[u8]) -> String {
    next_step(harness);
    let tokens = expect!(verify_totp(harness, access, totp_now(secret, &harness.clock)).await, VerifyTotpResponse::Ok);
    assert_eq!(tokens.access_token, None);
    assert_eq!(tokens.refresh_token, None);
    tokens.sudo_token.expect("sudo token")
}

async fn login_response(harness: &Harness, email: &str, password: &str) -> LoginResponse {
    harness.client.login(login_request(email, password)).await.unwrap()
}

async fn validate_access(harness: &Harness, token: &str) -> ValidateAccesstokenResponse {
    harness.client.validate_accesstoken(ValidateAccesstokenRequest { credentials: bearer(token) }).await.unwrap()
}

async fn accesstoken(harness: &Harness, token: &str) -> AccesstokenResponse {
    harness.client.accesstoken(AccesstokenRequest { credentials: bearer(token) }).await.unwrap()
}

async fn two_factor_status(harness: &Harness, token: &str) -> TwoFactorStatus {
    let response = harness.client.get_two_fa(GetTwoFaRequest { credentials: bearer(token) }).await.unwrap();
    expect!(response, GetTwoFaResponse::Ok)
}

#[tokio::test]
async fn login_and_token_validation() {
    let (_folder, harness) = Harness::start().await;
    let refresh = harness.login(EMAIL, PASSWORD).await;
    assert_eq!(refresh.len(), 43);

    let owner = harness.client.validate_refreshtoken(ValidateRefreshtokenRequest { credentials: bearer(&refresh) });
    let user_id = expect!(owner.await.unwrap(), ValidateRefreshtokenResponse::Ok).user_id;
    let access = harness.access(&refresh).await;
    let validated = expect!(validate_access(&harness, &access).await, ValidateAccesstokenResponse::Ok);
    assert_eq!(validated.user_id, user_id);

    // Usernames match the address without regard to ASCII case.
    assert!(matches!(login_response(&harness, "ALICE@example.com", PASSWORD).await, LoginResponse::Ok(_)));

    let wrong = expect!(login_response(&harness, EMAIL, "Wrong-Passw0rd").await, LoginResponse::Unauthorized);
    assert_eq!(
        (wrong.status_code, wrong.error.as_str(), wrong.message.as_str()),
        (401, "Unauthorized", "PASSWORD_INCORRECT")
    );
    let unknown = expect!(login_response(&harness, "nobody@example.com", PASSWORD).await, LoginResponse::Unauthorized);
    assert_eq!(unknown.message, "PASSWORD_INCORRECT");
}

#[tokio::test]
async fn missing_or_wrong_kind_of_token_is_rejected() {
    let (_folder, harness) = Harness::start().await;
    let refresh = harness.login(EMAIL, PASSWORD).await;
    let access = harness.access(&refresh).await;

    // No Authorization header: the generated server rejects it with the configured message.
    let missing = harness.client.get_two_fa(GetTwoFaRequest { credentials: None }).await.unwrap();
    let missing = expect!(missing, GetTwoFaResponse::Unauthorized);
    assert_eq!((missing.status_code, missing.message.as_str()), (401, "NO_TOKEN_PROVIDED"));

    // A refresh token is no access token, and the other way round.
    assert_eq!(
        expect!(validate_access(&harness, &refresh).await, ValidateAccesstokenResponse::Unauthorized).message,
        "NO_TOKEN_PROVIDED"
    );
    assert!(matches!(accesstoken(&harness, &access).await, AccesstokenResponse::Unauthorized(_)));
    let status = harness.client.get_two_fa(GetTwoFaRequest { credentials: bearer(&refresh) }).await.unwrap();
    assert!(matches!(status, GetTwoFaResponse::Unauthorized(_)), "{status:?}");

    // Unknown tokens.
    assert!(matches!(validate_access(&harness, "made-up-token").await, ValidateAccesstokenResponse::Unauthorized(_)));
    let long = "x".repeat(600);
    assert!(matches!(validate_access(&harness, &long).await, ValidateAccesstokenResponse::Unauthorized(_)));

    // Sudo-only operations reject an access token even with 2FA off.
    let removed = harness.client.remove_totp(RemoveTotpRequest { credentials: bearer(&access) }).await.unwrap();
    assert_eq!(expect!(removed, RemoveTotpResponse::Unauthorized).message, "NO_TOKEN_PROVIDED");
}

#[tokio::test]
async fn wrong_token_kind_rejected_before_handler() {
    let (_folder, harness) = Harness::start().await;
    let access = harness.access_token().await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = |path: &str| format!("{}{path}", harness.base_url());

    // An access token for a sudo-only operation: the authenticator rejects it, so the 401 carries the
    // generated server's RFC 6750 challenge, which no handler response has.
    let rejected = http.delete(url("/user/2fa/totp")).bearer_auth(&access).send().await.unwrap();
    assert_eq!(rejected.status().as_u16(), 401);
    let challenge = rejected.headers().get("www-authenticate").map(|value| value.to_str().unwrap().to_owned());
    assert_eq!(challenge.as_deref(), Some("Bearer error=\"invalid_token\""));
    let body: serde_json::Value = serde_json::from_slice(&rejected.bytes().await.unwrap()).unwrap();
    assert_eq!(body["message"], "NO_TOKEN_PROVIDED");

    // The same token for an access-token operation reaches the handler.
    let accepted = http.get(url("/user/2fa")).bearer_auth(&access).send().await.unwrap();
    assert_eq!(accepted.status().as_u16(), 200);
    assert!(accepted.headers().get("www-authenticate").is_none());
}

#[tokio::test]
async fn totp_setup_and_two_factor_login() {
    let (_folder, harness) = Harness::start().await;
    let access = harness.access_token().await;

    // completeTotp before initiateTotp.
    let early = harness
        .client
        .complete_totp(CompleteTotpRequest {
            body: CompleteTotpBody { totp: "123456".into() },
            credentials: bearer(&access),
        })
        .await
        .unwrap();
    assert_eq!(expect!(early, CompleteTotpResponse::Conflict).message, "TOTP_UNINITIALIZED");

    let setup =
        harness.client.initiate_totp(InitiateTotpRequest { body: None, credentials: bearer(&access) }).await.unwrap();
    let url = expect!(setup, InitiateTotpResponse::Ok).url;
    assert!(url.starts_with("otpauth://totp/auth-service:alice%40example.com?issuer=auth-service&secret="), "{url}");
    assert!(url.ends_with("&algorithm=SHA1&digits=6&period=30"), "{url}");
    let secret = secret_of(&url);

    // A wrong code does not activate TOTP.
    let wrong_code = format!("{:06}", (totp_now(&secret, &harness.clock).parse::<u32>().unwrap() + 1) % 1_000_000);
    let wrong = harness
        .client
        .complete_totp(CompleteTotpRequest {
            body: CompleteTotpBody { totp: wrong_code },
            credentials: bearer(&access),
        })
        .await
        .unwrap();
    assert_eq!(expect!(wrong, CompleteTotpResponse::Unauthorized).message, "TOTP_INVALID");
    assert!(!two_factor_status(&harness, &access).await.enabled);

    let completed = harness
        .client
        .complete_totp(CompleteTotpRequest {
            body: CompleteTotpBody { totp: totp_now(&secret, &harness.clock) },
            credentials: bearer(&access),
        })
        .await
        .unwrap();
    let codes = expect!(completed, CompleteTotpResponse::Ok).recovery_codes;
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|code| code.len() == 16), "{codes:?}");

    let status = two_factor_status(&harness, &access).await;
    assert!(status.enabled);
    assert_eq!(status.totp.unwrap().completed_at.timestamp(), START);
    assert_eq!(status.recovery_codes.unwrap().completed_at.timestamp(), START);
    assert!(status.email_otp.is_none());

    // Login now returns a partial auth token, which is no refresh token.
    let partial = expect!(login_response(&harness, EMAIL, PASSWORD).await, LoginResponse::Ok);
    assert!(matches!(accesstoken(&harness, &partial).await, AccesstokenResponse::Unauthorized(_)));
    // It may read the 2FA state, to choose a second factor.
    assert!(two_factor_status(&harness, &partial).await.enabled);

    next_step(&harness);
    let tokens =
        expect!(verify_totp(&harness, &partial, totp_now(&secret, &harness.clock)).await, VerifyTotpResponse::Ok);
    let refresh = tokens.refresh_token.expect("refresh token");
    let new_access = tokens.access_token.expect("access token");
    assert!(tokens.sudo_token.is_some());
    assert!(matches!(validate_access(&harness, &new_access).await, ValidateAccesstokenResponse::Ok(_)));
    assert!(matches!(accesstoken(&harness, &refresh).await, AccesstokenResponse::Ok(_)));

    // The partial auth token is used up.
    next_step(&harness);
    let again = verify_totp(&harness, &partial, totp_now(&secret, &harness.clock)).await;
    assert!(matches!(again, VerifyTotpResponse::Unauthorized(_)), "{again:?}");
}

#[tokio::test]
async fn totp_code_cannot_be_replayed() {
    let (_folder, harness) = Harness::start().await;
    let access = harness.access_token().await;
    let (secret, _) = enable_totp(&harness, &access).await;

    // The code that activated TOTP is used up for its step.
    let replayed = verify_totp(&harness, &access, totp_now(&secret, &harness.clock)).await;
    assert_eq!(expect!(replayed, VerifyTotpResponse::Unauthorized).message, "TOTP_INVALID");

    next_step(&harness);
    let code = totp_now(&secret, &harness.clock);
    assert!(matches!(verify_totp(&harness, &access, code.clone()).await, VerifyTotpResponse::Ok(_)));
    let replayed = verify_totp(&harness, &access, code).await;
    assert_eq!(expect!(replayed, VerifyTotpResponse::Unauthorized).message, "TOTP_INVALID");

    // A code of the previous step is accepted within the skew window, unless its step was used.
    next_step(&harness);
    let previous = auth_service::totp::code_at(&secret, START + 30);
    assert!(matches!(verify_totp(&harness, &access, previous).await, VerifyTotpResponse::Unauthorized(_)));
    harness.clock.advance(15);
    let current = totp_now(&secret, &harness.clock);
    harness.clock.advance(30);
    assert!(matches!(verify_totp(&harness, &access, current).await, VerifyTotpResponse::Ok(_)));
}

#[tokio::test]
async fn sudo_token_required_once_two_factor_is_on() {
    let (_folder, harness) = Harness::start().await;
    let access = harness.access_token().await;

    // With 2FA off, an access token may change the password.
    let changed = harness
        .client
        .update_password_via_sudo(UpdatePasswordViaSudoRequest {
            body: UpdatePasswordViaSudoBody { old_password: PASSWORD.into(), new_password: NEW_PASSWORD.into() },
            credentials: bearer(&access),
        })
        .await
        .unwrap();
    assert!(matches!(changed, UpdatePasswordViaSudoResponse::Ok), "{changed:?}");
    assert!(matches!(login_response(&harness, EMAIL, PASSWORD).await, LoginResponse::Unauthorized(_)));

    let (secret, _) = enable_totp(&harness, &access).await;

    // With 2FA on, the access token is no longer enough.
    let change = |token: String| UpdatePasswordViaSudoRequest {
        body: UpdatePasswordViaSudoBody { old_password: NEW_PASSWORD.into(), new_password: PASSWORD.into() },
        credentials: bearer(&token),
    };
    let denied = harness.client.update_password_via_sudo(change(access.clone())).await.unwrap();
    assert_eq!(expect!(denied, UpdatePasswordViaSudoResponse::Unauthorized).message, "NO_TOKEN_PROVIDED");
    let setup =
        harness.client.initiate_totp(InitiateTotpRequest { body: None, credentials: bearer(&access) }).await.unwrap();
    assert!(matches!(setup, InitiateTotpResponse::Unauthorized(_)), "{setup:?}");
    let transfer = harness
        .client
        .initiate_put_email(InitiatePutEmailRequest {
            origin: None,
            language: None,
            body: InitiatePutEmailBody { email: "alice@example.org".into() },
            credentials: bearer(&access),
        })
        .await
        .unwrap();
    assert!(matches!(transfer, InitiatePutEmailResponse::Unauthorized(_)), "{transfer:?}");

    let sudo = sudo_with_totp(&harness, &access, &secret).await;
    // A sudo token is no access token.
    assert!(matches!(validate_access(&harness, &sudo).await, ValidateAccesstokenResponse::Unauthorized(_)));

    // A wrong current password is rejected; the right one changes the password.
    let wrong = harness
        .client
        .update_password_via_sudo(UpdatePasswordViaSudoRequest {
            body: UpdatePasswordViaSudoBody { old_password: "Wrong-Passw0rd".into(), new_password: PASSWORD.into() },
            credentials: bearer(&sudo),
        })
        .await
        .unwrap();
    assert_eq!(expect!(wrong, UpdatePasswordViaSudoResponse::Unauthorized).message, "PASSWORD_INCORRECT");
    let changed = harness.client.update_password_via_sudo(change(sudo.clone())).await.unwrap();
    assert!(matches!(changed, UpdatePasswordViaSudoResponse::Ok), "{changed:?}");
    let setup =
        harness.client.initiate_totp(InitiateTotpRequest { body: None, credentials: bearer(&sudo) }).await.unwrap();
    assert!(matches!(setup, InitiateTotpResponse::Ok(_)), "{setup:?}");

    // The sudo token lasts 5 minutes.
    harness.clock.advance(300);
    let expired = harness.client.update_password_via_sudo(change(sudo)).await.unwrap();
    assert!(matches!(expired, UpdatePasswordViaSudoResponse::Unauthorized(_)), "{expired:?}");
}

#[tokio::test]
async fn recovery_codes_single_use_and_reset() {
    let (_folder, harness) = Harness::start().await;
    let access = harness.access_token().await;

    let none = harness
        .client
        .recovery_code_guess_wait_duration(RecoveryCodeGuessWaitDurationRequest { credentials: bearer(&access) });
    assert_eq!(
        expect!(none.await.unwrap(), RecoveryCodeGuessWaitDurationResponse::Conflict).message,
        "RECOVERY_CODES_UNINITIALIZED"
    );
    let reset =
        harness.client.reset_recovery_codes(ResetRecoveryCodesRequest { body: None, credentials: bearer(&access) });
    assert!(matches!(reset.await.unwrap(), ResetRecoveryCodesResponse::Unauthorized(_)));

    let (secret, codes) = enable_totp(&harness, &access).await;
    let verify = |token: String, code: String| VerifyRecoveryCodesRequest {
        body: VerifyRecoveryCodesBody { recovery_code: code },
        credentials: bearer(&token),
    };

    // A recovery code completes a 2FA login.
    let partial = expect!(login_response(&harness, EMAIL, PASSWORD).await, LoginResponse::Ok);
    let tokens = harness.client.verify_recovery_codes(verify(partial, codes[0].clone())).await.unwrap();
    let tokens = expect!(tokens, VerifyRecoveryCodesResponse::Ok);
    assert!(tokens.refresh_token.is_some());
    assert!(tokens.access_token.is_some());
    assert!(tokens.sudo_token.is_some());

    // Each code works once.
    let reused = harness.client.verify_recovery_codes(verify(access.clone(), codes[0].clone())).await.unwrap();
    assert_eq!(expect!(reused, VerifyRecoveryCodesResponse::Unauthorized).message, "RECOVERY_CODE_INVALID");
    let upper = codes[1].to_ascii_uppercase();
    let sudo_only = harness.client.verify_recovery_codes(verify(access.clone(), upper)).await.unwrap();
    let sudo_only = expect!(sudo_only, VerifyRecoveryCodesResponse::Ok);
    assert!(sudo_only.refresh_token.is_none());
    assert!(sudo_only.access_token.is_none());

    // Resetting needs a sudo token and invalidates the old codes.
    let sudo = sudo_with_totp(&harness, &access, &secret).await;
    let reset =
        harness.client.reset_recovery_codes(ResetRecoveryCodesRequest { body: None, credentials: bearer(&sudo) });
    let new_codes = expect!(reset.await.unwrap(), ResetRecoveryCodesResponse::Ok).recovery_codes;
    assert_eq!(new_codes.len(), 10);
    assert!(new_codes.iter().all(|code| !codes.contains(code)));
    let old = harness.client.verify_recovery_codes(verify(access.clone(), codes[2].clone())).await.unwrap();
    assert!(matches!(old, VerifyRecoveryCodesResponse::Unauthorized(_)), "{old:?}");
    let new = harness.client.verify_recovery_codes(verify(access.clone(), new_codes[0].clone())).await.unwrap();
    assert!(matches!(new, VerifyRecoveryCodesResponse::Ok(_)), "{new:?}");
}

#[tokio::test]
async fn email_otp_setup_challenge_and_removal() {
    let (_folder, harness) = Harness::start().await;
    let access = harness.access_token().await;
    let otp_address = "alice.otp@example.com";

    let wait =
        harness.client.new_email_otp_wait_duration(NewEmailOtpWaitDurationRequest { credentials: bearer(&access) });
    assert_eq!(
        expect!(wait.await.unwrap(), NewEmailOtpWaitDurationResponse::Conflict).message,
        "EMAIL_OTP_UNINITIALIZED"
    );
    let complete = |code: String| CompleteEmailOtpRequest {
        body: CompleteEmailOtpBody { otp: code },
        credentials: bearer(&access),
    };
    let early = harness.client.complete_email_otp(complete("123456".into())).await.unwrap();
    assert_eq!(expect!(early, CompleteEmailOtpResponse::Conflict).message, "EMAIL_OTP_UNINITIALIZED");

    let setup = harness
        .client
        .initiate_email_otp(InitiateEmailOtpRequest {
            origin: Some("web".into()),
            language: Some("en".into()),
            body: InitiateEmailOtpBody { email: otp_address.into() },
            credentials: bearer(&access),
        })
        .await
        .unwrap();
    assert!(matches!(setup, InitiateEmailOtpResponse::Ok), "{setup:?}");
    let mails = harness.mails_to(otp_address);
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].purpose, "email_otp_setup");
    let code = harness.last_code_to(otp_address);

    let wrong_code = if code == "000000" { "000001" } else { "000000" };
    let wrong = harness.client.complete_email_otp(complete(wrong_code.into())).await.unwrap();
    assert_eq!(expect!(wrong, CompleteEmailOtpResponse::Unauthorized).message, "OTP_INVALID_EXPIRED");
    let completed = harness.client.complete_email_otp(complete(code.clone())).await.unwrap();
    assert_eq!(expect!(completed, CompleteEmailOtpResponse::Ok).recovery_codes.len(), 10);
    let used = harness.client.complete_email_otp(complete(code)).await.unwrap();
    assert!(matches!(used, CompleteEmailOtpResponse::Conflict(_)), "{used:?}");

    let status = two_factor_status(&harness, &access).await;
    assert!(status.enabled);
    let email_otp = status.email_otp.expect("email OTP is active");
    assert_eq!(email_otp.email, otp_address);
    assert_eq!(email_otp.completed_at.timestamp(), START);

    // 2FA login with email OTP: challenge with the partial auth token, then verify.
    let partial = expect!(login_response(&harness, EMAIL, PASSWORD).await, LoginResponse::Ok);
    let challenge = |token: &str| InitiateEmailOtpAuthenticationRequest {
        origin: None,
        language: None,
        body: None,
        credentials: bearer(token),
    };
    let too_soon = harness.client.initiate_email_otp_authentication(challenge(&partial)).await.unwrap();
    let too_soon = expect!(too_soon, InitiateEmailOtpAuthenticationResponse::TooManyRequests);
    assert_eq!((too_soon.message.as_str(), too_soon.retry_after), ("TOO_MANY_OTP_EMAILS", Some(60)));
    harness.clock.advance(60);
    let sent = harness.client.initiate_email_otp_authentication(challenge(&partial)).await.unwrap();
    assert!(matches!(sent, InitiateEmailOtpAuthenticationResponse::Ok), "{sent:?}");
    let code = harness.last_code_to(otp_address);
    let verify = |token: &str, otp: String| VerifyEmailOtpAuthenticationRequest {
        body: VerifyEmailOtpAuthenticationBody { otp },
        credentials: bearer(token),
    };
    let tokens = harness.client.verify_email_otp_authentication(verify(&partial, code.clone())).await.unwrap();
    let tokens = expect!(tokens, VerifyEmailOtpAuthenticationResponse::Ok);
    assert!(tokens.refresh_token.is_some());
    assert!(tokens.access_token.is_some());
    let sudo = tokens.sudo_token.expect("sudo token");

    // The challenge code works once.
    let again = harness.client.verify_email_otp_authentication(verify(&access, code)).await.unwrap();
    assert_eq!(expect!(again, VerifyEmailOtpAuthenticationResponse::Unauthorized).message, "OTP_INVALID_EXPIRED");

    // Removing needs a sudo token; the last factor removed disables 2FA.
    let remove = |token: &str| RemoveEmailOtpRequest { credentials: bearer(token) };
    assert!(matches!(
        harness.client.remove_email_otp(remove(&access)).await.unwrap(),
        RemoveEmailOtpResponse::Unauthorized(_)
    ));
    assert!(matches!(harness.client.remove_email_otp(remove(&sudo)).await.unwrap(), RemoveEmailOtpResponse::Ok));
    let twice = harness.client.remove_email_otp(remove(&sudo)).await.unwrap();
    assert_eq!(expect!(twice, RemoveEmailOtpResponse::Conflict).message, "EMAIL_OTP_ALREADY_INACTIVE");
    let status = two_factor_status(&harness, &access).await;
    assert!(!status.enabled);
    assert!(status.email_otp.is_none());
    assert!(status.recovery_codes.is_none());
    let inactive = harness.client.verify_email_otp_authentication(verify(&access, "123456".into())).await.unwrap();
    assert_eq!(expect!(inactive, VerifyEmailOtpAuthenticationResponse::Conflict).message, "EMAIL_OTP_INACTIVE");
    assert!(
        matches!(login_response(&harness, EMAIL, PASSWORD).await, LoginResponse::Ok(token) if matches!(accesstoken(&harness, &token).await, AccesstokenResponse::Ok(_)))
    );
}

#[tokio::test]
async fn remove_totp_disables_two_factor() {
    let (_folder, harness) = Harness::start().await;
    let access = harness.access_token().await;
    let (secret, _) = enable_totp(&harness, &access).await;
    let sudo = sudo_with_totp(&harness, &access, &secret).await;

    let removed = harness.client.remove_totp(RemoveTotpRequest { credentials: bearer(&sudo) }).await.unwrap();
    assert!(matches!(removed, RemoveTotpResponse::Ok), "{removed:?}");
    let twice = harness.client.remove_totp(RemoveTotpRequest { credentials: bearer(&sudo) }).await.unwrap();
    assert_eq!(expect!(twice, RemoveTotpResponse::Conflict).message, "TOTP_ALREADY_INACTIVE");
    assert!(!two_factor_status(&harness, &access).await.enabled);

    let reset =
        harness.client.reset_recovery_codes(ResetRecoveryCodesRequest { body: None, credentials: bearer(&sudo) });
    assert_eq!(expect!(reset.await.unwrap(), ResetRecoveryCodesResponse::Conflict).message, "2FA_IS_DISABLED");
    next_step(&harness);
    let verify = verify_totp(&harness, &access, totp_now(&secret, &harness.clock)).await;
    assert_eq!(expect!(verify, VerifyTotpResponse::Conflict).message, "TOTP_UNINITIALIZED");
    let wait = harness.client.totp_guess_wait_duration(TotpGuessWaitDurationRequest { credentials: bearer(&access) });
    assert_eq!(expect!(wait.await.unwrap(), TotpGuessWaitDurationResponse::Conflict).message, "TOTP_UNINITIALIZED");
}

#[tokio::test]
async fn password_reset_by_otp() {
    let (_folder, harness) = Harness::start().await;
    let old_refresh = harness.login(EMAIL, PASSWORD).await;

    let send = |email: &str| SendPasswordResetRequest {
        origin: None,
        language: None,
        body: SendPasswordResetBody { email: email.into() },
    };
    assert!(matches!(harness.client.send_password_reset(send(EMAIL)).await.unwrap(), SendPasswordResetResponse::Ok));
    // Unknown addresses get the same response, and no mail.
    assert!(matches!(
        harness.client.send_password_reset(send("nobody@example.com")).await.unwrap(),
        SendPasswordResetResponse::Ok
    ));
    assert!(harness.mails_to("nobody@example.com").is_empty());
    let code = harness.last_code_to(EMAIL);

    let validate = |otp: &str| ValidatePasswordResetRequest {
        body: ValidatePasswordResetBody { email: EMAIL.into(), otp: otp.into() },
    };
    let wrong_code = if code == "000000" { "000001" } else { "000000" };
    let wrong = harness.client.validate_password_reset(validate(wrong_code)).await.unwrap();
    assert_eq!(expect!(wrong, ValidatePasswordResetResponse::Unauthorized).message, "OTP_INVALID_EXPIRED");
    assert!(matches!(
        harness.client.validate_password_reset(validate(&code)).await.unwrap(),
        ValidatePasswordResetResponse::Ok
    ));

    let update = |otp: &str, password: &str| UpdatePasswordViaOtpRequest {
        body: UpdatePasswordViaOtpBody { user_email: EMAIL.into(), otp: otp.into(), new_password: password.into() },
    };
    // The generated layers check the policy pattern before the password reaches the service: the
    // client when it validates requests, the server otherwise.
    match harness.client.update_password_via_otp(update(&code, "alllowercase1")).await {
        Ok(response) => assert_eq!(expect!(response, UpdatePasswordViaOtpResponse::BadRequest).status_code, 400),
        Err(error) => assert!(format!("{error:?}").contains("newPassword"), "{error:?}"),
    }
    let wrong = harness.client.update_password_via_otp(update(wrong_code, NEW_PASSWORD)).await.unwrap();
    assert!(matches!(wrong, UpdatePasswordViaOtpResponse::Unauthorized(_)), "{wrong:?}");
    let updated = harness.client.update_password_via_otp(update(&code, NEW_PASSWORD)).await.unwrap();
    assert!(matches!(updated, UpdatePasswordViaOtpResponse::Ok), "{updated:?}");

    // The code is used up, the old password and old sessions are gone.
    assert!(matches!(
        harness.client.validate_password_reset(validate(&code)).await.unwrap(),
        ValidatePasswordResetResponse::Unauthorized(_)
    ));
    assert!(matches!(login_response(&harness, EMAIL, PASSWORD).await, LoginResponse::Unauthorized(_)));
    assert!(matches!(accesstoken(&harness, &old_refresh).await, AccesstokenResponse::Unauthorized(_)));
    harness.login(EMAIL, NEW_PASSWORD).await;
}

#[tokio::test]
async fn post_forgot_password_mails_link() {
    let (_folder, harness) = Harness::start().await;
    let access = harness.access_token().await;
    let request = |token: &str, email: &str| PostForgotPasswordRequest {
        origin: None,
        language: None,
        body: PostForgotPasswordBody { email: email.into() },
        credentials: bearer(token),
    };

    let sent = harness.client.post_forgot_password(request(&access, EMAIL)).await.unwrap();
    assert!(matches!(sent, PostForgotPasswordResponse::Ok), "{sent:?}");
    let mails = harness.mails_to(EMAIL);
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].body.contains("http://localhost:3000/reset-password?email=alice%40example%2Ecom&otp="),
        "{}",
        mails[0].body
    );
    let code = harness.last_code_to(EMAIL);
    let validate = ValidatePasswordResetRequest { body: ValidatePasswordResetBody { email: EMAIL.into(), otp: code } };
    assert!(matches!(
        harness.client.validate_password_reset(validate).await.unwrap(),
        ValidatePasswordResetResponse::Ok
    ));

    // It shares the reset mail limit, and its errors are plain sentences without retryAfter.
    let too_soon = harness.client.post_forgot_password(request(&access, EMAIL)).await.unwrap();
    let too_soon = expect!(too_soon, PostForgotPasswordResponse::TooManyRequests);
    assert_eq!((too_soon.message.as_str(), too_soon.retry_after), ("Last password forgot call was too recent", None));
    let blocked =
        harness.client.post_forgot_password(request(&access, &format!("a@{FORBIDDEN_DOMAIN}"))).await.unwrap();
    assert_eq!(expect!(blocked, PostForgotPasswordResponse::Forbidden).message, "Forbidden email provider");
    let invalid = harness.client.post_forgot_password(request("not-a-token", EMAIL)).await.unwrap();
    assert!(matches!(invalid, PostForgotPasswordResponse::Unauthorized(_)), "{invalid:?}");
}

#[tokio::test]
async fn email_transfer() {
    let (_folder, harness) = Harness::start().await;
    harness.service.create_account("bob@example.com", "Passw0rdBob").await.unwrap();
    let access = harness.access_token().await;
    let initiate = |email: &str| InitiatePutEmailRequest {
        origin: None,
        language: None,
        body: InitiatePutEmailBody { email: email.into() },
        credentials: bearer(&access),
    };
    let put = |otp: String| PutEmailRequest { body: PutEmailBody { otp }, credentials: bearer(&access) };

    let blocked = harness.client.initiate_put_email(initiate(&format!("alice@{FORBIDDEN_DOMAIN}"))).await.unwrap();
    let blocked = expect!(blocked, InitiatePutEmailResponse::Forbidden);
    assert_eq!(
        (blocked.status_code, blocked.error.as_str(), blocked.message.as_str()),
        (403, "Forbidden", "FORBIDDEN_MAIL_PROVIDER")
    );
    // The server accepts non-ASCII domains; the service wants them punycode-encoded.
    let invalid = harness.client.initiate_put_email(initiate("alice@ex\u{e4}mple.com")).await.unwrap();
    assert_eq!(expect!(invalid, InitiatePutEmailResponse::BadRequest).message, "Invalid email address");

    // An address that another account uses is refused when the change completes.
    assert!(matches!(
        harness.client.initiate_put_email(initiate("bob@example.com")).await.unwrap(),
        InitiatePutEmailResponse::Ok
    ));
    let code = harness.last_code_to("bob@example.com");
    let taken = harness.client.put_email(put(code)).await.unwrap();
    assert_eq!(expect!(taken, PutEmailResponse::Conflict).message, "NEW_EMAIL_ALREADY_IN_USE");

    let too_soon = harness.client.initiate_put_email(initiate("alice@example.org")).await.unwrap();
    let too_soon = expect!(too_soon, InitiatePutEmailResponse::TooManyRequests);
    assert_eq!((too_soon.message.as_str(), too_soon.retry_after), ("TOO_MANY_TRANSFER_ATTEMPTS", Some(60)));
    harness.clock.advance(60);
    assert!(matches!(
        harness.client.initiate_put_email(initiate("alice@example.org")).await.unwrap(),
        InitiatePutEmailResponse::Ok
    ));
    let code = harness.last_code_to("alice@example.org");
    let wrong =
        harness.client.put_email(put(if code == "000000" { "000001".into() } else { "000000".into() })).await.unwrap();
    assert_eq!(expect!(wrong, PutEmailResponse::Unauthorized).message, "OTP_INVALID_EXPIRED");
    assert!(matches!(harness.client.put_email(put(code)).await.unwrap(), PutEmailResponse::Ok));

    assert!(matches!(login_response(&harness, EMAIL, PASSWORD).await, LoginResponse::Unauthorized(_)));
    harness.login("alice@example.org", PASSWORD).await;
}

#[tokio::test]
async fn logout_and_refresh_rotation() {
    let (_folder, harness) = Harness::start().await;
    let refresh = harness.login(EMAIL, PASSWORD).await;

    let renewed = harness.client.refreshtoken(RefreshtokenRequest { cookie: None, credentials: bearer(&refresh) });
    let renewed = expect!(renewed.await.unwrap(), RefreshtokenResponse::Ok);
    assert_ne!(renewed, refresh);
    assert!(matches!(accesstoken(&harness, &refresh).await, AccesstokenResponse::Unauthorized(_)));

    let logout = |token: &str| LogoutRequest { credentials: bearer(token) };
    assert!(matches!(harness.client.logout(logout(&renewed)).await.unwrap(), LogoutResponse::NoContent));
    assert!(matches!(accesstoken(&harness, &renewed).await, AccesstokenResponse::Unauthorized(_)));
    let again = harness.client.logout(logout(&renewed)).await.unwrap();
    assert_eq!(expect!(again, LogoutResponse::Unauthorized).message, "NO_TOKEN_PROVIDED");
    let owner = harness.client.validate_refreshtoken(ValidateRefreshtokenRequest { credentials: bearer(&renewed) });
    assert!(matches!(owner.await.unwrap(), ValidateRefreshtokenResponse::Unauthorized(_)));
}

#[tokio::test]
async fn mail_rate_limit_and_wait_duration() {
    let (_folder, harness) = Harness::start().await;
    let access = harness.access_token().await;
    let setup = || InitiateEmailOtpRequest {
        origin: None,
        language: None,
        body: InitiateEmailOtpBody { email: "otp@example.com".into() },
        credentials: bearer(&access),
    };
    let wait = || async {
        let response =
            harness.client.new_email_otp_wait_duration(NewEmailOtpWaitDurationRequest { credentials: bearer(&access) });
        expect!(response.await.unwrap(), NewEmailOtpWaitDurationResponse::Ok).duration
    };

    assert!(matches!(harness.client.initiate_email_otp(setup()).await.unwrap(), InitiateEmailOtpResponse::Ok));
    assert_eq!(wait().await, 60);
    let refused =
        expect!(harness.client.initiate_email_otp(setup()).await.unwrap(), InitiateEmailOtpResponse::TooManyRequests);
    assert_eq!(
        (refused.status_code, refused.error.as_str(), refused.message.as_str()),
        (429, "Too many requests", "TOO_MANY_OTP_EMAILS")
    );
    assert_eq!(refused.retry_after, Some(60));
    harness.clock.advance(45);
    assert_eq!(wait().await, 15);
    let refused =
        expect!(harness.client.initiate_email_otp(setup()).await.unwrap(), InitiateEmailOtpResponse::TooManyRequests);
    assert_eq!(refused.retry_after, Some(15));
    harness.clock.advance(15);
    assert_eq!(wait().await, 0);
    assert!(matches!(harness.client.initiate_email_otp(setup()).await.unwrap(), InitiateEmailOtpResponse::Ok));
    assert_eq!(harness.mails_to("otp@example.com").len(), 2);

    // Password reset mails have their own limit.
    let reset =
        SendPasswordResetRequest { origin: None, language: None, body: SendPasswordResetBody { email: EMAIL.into() } };
    assert!(matches!(harness.client.send_password_reset(reset.clone()).await.unwrap(), SendPasswordResetResponse::Ok));
    let refused =
        expect!(harness.client.send_password_reset(reset).await.unwrap(), SendPasswordResetResponse::TooManyRequests);
    assert_eq!((refused.message.as_str(), refused.retry_after), ("TOO_MANY_RESET_MAIL_ATTEMPTS", Some(60)));
}

#[tokio::test]
async fn totp_failures_back_off() {
    let (_folder, harness) = Harness::start().await;
    let access = harness.access_token().await;
    let (secret, _) = enable_totp(&harness, &access).await;
    next_step(&harness);
    let good = totp_now(&secret, &harness.clock);
    let bad = format!("{:06}", (good.parse::<u32>().unwrap() + 500_000) % 1_000_000);
    let wait = || async {
        let response =
            harness.client.totp_guess_wait_duration(TotpGuessWaitDurationRequest { credentials: bearer(&access) });
        expect!(response.await.unwrap(), TotpGuessWaitDurationResponse::Ok).duration
    };

    for _ in 0..4 {
        assert!(matches!(verify_totp(&harness, &access, bad.clone()).await, VerifyTotpResponse::Unauthorized(_)));
        assert_eq!(wait().await, 0);
    }
    assert!(matches!(verify_totp(&harness, &access, bad.clone()).await, VerifyTotpResponse::Unauthorized(_)));
    assert_eq!(wait().await, 30);

    // While waiting, even the right code is refused without being checked.
    let refused = expect!(verify_totp(&harness, &access, good.clone()).await, VerifyTotpResponse::TooManyRequests);
    assert_eq!((refused.message.as_str(), refused.retry_after), ("TOO_MANY_TOTP_CHECKS", Some(30)));
    harness.clock.advance(10);
    let refused = expect!(verify_totp(&harness, &access, good).await, VerifyTotpResponse::TooManyRequests);
    assert_eq!(refused.retry_after, Some(20));

    // The next failure doubles the wait.
    harness.clock.advance(20);
    assert!(matches!(verify_totp(&harness, &access, bad).await, VerifyTotpResponse::Unauthorized(_)));
    assert_eq!(wait().await, 60);
    harness.clock.advance(60);

    // A success clears the count.
    assert!(matches!(
        verify_totp(&harness, &access, totp_now(&secret, &harness.clock)).await,
        VerifyTotpResponse::Ok(_)
    ));
    assert_eq!(wait().await, 0);
}

#[tokio::test]
async fn login_failures_back_off() {
    let (_folder, harness) = Harness::start().await;
    for _ in 0..5 {
        assert!(matches!(login_response(&harness, EMAIL, "Wrong-Passw0rd").await, LoginResponse::Unauthorized(_)));
    }
    let refused = expect!(login_response(&harness, EMAIL, PASSWORD).await, LoginResponse::TooManyRequests);
    assert_eq!((refused.message.as_str(), refused.retry_after), ("TOO_MANY_FAILED_PASSWORD_CHECKS", Some(30)));
    harness.clock.advance(30);
    harness.login(EMAIL, PASSWORD).await;
    // The success cleared the count: five more failures are needed for the next wait.
    for _ in 0..4 {
        assert!(matches!(login_response(&harness, EMAIL, "Wrong-Passw0rd").await, LoginResponse::Unauthorized(_)));
    }
    harness.login(EMAIL, PASSWORD).await;
}

#[tokio::test]
async fn recovery_code_failures_back_off() {
    let (_folder, harness) = Harness::start().await;
    let access = harness.access_token().await;
    let (_, codes) = enable_totp(&harness, &access).await;
    let verify = |code: &str| VerifyRecoveryCodesRequest {
        body: VerifyRecoveryCodesBody { recovery_code: code.into() },
        credentials: bearer(&access),
    };
    for _ in 0..5 {
        let wrong = harness.client.verify_recovery_codes(verify("aaaaaaaaaaaaaaaa")).await.unwrap();
        assert!(matches!(wrong, VerifyRecoveryCodesResponse::Unauthorized(_)), "{wrong:?}");
    }
    let refused = harness.client.verify_recovery_codes(verify(&codes[0])).await.unwrap();
    let refused = expect!(refused, VerifyRecoveryCodesResponse::TooManyRequests);
    assert_eq!((refused.message.as_str(), refused.retry_after), ("TOO_MANY_RECOVERY_CODE_CHECKS", Some(30)));
    let wait = harness
        .client
        .recovery_code_guess_wait_duration(RecoveryCodeGuessWaitDurationRequest { credentials: bearer(&access) });
    assert_eq!(expect!(wait.await.unwrap(), RecoveryCodeGuessWaitDurationResponse::Ok).duration, 30);
    harness.clock.advance(30);
    assert!(matches!(
        harness.client.verify_recovery_codes(verify(&codes[0])).await.unwrap(),
        VerifyRecoveryCodesResponse::Ok(_)
    ));
}

#[tokio::test]
async fn tokens_expire() {
    let (_folder, harness) = Harness::start().await;
    let refresh = harness.login(EMAIL, PASSWORD).await;
    let access = harness.access(&refresh).await;

    harness.clock.advance(299);
    assert!(matches!(validate_access(&harness, &access).await, ValidateAccesstokenResponse::Ok(_)));
    harness.clock.advance(1);
    assert!(matches!(validate_access(&harness, &access).await, ValidateAccesstokenResponse::Unauthorized(_)));

    // Refresh tokens last 14 days.
    harness.clock.advance(14 * 24 * 3600 - 300 - 1);
    assert!(matches!(accesstoken(&harness, &refresh).await, AccesstokenResponse::Ok(_)));
    harness.clock.advance(1);
    assert!(matches!(accesstoken(&harness, &refresh).await, AccesstokenResponse::Unauthorized(_)));

    // Partial auth tokens last 10 minutes.
    let access = harness.access_token().await;
    let (secret, _) = enable_totp(&harness, &access).await;
    let partial = expect!(login_response(&harness, EMAIL, PASSWORD).await, LoginResponse::Ok);
    harness.clock.advance(600);
    let late = verify_totp(&harness, &partial, totp_now(&secret, &harness.clock)).await;
    assert!(matches!(late, VerifyTotpResponse::Unauthorized(_)), "{late:?}");
}

#[tokio::test]
async fn mailed_code_expires_and_burns() {
    let (_folder, harness) = Harness::start().await;
    let send =
        SendPasswordResetRequest { origin: None, language: None, body: SendPasswordResetBody { email: EMAIL.into() } };
    let validate = |otp: &str| ValidatePasswordResetRequest {
        body: ValidatePasswordResetBody { email: EMAIL.into(), otp: otp.into() },
    };

    // Codes expire after 10 minutes.
    assert!(matches!(harness.client.send_password_reset(send.clone()).await.unwrap(), SendPasswordResetResponse::Ok));
    let code = harness.last_code_to(EMAIL);
    harness.clock.advance(599);
    assert!(matches!(
        harness.client.validate_password_reset(validate(&code)).await.unwrap(),
        ValidatePasswordResetResponse::Ok
    ));
    harness.clock.advance(1);
    assert!(matches!(
        harness.client.validate_password_reset(validate(&code)).await.unwrap(),
        ValidatePasswordResetResponse::Unauthorized(_)
    ));

    // Five wrong guesses use a code up.
    assert!(matches!(harness.client.send_password_reset(send).await.unwrap(), SendPasswordResetResponse::Ok));
    let code = harness.last_code_to(EMAIL);
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..5 {
        assert!(matches!(
            harness.client.validate_password_reset(validate(wrong)).await.unwrap(),
            ValidatePasswordResetResponse::Unauthorized(_)
        ));
    }
    assert!(matches!(
        harness.client.validate_password_reset(validate(&code)).await.unwrap(),
        ValidatePasswordResetResponse::Unauthorized(_)
    ));
}

#[tokio::test]
async fn restart_keeps_accounts_and_two_factor() {
    let (folder, harness) = Harness::start().await;
    let refresh = harness.login(EMAIL, PASSWORD).await;
    let access = harness.access(&refresh).await;
    let (secret, codes) = enable_totp(&harness, &access).await;
    let clock = harness.clock.clone();
    harness.stop().await;

    let harness = Harness::start_in(folder.path(), clock).await;
    // Sessions, 2FA state, the used TOTP step and recovery codes survive.
    assert!(matches!(accesstoken(&harness, &refresh).await, AccesstokenResponse::Ok(_)));
    assert!(two_factor_status(&harness, &access).await.enabled);
    let replayed = verify_totp(&harness, &access, totp_now(&secret, &harness.clock)).await;
    assert!(matches!(replayed, VerifyTotpResponse::Unauthorized(_)), "{replayed:?}");
    let partial = expect!(login_response(&harness, EMAIL, PASSWORD).await, LoginResponse::Ok);
    next_step(&harness);
    assert!(matches!(
        verify_totp(&harness, &partial, totp_now(&secret, &harness.clock)).await,
        VerifyTotpResponse::Ok(_)
    ));
    let recovery = VerifyRecoveryCodesRequest {
        body: VerifyRecoveryCodesBody { recovery_code: codes[0].clone() },
        credentials: bearer(&access),
    };
    assert!(matches!(
        harness.client.verify_recovery_codes(recovery).await.unwrap(),
        VerifyRecoveryCodesResponse::Ok(_)
    ));
    harness.stop().await;
}

#[tokio::test]
async fn forbidden_mail_provider_on_reset() {
    let (_folder, harness) = Harness::start().await;
    let send = SendPasswordResetRequest {
        origin: None,
        language: None,
        body: SendPasswordResetBody { email: format!("alice@mail.{FORBIDDEN_DOMAIN}") },
    };
    let refused =
        expect!(harness.client.send_password_reset(send).await.unwrap(), SendPasswordResetResponse::Forbidden);
    assert_eq!((refused.status_code, refused.message.as_str()), (403, "FORBIDDEN_MAIL_PROVIDER"));
}

#[tokio::test]
async fn logs_contain_no_secrets() {
    let logs = support::captured_logs();
    let (_folder, harness) = Harness::start().await;
    let refresh = harness.login(EMAIL, PASSWORD).await;
    let access = harness.access(&refresh).await;
    let (secret, codes) = enable_totp(&harness, &access).await;
    let sudo = sudo_with_totp(&harness, &access, &secret).await;
    let wrong = harness.client.login(login_request(EMAIL, "Wrong-Passw0rd-Logged?")).await.unwrap();
    assert!(matches!(wrong, LoginResponse::Unauthorized(_)));
    let send =
        SendPasswordResetRequest { origin: None, language: None, body: SendPasswordResetBody { email: EMAIL.into() } };
    assert!(matches!(harness.client.send_password_reset(send).await.unwrap(), SendPasswordResetResponse::Ok));
    let reset_code = harness.last_code_to(EMAIL);

    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(text.contains("password reset code requested"), "the log capture is not active");
    let secret_base32 = auth_service::totp::encode_secret(&secret);
    let mut secrets =
        vec![refresh, access, sudo, PASSWORD.to_owned(), "Wrong-Passw0rd-Logged?".to_owned(), secret_base32];
    secrets.extend(codes);
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "a secret appears in the log");
    }
    // Six digits may occur by chance in timestamps, so look for the code as a logged value.
    assert!(
        !text.contains(&format!("={reset_code}")) && !text.contains(&format!(" {reset_code} ")),
        "the reset code appears in the log"
    );
}
