//! Shared helpers of the integration tests.

use std::path::{Path, PathBuf};

/// Returns the workspace root.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(".."))
}

pub use xtask::auth_config;

/// Serves `router` on an ephemeral port of 127.0.0.1 in a background task and returns its base URL,
/// such as `http://127.0.0.1:40123`.
///
/// The task runs until the tokio runtime of the calling test shuts down.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("failed to bind 127.0.0.1:0");
    let address = listener.local_addr().expect("failed to read the address of the test listener");
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("the test server stopped with an error");
    });
    format!("http://{address}")
}
