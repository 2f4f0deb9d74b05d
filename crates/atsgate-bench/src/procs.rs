//! Child processes: the emulator, the gateway and one-shot `atsgate` CLI commands.
//!
//! Every child runs under coreutils `timeout`, so it dies by itself even if this harness is
//! killed outright; a [`ChildGuard`] also stops it when dropped (normal exit, error or panic).
//! Everything listens on 127.0.0.1 only.

use std::{
    fs::File,
    io::{BufRead, BufReader, Read, Seek, SeekFrom},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context};
use serde_json::Value;

/// How to start `atsgate` processes.
#[derive(Clone, Debug)]
pub struct Launcher {
    pub atsgate: PathBuf,
    /// Upper bound on any child's life (the `timeout` wrapper's limit).
    pub max_life: Duration,
    /// Where child stderr logs go.
    pub log_dir: PathBuf,
    /// Extra `KEY=VALUE` environment for the gateway (`serve`) only.
    pub gateway_env: Vec<(String, String)>,
    /// A command the gateway runs under, e.g. `valgrind --tool=callgrind` (profiling only).
    pub gateway_prefix: Vec<String>,
}

/// A running child. Dropping it stops the process: SIGTERM to the `timeout` wrapper (which
/// forwards it), then SIGKILL to both if it has not exited within its grace period (2 s).
pub struct ChildGuard {
    name: String,
    wrapper: Child,
    /// The real `atsgate` process (the wrapper's child): the pid whose CPU and memory we read.
    pub pid: u32,
    pub log: PathBuf,
    /// How long a SIGTERM may take before SIGKILL (a profiler needs time to write its output).
    grace: Duration,
}

impl ChildGuard {
    /// Fails with the tail of the child's log if it has exited.
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.wrapper.try_wait()? {
            bail!("{} exited ({status}); log tail:\n{}", self.name, log_tail(&self.log));
        }
        Ok(())
    }

    fn stop(&mut self) {
        if matches!(self.wrapper.try_wait(), Ok(Some(_))) {
            return;
        }
        signal("TERM", self.wrapper.id());
        let deadline = Instant::now() + self.grace;
        while Instant::now() < deadline {
            if matches!(self.wrapper.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        signal("KILL", self.pid);
        let _ = self.wrapper.kill();
        let _ = self.wrapper.wait();
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `kill -SIG PID` through the `kill` program (sending signals directly needs `unsafe`).
fn signal(sig: &str, pid: u32) {
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The last ~2 KB of a log file, for error messages.
pub fn log_tail(path: &Path) -> String {
    let Ok(mut file) = File::open(path) else { return "(no log)".into() };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(2048)));
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    text
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The pid `timeout` started, read from `/proc/<wrapper>/task/<wrapper>/children`.
fn child_pid_of(wrapper: &mut Child) -> anyhow::Result<u32> {
    let id = wrapper.id();
    let path = format!("/proc/{id}/task/{id}/children");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if let Some(pid) = text.split_whitespace().next().and_then(|p| p.parse().ok()) {
            return Ok(pid);
        }
        if let Some(status) = wrapper.try_wait()? {
            bail!("the process exited at once ({status})");
        }
        if Instant::now() > deadline {
            bail!("could not find the process started by timeout (pid {id})");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Wraps a freshly spawned `timeout` in a guard, or stops it if its child cannot be found.
fn adopt(name: &str, mut wrapper: Child, log: PathBuf) -> anyhow::Result<ChildGuard> {
    match child_pid_of(&mut wrapper) {
        Ok(pid) => Ok(ChildGuard { name: name.into(), wrapper, pid, log, grace: Duration::from_secs(2) }),
        Err(err) => {
            signal("TERM", wrapper.id());
            let _ = wrapper.kill();
            let _ = wrapper.wait();
            Err(err.context(format!("{name}; log tail:\n{}", log_tail(&log))))
        }
    }
}

impl Launcher {
    fn command(&self, limit: Duration) -> Command {
        self.command_with(limit, &[])
    }

    fn command_with(&self, limit: Duration, prefix: &[String]) -> Command {
        let mut command = Command::new("timeout");
        command
            .arg("--kill-after=5")
            .arg(format!("{}", limit.as_secs().max(1)))
            .args(prefix)
            .arg(&self.atsgate)
            // A scratch working directory, so no stray ./atsgate.toml changes the configuration.
            .current_dir(&self.log_dir)
            .stdin(Stdio::null())
            // No periodic sync in the background of a measurement.
            .env("ATSGATE_SYNC_INTERVAL_SECS", "0");
        command
    }

    fn log_file(&self, name: &str) -> anyhow::Result<(PathBuf, File)> {
        let path = self.log_dir.join(format!("{name}.log"));
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok((path, file))
    }

    /// Starts `atsgate emulate greenhouse` and returns it with its `--json` info line.
    pub fn emulator(&self, name: &str, seed_candidates: usize) -> anyhow::Result<(ChildGuard, Value)> {
        let (log, stderr) = self.log_file(name)?;
        let mut command = self.command(self.max_life);
        command
            .args(["emulate", "greenhouse", "--listen", "127.0.0.1:0", "--json", "--rate-limit", "1000000000"])
            .args(["--seed-candidates", &seed_candidates.to_string()])
            .stdout(Stdio::piped())
            .stderr(stderr);
        let mut wrapper = command.spawn().context("starting the emulator (is coreutils `timeout` installed?)")?;
        let stdout = wrapper.stdout.take().ok_or_else(|| anyhow!("no emulator stdout"));
        let mut guard = adopt(name, wrapper, log)?;
        let stdout = stdout?;
        // The first line is read on a thread so a hung emulator cannot hang us.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = tx.send(reader.read_line(&mut line).map(|_| line));
            // Keep the pipe open (and drained) for the emulator's lifetime.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let line = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(Ok(line)) if !line.trim().is_empty() => line,
            _ => {
                guard.check_alive()?;
                bail!("{name} printed no info line; log tail:\n{}", log_tail(&guard.log));
            }
        };
        let info: Value = serde_json::from_str(line.trim()).context("parsing the emulator's info line")?;
        Ok((guard, info))
    }

    /// Starts `atsgate serve` on a free port and waits (bounded) for `GET /healthz` = 200.
    pub async fn gateway(
        &self,
        name: &str,
        data_dir: &Path,
        client: &reqwest::Client,
    ) -> anyhow::Result<(ChildGuard, String)> {
        let port = free_port()?;
        let (log, stderr) = self.log_file(name)?;
        let mut command = self.command_with(self.max_life, &self.gateway_prefix);
        command
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .envs(self.gateway_env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(stderr);
        let wrapper = command.spawn().context("starting the gateway")?;
        let mut guard = adopt(name, wrapper, log)?;
        let profiled = !self.gateway_prefix.is_empty();
        if profiled {
            guard.grace = Duration::from_secs(60);
        }
        let base = format!("http://127.0.0.1:{port}");
        let wait = Duration::from_secs(if profiled { 120 } else { 30 });
        let deadline = Instant::now() + wait;
        loop {
            guard.check_alive()?;
            let probe = client.get(format!("{base}/healthz")).timeout(Duration::from_secs(1)).send().await;
            if matches!(&probe, Ok(r) if r.status().is_success()) {
                return Ok((guard, base));
            }
            if Instant::now() > deadline {
                bail!("{name} did not answer /healthz within {wait:?}; log tail:\n{}", log_tail(&guard.log));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Runs `atsgate --data-dir D ARGS…` to completion and returns its last stdout line as JSON.
    pub fn cli(&self, data_dir: &Path, args: &[&str]) -> anyhow::Result<Value> {
        let mut command = self.command(Duration::from_secs(600));
        command.arg("--data-dir").arg(data_dir).args(args);
        let output = command.output().with_context(|| format!("running atsgate {}", args.join(" ")))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            bail!(
                "atsgate {} failed ({}): {}{}",
                args.join(" "),
                output.status,
                stdout,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let last = stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
        serde_json::from_str(last).with_context(|| format!("atsgate {}: not JSON: {last:?}", args.join(" ")))
    }

    /// Starts a one-shot CLI command in the background (used to time and sample `sync`).
    pub fn spawn_cli(&self, name: &str, data_dir: &Path, args: &[&str]) -> anyhow::Result<(ChildGuard, PathBuf)> {
        let (log, stderr) = self.log_file(name)?;
        let out_path = self.log_dir.join(format!("{name}.out"));
        let stdout = File::create(&out_path)?;
        let mut command = self.command(Duration::from_secs(1800));
        command.arg("--data-dir").arg(data_dir).args(args).stdout(stdout).stderr(stderr);
        let wrapper = command.spawn().with_context(|| format!("starting atsgate {}", args.join(" ")))?;
        let guard = adopt(name, wrapper, log)?;
        Ok((guard, out_path))
    }
}

impl ChildGuard {
    /// For one-shot commands: has the wrapper exited, and how?
    pub fn try_finished(&mut self) -> anyhow::Result<Option<std::process::ExitStatus>> {
        Ok(self.wrapper.try_wait()?)
    }
}
