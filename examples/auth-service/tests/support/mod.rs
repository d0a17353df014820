//! Runs the service in-process on 127.0.0.1 with a temporary database and outbox and a manual
//! clock, and talks to it through the generated client.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use auth_client::{AuthApi, Client, Credentials, Server};
use auth_service::app::{RunningServer, open_service};
use auth_service::clock::ManualClock;
use auth_service::config::Config;
use auth_service::limits::Backoff;
use auth_service::mail::MailMessage;
use auth_service::password::HashingCost;
use auth_service::service::AuthService;

/// Start time of every test clock: 2023-11-14T22:13:20Z.
pub const START: i64 = 1_700_000_000;
pub const EMAIL: &str = "alice@example.com";
pub const PASSWORD: &str = "Passw0rdAlice";
/// A mail domain the test configuration forbids.
pub const FORBIDDEN_DOMAIN: &str = "blocked.example";

/// Returns the inner value of the expected response variant, or fails with the response.
#[macro_export]
macro_rules! expect {
    ($value:expr, $variant:path) => {
        match $value {
            $variant(inner) => inner,
            other => panic!("expected {}, got {:?}", stringify!($variant), other),
        }
    };
}

pub fn bearer(token: &str) -> Option<Credentials> {
    Some(Credentials::new(token))
}

/// Everything the service writes to the log while tests run, for the secret-leak test.
pub fn captured_logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Arc::clone(&buffer);
        let filter = tracing_subscriber::EnvFilter::new("info,auth_service=trace,auth_server=trace,auth_api=trace");
        // Another test binary thread may have set a subscriber first; then capture is empty
        // and the leak test notices.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(move || LogWriter(Arc::clone(&writer)))
            .try_init();
        buffer
    })
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A running service, its client, clock and files.
pub struct Harness {
    pub client: Client,
    pub clock: ManualClock,
    /// The service itself, for seeding accounts.
    pub service: AuthService,
    pub outbox: PathBuf,
    server: RunningServer,
}

/// Returns the configuration of the tests: temporary files, cheap password hashing (the tests
/// run unoptimized), a forbidden domain and no demo account.
pub fn test_config(folder: &Path) -> Config {
    let mut config = Config {
        database: folder.join("auth.sqlite3"),
        password_hashing: HashingCost { memory_kib: 64, iterations: 1, parallelism: 1 },
        backoff: Backoff::default(),
        ..Config::default()
    };
    config.mail.outbox = folder.join("outbox");
    config.mail.forbidden_providers = vec![FORBIDDEN_DOMAIN.to_owned()];
    config.demo_user.enabled = false;
    config
}

impl Harness {
    /// Starts a service on a new temporary folder with one account, `EMAIL` / `PASSWORD`.
    pub async fn start() -> (tempfile::TempDir, Harness) {
        let folder = tempfile::tempdir().expect("temporary folder");
        let harness = Harness::start_in(folder.path(), ManualClock::new(START)).await;
        harness.service.create_account(EMAIL, PASSWORD).await.expect("create the test account");
        (folder, harness)
    }

    /// Starts a service on the database and outbox in `folder`, which may hold data of an
    /// earlier run.
    pub async fn start_in(folder: &Path, clock: ManualClock) -> Harness {
        captured_logs();
        let config = test_config(folder);
        let service = open_service(&config, Arc::new(clock.clone())).expect("open the service");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let server = RunningServer::start(listener, service.clone()).expect("start the server");
        let base = format!("http://{}", server.address());
        let client =
            Client::builder().server_url(Server::Default, base.clone()).server_url(Server::MainApiServer, base).build();
        Harness { client, clock, service, outbox: config.mail.outbox, server }
    }

    /// Returns the base URL of the running server, such as `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.server.address())
    }

    /// Stops the server and releases the database.
    pub async fn stop(self) {
        let Harness { server, service, .. } = self;
        server.shutdown().await.expect("server shut down cleanly");
        drop(service);
    }

    /// Returns the messages in the outbox addressed to `to`, oldest first.
    pub fn mails_to(&self, to: &str) -> Vec<MailMessage> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&self.outbox) {
            Ok(entries) => entries
                .map(|entry| entry.expect("outbox entry").path())
                .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
                .collect(),
            Err(_) => Vec::new(),
        };
        files.sort();
        files
            .iter()
            .map(|path| {
                serde_json::from_slice::<MailMessage>(&std::fs::read(path).expect("read mail")).expect("mail JSON")
            })
            .filter(|message| message.to == to)
            .collect()
    }

    /// Returns the 6-digit code of the newest mail to `to`.
    pub fn last_code_to(&self, to: &str) -> String {
        let mails = self.mails_to(to);
        let message = mails.last().unwrap_or_else(|| panic!("no mail to {to}"));
        code_in(&message.body)
    }

    /// Logs in to an account with 2FA off and returns the refresh token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let response = self.client.login(login_request(email, password)).await.expect("login request");
        expect!(response, auth_client::LoginResponse::Ok)
    }

    /// Exchanges a refresh token for an access token.
    pub async fn access(&self, refresh: &str) -> String {
        let response = self
            .client
            .accesstoken(auth_client::AccesstokenRequest { credentials: bearer(refresh) })
            .await
            .expect("accesstoken request");
        expect!(response, auth_client::AccesstokenResponse::Ok)
    }

    /// Logs in as `EMAIL` with 2FA off and returns an access token.
    pub async fn access_token(&self) -> String {
        let refresh = self.login(EMAIL, PASSWORD).await;
        self.access(&refresh).await
    }
}

pub fn login_request(email: &str, password: &str) -> auth_client::LoginRequest {
    auth_client::LoginRequest {
        cookie: None,
        body: auth_client::LoginBody { username: email.to_owned(), password: password.to_owned() },
    }
}

/// Returns the first run of exactly six digits in `text`.
pub fn code_in(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if bytes[start].is_ascii_digit() {
            let end = bytes[start..].iter().position(|b| !b.is_ascii_digit()).map_or(bytes.len(), |n| start + n);
            if end - start == 6 {
                return text[start..end].to_owned();
            }
            start = end;
        } else {
            start += 1;
        }
    }
    panic!("no 6-digit code in the mail body")
}

/// Returns the base32 secret of an otpauth URL.
pub fn secret_of(url: &str) -> Vec<u8> {
    let query = url.split_once('?').expect("otpauth URL has a query").1;
    let secret = query.split('&').find_map(|pair| pair.strip_prefix("secret=")).expect("otpauth URL has a secret");
    auth_service::totp::decode_secret(secret).expect("secret is base32")
}

/// Computes the TOTP code of `secret` at the clock's time.
pub fn totp_now(secret: &[u8], clock: &ManualClock) -> String {
    use auth_service::clock::Clock;
    auth_service::totp::code_at(secret, clock.now())
}
