//! Who runs a job, and whether that process still exists. A job whose runner was killed
//! (SIGKILL, OOM, power loss) never records `job_finished`; readers use this to see it as
//! ended instead of `running` forever. Linux details come from `/proc`; elsewhere only the pid
//! is checked, and a store written on another host is never judged.

use std::fs;

/// The process running a job, as recorded when the job is created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Runner {
    pub(crate) pid: u32,
    /// `/proc/<pid>/stat` field 22 (clock ticks since boot): tells a reused pid apart.
    pub(crate) start_time: Option<u64>,
    /// `/proc/sys/kernel/random/boot_id`: a pid from before a reboot is dead whatever it is now.
    pub(crate) boot_id: Option<String>,
    /// `/proc/<pid>/ns/pid`: a process in another pid namespace (container) cannot be seen.
    pub(crate) pid_ns: Option<String>,
    pub(crate) host: Option<String>,
}

/// What a reader can tell about a recorded runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Liveness {
    /// It still runs (or this reader cannot tell otherwise).
    Alive,
    /// It ended without finishing the job.
    Dead,
    /// On another host or in another pid namespace: not ours to judge.
    Unknown,
}

impl Runner {
    /// This process.
    pub(crate) fn current() -> Runner {
        let pid = std::process::id();
        Runner {
            pid,
            start_time: start_time(pid),
            boot_id: read_trimmed("/proc/sys/kernel/random/boot_id"),
            pid_ns: fs::read_link("/proc/self/ns/pid")
                .ok()
                .map(|p| p.to_string_lossy().into_owned()),
            host: hostname(),
        }
    }

    /// Whether the recorded runner `self` is still running, as seen from `here`.
    pub(crate) fn liveness(&self, here: &Runner) -> Liveness {
        if self == here {
            return Liveness::Alive;
        }
        match (&self.host, &here.host) {
            (Some(a), Some(b)) if a == b => {}
            _ => return Liveness::Unknown,
        }
        if let (Some(a), Some(b)) = (&self.boot_id, &here.boot_id)
            && a != b
        {
            return Liveness::Dead;
        }
        if let (Some(a), Some(b)) = (&self.pid_ns, &here.pid_ns)
            && a != b
        {
            return Liveness::Unknown;
        }
        if here.start_time.is_some() {
            return self.proc_liveness();
        }
        self.signal_liveness()
    }

    /// With `/proc`: the pid must exist, not be a zombie, and have started when recorded.
    fn proc_liveness(&self) -> Liveness {
        match proc_stat(self.pid) {
            None => Liveness::Dead,
            Some(stat) if matches!(stat.state, 'Z' | 'X') => Liveness::Dead,
            Some(stat) => match self.start_time {
                Some(recorded) if recorded != stat.start_time => Liveness::Dead,
                _ => Liveness::Alive,
            },
        }
    }

    /// Without `/proc`: only whether some process has the pid (signal 0).
    fn signal_liveness(&self) -> Liveness {
        use nix::errno::Errno;
        let Ok(raw) = i32::try_from(self.pid) else {
            return Liveness::Unknown;
        };
        match nix::sys::signal::kill(nix::unistd::Pid::from_raw(raw), None) {
            Err(Errno::ESRCH) => Liveness::Dead,
            _ => Liveness::Alive,
        }
    }
}

/// The fields of `/proc/<pid>/stat` used here.
struct ProcStat {
    state: char,
    start_time: u64,
}

fn proc_stat(pid: u32) -> Option<ProcStat> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text)
}

/// Parses `pid (comm) state ... starttime ...`. The command name may hold spaces and
/// parentheses, so fields are counted from the last `)`: field 3 (state) is the first after it,
/// field 22 (starttime) the twentieth.
fn parse_stat(text: &str) -> Option<ProcStat> {
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let start_time = fields.nth(18)?.parse().ok()?;
    Some(ProcStat { state, start_time })
}

fn start_time(pid: u32) -> Option<u64> {
    proc_stat(pid).map(|s| s.start_time)
}

fn hostname() -> Option<String> {
    read_trimmed("/proc/sys/kernel/hostname")
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()))
}

fn read_trimmed(path: &str) -> Option<String> {
    let text = fs::read_to_string(path).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_count_from_the_last_parenthesis() {
        let line = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1 2";
        let stat = parse_stat(line).unwrap();
        assert_eq!(stat.state, 'S');
        assert_eq!(stat.start_time, 987654);
    }

    #[test]
    fn this_process_is_alive_and_reads_its_start_time() {
        let me = Runner::current();
        assert_eq!(me.liveness(&me), Liveness::Alive);
        if cfg!(target_os = "linux") {
            assert!(me.start_time.is_some());
            let reused = Runner {
                start_time: me.start_time.map(|t| t + 1),
                ..me.clone()
            };
            assert_eq!(reused.liveness(&me), Liveness::Dead);
        }
    }

    #[test]
    fn another_host_is_not_judged() {
        let me = Runner::current();
        let there = Runner {
            host: Some("elsewhere.example.net".into()),
            pid: u32::MAX,
            ..me.clone()
        };
        assert_eq!(there.liveness(&me), Liveness::Unknown);
    }
}
