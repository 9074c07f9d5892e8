//! End-to-end tests of the simulator over real HTTP on loopback: every Okta behaviour it promises.

mod support;

mod auth;
mod directory;
mod faults;
mod limits;
mod logs;
mod oauth;
mod oidc;
mod roles;
