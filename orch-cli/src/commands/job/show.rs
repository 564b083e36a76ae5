//! `orch job show`: the job list, one job, or one job's events as they happen (`--follow`).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use orch_runner::{JobId, JobQuery, JobState, RunText, Store, Timestamp};

use super::output::{Output, RunFormat, print_events};
use super::{json, parse_time, store_error};
use crate::commands::open_store;
use crate::exit::Exit;

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The job to show (default: list the jobs, newest first).
    id: Option<u64>,
    /// Print the job's events as they are recorded, from the first, as `job run` prints them;
    /// ends when the job does (Ctrl-C ends only the following, never the job).
    #[arg(long, requires = "id")]
    follow: bool,
    /// List only jobs in this state; repeatable, or comma-separated.
    #[arg(long = "state", value_name = "STATE", value_delimiter = ',', value_parser = parse_state, conflicts_with = "id")]
    states: Vec<JobState>,
    /// List only this user's jobs.
    #[arg(long, value_name = "USER", conflicts_with = "id")]
    user: Option<String>,
    /// List only jobs created since then: an RFC 3339 time or an age (30m, 2h, 7d).
    #[arg(long, value_name = "TIME", value_parser = parse_time, conflicts_with = "id")]
    since: Option<Timestamp>,
    /// List only jobs in this environment.
    #[arg(long, value_name = "NAME", conflicts_with = "id")]
    environment: Option<String>,
    /// Most jobs to list.
    #[arg(long, value_name = "N", default_value_t = orch_runner::DEFAULT_LIST_LIMIT)]
    limit: usize,
    /// Pass over this many of the newest matching jobs first.
    #[arg(long, value_name = "N", default_value_t = 0)]
    offset: usize,
    #[command(flatten)]
    server: super::remote::ServerArgs,
    /// The job store (default: $ORCH_STORE, else $XDG_STATE_HOME/orch/jobs.sqlite3).
    #[arg(long, value_name = "PATH", env = "ORCH_STORE")]
    store: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    format: ShowFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ShowFormat {
    Text,
    Json,
}

/// How often `--follow` looks for new events.
const FOLLOW_POLL: Duration = Duration::from_millis(150);

fn parse_state(text: &str) -> Result<JobState, String> {
    text.parse().map_err(|_| {
        let names: Vec<&str> = JobState::ALL.iter().map(|s| s.as_str()).collect();
        format!("not a job state (one of: {})", names.join(", "))
    })
}

pub(super) fn show(args: &ShowArgs) -> Exit {
    match args.server.client() {
        Ok(Some(client)) => return show_from_server(args, &client),
        Ok(None) => {}
        Err(exit) => return exit,
    }
    let store = match open_store(args.store.as_deref()) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let text = match args.id {
        Some(id) if args.follow => {
            let format = match args.format {
                ShowFormat::Text => RunFormat::Text,
                ShowFormat::Json => RunFormat::Json,
            };
            return follow(&store, id, format);
        }
        Some(id) => match store.job(id) {
            Ok(job) => match args.format {
                ShowFormat::Text => orch_runner::render_job_detail(&job),
                ShowFormat::Json => json(&job),
            },
            Err(e) => return store_error(&e),
        },
        None => {
            let query = JobQuery {
                states: args.states.clone(),
                user: args.user.clone(),
                since: args.since,
                environment: args.environment.clone(),
                limit: args.limit,
                offset: args.offset,
                ..JobQuery::default()
            };
            let page = match store.list(&query) {
                Ok(page) => page,
                Err(e) => return store_error(&e),
            };
            match args.format {
                ShowFormat::Text if page.items.is_empty() && query != everything(&query) => {
                    "No jobs match.\n".to_owned()
                }
                ShowFormat::Text => orch_runner::render_job_list(&page.items),
                ShowFormat::Json => json(&serde_json::json!({
                    "schema": orch_runner::SCHEMA_VERSION,
                    "items": page.items.iter().map(|j| j.summary_json()).collect::<Vec<_>>(),
                    "pagination": {"limit": query.limit, "offset": query.offset, "total": page.total},
                })),
            }
        }
    };
    crate::commands::print(&text)
}

/// `--server`: the same outputs, from the server's API.
fn show_from_server(args: &ShowArgs, client: &orch_server::Client) -> Exit {
    let format = match args.format {
        ShowFormat::Text => RunFormat::Text,
        ShowFormat::Json => RunFormat::Json,
    };
    let text = match args.id {
        Some(id) if args.follow => return super::remote::follow(client, id, format),
        Some(id) => match client.job(id) {
            Ok(job) => match args.format {
                ShowFormat::Text => orch_runner::render_job_detail(&job),
                ShowFormat::Json => json(&job),
            },
            Err(e) => return super::remote::client_error(&e),
        },
        None => {
            let filtered = !args.states.is_empty()
                || args.user.is_some()
                || args.since.is_some()
                || args.environment.is_some();
            if filtered {
                eprintln!(
                    "Error: --state, --user, --since and --environment filter this machine's \
                     store; PE's API lists jobs by page only"
                );
                return Exit::InvalidInput;
            }
            let (jobs, total) = match client.jobs(args.limit, args.offset) {
                Ok(page) => page,
                Err(e) => return super::remote::client_error(&e),
            };
            match args.format {
                ShowFormat::Text => orch_runner::render_job_list(&jobs),
                ShowFormat::Json => json(&serde_json::json!({
                    "schema": orch_runner::SCHEMA_VERSION,
                    "items": jobs.iter().map(|j| j.summary_json()).collect::<Vec<_>>(),
                    "pagination": {"limit": args.limit, "offset": args.offset, "total": total},
                })),
            }
        }
    };
    crate::commands::print(&text)
}

/// `query` with no condition and from the newest job: what `No jobs yet.` is said for.
fn everything(query: &JobQuery) -> JobQuery {
    JobQuery {
        limit: query.limit,
        ..JobQuery::default()
    }
}

/// `--follow`: job `id`'s events from the first, then each as it is stored, until
/// `job_finished`; exits as `job run` would have.
fn follow(store: &Store, id: JobId, format: RunFormat) -> Exit {
    let job = match store.job(id) {
        Ok(job) => job,
        Err(e) => return store_error(&e),
    };
    let mut output = Output::new(format, RunText::for_job(&job), None);
    let mut after = 0;
    loop {
        let events = match store.events(id, after) {
            Ok(events) => events,
            Err(e) => return store_error(&e),
        };

        if events.is_empty() {
            // `job_finished` is committed with the state it sets, so a job that reads as ended
            // with no more events never got one: its runner died.
            match store.job_state(id) {
                Ok(state) if state.is_terminal() => {
                    if store.events(id, after).is_ok_and(|rest| rest.is_empty()) {
                        let why = store.job(id).ok().and_then(|j| j.message);
                        eprintln!(
                            "Error: job {id} ended without finishing: {}",
                            why.as_deref().unwrap_or("its events stop here")
                        );
                        return Exit::Problems;
                    }
                    continue;
                }
                Ok(_) => {}
                Err(e) => return store_error(&e),
            }
            std::thread::sleep(FOLLOW_POLL);
            continue;
        }
        after = events.last().map_or(after, |e| e.seq);
        if let Some(exit) = print_events(&mut output, &events) {
            return exit;
        }
    }
}
