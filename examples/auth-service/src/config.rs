//! Service settings: defaults, then a TOML file, then `AUTH_SERVICE_*` environment variables.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::limits::Backoff;
use crate::password::HashingCost;

/// Every setting of the service. Durations are in seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// SQLite database file; created with its schema when missing.
    pub database: PathBuf,
    pub tokens: TokenLifetimes,
    pub totp: TotpSettings,
    pub mail: MailSettings,
    /// Wait after failed password, TOTP and recovery-code checks.
    pub backoff: Backoff,
    pub password_hashing: HashingCost,
    pub demo_user: DemoUser,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: PathBuf::from("auth-service.sqlite3"),
            tokens: TokenLifetimes::default(),
            totp: TotpSettings::default(),
            mail: MailSettings::default(),
            backoff: Backoff::default(),
            password_hashing: HashingCost::default(),
            demo_user: DemoUser::default(),
        }
    }
}

/// Lifetimes of the issued tokens, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenLifetimes {
    pub refresh_seconds: i64,
    pub access_seconds: i64,
    pub sudo_seconds: i64,
    pub partial_auth_seconds: i64,
}

impl Default for TokenLifetimes {
    /// Refresh 14 days, access and sudo 5 minutes, as the API documents. The API does not
    /// document the partial auth token's lifetime; 10 minutes leaves time to read a mailed code.
    fn default() -> Self {
        TokenLifetimes {
            refresh_seconds: 14 * 24 * 3600,
            access_seconds: 5 * 60,
            sudo_seconds: 5 * 60,
            partial_auth_seconds: 10 * 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TotpSettings {
    /// Issuer shown by authenticator apps, part of the otpauth URL.
    pub issuer: String,
}

impl Default for TotpSettings {
    fn default() -> Self {
        TotpSettings { issuer: "auth-service".to_owned() }
    }
}

/// Mail delivery and its limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// Sender address.
    pub from: String,
    /// Folder that receives one JSON file per message when no SMTP relay is configured.
    pub outbox: PathBuf,
    /// SMTP relay; when set, mail goes there instead of the outbox.
    pub smtp: Option<SmtpSettings>,
    /// Minimum gap between two mails of one kind to one account.
    pub min_gap_seconds: i64,
    /// Lifetime of a mailed code.
    pub code_lifetime_seconds: i64,
    /// Wrong guesses after which a mailed code stops working.
    pub code_max_attempts: u32,
    /// Mail domains that the e-mail change and password reset operations reject. A domain also
    /// matches its subdomains.
    pub forbidden_providers: Vec<String>,
    /// Page that the link of postForgotPassword opens; the link adds `email` and `otp` query
    /// parameters.
    pub password_reset_url: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            from: "auth-service <no-reply@localhost>".to_owned(),
            outbox: PathBuf::from("auth-service-outbox"),
            smtp: None,
            min_gap_seconds: 60,
            code_lifetime_seconds: 10 * 60,
            code_max_attempts: 5,
            forbidden_providers: [
                "mailinator.com",
                "yopmail.com",
                "guerrillamail.com",
                "10minutemail.com",
                "trashmail.com",
            ]
            .map(str::to_owned)
            .to_vec(),
            password_reset_url: "http://localhost:3000/reset-password".to_owned(),
        }
    }
}

/// Connection to an SMTP relay.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    #[serde(default)]
    pub username: Option<String>,
    /// Prefer the `AUTH_SERVICE_SMTP_PASSWORD` variable to keeping it in the file.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub tls: SmtpTls,
}

fn default_smtp_port() -> u16 {
    587
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("tls", &self.tls)
            .finish()
    }
}

/// Encryption of the SMTP connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Implicit,
    /// No encryption, for a relay on the same host only.
    None,
}

/// The account created at start so the service can be tried at once.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemoUser {
    pub enabled: bool,
    pub email: String,
    pub password: String,
}

impl Default for DemoUser {
    fn default() -> Self {
        DemoUser { enabled: true, email: "demo@example.com".to_owned(), password: "DemoPassw0rd".to_owned() }
    }
}

impl fmt::Debug for DemoUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoUser")
            .field("enabled", &self.enabled)
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A configuration that cannot be read or used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("failed to read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid configuration file {path}: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("invalid value `{value}` of the environment variable {name}: {message}")]
    Environment { name: &'static str, value: String, message: String },
    #[error("invalid setting {name}: {message}")]
    Invalid { name: &'static str, message: String },
}

impl Config {
    /// Reads the TOML file at `path` (when given), applies the environment variables that
    /// `lookup` returns, and checks the result.
    pub fn load(path: Option<&Path>, lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse { path: path.to_owned(), source })?
            }
            None => Config::default(),
        };
        config.apply_environment(lookup)?;
        config.check()?;
        Ok(config)
    }

    /// Overrides settings with the `AUTH_SERVICE_*` variables listed in the README.
    fn apply_environment(&mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let variables = Variables { lookup: &lookup };
        variables.parse("AUTH_SERVICE_LISTEN", &mut self.listen)?;
        variables.path("AUTH_SERVICE_DATABASE", &mut self.database);

        variables.parse("AUTH_SERVICE_REFRESH_TOKEN_SECONDS", &mut self.tokens.refresh_seconds)?;
        variables.parse("AUTH_SERVICE_ACCESS_TOKEN_SECONDS", &mut self.tokens.access_seconds)?;
        variables.parse("AUTH_SERVICE_SUDO_TOKEN_SECONDS", &mut self.tokens.sudo_seconds)?;
        variables.parse("AUTH_SERVICE_PARTIAL_AUTH_TOKEN_SECONDS", &mut self.tokens.partial_auth_seconds)?;
        variables.parse("AUTH_SERVICE_TOTP_ISSUER", &mut self.totp.issuer)?;

        variables.parse("AUTH_SERVICE_MAIL_FROM", &mut self.mail.from)?;
        variables.path("AUTH_SERVICE_OUTBOX", &mut self.mail.outbox);
        variables.parse("AUTH_SERVICE_MAIL_MIN_GAP_SECONDS", &mut self.mail.min_gap_seconds)?;
        variables.parse("AUTH_SERVICE_MAIL_CODE_LIFETIME_SECONDS", &mut self.mail.code_lifetime_seconds)?;
        variables.parse("AUTH_SERVICE_PASSWORD_RESET_URL", &mut self.mail.password_reset_url)?;
        if let Some(list) = lookup("AUTH_SERVICE_FORBIDDEN_MAIL_PROVIDERS") {
            self.mail.forbidden_providers =
                list.split(',').map(str::trim).filter(|domain| !domain.is_empty()).map(str::to_owned).collect();
        }

        if let Some(host) = lookup("AUTH_SERVICE_SMTP_HOST") {
            let smtp = self.mail.smtp.get_or_insert_with(|| SmtpSettings {
                host: String::new(),
                port: default_smtp_port(),
                username: None,
                password: None,
                tls: SmtpTls::default(),
            });
            smtp.host = host;
        }
        if let Some(smtp) = &mut self.mail.smtp {
            variables.parse("AUTH_SERVICE_SMTP_PORT", &mut smtp.port)?;
            if let Some(username) = lookup("AUTH_SERVICE_SMTP_USERNAME") {
                smtp.username = Some(username);
            }
            if let Some(password) = lookup("AUTH_SERVICE_SMTP_PASSWORD") {
                smtp.password = Some(password);
            }
            if let Some(tls) = lookup("AUTH_SERVICE_SMTP_TLS") {
                smtp.tls = match tls.as_str() {
                    "starttls" => SmtpTls::Starttls,
                    "implicit" => SmtpTls::Implicit,
                    "none" => SmtpTls::None,
                    _ => {
                        return Err(ConfigError::Environment {
                            name: "AUTH_SERVICE_SMTP_TLS",
                            value: tls,
                            message: "expected starttls, implicit or none".to_owned(),
                        });
                    }
                };
            }
        }

        variables.parse("AUTH_SERVICE_DEMO_USER", &mut self.demo_user.enabled)?;
        variables.parse("AUTH_SERVICE_DEMO_EMAIL", &mut self.demo_user.email)?;
        variables.parse("AUTH_SERVICE_DEMO_PASSWORD", &mut self.demo_user.password)?;
        Ok(())
    }

    fn check(&self) -> Result<(), ConfigError> {
        let positive = [
            ("tokens.refresh_seconds", self.tokens.refresh_seconds),
            ("tokens.access_seconds", self.tokens.access_seconds),
            ("tokens.sudo_seconds", self.tokens.sudo_seconds),
            ("tokens.partial_auth_seconds", self.tokens.partial_auth_seconds),
            ("mail.code_lifetime_seconds", self.mail.code_lifetime_seconds),
            ("backoff.base_seconds", self.backoff.base_seconds),
            ("backoff.max_seconds", self.backoff.max_seconds),
        ];
        for (name, value) in positive {
            if value <= 0 {
                return Err(ConfigError::Invalid { name, message: format!("must be positive, got {value}") });
            }
        }
        if self.mail.min_gap_seconds < 0 {
            return Err(ConfigError::Invalid {
                name: "mail.min_gap_seconds",
                message: format!("must not be negative, got {}", self.mail.min_gap_seconds),
            });
        }
        if self.mail.code_max_attempts == 0 {
            return Err(ConfigError::Invalid {
                name: "mail.code_max_attempts",
                message: "must be at least 1".to_owned(),
            });
        }
        if self.totp.issuer.trim().is_empty() {
            return Err(ConfigError::Invalid { name: "totp.issuer", message: "must not be empty".to_owned() });
        }
        if self.demo_user.enabled
            && let Err(violation) = crate::password::check_policy(&self.demo_user.password)
        {
            return Err(ConfigError::Invalid { name: "demo_user.password", message: violation.to_string() });
        }
        Ok(())
    }
}

/// Reads and parses environment variables through an injectable lookup.
struct Variables<'a, F: Fn(&str) -> Option<String>> {
    lookup: &'a F,
}

impl<F: Fn(&str) -> Option<String>> Variables<'_, F> {
    fn parse<T: std::str::FromStr>(&self, name: &'static str, target: &mut T) -> Result<(), ConfigError>
    where
        T::Err: fmt::Display,
    {
        if let Some(value) = (self.lookup)(name) {
            *target = value.trim().parse().map_err(|error: T::Err| ConfigError::Environment {
                name,
                value: value.clone(),
                message: error.to_string(),
            })?;
        }
        Ok(())
    }

    fn path(&self, name: &'static str, target: &mut PathBuf) {
        if let Some(value) = (self.lookup)(name) {
            *target = PathBuf::from(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn environment(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn defaults_match_documented_lifetimes() {
        let config = Config::load(None, environment(&[])).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.tokens.refresh_seconds, 1_209_600);
        assert_eq!(config.tokens.access_seconds, 300);
        assert_eq!(config.tokens.sudo_seconds, 300);
        assert_eq!(config.mail.min_gap_seconds, 60);
    }

    #[test]
    fn file_then_environment() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("auth.toml");
        std::fs::write(
            &path,
            r#"
listen = "127.0.0.1:9000"
database = "file.sqlite3"
[tokens]
access_seconds = 120
[mail]
forbidden_providers = ["blocked.example"]
[mail.smtp]
host = "smtp.example.com"
username = "mailer"
[totp]
issuer = "From file"
"#,
        )
        .unwrap();
        let config = Config::load(
            Some(&path),
            environment(&[
                ("AUTH_SERVICE_LISTEN", "127.0.0.1:9100"),
                ("AUTH_SERVICE_FORBIDDEN_MAIL_PROVIDERS", "a.example, b.example,"),
                ("AUTH_SERVICE_SMTP_PASSWORD", "secret"),
                ("AUTH_SERVICE_SMTP_TLS", "implicit"),
            ]),
        )
        .unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:9100");
        assert_eq!(config.database, PathBuf::from("file.sqlite3"));
        assert_eq!(config.tokens.access_seconds, 120);
        assert_eq!(config.tokens.sudo_seconds, 300);
        assert_eq!(config.totp.issuer, "From file");
        assert_eq!(config.mail.forbidden_providers, ["a.example", "b.example"]);
        let smtp = config.mail.smtp.unwrap();
        assert_eq!(smtp.host, "smtp.example.com");
        assert_eq!(smtp.port, 587);
        assert_eq!(smtp.password.as_deref(), Some("secret"));
        assert_eq!(smtp.tls, SmtpTls::Implicit);
        assert!(!format!("{smtp:?}").contains("secret"));
    }

    #[test]
    fn unknown_key_is_rejected() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("auth.toml");
        std::fs::write(&path, "listen_address = \"127.0.0.1:1\"\n").unwrap();
        let error = Config::load(Some(&path), environment(&[])).unwrap_err();
        assert!(error.to_string().contains("listen_address"), "{error}");
    }

    #[test]
    fn bad_environment_value_names_variable() {
        let error = Config::load(None, environment(&[("AUTH_SERVICE_ACCESS_TOKEN_SECONDS", "soon")])).unwrap_err();
        assert!(error.to_string().contains("AUTH_SERVICE_ACCESS_TOKEN_SECONDS"), "{error}");
    }

    #[test]
    fn non_positive_lifetime_is_rejected() {
        let error = Config::load(None, environment(&[("AUTH_SERVICE_SUDO_TOKEN_SECONDS", "0")])).unwrap_err();
        assert!(error.to_string().contains("tokens.sudo_seconds"), "{error}");
    }

    #[test]
    fn weak_demo_password_is_rejected() {
        let error = Config::load(None, environment(&[("AUTH_SERVICE_DEMO_PASSWORD", "weak")])).unwrap_err();
        assert!(error.to_string().contains("demo_user.password"), "{error}");
    }
}
