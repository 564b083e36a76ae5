//! Exit codes (spec/cli.md).

/// What a command ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0
    Success,
    /// 1: some node failed; `parser validate` or `parser dump` found problems.
    Problems,
    /// 2: invalid input.
    InvalidInput,
    /// 3: the tool itself could not work (store, transport, internal error).
    Internal,
    /// 130: interrupted (Ctrl-C, SIGTERM).
    Interrupted,
}

impl Exit {
    /// What a command that ran or followed a job exits with once the job has ended.
    pub(crate) fn for_job(state: orch_runner::JobState) -> Exit {
        match state {
            orch_runner::JobState::Finished => Exit::Success,
            _ => Exit::Problems,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(match e {
            Exit::Success => 0,
            Exit::Problems => 1,
            Exit::InvalidInput => 2,
            Exit::Internal => 3,
            Exit::Interrupted => 130,
        })
    }
}
