//! The `ssh` transport: OpenSSH's own client, so that the operator's `~/.ssh/config`, agent,
//! `ProxyJump` and `known_hosts` work as they do by hand.
//!
//! One connection per node for the whole job: [`SshTransport::connect`] starts a control master
//! (`ssh -M -N`, a child of orch in a process group of its own) and waits for its control socket,
//! which OpenSSH creates only once the node has been reached and authenticated; every command
//! after that (the `run-as` check, the agent run, the run-summary fetch, a remote kill) is a
//! session multiplexed over it; closing ends the master. Batch mode always: never a prompt.
//!
//! Commands stay argv vectors: sshd hands the remote command to the remote user's shell, so
//! every word is quoted for a POSIX shell by [`shell_quote`], and a destination that could be
//! read as an option or shell text is refused before ssh runs.

use std::borrow::Cow;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use tokio::io::AsyncReadExt;
use tokio_util::sync::CancellationToken;

use crate::event::OutputTail;

use super::process::{
    AllOutput, KILL_GRACE, OutputFilter, read_into, run_captured, signal_group, start_failure,
};
use super::{
    Connection, Exit, FileRead, NodeTarget, RunError, RunErrorKind, RunOutcome, RunRequest,
    TailBuffer, Transport,
};

/// How long connecting may take when neither the inventory nor ssh bounds it: ssh's
/// `ConnectTimeout` bounds the TCP connect only, this bounds the whole handshake.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Time for the key exchange and authentication beyond the TCP connect timeout.
const HANDSHAKE_ALLOWANCE: Duration = Duration::from_secs(30);

/// How often the control socket is looked for while the master connects.
const SOCKET_POLL: Duration = Duration::from_millis(3);

/// Exit status of the fetch script when the file does not exist.
const FETCH_MISSING: i32 = 66;

/// The most of a fetched file that is read.
const FETCH_LIMIT: u64 = 4 * 1024 * 1024;

/// Reaches nodes with OpenSSH's `ssh`.
#[derive(Debug)]
pub struct SshTransport {
    program: PathBuf,
    config_file: Option<PathBuf>,
    control_dir: OnceLock<Result<Arc<tempfile::TempDir>, String>>,
    next_socket: AtomicU64,
}

impl Default for SshTransport {
    fn default() -> Self {
        SshTransport::new()
    }
}

impl SshTransport {
    /// The `ssh` on `PATH`, with the user's own configuration.
    pub fn new() -> SshTransport {
        SshTransport {
            program: PathBuf::from("ssh"),
            config_file: None,
            control_dir: OnceLock::new(),
            next_socket: AtomicU64::new(0),
        }
    }

    /// Runs this `ssh` program instead.
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> SshTransport {
        self.program = program.into();
        self
    }

    /// Reads this ssh_config file instead of `~/.ssh/config` (`ssh -F`).
    pub fn with_config_file(mut self, file: Option<PathBuf>) -> SshTransport {
        self.config_file = file;
        self
    }

    /// A fresh control-socket path in orch's own private directory (made on first use, removed
    /// with the transport). Unix socket paths are short, so the names are too.
    fn control_path(&self) -> Result<(Arc<tempfile::TempDir>, PathBuf), String> {
        let dir = self.control_dir.get_or_init(|| {
            let base = std::env::temp_dir();
            // A socket path must fit in 108 bytes; a long TMPDIR falls back to /tmp.
            let base = if base.as_os_str().len() > 60 {
                PathBuf::from("/tmp")
            } else {
                base
            };
            tempfile::Builder::new()
                .prefix("orch-ssh-")
                .tempdir_in(&base)
                .map(Arc::new)
                .map_err(|e| {
                    format!(
                        "could not make a directory for ssh control sockets in {}: {e}",
                        base.display()
                    )
                })
        });
        let dir = dir.as_ref().map_err(Clone::clone)?;
        let n = self.next_socket.fetch_add(1, Ordering::Relaxed);
        Ok((dir.clone(), dir.path().join(format!("{n}"))))
    }
}

/// The options every ssh invocation for one node gets.
#[derive(Debug, Clone)]
struct Destination {
    /// The certname, for messages.
    node: String,
    program: PathBuf,
    /// `-F`, `-l`, `-p`, `BatchMode`.
    common: Vec<OsString>,
    host: String,
}

impl Destination {
    fn new(transport: &SshTransport, node: &NodeTarget) -> Result<Destination, RunError> {
        check_name(&node.name, "host", &node.host)?;
        let mut common: Vec<OsString> = Vec::new();
        if let Some(file) = &transport.config_file {
            common.extend(["-F".into(), file.clone().into_os_string()]);
        }
        common.extend(["-o".into(), "BatchMode=yes".into()]);
        if let Some(user) = &node.ssh.user {
            check_name(&node.name, "user", user)?;
            common.extend(["-l".into(), user.into()]);
        }
        if let Some(port) = node.ssh.port {
            common.extend(["-p".into(), port.to_string().into()]);
        }
        Ok(Destination {
            node: node.name.clone(),
            program: transport.program.clone(),
            common,
            host: node.host.clone(),
        })
    }

    /// `ssh` running `remote` (shell text) as a session over the master at `control`.
    fn session(&self, control: &Path, remote: Vec<u8>) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args(&self.common)
            .arg("-S")
            .arg(control)
            // Never a connection of its own: without the master, the fallback to a direct
            // connection fails at once.
            .args([
                "-o",
                "ControlMaster=no",
                "-o",
                "ProxyCommand=false",
                "-T",
                "--",
            ])
            .arg(&self.host)
            .arg(OsString::from_vec(remote));
        command
    }
}

/// Refuses a host or user that ssh could read as an option, or a shell as text: only the
/// characters of host names, IP addresses (`[::1]`) and user names, not starting with `-`.
fn check_name(node: &str, what: &str, value: &str) -> Result<(), RunError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':');
    let hosty = what == "host" && value.starts_with('[') && value.ends_with(']');
    let inner = if hosty {
        &value[1..value.len() - 1]
    } else {
        value
    };
    let problem = if value.is_empty() {
        Some("it is empty".to_owned())
    } else if value.starts_with('-') {
        Some("it starts with `-`, so ssh would read it as an option".to_owned())
    } else {
        inner
            .chars()
            .find(|&c| !allowed(c))
            .map(|c| format!("it contains {}", describe_char(c)))
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(RunError::new(
            RunErrorKind::CouldNotStart,
            format!(
                "refusing to connect to node {}: its ssh {what} {} is not a valid {what} name: \
                 {problem}",
                printable(node),
                printable(value)
            ),
        )),
    }
}

fn describe_char(c: char) -> String {
    if c.is_whitespace() {
        "whitespace".to_owned()
    } else if c.is_control() {
        "a control character".to_owned()
    } else {
        format!("`{c}`")
    }
}

/// A name as it can be shown on one line: control characters escaped.
fn printable(s: &str) -> String {
    format!("`{}`", s.escape_debug())
}

#[async_trait]
impl Transport for SshTransport {
    /// Validates the destination and prepares the connection; ssh itself starts with the first
    /// thing done there: [`Connection::check`] (pre-flight) or the run, which then is the
    /// master's own session (one process and one handshake per node, as a plain `ssh` has).
    async fn connect(&self, node: &NodeTarget) -> Result<Box<dyn Connection>, RunError> {
        let dest = Destination::new(self, node)?;
        let (control_dir, control) = self
            .control_path()
            .map_err(|e| RunError::new(RunErrorKind::CouldNotStart, e))?;
        let mut master: Vec<OsString> = vec!["-M".into(), "-S".into(), control.clone().into()];
        for option in [
            "ControlPersist=no",
            "ClearAllForwardings=yes",
            "ServerAliveInterval=15",
            "ServerAliveCountMax=4",
        ] {
            master.extend(["-o".into(), option.into()]);
        }
        if let Some(key) = &node.ssh.private_key {
            // The key the inventory names, and only it.
            master.extend(["-i".into(), key.clone().into_os_string()]);
            master.extend(["-o".into(), "IdentitiesOnly=yes".into()]);
        }
        if let Some(secs) = node.ssh.connect_timeout {
            master.extend(["-o".into(), format!("ConnectTimeout={secs}").into()]);
        }
        match node.ssh.host_key_check {
            Some(true) => master.extend(["-o".into(), "StrictHostKeyChecking=yes".into()]),
            // Accept any key and record none.
            Some(false) => {
                for option in [
                    "StrictHostKeyChecking=no",
                    "UserKnownHostsFile=/dev/null",
                    "GlobalKnownHostsFile=/dev/null",
                ] {
                    master.extend(["-o".into(), option.into()]);
                }
            }
            // The operator's ssh_config decides; batch mode turns `ask` into a refusal.
            None => {}
        }
        let connect_limit = node
            .ssh
            .connect_timeout
            .map_or(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs)
            + HANDSHAKE_ALLOWANCE;
        Ok(Box::new(SshConnection {
            dest,
            control,
            _control_dir: control_dir,
            master_options: master,
            connect_limit,
            master: None,
            run_as: node.ssh.run_as.clone(),
        }))
    }
}

fn take_text(buf: &Mutex<TailBuffer>) -> String {
    let mut guard = buf.lock().unwrap_or_else(|p| p.into_inner());
    std::mem::replace(&mut *guard, TailBuffer::new(0))
        .finish()
        .text
}

/// The last line ssh printed that says something (not its debug chatter).
fn last_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).rfind(|l| {
        !l.is_empty() && !l.starts_with("debug") && !l.starts_with("Warning: Permanently added")
    })
}

/// Why the master ended before its socket appeared, from what ssh printed.
fn connect_error(node: &str, said: &str, status: &str) -> RunError {
    let lines: Vec<&str> = said.lines().map(str::trim).collect();
    let find = |needles: &[&str]| {
        lines
            .iter()
            .rev()
            .find(|l| needles.iter().any(|n| l.contains(n)))
            .copied()
    };
    let (kind, what, line) = if let Some(l) = find(&[
        "has changed and you have requested strict checking",
        "host key is known for",
        "Host key verification failed",
        "REMOTE HOST IDENTIFICATION HAS CHANGED",
    ]) {
        // The line naming the host says more than the final "verification failed".
        let l = find(&[
            "has changed and you have requested strict checking",
            "host key is known for",
        ])
        .unwrap_or(l);
        (
            RunErrorKind::HostKeyRejected,
            format!("the host key of {node} was not accepted"),
            l,
        )
    } else if let Some(l) = find(&[
        "Permission denied",
        "Too many authentication failures",
        "No more authentication methods",
    ]) {
        (
            RunErrorKind::AuthFailed,
            format!("authentication to {node} failed"),
            l,
        )
    } else if let Some(l) = find(&["Connection timed out", "Operation timed out"]) {
        (
            RunErrorKind::ConnectTimeout,
            format!("timed out connecting to {node}"),
            l,
        )
    } else if let Some(l) = find(&[
        "Connection refused",
        "No route to host",
        "Network is unreachable",
        "Could not resolve hostname",
        "Name or service not known",
        "Temporary failure in name resolution",
        "nodename nor servname",
    ]) {
        (RunErrorKind::Unreachable, format!("cannot reach {node}"), l)
    } else {
        let l = last_line(said).unwrap_or(status);
        (
            RunErrorKind::Transport,
            format!("ssh could not connect to {node}"),
            l,
        )
    };
    RunError::new(kind, format!("{what}: {line}"))
}

/// One node's connection: the ssh control master (once started) and what runs over it.
struct SshConnection {
    dest: Destination,
    control: PathBuf,
    /// Kept while the connection lives, even when the transport goes first.
    _control_dir: Arc<tempfile::TempDir>,
    /// What makes an `ssh` the node's master: `-M -S socket`, keys, timeouts, host keys.
    master_options: Vec<OsString>,
    connect_limit: Duration,
    /// A master without a session of its own (`-N`), started by [`Connection::check`] or a
    /// fetch; a run without one starts its own.
    master: Option<Master>,
    run_as: Option<String>,
}

struct Master {
    child: tokio::process::Child,
    /// What it printed (why the connection dropped, when it did).
    stderr: Arc<Mutex<TailBuffer>>,
}

impl SshConnection {
    /// `argv` as remote shell text, through `sudo -n -u USER --` when the node has `run-as`.
    fn remote_argv(&self, argv: &[&[u8]]) -> Vec<u8> {
        join_quoted(&with_run_as(self.run_as.as_deref(), argv))
    }

    /// Starts the master without a session (`ssh -M -N`) unless one runs, and waits for its
    /// control socket: OpenSSH makes it once the node is reached and authenticated.
    async fn ensure_master(&mut self) -> Result<(), RunError> {
        if let Some(master) = &mut self.master {
            return match master.child.try_wait() {
                Ok(None) => Ok(()),
                _ => Err(self.lost("")),
            };
        }
        let mut command = self.master_command(None);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|e| self.spawn_error(e))?;
        let stderr = Arc::new(Mutex::new(TailBuffer::new(8 * 1024)));
        let reading = child
            .stderr
            .take()
            .map(|pipe| read_into(pipe, stderr.clone(), AllOutput));
        let deadline = tokio::time::Instant::now() + self.connect_limit;
        loop {
            if std::fs::symlink_metadata(&self.control).is_ok() {
                break;
            }
            tokio::select! {
                status = child.wait() => {
                    if let Some(reading) = reading {
                        let _ = tokio::time::timeout(Duration::from_secs(1), reading).await;
                    }
                    let said = take_text(&stderr);
                    let status = status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
                    return Err(connect_error(&self.dest.node, &said, &status));
                }
                () = tokio::time::sleep(SOCKET_POLL) => {}
            }
            if tokio::time::Instant::now() >= deadline {
                let _ = child.start_kill();
                let _ = child.wait().await;
                return Err(self.connect_timeout(&take_text(&stderr)));
            }
        }
        self.master = Some(Master { child, stderr });
        if let Some(user) = self.run_as.clone() {
            self.check_run_as(&user).await?;
        }
        Ok(())
    }

    /// `ssh` as the node's master: with `remote` shell text as its own session, else `-N`.
    fn master_command(&self, remote: Option<Vec<u8>>) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.dest.program);
        command
            .args(&self.dest.common)
            .args(&self.master_options)
            .arg(if remote.is_some() { "-T" } else { "-N" })
            .arg("--")
            .arg(&self.dest.host);
        if let Some(remote) = remote {
            command.arg(OsString::from_vec(remote));
        }
        command
    }

    fn spawn_error(&self, e: std::io::Error) -> RunError {
        RunError::new(
            start_failure(&e),
            format!(
                "could not start `{}` to reach {}: {e}",
                self.dest.program.display(),
                self.dest.node
            ),
        )
    }

    fn connect_timeout(&self, said: &str) -> RunError {
        let last = last_line(said)
            .map(|l| format!(": {l}"))
            .unwrap_or_default();
        RunError::new(
            RunErrorKind::ConnectTimeout,
            format!(
                "timed out connecting to {} (no session after {}){last}",
                self.dest.node,
                crate::time::format_duration(self.connect_limit.as_secs_f64())
            ),
        )
    }

    /// Runs shell text over the master to its end, stdout and stderr apart.
    async fn output(&self, remote: Vec<u8>) -> Result<std::process::Output, RunError> {
        let mut command = self.dest.session(&self.control, remote);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|e| {
            RunError::new(
                RunErrorKind::Transport,
                format!("could not start `{}`: {e}", self.dest.program.display()),
            )
        })?;
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let (out_pipe, err_pipe) = (child.stdout.take(), child.stderr.take());
        let read_out = async {
            if let Some(p) = out_pipe {
                let _ = p.take(FETCH_LIMIT).read_to_end(&mut stdout).await;
            }
        };
        let read_err = async {
            if let Some(p) = err_pipe {
                let _ = p.take(64 * 1024).read_to_end(&mut stderr).await;
            }
        };
        let ((), (), status) = tokio::join!(read_out, read_err, child.wait());
        let status = status.map_err(|e| {
            RunError::new(
                RunErrorKind::Transport,
                format!("could not wait for ssh: {e}"),
            )
        })?;
        Ok(std::process::Output {
            status,
            stdout,
            stderr,
        })
    }

    /// Whether the `-N` master has ended (the connection is gone).
    fn master_gone(&mut self) -> bool {
        match &mut self.master {
            Some(m) => !matches!(m.child.try_wait(), Ok(None)),
            None => true,
        }
    }

    /// The error for a connection that dropped, with what ssh last said.
    fn lost(&self, client_said: &str) -> RunError {
        let said = self
            .master
            .as_ref()
            .map(|m| take_text(&m.stderr))
            .unwrap_or_default();
        let line = last_line(&said)
            .or_else(|| last_line(client_said))
            .unwrap_or("the ssh master ended");
        RunError::new(
            RunErrorKind::Transport,
            format!("lost the connection to {}: {line}", self.dest.node),
        )
    }

    /// `sudo -n -u USER -- true`: refused now rather than in the middle of the job.
    async fn check_run_as(&self, user: &str) -> Result<(), RunError> {
        let out = self.output(self.remote_argv(&[b"true"])).await?;
        if out.status.success() {
            return Ok(());
        }
        let said = String::from_utf8_lossy(&out.stderr);
        Err(run_as_refused(&self.dest.node, user, &said))
    }

    /// Signals the run's process group on the node. As the login user, not through `sudo`:
    /// with `run-as` the command's `sudo` (whose real uid is the login's) passes the signal
    /// on. `kill -SIG -PGID`, the form dash's and bash's builtin both take.
    async fn remote_kill(&self, pid: Option<i32>, signal: &str) {
        let Some(pid) = pid else { return };
        let kill = join_quoted(&[
            b"kill",
            format!("-{signal}").as_bytes(),
            format!("-{pid}").as_bytes(),
        ]);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.output(kill)).await;
    }
}

fn run_as_refused(node: &str, user: &str, said: &str) -> RunError {
    let line = last_line(said).unwrap_or("sudo gave no reason");
    RunError::new(
        RunErrorKind::RunAsRefused,
        format!("sudo on {node} would not run commands as {user} without a password: {line}"),
    )
}

/// What ssh prints when an established connection breaks.
const LOST_CONNECTION: [&str; 5] = [
    "closed by remote host",
    "client_loop:",
    "Broken pipe",
    "not responding",
    "packet_write_wait",
];

#[async_trait]
impl Connection for SshConnection {
    async fn check(&mut self) -> Result<(), RunError> {
        self.ensure_master().await
    }

    async fn run(
        &mut self,
        request: &RunRequest,
        cancel: &CancellationToken,
    ) -> Result<RunOutcome, RunError> {
        // Without a master yet, this run's ssh is the master, its session the run's.
        let own_master = self.master.is_none();
        let token = session_token();
        let script = session_script(&token, self.run_as.as_deref(), own_master, request)
            .map_err(|e| RunError::new(RunErrorKind::CouldNotStart, e))?;
        let session = Arc::new(Mutex::new(SessionInfo::default()));
        let filter = SessionFilter::new(token, session.clone());
        let command = if own_master {
            self.master_command(Some(script))
        } else {
            self.dest.session(&self.control, script)
        };
        // Killing the local client does not end a command on the node (no terminal, so no
        // SIGHUP): a cancel signals the run's process group over the connection first.
        let local_kill = CancellationToken::new();
        let program = self.dest.program.clone();
        let run = run_captured(command, program.as_os_str(), &local_kill, filter);
        tokio::pin!(run);
        let pid = |s: &Arc<Mutex<SessionInfo>>| s.lock().unwrap_or_else(|p| p.into_inner()).pid;
        let connect_deadline = tokio::time::Instant::now() + self.connect_limit;
        let mut connecting = own_master;
        let finished = loop {
            tokio::select! {
                finished = &mut run => break finished,
                () = cancel.cancelled() => {
                    let target = pid(&session);
                    self.remote_kill(target, "TERM").await;
                    break match tokio::time::timeout(KILL_GRACE, &mut run).await {
                        Ok(finished) => finished,
                        Err(_) => {
                            self.remote_kill(target, "KILL").await;
                            local_kill.cancel();
                            run.await
                        }
                    };
                }
                () = tokio::time::sleep_until(connect_deadline), if connecting => {
                    if pid(&session).is_some() {
                        connecting = false;
                    } else {
                        local_kill.cancel();
                        let finished = run.await?;
                        return Err(self.connect_timeout(&finished.output.text));
                    }
                }
            }
        }?;
        let info = std::mem::take(&mut *session.lock().unwrap_or_else(|p| p.into_inner()));
        let output = finished.output;
        if cancel.is_cancelled() {
            return Err(RunError {
                kind: RunErrorKind::Cancelled,
                message: "killed".into(),
                output,
            });
        }
        if own_master && info.pid.is_none() {
            // The session never started: ssh's own words say why.
            return Err(RunError {
                output: OutputTail::default(),
                ..connect_error(&self.dest.node, &output.text, "")
            });
        }
        if info.run_as_refused {
            let user = self.run_as.as_deref().unwrap_or("");
            return Err(RunError {
                output: output.clone(),
                ..run_as_refused(&self.dest.node, user, &output.text)
            });
        }
        let last = || {
            output
                .last_lines(1)
                .first()
                .map(|l| l.trim().to_owned())
                .unwrap_or_default()
        };
        let lost = match finished.exit {
            Exit::Code(255) if own_master => LOST_CONNECTION.iter().any(|l| last().contains(l)),
            Exit::Code(255) => self.master_gone(),
            _ => false,
        };
        match finished.exit {
            // 255 is ssh's own failure, unless the connection is still there.
            Exit::Code(255) if lost => Err(RunError {
                output: output.clone(),
                ..self.lost(&output.text)
            }),
            // The remote shell's (and env's) "not found" and "not executable".
            Exit::Code(127) => Err(RunError {
                kind: RunErrorKind::CommandNotFound,
                message: format!("command not found on {}: {}", self.dest.node, last()),
                output: output.clone(),
            }),
            Exit::Code(126) => Err(RunError {
                kind: RunErrorKind::CouldNotStart,
                message: format!(
                    "could not start the command on {}: {}",
                    self.dest.node,
                    last()
                ),
                output: output.clone(),
            }),
            Exit::Signal(signal) => Err(RunError {
                kind: RunErrorKind::Transport,
                message: format!("the ssh client was killed by signal {signal}"),
                output: output.clone(),
            }),
            exit @ Exit::Code(_) => Ok(RunOutcome {
                exit,
                read_after: request.read_after.as_ref().map(|path| info.file(path)),
                output,
            }),
        }
    }

    async fn fetch(&mut self, path: &Path) -> Result<Option<Vec<u8>>, RunError> {
        self.ensure_master().await?;
        let remote = self.remote_argv(&fetch_argv(path));
        let out = self.output(remote).await?;
        match out.status.code() {
            Some(0) => Ok(Some(out.stdout)),
            Some(FETCH_MISSING) => Ok(None),
            Some(255) if self.master_gone() => {
                Err(self.lost(&String::from_utf8_lossy(&out.stderr)))
            }
            _ => {
                let said = String::from_utf8_lossy(&out.stderr);
                Err(RunError::new(
                    RunErrorKind::Transport,
                    format!(
                        "could not read {} on {}: {}",
                        path.display(),
                        self.dest.node,
                        last_line(&said).unwrap_or("no reason given")
                    ),
                ))
            }
        }
    }

    async fn close(mut self: Box<Self>) {
        if let Some(mut master) = self.master.take() {
            let group = master.child.id().map(|id| Pid::from_raw(id as i32));
            signal_group(group, Signal::SIGTERM);
            if tokio::time::timeout(Duration::from_secs(2), master.child.wait())
                .await
                .is_err()
            {
                let _ = master.child.kill().await;
            }
        }
        let _ = std::fs::remove_file(&self.control);
    }
}

/// `words` behind `sudo -n -u USER --` when there is a `run-as` user.
fn with_run_as<'a>(run_as: Option<&'a str>, words: &[&'a [u8]]) -> Vec<&'a [u8]> {
    let mut out: Vec<&[u8]> = Vec::new();
    if let Some(user) = run_as {
        out.extend([b"sudo".as_slice(), b"-n", b"-u", user.as_bytes(), b"--"]);
    }
    out.extend_from_slice(words);
    out
}

/// Reads a file to stdout, exiting [`FETCH_MISSING`] when there is none.
fn fetch_argv(path: &Path) -> [&[u8]; 5] {
    const SCRIPT: &str = "test -e \"$1\" || exit 66; exec cat -- \"$1\"";
    [
        b"sh",
        b"-c",
        SCRIPT.as_bytes(),
        b"sh",
        path.as_os_str().as_bytes(),
    ]
}

/// A marker no agent output can contain by chance: 128 random bits.
fn session_token() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if random.is_err() {
        // Unique still: pid, time and a counter.
        static N: AtomicU64 = AtomicU64::new(0);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mix = (u128::from(std::process::id()) << 96)
            ^ t
            ^ u128::from(N.fetch_add(1, Ordering::Relaxed));
        bytes = mix.to_le_bytes();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("orch-{hex}")
}

/// The run's shell text, one session for all of it: print the shell's pid (its process group,
/// for a remote kill: sshd starts each session in a new session), check `run-as` when no
/// master did, run the command through `env` with orch's variables (`sudo` resets the
/// environment, so `env` comes after it), read the run summary, and exit with the command's
/// status. Each of orch's lines starts with `token`.
fn session_script(
    token: &str,
    run_as: Option<&str>,
    check_run_as: bool,
    request: &RunRequest,
) -> Result<Vec<u8>, String> {
    let Some(program) = request.argv.first() else {
        return Err("the command is empty".into());
    };
    if program.contains('=') {
        // `env` would take it for a variable.
        return Err(format!(
            "the program name `{}` contains `=`",
            program.escape_debug()
        ));
    }
    for word in &request.argv {
        if word.contains('\0') {
            return Err(format!(
                "the argument `{}` contains a NUL byte, which no argv can carry",
                word.escape_debug()
            ));
        }
    }
    let assignments: Vec<String> = request
        .env
        .iter()
        .map(|(k, v)| {
            let name_ok = !k.is_empty()
                && !k.starts_with(|c: char| c.is_ascii_digit())
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !name_ok || v.contains('\0') {
                Err(format!(
                    "`{}` is not a valid environment variable",
                    k.escape_debug()
                ))
            } else {
                Ok(format!("{k}={v}"))
            }
        })
        .collect::<Result<_, _>>()?;
    let t = token;
    let mut text = format!("printf '%s pid %s\\n' {t} \"$$\"; ").into_bytes();
    if let (Some(_), true) = (run_as, check_run_as) {
        text.extend(b"if ! ");
        text.extend(join_quoted(&with_run_as(run_as, &[b"true"])));
        text.extend(
            format!(" 2>&1; then printf '%s run-as-refused\\n' {t}; exit 1; fi; ").as_bytes(),
        );
    }
    let mut command: Vec<&[u8]> = vec![b"env"];
    command.extend(assignments.iter().map(|a| a.as_bytes()));
    command.extend(request.argv.iter().map(|a| a.as_bytes()));
    // Its stderr into its stdout on the node: one ssh channel keeps the order lines were
    // written in (two would not), and orch's lines after it stay apart.
    text.extend(join_quoted(&with_run_as(run_as, &command)));
    text.extend(b" 2>&1; rc=$?; ");
    if let Some(path) = &request.read_after {
        text.extend(format!("printf '\\n%s file\\n' {t}; ").as_bytes());
        text.extend(join_quoted(&with_run_as(run_as, &fetch_argv(path))));
        text.extend(format!(" 2>&1; printf '\\n%s file-end %s\\n' {t} \"$?\"; ").as_bytes());
    }
    text.extend(b"exit $rc");
    Ok(text)
}

/// Words quoted and joined by spaces: a POSIX shell splits the text back into exactly them.
fn join_quoted(words: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(&shell_quote(word));
    }
    out
}

/// One word quoted for a POSIX shell: the shell reads it back as exactly these bytes (no
/// expansion, splitting or globbing). Plain words stay as they are; others are single-quoted,
/// with each `'` written as `'\''`. Bytes are bytes: non-UTF-8 passes through. (A NUL cannot be
/// in any argv; callers refuse it.)
pub fn shell_quote(word: &[u8]) -> Cow<'_, [u8]> {
    let plain = |b: &u8| b.is_ascii_alphanumeric() || b"_-./,:+@".contains(b);
    if !word.is_empty() && word.iter().all(plain) {
        return Cow::Borrowed(word);
    }
    let mut out = Vec::with_capacity(word.len() + 2);
    out.push(b'\'');
    for &b in word {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    Cow::Owned(out)
}

/// What orch's own lines in a run's session said.
#[derive(Debug, Default)]
struct SessionInfo {
    /// The remote shell's pid (and process group).
    pid: Option<i32>,
    run_as_refused: bool,
    /// The file read after the command, with the exit status of the read.
    file: Option<(Vec<u8>, Option<i32>)>,
}

impl SessionInfo {
    fn file(&self, path: &Path) -> FileRead {
        match &self.file {
            Some((bytes, Some(0))) => Ok(Some(bytes.clone())),
            Some((_, Some(FETCH_MISSING))) => Ok(None),
            Some((bytes, _)) => Err(format!(
                "could not read {}: {}",
                path.display(),
                last_line(&String::from_utf8_lossy(bytes)).unwrap_or("no reason given")
            )),
            None => Err(format!(
                "not read: the session ended before {} was read",
                path.display()
            )),
        }
    }
}

/// Splits a run's session output into the command's output and orch's lines (`TOKEN pid N`,
/// `TOKEN run-as-refused`, `TOKEN file` ... `TOKEN file-end STATUS`), which may be cut across
/// chunks anywhere.
struct SessionFilter {
    token: Vec<u8>,
    info: Arc<Mutex<SessionInfo>>,
    pending: Vec<u8>,
    /// Between `file` and `file-end`: bytes are the file's.
    in_file: Option<Vec<u8>>,
}

impl SessionFilter {
    fn new(token: String, info: Arc<Mutex<SessionInfo>>) -> SessionFilter {
        SessionFilter {
            token: token.into_bytes(),
            info,
            pending: Vec::new(),
            in_file: None,
        }
    }

    /// Takes what is complete out of `pending`: output bytes to return.
    fn drain(&mut self, at_end: bool) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let found = find(&self.pending, &self.token);
            let Some(at) = found else {
                // Hold back what could be the start of a token cut by the chunk's end.
                let keep = if at_end {
                    0
                } else {
                    (self.token.len() + 1).min(self.pending.len())
                };
                let cut = self.pending.len() - keep;
                let done: Vec<u8> = self.pending.drain(..cut).collect();
                match &mut self.in_file {
                    Some(file) => file.extend(done),
                    None => out.extend(done),
                }
                return out;
            };
            let Some(nl) = self.pending[at..].iter().position(|&b| b == b'\n') else {
                if at_end {
                    let rest = std::mem::take(&mut self.pending);
                    out.extend(rest);
                }
                // The line is not whole yet; what precedes it is (but a newline right before
                // it may be orch's, so it waits with the line).
                let keep_newline = at > 0 && self.pending[at - 1] == b'\n';
                let before: Vec<u8> = self
                    .pending
                    .drain(..at - usize::from(keep_newline))
                    .collect();
                match &mut self.in_file {
                    Some(file) => file.extend(before),
                    None => out.extend(before),
                }
                return out;
            };
            let mut before: Vec<u8> = self.pending.drain(..at).collect();
            let line: Vec<u8> = self.pending.drain(..=nl).collect();
            let word = &line[self.token.len()..line.len() - 1];
            let mut info = self.info.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(mut file) = self.in_file.take() {
                if word.starts_with(b" file-end ") {
                    // orch's newline before the marker is not the file's.
                    file.extend(before);
                    if file.last() == Some(&b'\n') {
                        file.pop();
                    }
                    let status = std::str::from_utf8(&word[b" file-end ".len()..])
                        .ok()
                        .and_then(|s| s.trim().parse().ok());
                    info.file = Some((file, status));
                } else {
                    file.extend(before);
                    self.in_file = Some(file);
                }
                continue;
            }
            if let Some(pid) = word.strip_prefix(b" pid ") {
                info.pid = std::str::from_utf8(pid)
                    .ok()
                    .and_then(|p| p.trim().parse().ok())
                    .filter(|&p: &i32| p > 1);
            } else if word == b" run-as-refused" {
                info.run_as_refused = true;
            } else if word == b" file" {
                // The newline orch printed before the marker.
                if before.last() == Some(&b'\n') {
                    before.pop();
                }
                self.in_file = Some(Vec::new());
            }
            out.extend(before);
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl OutputFilter for SessionFilter {
    fn filter<'a>(&mut self, chunk: &'a [u8]) -> Cow<'a, [u8]> {
        self.pending.extend_from_slice(chunk);
        Cow::Owned(self.drain(false))
    }

    fn finish(&mut self) -> Vec<u8> {
        self.drain(true)
    }
}

impl std::fmt::Debug for SshConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshConnection")
            .field("node", &self.dest.node)
            .field("control", &self.control)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::ffi::OsStr;

    /// What `sh` makes of quoted words: each argument it receives, NUL-terminated.
    fn through_shell(shell: &str, words: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let refs: Vec<&[u8]> = words.iter().map(Vec::as_slice).collect();
        let mut script = b"printf '%s\\0' ".to_vec();
        script.extend(join_quoted(&refs));
        let out = std::process::Command::new(shell)
            .arg("-c")
            .arg(OsStr::from_bytes(&script))
            .output()
            .expect("the shell runs");
        assert!(out.status.success(), "{shell} failed: {out:?}");
        let mut got: Vec<Vec<u8>> = out.stdout.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
        got.pop();
        got
    }

    #[test]
    fn hostile_words_reach_the_shell_as_literal_words() {
        let words: Vec<Vec<u8>> = [
            &b"-oProxyCommand=touch /tmp/pwned"[..],
            b"a; rm -rf /",
            b"$(id)",
            b"`id`",
            b"'quoted' \"double\"",
            b"line\nbreak",
            b"",
            b"~root",
            b"*",
            b"=cmd",
            b"\xff\xfe non-utf8",
            b"back\\slash",
        ]
        .iter()
        .map(|w| w.to_vec())
        .collect();
        for shell in ["sh", "bash"] {
            assert_eq!(through_shell(shell, &words), words, "{shell}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn any_bytes_survive_quoting(words in prop::collection::vec(
            prop::collection::vec(1u8..=255, 0..12), 1..5)) {
            prop_assert_eq!(through_shell("sh", &words), words);
        }
    }

    #[test]
    fn plain_words_stay_readable() {
        assert_eq!(&*shell_quote(b"--environment"), b"--environment");
        assert_eq!(&*shell_quote(b"it's"), b"'it'\\''s'");
        assert_eq!(&*shell_quote(b""), b"''");
    }

    #[test]
    fn destinations_that_could_be_options_or_shell_text_are_refused() {
        for bad in [
            "-oProxyCommand=x",
            "a b",
            "a\nb",
            "a;b",
            "$(id)",
            "",
            "user@host",
            "ssh://x",
        ] {
            let e = check_name("n", "host", bad).unwrap_err();
            assert!(e.message.contains("refusing to connect"), "{bad}: {e}");
        }
        for good in ["db01.example.net", "10.0.0.1", "[::1]", "web_02"] {
            check_name("n", "host", good).unwrap();
        }
    }

    /// The session output of a run that printed `output` and read `file` (status `code`).
    fn session(token: &str, output: &[u8], file: &[u8], code: i32) -> Vec<u8> {
        let mut s = format!("motd line\n{token} pid 4242\n").into_bytes();
        s.extend_from_slice(output);
        s.extend(format!("\n{token} file\n").as_bytes());
        s.extend_from_slice(file);
        s.extend(format!("\n{token} file-end {code}\n").as_bytes());
        s
    }

    #[test]
    fn orch_lines_are_taken_out_of_the_output_wherever_the_chunks_are_cut() {
        let token = session_token();
        let stream = session(&token, b"Info: hi\nNotice: done\n", b"---\nversion: 1\n", 0);
        for cut in 1..stream.len() {
            let info = Arc::new(Mutex::new(SessionInfo::default()));
            let mut f = SessionFilter::new(token.clone(), info.clone());
            let mut out = Vec::new();
            for chunk in stream.chunks(cut) {
                out.extend_from_slice(&f.filter(chunk));
            }
            out.extend(f.finish());
            assert_eq!(out, b"motd line\nInfo: hi\nNotice: done\n", "cut {cut}");
            let info = info.lock().unwrap();
            assert_eq!(info.pid, Some(4242));
            assert_eq!(
                info.file(Path::new("/s")),
                Ok(Some(b"---\nversion: 1\n".to_vec()))
            );
        }
        let info = Arc::new(Mutex::new(SessionInfo::default()));
        let mut f = SessionFilter::new(token.clone(), info.clone());
        let _ = f.filter(&session(&token, b"x", b"", FETCH_MISSING));
        assert_eq!(info.lock().unwrap().file(Path::new("/s")), Ok(None));
    }

    #[test]
    fn ssh_messages_become_causes() {
        let cases = [
            (
                "ssh: connect to host 127.0.0.1 port 1: Connection refused",
                RunErrorKind::Unreachable,
            ),
            (
                "ssh: Could not resolve hostname nope: Name or service not known",
                RunErrorKind::Unreachable,
            ),
            (
                "ssh: connect to host 10.255.255.1 port 22: Connection timed out",
                RunErrorKind::ConnectTimeout,
            ),
            (
                "root@127.0.0.1: Permission denied (publickey).",
                RunErrorKind::AuthFailed,
            ),
            (
                "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.",
                RunErrorKind::HostKeyRejected,
            ),
            (
                "kex_exchange_identification: Connection closed by remote host",
                RunErrorKind::Transport,
            ),
        ];
        for (said, kind) in cases {
            let e = connect_error("db01", said, "exit status: 255");
            assert_eq!(e.kind, kind, "{said}");
        }
        let e = connect_error(
            "db01",
            "No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.\n",
            "",
        );
        assert_eq!(
            e.message,
            "the host key of db01 was not accepted: No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking."
        );
    }
}
