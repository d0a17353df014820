//! A working implementation of the authentication API generated from `spec/auth.yaml`.
//!
//! [`service`] contains the domain (accounts, tokens, TOTP, mailed codes, recovery codes and
//! rate limits) on top of [`store`] (SQLite) and [`mail`], and does not use HTTP types. [`api`]
//! is the one module that implements the generated `AuthApi` trait, by mapping requests to
//! service calls and results to response variants. [`app`] assembles and serves it.

pub mod api;
pub mod app;
pub mod clock;
pub mod config;
pub mod limits;
pub mod mail;
pub mod password;
pub mod secrets;
pub mod service;
pub mod store;
pub mod totp;
