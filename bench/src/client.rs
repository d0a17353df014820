//! The client benchmark: the generated client against plain reqwest calls that send the same
//! requests to the same local server and decode the same responses.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use auth_client::{AuthApi, Client, Credentials, Server};
use axum::http::header;

use crate::service::{RESET_CODE, RESET_EMAIL, TOKEN};

#[derive(Clone, Copy, PartialEq)]
enum Variant {
    Generated,
    Plain,
}

const OPERATIONS: [&str; 3] = ["validatePasswordReset", "getTwoFa", "refreshtoken"];

/// Times `iterations` sequential requests per operation and variant, in `rounds` rounds that
/// alternate which variant goes first, and prints one line per round and operation with the median
/// time per request in nanoseconds.
pub async fn run(base: &str, iterations: usize, rounds: usize) -> Result<()> {
    // One connection pool for both variants, so they differ only in the code around the call.
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let client = Client::builder().server_url(Server::Default, base).http_client(http.clone()).build();
    let calls = Calls { client, http, base: base.to_owned() };

    for operation in OPERATIONS {
        for variant in [Variant::Generated, Variant::Plain] {
            calls.time(operation, variant, iterations.min(200)).await?;
        }
    }
    for round in 0..rounds {
        for operation in OPERATIONS {
            let order = if round % 2 == 0 {
                [Variant::Generated, Variant::Plain]
            } else {
                [Variant::Plain, Variant::Generated]
            };
            let mut medians = [Duration::ZERO; 2];
            for variant in order {
                let median = calls.time(operation, variant, iterations).await?;
                medians[usize::from(variant == Variant::Plain)] = median;
            }
            println!(
                "operation={operation} round={round} generated_ns={} plain_ns={}",
                medians[0].as_nanos(),
                medians[1].as_nanos()
            );
        }
    }
    Ok(())
}

struct Calls {
    client: Client,
    http: reqwest::Client,
    base: String,
}

impl Calls {
    /// Returns the median time of `iterations` sequential calls.
    async fn time(&self, operation: &str, variant: Variant, iterations: usize) -> Result<Duration> {
        let mut times = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let start = Instant::now();
            match variant {
                Variant::Generated => self.generated(operation).await?,
                Variant::Plain => self.plain(operation).await?,
            }
            times.push(start.elapsed());
        }
        times.sort_unstable();
        Ok(times.get(times.len() / 2).copied().unwrap_or_default())
    }

    async fn generated(&self, operation: &str) -> Result<()> {
        let credentials = || Some(Credentials::new(TOKEN.to_owned()));
        let ok = match operation {
            "validatePasswordReset" => {
                let body = auth_client::ValidatePasswordResetBody {
                    email: RESET_EMAIL.to_owned(),
                    otp: RESET_CODE.to_owned(),
                };
                let request = auth_client::ValidatePasswordResetRequest { body };
                matches!(
                    self.client.validate_password_reset(request).await?,
                    auth_client::ValidatePasswordResetResponse::Ok
                )
            }
            "getTwoFa" => {
                let request = auth_client::GetTwoFaRequest { credentials: credentials() };
                matches!(self.client.get_two_fa(request).await?, auth_client::GetTwoFaResponse::Ok(_))
            }
            _ => {
                let request = auth_client::RefreshtokenRequest { cookie: Some(true), credentials: credentials() };
                matches!(self.client.refreshtoken(request).await?, auth_client::RefreshtokenResponse::Ok(_))
            }
        };
        if !ok {
            bail!("{operation} through the generated client did not return 200");
        }
        Ok(())
    }

    async fn plain(&self, operation: &str) -> Result<()> {
        let bearer = format!("Bearer {TOKEN}");
        match operation {
            "validatePasswordReset" => {
                let body = auth_client::ValidatePasswordResetBody {
                    email: RESET_EMAIL.to_owned(),
                    otp: RESET_CODE.to_owned(),
                };
                let url = format!("{}/user/password/reset/validate", self.base);
                let response = self.http.post(url).json(&body).send().await?;
                expect_ok(operation, response.status())?;
                response.bytes().await?;
            }
            "getTwoFa" => {
                let url = format!("{}/user/2fa", self.base);
                let response = self.http.get(url).header(header::AUTHORIZATION, bearer).send().await?;
                expect_ok(operation, response.status())?;
                let bytes = response.bytes().await?;
                serde_json::from_slice::<auth_client::TwoFactorStatus>(&bytes)?;
            }
            _ => {
                let url = format!("{}/auth/refreshtoken?cookie=true", self.base);
                let response = self.http.get(url).header(header::AUTHORIZATION, bearer).send().await?;
                expect_ok(operation, response.status())?;
                response.text().await?;
            }
        }
        Ok(())
    }
}

fn expect_ok(operation: &str, status: reqwest::StatusCode) -> Result<()> {
    if status != reqwest::StatusCode::OK {
        bail!("{operation} through plain reqwest returned {status}");
    }
    Ok(())
}
