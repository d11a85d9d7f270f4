//! The command line: argument parsing (clap), one module per command, and the mapping from
//! errors to messages and exit statuses. Library code never exits; only `main` here does.

/// `println!` for command output, as an expression to `?`: output nobody reads any more is
/// dropped quietly, any other write error is reported (see [`common::out`]).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::common::out(&format!("{}\n", format_args!($($arg)*)))
    };
}

mod args;
mod cache;
mod check;
mod common;
mod config;
mod coverage;
mod daemon;
mod fetch;
mod logging;
mod render;
mod run;
mod serve;
mod test;
mod watch;

pub use args::Cli;
use args::{Command, Deferred};

/// Exit statuses shared by every command (spec section 7).
pub mod status {
    pub const OK: i32 = 0;
    pub const FAILED: i32 = 1;
    pub const INVALID: i32 = 2;
    pub const TIMED_OUT: i32 = 124;
}

/// A command's failure: the message to print and the exit status.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad flag values, bundle or config: status 2.
    #[error("{0}")]
    Invalid(String),
    /// The command ran but failed (network, storage, ...): status 1.
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    pub fn status(&self) -> i32 {
        match self {
            CliError::Invalid(_) => status::INVALID,
            CliError::Failed(_) => status::FAILED,
        }
    }
}

impl From<crate::bundle::BundleError> for CliError {
    fn from(e: crate::bundle::BundleError) -> Self {
        CliError::Invalid(e.to_string())
    }
}

impl From<crate::engine::EngineError> for CliError {
    fn from(e: crate::engine::EngineError) -> Self {
        CliError::Failed(e.to_string())
    }
}

/// `Cli::try_parse`, without freeing clap's tree of the command's arguments: the process ends
/// after the command, and the OS frees it at once.
fn parse_args() -> Result<Cli, clap::Error> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let parsed = match command.try_get_matches_from_mut(std::env::args_os()) {
        Ok(mut matches) => <Cli as clap::FromArgMatches>::from_arg_matches_mut(&mut matches)
            .map_err(|e| e.format(&mut command)),
        Err(e) => Err(e),
    };
    std::mem::forget(command);
    parsed
}

/// Parses the command line, runs the command, and returns the process exit status.
pub fn main() -> i32 {
    let cli = match parse_args() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    status::OK
                }
                _ => status::INVALID,
            };
        }
    };
    // `ftrun test --verbose` is Jest's flag first: logs begin at -vv there.
    let testing = matches!(cli.command, Command::Test(_));
    logging::init(if testing {
        cli.verbose.saturating_sub(1)
    } else {
        cli.verbose
    });
    let data_dir = cli.data_dir.as_deref();
    let result = match cli.command {
        Command::Run(Deferred(args)) => run::run(args, data_dir),
        Command::Fetch(Deferred(args)) => fetch::run(args, data_dir),
        Command::Config(Deferred(cmd)) => config::run(cmd, data_dir),
        Command::Cache(Deferred(cmd)) => cache::run(cmd, data_dir),
        Command::Daemon(Deferred(args)) => daemon::run(args, data_dir),
        Command::Serve(Deferred(args)) => serve::run(args),
        Command::Test(Deferred(args)) => test::run(args, cli.verbose),
        Command::Check(Deferred(args)) => check::run(args),
        Command::Render(Deferred(args)) => render::run(args),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            errln!("error: {e}");
            e.status()
        }
    };
    if std::env::var_os("FTRUN_REPORT_RSS").is_some() {
        report_peak_rss();
    }
    code
}

/// For benchmarks: the process's own peak RSS (VmHWM counts only this program's memory,
/// not what the parent had before exec).
fn report_peak_rss() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(kib) = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    {
        errln!("ftrun: peak RSS {kib} KiB");
    }
}
