//! Phase 3: turn the model into token streams, one per generated file.
//!
//! Emitters are pure functions of the model. Hand-written support code
//! (validation helpers, request extraction, client plumbing) lives in
//! `runtime/` as plain Rust and is copied into the crates, so generated
//! crates need no support crate of ours.

mod api;
mod cargo;
mod client;
mod docs;
mod server;
mod types;
mod validate;

use proc_macro2::TokenStream;

use crate::Config;
use crate::model::Api;

/// The content of one generated file before rendering.
pub enum Source {
    /// Rust code, checked with `syn` and formatted with `prettyplease`.
    Rust(TokenStream),
    /// Rust code kept as text: the runtime modules.
    RustText(&'static str),
    /// Any other text, such as a manifest.
    Text(String),
}

/// A file to write, relative to the output root.
pub struct EmittedFile {
    pub path: String,
    pub source: Source,
}

const API_RUNTIME: &str = include_str!("runtime/api_validation.rs");
const SERVER_RUNTIME: &str = include_str!("runtime/server_runtime.rs");
const CLIENT_RUNTIME: &str = include_str!("runtime/client_runtime.rs");

/// Emits every file of the api, server and client crates.
pub fn emit(api: &Api, config: &Config) -> Vec<EmittedFile> {
    let rust = |dir: &str, file: &str, tokens: TokenStream| EmittedFile {
        path: format!("{dir}/src/{file}"),
        source: Source::Rust(tokens),
    };
    let text = |dir: &str, file: &str, content: &'static str| EmittedFile {
        path: format!("{dir}/src/{file}"),
        source: Source::RustText(content),
    };
    let manifest =
        |dir: &str, content: String| EmittedFile { path: format!("{dir}/Cargo.toml"), source: Source::Text(content) };

    let rustfmt = |dir: &str| EmittedFile {
        path: format!("{dir}/rustfmt.toml"),
        source: Source::Text(cargo::rustfmt_config(config)),
    };

    vec![
        manifest(&config.api_dir, cargo::api_manifest(api, config)),
        rustfmt(&config.api_dir),
        rust(&config.api_dir, "lib.rs", api::lib(api, config)),
        rust(&config.api_dir, "types.rs", types::types(api)),
        rust(&config.api_dir, "operations.rs", api::operations(api)),
        rust(&config.api_dir, "api.rs", api::api_trait(api, config)),
        rust(&config.api_dir, "validate.rs", validate::validate(api)),
        text(&config.api_dir, "runtime.rs", API_RUNTIME),
        manifest(&config.server_dir, cargo::server_manifest(config)),
        rustfmt(&config.server_dir),
        rust(&config.server_dir, "lib.rs", server::lib(api, config)),
        rust(&config.server_dir, "router.rs", server::router(api, config)),
        text(&config.server_dir, "runtime.rs", SERVER_RUNTIME),
        manifest(&config.client_dir, cargo::client_manifest(config)),
        rustfmt(&config.client_dir),
        rust(&config.client_dir, "lib.rs", client::lib(api, config)),
        rust(&config.client_dir, "client.rs", client::client(api, config)),
        text(&config.client_dir, "runtime.rs", CLIENT_RUNTIME),
    ]
}

/// Converts a crate name such as `auth-api` into its path in Rust code.
pub(crate) fn crate_ident(name: &str) -> proc_macro2::Ident {
    quote::format_ident!("{}", name.replace('-', "_"))
}
