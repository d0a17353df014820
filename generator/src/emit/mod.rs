//! Phase 3: turn the model into token streams, one per generated file.
//!
//! Emitters are pure functions of the model. Hand-written support code
//! (validation helpers, request extraction, client plumbing) lives in
//! `runtime/` as plain Rust and is copied into the crates, so generated
//! crates need no support crate of ours.

mod api;
mod bodies;
mod cargo;
mod client;
mod deserialize;
mod docs;
mod parameters;
mod security;
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

/// A file to write, relative to the output root, and how to build its content.
///
/// Building is deferred so that the render phase can emit and format files on several threads:
/// token streams cannot cross threads, so each file is emitted where it is formatted.
pub struct EmitJob<'a> {
    pub path: String,
    pub build: Box<dyn Fn() -> Source + Send + Sync + 'a>,
}

const API_RUNTIME: &str = include_str!("runtime/api_validation.rs");
const API_DESERIALIZE: &str = include_str!("runtime/api_deserialize.rs");
const API_SECURITY: &str = include_str!("runtime/api_security.rs");
const SERVER_SECURITY: &str = include_str!("runtime/server_security.rs");
const SERVER_RUNTIME: &str = include_str!("runtime/server_runtime.rs");
const CLIENT_RUNTIME: &str = include_str!("runtime/client_runtime.rs");
const SERVER_PARAMETERS: &str = include_str!("runtime/server_parameters.rs");
const CLIENT_PARAMETERS: &str = include_str!("runtime/client_parameters.rs");
const API_MULTIPART: &str = include_str!("runtime/api_multipart.rs");
const MULTIPART_WIRE: &str = include_str!("runtime/multipart_wire.rs");
const SERVER_MULTIPART: &str = include_str!("runtime/server_multipart.rs");
const CLIENT_MULTIPART: &str = include_str!("runtime/client_multipart.rs");
const API_BINARY: &str = include_str!("runtime/api_binary.rs");
const SERVER_BINARY: &str = include_str!("runtime/server_binary.rs");
const CLIENT_BINARY: &str = include_str!("runtime/client_binary.rs");

/// Lists every file of the api, server and client crates; the largest come first, which balances the threads.
pub fn emit<'a>(api: &'a Api, config: &'a Config) -> Vec<EmitJob<'a>> {
    fn job<'a>(path: String, build: impl Fn() -> Source + Send + Sync + 'a) -> EmitJob<'a> {
        EmitJob { path, build: Box::new(build) }
    }
    let src = |dir: &str, file: &str| format!("{dir}/src/{file}");
    let (api_dir, server_dir, client_dir) = (&config.api_dir, &config.server_dir, &config.client_dir);
    let mut jobs = vec![
        job(src(server_dir, "router.rs"), move || Source::Rust(server::router(api, config))),
        job(src(api_dir, "types.rs"), move || Source::Rust(types::types(api))),
        job(src(client_dir, "client.rs"), move || Source::Rust(client::client(api, config))),
        job(src(api_dir, "operations.rs"), move || Source::Rust(api::operations(api))),
        job(src(api_dir, "validate.rs"), move || Source::Rust(validate::validate(api))),
        job(src(api_dir, "api.rs"), move || Source::Rust(api::api_trait(api, config))),
        job(src(api_dir, "lib.rs"), move || Source::Rust(api::lib(api, config))),
        job(src(api_dir, "runtime.rs"), || Source::RustText(API_RUNTIME)),
        job(src(api_dir, "deserialize.rs"), || Source::RustText(API_DESERIALIZE)),
        job(src(api_dir, "security.rs"), || Source::RustText(API_SECURITY)),
        job(src(server_dir, "lib.rs"), move || Source::Rust(server::lib(api, config))),
        job(src(server_dir, "runtime.rs"), || Source::RustText(SERVER_RUNTIME)),
        job(src(server_dir, "parameters.rs"), || Source::RustText(SERVER_PARAMETERS)),
        job(src(server_dir, "security.rs"), || Source::RustText(SERVER_SECURITY)),
        job(src(client_dir, "lib.rs"), move || Source::Rust(client::lib(api, config))),
        job(src(client_dir, "runtime.rs"), || Source::RustText(CLIENT_RUNTIME)),
        job(src(client_dir, "parameters.rs"), || Source::RustText(CLIENT_PARAMETERS)),
        job(format!("{api_dir}/Cargo.toml"), move || Source::Text(cargo::api_manifest(api, config))),
        job(format!("{server_dir}/Cargo.toml"), move || Source::Text(cargo::server_manifest(api, config))),
        job(format!("{client_dir}/Cargo.toml"), move || Source::Text(cargo::client_manifest(api, config))),
        job(format!("{api_dir}/rustfmt.toml"), move || Source::Text(cargo::rustfmt_config(config))),
        job(format!("{server_dir}/rustfmt.toml"), move || Source::Text(cargo::rustfmt_config(config))),
        job(format!("{client_dir}/rustfmt.toml"), move || Source::Text(cargo::rustfmt_config(config))),
    ];
    // Only documents with multipart or binary bodies pay for their support code and its dependencies.
    if api.uses_multipart() {
        jobs.push(job(src(api_dir, "multipart.rs"), || Source::RustText(API_MULTIPART)));
        jobs.push(job(src(server_dir, "multipart.rs"), || Source::RustText(SERVER_MULTIPART)));
        jobs.push(job(src(server_dir, "multipart_wire.rs"), || Source::RustText(MULTIPART_WIRE)));
        jobs.push(job(src(client_dir, "multipart_wire.rs"), || Source::RustText(MULTIPART_WIRE)));
        jobs.push(job(src(client_dir, "multipart.rs"), || Source::RustText(CLIENT_MULTIPART)));
    }
    if api.uses_binary() {
        jobs.push(job(src(api_dir, "binary.rs"), || Source::RustText(API_BINARY)));
        jobs.push(job(src(server_dir, "binary.rs"), || Source::RustText(SERVER_BINARY)));
        jobs.push(job(src(client_dir, "binary.rs"), || Source::RustText(CLIENT_BINARY)));
    }
    jobs
}

/// Converts a crate name such as `auth-api` into its path in Rust code.
pub(crate) fn crate_ident(name: &str) -> proc_macro2::Ident {
    quote::format_ident!("{}", name.replace('-', "_"))
}
