//! The processes a benchmark runs: every stage is the real binary (`okta-sim`, `sync`, `serve`,
//! `ingest`) in a process of its own, so that its memory and CPU time are its own and nothing the
//! harness holds is counted.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// What a finished process cost.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub wall: Duration,
    /// Peak resident memory (the kernel's high-water mark), MiB.
    pub peak_rss_mib: f64,
    /// User + system CPU time, seconds.
    pub cpu_seconds: f64,
}

/// `sightline <args>` with stderr kept in `log` (for the error message when it fails).
fn command(args: &[OsString], cwd: &Path, log: &Path) -> Result<Command> {
    let exe = std::env::current_exe().context("cannot find the running sightline binary")?;
    let stderr = std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let mut command = Command::new(exe);
    command.args(args).current_dir(cwd).stdin(Stdio::null()).stdout(Stdio::null()).stderr(stderr);
    Ok(command)
}

/// The last lines of a child's log, for an error message.
fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// Runs `sightline <args>` to its end and measures it; an exit other than 0 is an error holding
/// the end of its log.
pub async fn run(args: &[OsString], cwd: &Path, log: &Path) -> Result<Cost> {
    let started = Instant::now();
    let child = command(args, cwd, log)?.spawn().context("cannot start sightline")?;
    let pid = child.id() as libc::pid_t;
    loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: wait4 on our own child, with valid pointers to the two out-parameters. It reaps
        // the child, so `child` is never waited on (or killed) through std afterwards.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
            let cost = Cost {
                wall: started.elapsed(),
                peak_rss_mib: usage.ru_maxrss as f64 / 1024.0,
                cpu_seconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
            };
            drop(child);
            if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
                bail!("`sightline {}` failed:\n{}", describe(args), log_tail(log));
            }
            return Ok(cost);
        }
        if reaped < 0 {
            bail!("cannot wait for `sightline {}`: {}", describe(args), std::io::Error::last_os_error());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn describe(args: &[OsString]) -> String {
    args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
}

/// A long-running child (a simulator or `serve`), stopped when dropped.
pub struct Running {
    child: Child,
    log: PathBuf,
    started: Instant,
    /// Kept open so a child that prints more never meets a closed pipe.
    _stdout: Option<BufReader<ChildStdout>>,
}

impl Running {
    pub fn start(args: &[OsString], cwd: &Path, log: &Path) -> Result<Running> {
        let child = command(args, cwd, log)?.spawn().context("cannot start sightline")?;
        Ok(Running { child, log: log.to_path_buf(), started: Instant::now(), _stdout: None })
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Fails with the end of its log if the process has ended.
    pub fn check_alive(&mut self) -> Result<()> {
        match self.child.try_wait()? {
            Some(status) => bail!("the child process ended ({status}):\n{}", log_tail(&self.log)),
            None => Ok(()),
        }
    }

    /// Peak RSS so far (MiB), from `/proc`.
    pub fn peak_rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let kib: f64 = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0.0);
        kib / 1024.0
    }

    /// User + system CPU seconds so far, from `/proc`.
    pub fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // Fields after the command name (which may hold spaces) start at its closing parenthesis;
        // utime and stime are the 14th and 15th fields of the whole line.
        let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
        // SAFETY: sysconf has no preconditions.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        (ticks(11) + ticks(12)) / per_second
    }

    /// SIGTERM, then up to `grace` for a clean exit, then SIGKILL.
    pub async fn stop(mut self, grace: Duration) {
        // SAFETY: a signal to our own child, which has not been reaped yet.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A simulator process and how to reach it.
pub struct Sim {
    /// Stopped when the `Sim` is dropped.
    _process: Running,
    pub org_url: String,
    pub api_token: String,
    http: reqwest::Client,
}

impl Sim {
    /// Starts `sightline okta-sim` with `args` (the listen address, `--json` and the data
    /// directory are added) and reads its connection details.
    pub async fn start(args: &[String], dir: &Path) -> Result<Sim> {
        std::fs::create_dir_all(dir)?;
        let mut all: Vec<OsString> =
            ["okta-sim", "--listen", "127.0.0.1:0", "--json", "--data-dir"].iter().map(OsString::from).collect();
        all.push(dir.join("sim-data").into_os_string());
        all.extend(args.iter().map(OsString::from));
        let log = dir.join("okta-sim.log");
        let mut command = command(&all, dir, &log)?;
        command.stdout(Stdio::piped());
        let mut child = command.spawn().context("cannot start the simulator")?;
        let mut stdout = BufReader::new(child.stdout.take().context("the simulator's stdout")?);
        let (line, stdout) = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            let read = stdout.read_line(&mut line);
            (read.map(|_| line), stdout)
        })
        .await?;
        let _process = Running { child, log: log.clone(), started: Instant::now(), _stdout: Some(stdout) };
        let info: Value = serde_json::from_str(&line?)
            .map_err(|e| anyhow::anyhow!("the simulator did not start ({e}):\n{}", log_tail(&log)))?;
        let field = |key: &str| info[key].as_str().map(str::to_string).context("the simulator's JSON line");
        Ok(Sim { org_url: field("org_url")?, api_token: field("api_token")?, _process, http: reqwest::Client::new() })
    }

    /// `GET /__sim/stats`: object counts, events served, rate-limit statistics.
    pub async fn stats(&self) -> Result<Value> {
        let response = self.http.get(format!("{}/__sim/stats", self.org_url)).send().await?;
        Ok(response.error_for_status()?.json().await?)
    }

    /// One System Log page: the events and the `next` link.
    pub async fn log_page(&self, url: &str) -> Result<(Vec<Value>, Option<String>)> {
        let response = self
            .http
            .get(url)
            .header("Authorization", format!("SSWS {}", self.api_token))
            .header("Accept", "application/json")
            .send()
            .await?
            .error_for_status()?;
        let next = response.headers().get_all("link").iter().filter_map(|v| v.to_str().ok()).find_map(|link| {
            link.contains("rel=\"next\"").then(|| Some(link[link.find('<')? + 1..link.find('>')?].to_string()))?
        });
        Ok((response.json().await?, next))
    }
}

/// A free loopback port (bound and released at once; the child binds it a moment later).
pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `args` as the `OsString`s a command takes.
pub fn os_args<I: IntoIterator<Item = S>, S: Into<OsString>>(args: I) -> Vec<OsString> {
    args.into_iter().map(Into::into).collect()
}
