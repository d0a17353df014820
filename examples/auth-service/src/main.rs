//! Runs the authentication service: `cargo run -p auth-service -- --config auth-service.toml`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use auth_service::app::{RunningServer, open_service};
use auth_service::clock::SystemClock;
use auth_service::config::Config;
use auth_service::service::AuthService;
use clap::Parser;
use tracing_subscriber::EnvFilter;

/// How often expired tokens and codes are deleted.
const PURGE_INTERVAL: Duration = Duration::from_secs(3600);

/// Serves the authentication API on an SQLite database.
#[derive(Debug, Parser)]
#[command(version)]
struct Arguments {
    /// TOML configuration file. Without it, the defaults apply. The AUTH_SERVICE_CONFIG
    /// variable names the file too; AUTH_SERVICE_* variables override single settings.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs go to standard error, so standard output carries only the login instructions.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match run(Arguments::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "auth-service stopped with an error");
            ExitCode::FAILURE
        }
    }
}

async fn run(arguments: Arguments) -> Result<(), Box<dyn std::error::Error>> {
    let config_path = arguments.config.or_else(|| std::env::var_os("AUTH_SERVICE_CONFIG").map(PathBuf::from));
    let config = Config::load(config_path.as_deref(), |name| std::env::var(name).ok())?;
    tracing::info!(
        database = %config.database.display(),
        mailer = if config.mail.smtp.is_some() { "smtp" } else { "outbox" },
        "starting auth-service"
    );
    let service = open_service(&config, Arc::new(SystemClock))?;
    let demo_created = match config.demo_user.enabled {
        true => Some(service.ensure_account(&config.demo_user.email, &config.demo_user.password).await?),
        false => None,
    };
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let mut server = RunningServer::start(listener, service.clone())?;
    tracing::info!(address = %server.address(), "listening");
    print_instructions(&config, &server, demo_created);
    let purge = tokio::spawn(purge_periodically(service));

    tokio::select! {
        result = server.wait() => {
            purge.abort();
            result?;
        }
        signal = tokio::signal::ctrl_c() => {
            signal?;
            tracing::info!("shutting down");
            purge.abort();
            server.shutdown().await?;
        }
    }
    Ok(())
}

/// Deletes expired tokens and codes now and every [`PURGE_INTERVAL`].
async fn purge_periodically(service: AuthService) {
    let mut interval = tokio::time::interval(PURGE_INTERVAL);
    loop {
        interval.tick().await;
        match service.purge_expired().await {
            Ok(rows) => tracing::info!(rows, "deleted expired tokens and codes"),
            Err(error) => tracing::error!(%error, "failed to delete expired tokens and codes"),
        }
    }
}

/// Prints how to log in. The demo password is printed on purpose: it is a configured,
/// public demo credential, and it goes to standard output rather than the log.
fn print_instructions(config: &Config, server: &RunningServer, demo_created: Option<bool>) {
    let base = format!("http://{}", server.address());
    println!("auth-service listening on {base}");
    match &config.mail.smtp {
        Some(smtp) => println!("Mail goes through the SMTP relay {}:{}", smtp.host, smtp.port),
        None => println!("Mail is written to the folder {}", config.mail.outbox.display()),
    }
    let Some(created) = demo_created else {
        return;
    };
    let demo = &config.demo_user;
    let state = if created { "created" } else { "already exists" };
    let body = serde_json::json!({ "username": demo.email, "password": demo.password }).to_string();
    println!("Demo account {state}: {} with password {}", demo.email, demo.password);
    println!("Log in (returns a refresh token):");
    println!(
        "  REFRESH=$(curl -s -X POST {base}/auth/login -H 'Content-Type: application/json' -d {})",
        shell_quote(&body)
    );
    println!("Get an access token and list the 2FA methods:");
    println!("  ACCESS=$(curl -s {base}/auth/accesstoken -H \"Authorization: Bearer $REFRESH\")");
    println!("  curl -s {base}/user/2fa -H \"Authorization: Bearer $ACCESS\"");
}

/// Quotes `text` for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
