//! The three requests of the server and client benchmarks, and a check that both servers return
//! the same responses to them.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use axum::http::header;

use crate::service::{RESET_CODE, RESET_EMAIL, TOKEN};

/// One benchmarked request.
pub struct Probe {
    /// The operationId in `spec/auth.yaml`.
    pub operation: &'static str,
    pub method: &'static str,
    /// Path and query.
    pub path: &'static str,
    pub bearer: bool,
    /// A JSON body.
    pub body: Option<String>,
}

pub fn probes() -> Vec<Probe> {
    vec![
        Probe {
            operation: "validatePasswordReset",
            method: "POST",
            path: "/user/password/reset/validate",
            bearer: false,
            body: Some(format!(r#"{{"email":"{RESET_EMAIL}","otp":"{RESET_CODE}"}}"#)),
        },
        Probe { operation: "getTwoFa", method: "GET", path: "/user/2fa", bearer: true, body: None },
        Probe {
            operation: "refreshtoken",
            method: "GET",
            path: "/auth/refreshtoken?cookie=true",
            bearer: true,
            body: None,
        },
    ]
}

impl Probe {
    /// Writes a wrk script that sends this request to the URL given on wrk's command line.
    pub fn write_wrk_script(&self, folder: &Path) -> Result<PathBuf> {
        let mut script = format!("wrk.method = \"{}\"\n", self.method);
        if self.bearer {
            script.push_str(&format!("wrk.headers[\"Authorization\"] = \"Bearer {TOKEN}\"\n"));
        }
        if let Some(body) = &self.body {
            script.push_str("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
            script.push_str(&format!("wrk.body = '{body}'\n"));
        }
        let path = folder.join(format!("{}.lua", self.operation));
        std::fs::write(&path, script).with_context(|| format!("failed to write {}", path.display()))?;
        Ok(path)
    }

    fn request(&self, http: &reqwest::Client, base: &str) -> Result<reqwest::RequestBuilder> {
        let method = reqwest::Method::from_bytes(self.method.as_bytes())?;
        let mut request = http.request(method, format!("{base}{}", self.path));
        if self.bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        }
        if let Some(body) = &self.body {
            request = request.header(header::CONTENT_TYPE, "application/json").body(body.clone());
        }
        Ok(request)
    }
}

/// Sends each probe to both servers and fails unless both return 200 with the same media type
/// and body, so the load test compares equal work.
pub async fn check_same_responses(generated: &str, handwritten: &str) -> Result<()> {
    let http = reqwest::Client::new();
    for probe in probes() {
        let mut seen = Vec::new();
        for base in [generated, handwritten] {
            let response = probe
                .request(&http, base)?
                .send()
                .await
                .with_context(|| format!("{} to {base} failed", probe.operation))?;
            let status = response.status().as_u16();
            let media_type = response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = response.bytes().await?;
            if status != 200 {
                bail!("{} to {base} returned {status}: {}", probe.operation, String::from_utf8_lossy(&body));
            }
            seen.push((media_type, body));
        }
        if seen[0] != seen[1] {
            bail!(
                "{}: the generated router returned {:?}, the hand-written one {:?}",
                probe.operation,
                seen[0],
                seen[1]
            );
        }
    }
    Ok(())
}
