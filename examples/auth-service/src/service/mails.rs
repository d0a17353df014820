//! The texts of the mails the service sends.
//!
//! NOTE: the texts are English only; the API's `language` option does not select another.

use crate::mail::MailMessage;
use crate::store::CodePurpose;

/// Composes the mail that carries a one-time `code` for `purpose`. The recipient is set by
/// the caller.
pub fn code_mail(purpose: CodePurpose, code: &str, lifetime_seconds: i64) -> MailMessage {
    let minutes = (lifetime_seconds + 59) / 60;
    let (subject, reason) = match purpose {
        CodePurpose::EmailOtpSetup => {
            ("Confirm your address for sign-in codes", "to confirm this address for two-factor sign-in")
        }
        CodePurpose::EmailOtpChallenge => ("Your sign-in code", "to finish signing in"),
        CodePurpose::EmailTransfer => ("Confirm your new e-mail address", "to make this the address of your account"),
        CodePurpose::PasswordReset => ("Your password reset code", "to choose a new password"),
    };
    let body = format!(
        "Your code is {code}.\n\nEnter it {reason}. It expires in {minutes} minutes and works once.\n\n\
         If you did not ask for this code, ignore this mail; nothing changes without it.\n"
    );
    MailMessage { to: String::new(), subject: subject.to_owned(), body, purpose: purpose.as_str().to_owned() }
}

/// Composes the mail of postForgotPassword: a link to the reset page that carries the code,
/// and the code itself for typing it in.
pub fn reset_link_mail(reset_url: &str, email: &str, code: &str, lifetime_seconds: i64) -> MailMessage {
    let minutes = (lifetime_seconds + 59) / 60;
    let separator = if reset_url.contains('?') { '&' } else { '?' };
    let email_parameter = percent_encoding::utf8_percent_encode(email, percent_encoding::NON_ALPHANUMERIC);
    let link = format!("{reset_url}{separator}email={email_parameter}&otp={code}");
    let body = format!(
        "Open this link to choose a new password:\n{link}\n\nOr enter the code {code}. \
         Both expire in {minutes} minutes and work once.\n\n\
         If you did not ask to reset your password, ignore this mail; nothing changes without it.\n"
    );
    MailMessage {
        to: String::new(),
        subject: "Reset your password".to_owned(),
        body,
        purpose: "password_reset_link".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_mail_contains_code_and_lifetime() {
        let message = code_mail(CodePurpose::PasswordReset, "012345", 600);
        assert!(message.body.contains("012345"));
        assert!(message.body.contains("10 minutes"));
        assert_eq!(message.purpose, "password_reset");
    }

    #[test]
    fn reset_link_encodes_email() {
        let message = reset_link_mail("https://app.example/reset", "a+b@example.com", "123456", 600);
        assert!(message.body.contains("https://app.example/reset?email=a%2Bb%40example%2Ecom&otp=123456"));
        let message = reset_link_mail("https://app.example/reset?x=1", "a@example.com", "123456", 600);
        assert!(message.body.contains("reset?x=1&email="));
    }
}
