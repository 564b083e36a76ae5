//! A real OpenSSH server for orch's tests and benchmarks: on 127.0.0.1 at a free port, with a
//! host key and user keys made for this run in a temporary directory (never the machine's own
//! sshd, keys or `~/.ssh`), stopped when dropped. `.ci/run` installs `openssh-server` and
//! `sudo`, and makes the unprivileged login [`UNPRIVILEGED_USER`].

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A login without sudo rights (made by `.ci/run`).
pub const UNPRIVILEGED_USER: &str = "orch-ssh-test";

const SSHD: &str = "/usr/sbin/sshd";

/// A running sshd; killed when dropped.
pub struct Sshd {
    /// Where its files are.
    pub dir: tempfile::TempDir,
    /// The port it listens on, at 127.0.0.1.
    pub port: u16,
    /// The key the server accepts.
    pub user_key: PathBuf,
    /// A key it does not.
    pub stranger_key: PathBuf,
    /// `[127.0.0.1]:PORT <host key>`.
    pub known_hosts_line: String,
    /// The client configuration: every host name goes to this server, its host key known.
    pub config: PathBuf,
    log: PathBuf,
    child: Child,
}

fn keygen(path: &Path) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "orch-test", "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .status()
        .expect("ssh-keygen runs (`.ci/run` installs openssh-client)");
    assert!(status.success(), "ssh-keygen failed");
}

/// Who the client configuration logs in as: [`UNPRIVILEGED_USER`] when it exists (a plain
/// `/bin/sh` login, no rc files that print), else the user the tests run as.
pub fn login() -> String {
    if user_exists(UNPRIVILEGED_USER) {
        UNPRIVILEGED_USER.to_owned()
    } else {
        me()
    }
}

/// The user the tests run as.
pub fn me() -> String {
    let uid = nix::unistd::getuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => user.name,
        _ => uid.to_string(),
    }
}

impl Sshd {
    /// Starts one; panics (the tests cannot run) when sshd is missing or will not start.
    pub fn start() -> Sshd {
        assert!(
            Path::new(SSHD).exists(),
            "{SSHD} is missing: the ssh tests need openssh-server (`.ci/run` installs it)"
        );
        let dir = tempfile::Builder::new()
            .prefix("orch-sshd-")
            .tempdir()
            .unwrap();
        let d = dir.path();
        let (host_key, user_key, stranger_key) = (
            d.join("host_key"),
            d.join("user_key"),
            d.join("stranger_key"),
        );
        keygen(&host_key);
        keygen(&user_key);
        keygen(&stranger_key);
        std::fs::copy(d.join("user_key.pub"), d.join("authorized_keys")).unwrap();
        if nix::unistd::geteuid().is_root() {
            // sshd's privilege-separation directory, which the package's service would make.
            let _ = std::fs::create_dir_all("/run/sshd");
        }
        let log = d.join("sshd.log");
        // A port can be taken between choosing it and sshd binding it: try a few.
        for _attempt in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let config = d.join("sshd_config");
            std::fs::write(
                &config,
                format!(
                    "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\n\
                     AuthorizedKeysFile {}\nStrictModes no\nUsePAM no\nPidFile {}\n\
                     LogLevel VERBOSE\nMaxStartups 200\nMaxSessions 50\n\
                     PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                     PermitRootLogin prohibit-password\n",
                    host_key.display(),
                    d.join("authorized_keys").display(),
                    d.join("sshd.pid").display(),
                ),
            )
            .unwrap();
            let mut child = Command::new(SSHD)
                .arg("-D")
                .arg("-f")
                .arg(&config)
                .arg("-E")
                .arg(&log)
                .stdin(Stdio::null())
                .spawn()
                .expect("sshd starts");
            let deadline = Instant::now() + Duration::from_secs(5);
            let mut up = false;
            while Instant::now() < deadline {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                // Listening, and this sshd (not another test's on a reused port).
                let listening = format!("Server listening on 127.0.0.1 port {port}");
                if std::fs::read_to_string(&log).is_ok_and(|l| l.contains(&listening))
                    && TcpStream::connect(("127.0.0.1", port)).is_ok()
                {
                    up = true;
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if !up {
                let _ = child.kill();
                let _ = child.wait();
                continue;
            }
            let host_pub = std::fs::read_to_string(d.join("host_key.pub")).unwrap();
            let known_hosts_line = format!("[127.0.0.1]:{port} {}", host_pub.trim());
            let mut sshd = Sshd {
                port,
                user_key,
                stranger_key,
                known_hosts_line,
                config: PathBuf::new(),
                log,
                child,
                dir,
            };
            sshd.config = sshd.client_config("ssh_config", &sshd.known_hosts_line.clone());
            return sshd;
        }
        panic!(
            "sshd did not start; its log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// A client configuration sending every host to this server, with `known_hosts` as the
    /// known hosts (and no agent, no other keys, no global file).
    pub fn client_config(&self, name: &str, known_hosts: &str) -> PathBuf {
        let d = self.dir.path();
        let known = d.join(format!("{name}.known_hosts"));
        std::fs::write(&known, format!("{known_hosts}\n")).unwrap();
        let path = d.join(name);
        let mut f = std::fs::File::create(&path).unwrap();
        write!(
            f,
            "Host *\n  HostName 127.0.0.1\n  Port {}\n  User {}\n  IdentityAgent none\n  \
             IdentitiesOnly yes\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  \
             StrictHostKeyChecking yes\n",
            self.port,
            login(),
            known.display()
        )
        .unwrap();
        path
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// How many connections authenticated.
    pub fn logins(&self) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains("Accepted publickey"))
            .count()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `user` exists on this machine.
pub fn user_exists(user: &str) -> bool {
    nix::unistd::User::from_name(user).ok().flatten().is_some()
}
