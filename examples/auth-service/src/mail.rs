//! Outgoing mail: the [`Mailer`] trait, an outbox folder mailer and an SMTP mailer.

use std::future::Future;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::{SystemTime, UNIX_EPOCH};

/// One plain-text e-mail.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailMessage {
    /// Recipient address.
    pub to: String,
    pub subject: String,
    /// Plain-text body. It contains the one-time code, so it is never logged.
    pub body: String,
    /// Purpose of the mail, such as `password_reset`. It is logged in place of the body.
    pub purpose: String,
}

/// A failure to hand a message over for delivery.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("failed to write the message to the outbox {path}: {source}")]
    Outbox {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid mail address `{address}`: {message}")]
    Address { address: String, message: String },
    #[error("SMTP delivery failed: {0}")]
    Smtp(String),
    #[error("the mail task failed: {0}")]
    Task(String),
}

/// A boxed future returned by [`Mailer::send`].
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), MailError>> + Send + 'a>>;

/// Delivers messages. Implementations must not log the body, because it carries codes.
pub trait Mailer: Send + Sync + 'static {
    /// Hands `message` over for delivery; `Ok` means it was accepted, not that it arrived.
    fn send<'a>(&'a self, message: &'a MailMessage) -> SendFuture<'a>;
}

/// Writes each message as a JSON file (`to`, `subject`, `body`, `purpose`) to a folder, for
/// development and tests. File names sort in the order the messages were written.
#[derive(Debug, Clone)]
pub struct OutboxMailer {
    folder: PathBuf,
}

impl OutboxMailer {
    /// Creates the folder when it does not exist.
    pub fn new(folder: impl Into<PathBuf>) -> std::io::Result<Self> {
        let folder = folder.into();
        std::fs::create_dir_all(&folder)?;
        Ok(OutboxMailer { folder })
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    fn write(folder: &Path, message: &MailMessage) -> Result<PathBuf, MailError> {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_nanos()).unwrap_or(0);
        let suffix: [u8; 4] = crate::secrets::random_bytes();
        let name = format!("{nanos:020}-{:08x}", u32::from_be_bytes(suffix));
        let path = folder.join(format!("{name}.json"));
        // Write a hidden temporary file and rename it, so a reader never sees half a message.
        let partial = folder.join(format!(".{name}.partial"));
        let outbox_error = |source| MailError::Outbox { path: path.clone(), source };
        let bytes = serde_json::to_vec_pretty(message).map_err(|error| outbox_error(error.into()))?;
        let mut file = open_private(&partial).map_err(outbox_error)?;
        file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(outbox_error)?;
        std::fs::rename(&partial, &path).map_err(outbox_error)?;
        Ok(path)
    }
}

/// Creates a file that only its owner can read, because messages carry codes.
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

impl Mailer for OutboxMailer {
    fn send<'a>(&'a self, message: &'a MailMessage) -> SendFuture<'a> {
        Box::pin(async move {
            let folder = self.folder.clone();
            let owned = message.clone();
            let path = tokio::task::spawn_blocking(move || OutboxMailer::write(&folder, &owned))
                .await
                .map_err(|error| MailError::Task(error.to_string()))??;
            tracing::info!(purpose = %message.purpose, to = %message.to, path = %path.display(), "mail written to the outbox");
            Ok(())
        })
    }
}

#[cfg(feature = "smtp")]
pub use smtp::SmtpMailer;

#[cfg(feature = "smtp")]
mod smtp {
    use lettre::message::Mailbox;
    use lettre::message::header::ContentType;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    use super::{MailError, MailMessage, Mailer, SendFuture};
    use crate::config::{SmtpSettings, SmtpTls};

    /// Sends messages through an SMTP relay with lettre over rustls.
    pub struct SmtpMailer {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    }

    impl SmtpMailer {
        /// Builds the transport; nothing is sent until the first message.
        pub fn new(settings: &SmtpSettings, from: &str) -> Result<Self, MailError> {
            let from: Mailbox = from.parse().map_err(|error: lettre::address::AddressError| MailError::Address {
                address: from.to_owned(),
                message: error.to_string(),
            })?;
            let smtp_error = |error: lettre::transport::smtp::Error| MailError::Smtp(error.to_string());
            let builder = match settings.tls {
                SmtpTls::Starttls => {
                    AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host).map_err(smtp_error)?
                }
                SmtpTls::Implicit => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host).map_err(smtp_error)?,
                SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host),
            };
            let mut builder = builder.port(settings.port);
            if let Some(username) = &settings.username {
                let password = settings.password.clone().unwrap_or_default();
                builder = builder.credentials(Credentials::new(username.clone(), password));
            }
            Ok(SmtpMailer { transport: builder.build(), from })
        }
    }

    impl Mailer for SmtpMailer {
        fn send<'a>(&'a self, message: &'a MailMessage) -> SendFuture<'a> {
            Box::pin(async move {
                let to: Mailbox = message.to.parse().map_err(|error: lettre::address::AddressError| {
                    MailError::Address { address: message.to.clone(), message: error.to_string() }
                })?;
                let email = Message::builder()
                    .from(self.from.clone())
                    .to(to)
                    .subject(message.subject.clone())
                    .header(ContentType::TEXT_PLAIN)
                    .body(message.body.clone())
                    .map_err(|error| MailError::Smtp(error.to_string()))?;
                self.transport.send(email).await.map_err(|error| MailError::Smtp(error.to_string()))?;
                tracing::info!(purpose = %message.purpose, to = %message.to, "mail sent over SMTP");
                Ok(())
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn outbox_writes_one_json_file_per_message() {
        let folder = tempfile::tempdir().unwrap();
        let mailer = OutboxMailer::new(folder.path().join("outbox")).unwrap();
        let message = MailMessage {
            to: "alice@example.com".into(),
            subject: "Your code".into(),
            body: "Code: 123456".into(),
            purpose: "password_reset".into(),
        };
        mailer.send(&message).await.unwrap();
        mailer.send(&message).await.unwrap();
        let mut files: Vec<_> =
            std::fs::read_dir(mailer.folder()).unwrap().map(|entry| entry.unwrap().path()).collect();
        files.sort();
        assert_eq!(files.len(), 2);
        for file in &files {
            assert_eq!(file.extension().and_then(|e| e.to_str()), Some("json"));
            let stored: MailMessage = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
            assert_eq!(stored, message);
        }
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn outbox_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let folder = tempfile::tempdir().unwrap();
        let mailer = OutboxMailer::new(folder.path()).unwrap();
        let message =
            MailMessage { to: "a@example.com".into(), subject: "s".into(), body: "b".into(), purpose: "p".into() };
        mailer.send(&message).await.unwrap();
        let file = std::fs::read_dir(folder.path()).unwrap().next().unwrap().unwrap().path();
        assert_eq!(std::fs::metadata(file).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
