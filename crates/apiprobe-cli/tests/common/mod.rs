//! What every CLI test file needs: the real binary with a clean environment, and its output read back.
//!
//! Each test file uses a part of this, so the parts it leaves unused are not warnings.
#![allow(dead_code)]

use serde_json::Value;
use std::process::{Command, Output};

/// Variables that would send the probe's requests through a proxy the tests did not start.
const PROXY_VARS: [&str; 8] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// The `apiprobe` binary, untouched by the caller's proxies, DNS server, catalog file and colours.
pub fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_apiprobe"));
    for v in PROXY_VARS {
        c.env_remove(v);
    }
    c.env_remove("APIPROBE_DNS_SERVER")
        .env_remove("APIPROBE_CATALOG")
        .env("NO_COLOR", "1");
    c
}

/// Runs the binary with `args` and waits for it.
pub fn apiprobe(args: &[&str]) -> Output {
    command().args(args).output().expect("the binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Stdout as one JSON document; the panic shows both streams.
pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            stdout(o),
            stderr(o)
        )
    })
}

/// `text` as a regex that matches only itself.
pub fn regex_literal(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let meta = "\\.+*?()|[]{}^$#&-~".contains(c);
            meta.then_some('\\').into_iter().chain([c])
        })
        .collect()
}
