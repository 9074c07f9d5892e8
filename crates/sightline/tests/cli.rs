//! The `sightline` binary end to end: start-up output, flag validation, clean shutdown.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

fn sightline() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sightline"))
}

#[test]
fn okta_sim_prints_its_connection_details_and_serves_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = sightline()
        .args(["okta-sim", "--listen", "127.0.0.1:0", "--users", "100", "--json", "--history", "0s"])
        .arg("--data-dir")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
    let url = info["org_url"].as_str().unwrap().trim_start_matches("http://").to_string();
    let key_file = std::path::PathBuf::from(info["private_key_file"].as_str().unwrap());
    assert!(key_file.starts_with(dir.path()));
    let pem = std::fs::read_to_string(&key_file).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }

    let mut stream = std::net::TcpStream::connect(&url).unwrap();
    let token = info["api_token"].as_str().unwrap();
    let request = format!("GET /api/v1/users?limit=1 HTTP/1.0\r\nHost: {url}\r\nAuthorization: SSWS {token}\r\n\r\n");
    std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200"), "{response}");

    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn okta_sim_refuses_bad_flags_with_a_clear_reason() {
    let cases: [(&[&str], &str); 3] = [
        (&["okta-sim", "--listen", "0.0.0.0:0"], "loopback"),
        (&["okta-sim", "--listen", "127.0.0.1:0", "--rate-limit", "bogus=3"], "unknown bucket 'bogus'"),
        (&["okta-sim", "--listen", "127.0.0.1:0", "--rate-limit", "logs=many"], "whole number"),
    ];
    for (args, reason) in cases {
        let output = sightline().args(args).output().unwrap();
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
    }
}
