//! Assembly of the service from its configuration, and the HTTP server around it.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::config::Config;
use crate::mail::{Mailer, OutboxMailer};
use crate::service::{AuthService, InternalError};
use crate::store::{SqliteStore, StoreError};

/// A failure to start the service.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("failed to open the database {path}: {source}")]
    Database {
        path: std::path::PathBuf,
        #[source]
        source: StoreError,
    },
    #[error("failed to create the outbox folder {path}: {source}")]
    Outbox {
        path: std::path::PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("invalid SMTP settings: {0}")]
    Smtp(#[source] crate::mail::MailError),
    #[error("mail.smtp is configured, but this build has no SMTP support; rebuild with the `smtp` feature")]
    SmtpUnavailable,
    #[error(transparent)]
    Service(#[from] InternalError),
}

/// Opens the database (applying migrations), chooses the mailer and builds the service.
pub fn open_service(config: &Config, clock: Arc<dyn Clock>) -> Result<AuthService, StartupError> {
    let store = SqliteStore::open(&config.database)
        .map_err(|source| StartupError::Database { path: config.database.clone(), source })?;
    let mailer = mailer_for(config)?;
    Ok(AuthService::new(config.clone(), Box::new(store), clock, mailer)?)
}

/// Creates the SMTP mailer when `mail.smtp` is set, and the outbox mailer otherwise.
fn mailer_for(config: &Config) -> Result<Arc<dyn Mailer>, StartupError> {
    match &config.mail.smtp {
        #[cfg(feature = "smtp")]
        Some(smtp) => {
            let mailer = crate::mail::SmtpMailer::new(smtp, &config.mail.from).map_err(StartupError::Smtp)?;
            Ok(Arc::new(mailer))
        }
        #[cfg(not(feature = "smtp"))]
        Some(_) => Err(StartupError::SmtpUnavailable),
        None => {
            let outbox = &config.mail.outbox;
            let mailer =
                OutboxMailer::new(outbox).map_err(|source| StartupError::Outbox { path: outbox.clone(), source })?;
            Ok(Arc::new(mailer))
        }
    }
}

/// The HTTP server running on a background task.
pub struct RunningServer {
    address: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

impl RunningServer {
    /// Serves the API of `service` on `listener` until [`RunningServer::shutdown`].
    pub fn start(listener: TcpListener, service: AuthService) -> io::Result<RunningServer> {
        let address = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = crate::api::router(service);
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    // A dropped sender stops the server too.
                    let _ = stopped.await;
                })
                .await
        });
        Ok(RunningServer { address, stop, task })
    }

    /// Returns the address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops accepting connections, lets open requests finish and waits for the server task.
    pub async fn shutdown(self) -> io::Result<()> {
        let _ = self.stop.send(());
        self.task.await.map_err(io::Error::other)?
    }

    /// Waits until the server task ends, which happens only on an error or after shutdown.
    pub async fn wait(&mut self) -> io::Result<()> {
        (&mut self.task).await.map_err(io::Error::other)?
    }
}
