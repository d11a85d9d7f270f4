//! clap definitions for every command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "ftrun",
    // The crate's version and the commit it was built from (build.rs).
    version = env!("FTRUN_VERSION"),
    about = "Run WeChat/FinClip-style mini-program bundles headlessly, with background fetch",
    propagate_version = true
)]
pub struct Cli {
    /// More logging on stderr (-v info, -vv debug, -vvv trace). Tokens are never logged.
    /// For `ftrun test`, --verbose is Jest's (passing tests' console output shown) and logs
    /// start at -vv.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Where all state lives (default: $FTRUN_DATA_DIR, else ~/.local/share/ftrun)
    #[arg(long, value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// Each command's arguments are wrapped in [`Deferred`], so clap builds only the command given.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Cold-start a bundle headlessly: App, the launch page, timers, until idle
    Run(Deferred<RunArgs>),
    /// Send one background-fetch request now and store the record on success
    Fetch(Deferred<FetchArgs>),
    /// The console config per appId: pre-fetch URL, periodic URL, period
    #[command(subcommand)]
    Config(Deferred<ConfigCommand>),
    /// Inspect and clear stored records and tokens
    #[command(subcommand)]
    Cache(Deferred<CacheCommand>),
    /// Periodic updates for every eligible app (a periodic URL, a token, a launch in the
    /// last 7 days, and a due period)
    Daemon(Deferred<DaemonArgs>),
    /// Serve a file as a mock background-fetch endpoint and print every request received
    Serve(Deferred<ServeArgs>),
    /// Run JS test files (*.test.js, *.spec.js, .ts, __tests__/) that launch bundles and check
    /// what they do
    Test(Deferred<TestArgs>),
    /// Load every page and component of a bundle, run each page's onLoad/onShow/onReady and
    /// render it with the components it uses
    Check(Deferred<CheckArgs>),
    /// Cold-start a bundle to the launch page's onReady and print the page as rendered
    /// (indented WXML with components' shadow content, or JSON)
    Render(Deferred<RenderArgs>),
}

/// A command's arguments (or nested commands), built only when that command is the one on
/// the command line (clap's `Command::defer`): `ftrun run` does not pay to build the other
/// commands' arguments, which is a quarter of a millisecond of every cold start.
#[derive(Debug)]
pub struct Deferred<T>(pub T);

// The `_mut` forms too: clap's defaults for them go through the others, which clone the matches.
impl<T: clap::FromArgMatches> clap::FromArgMatches for Deferred<T> {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(m).map(Deferred)
    }
    fn from_arg_matches_mut(m: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(m).map(Deferred)
    }
    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(m)
    }
    fn update_from_arg_matches_mut(&mut self, m: &mut clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(m)
    }
}

impl<T: Args> Args for Deferred<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(augment_deferred::<T>)
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(augment_deferred_for_update::<T>)
    }
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

/// Deferred, the arguments are added after the command's own about text is set, and a doc
/// comment on a flattened argument struct would replace it: put the command's text back.
fn keeping_about(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let mut built = augment(cmd);
    if let Some(about) = about {
        built = built.about(about);
    }
    if let Some(long_about) = long_about {
        built = built.long_about(long_about);
    }
    built
}

fn augment_deferred<T: Args>(cmd: clap::Command) -> clap::Command {
    keeping_about(cmd, T::augment_args)
}

fn augment_deferred_for_update<T: Args>(cmd: clap::Command) -> clap::Command {
    keeping_about(cmd, T::augment_args_for_update)
}

impl<T: Subcommand> Subcommand for Deferred<T> {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        cmd.defer(T::augment_subcommands)
    }
    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(T::augment_subcommands_for_update)
    }
    fn has_subcommand(name: &str) -> bool {
        T::has_subcommand(name)
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The bundle folder (holds app.json)
    pub bundle: PathBuf,
    /// appId (default: project.config.json's "appid")
    #[arg(long, value_name = "ID", value_parser = parse_app_id)]
    pub app_id: Option<String>,
    /// Stop after this many seconds in all
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_secs)]
    pub timeout: std::time::Duration,
    /// Print the table as JSON
    #[arg(long)]
    pub json: bool,
    /// Also write the table as one self-contained HTML page (statuses, causes, file:line:col)
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Also print what the app printed (console, errors) on stderr
    #[arg(long = "output")]
    pub verbose_output: bool,
    /// The phone to pretend to be: screen WIDTHxHEIGHT in px and pixel ratio (default 375x667@2)
    #[arg(long, value_name = "WxH[@R]")]
    pub device: Option<crate::engine::Device>,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Files or folders to search for test files (default: the config's roots, else the current
    /// folder); an argument that is not a path is a regular expression over test files' paths
    pub paths: Vec<String>,
    /// Output format on the terminal, or into --output
    #[arg(long, value_name = "NAME")]
    pub reporter: Option<crate::testrunner::Reporter>,
    /// Where the tap, junit, json or html reporter writes its report (the summary still goes to stdout)
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Run only tests whose full name matches this regular expression (or substring)
    #[arg(
        short = 't',
        long = "testNamePattern",
        visible_alias = "filter",
        alias = "test-name-pattern",
        value_name = "PATTERN"
    )]
    pub filter: Option<String>,
    /// Run shard I of N (1-based): files are split by position, for several CI machines
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Test files run at once (default: the machine's cores)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: Option<u32>,
    /// Default per-test timeout in milliseconds (a test may pass its own; default 5000)
    #[arg(long = "testTimeout", visible_alias = "test-timeout", value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub test_timeout: Option<u64>,
    /// Rewrite snapshots that fail and remove obsolete ones (Jest's -u)
    #[arg(short = 'u', long = "updateSnapshot", alias = "update-snapshot")]
    pub update_snapshot: bool,
    /// Continuous integration: never write snapshots, a missing snapshot fails
    #[arg(long)]
    pub ci: bool,
    /// The clock of apps the tests launch: virtual (timers fire as the test advances
    /// app.clock) or real; launch({ clock }) overrides it
    #[arg(long, value_name = "KIND", value_parser = ["virtual", "real"])]
    pub clock: Option<String>,
    /// Stop taking new test files once N have failed (default 1)
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true, default_missing_value = "1", value_parser = clap::value_parser!(u64).range(1..))]
    pub bail: Option<u64>,
    /// Print Jest's JSON result object on stdout (or into --outputFile); the rest goes to stderr
    #[arg(long)]
    pub json: bool,
    /// Where --json writes its result
    #[arg(long = "outputFile", alias = "output-file", value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Print the test files that would run, one absolute path a line, and exit
    #[arg(long = "listTests", alias = "list-tests")]
    pub list_tests: bool,
    /// Exit 0 when no test file is found
    #[arg(long = "passWithNoTests", alias = "pass-with-no-tests")]
    pub pass_with_no_tests: bool,
    /// Leave out what tests print on the console
    #[arg(long)]
    pub silent: bool,
    /// Stay running: re-run the test files a change affects (keys: a all, f failed, p file
    /// pattern, t name pattern, u update snapshots, q quit)
    #[arg(long, alias = "watchAll")]
    pub watch: bool,
    /// Measure statement, branch, function and line coverage of the bundles' own JS
    #[arg(long, alias = "collectCoverage")]
    pub coverage: bool,
    /// Where coverage reports go (default: coverage)
    #[arg(
        long = "coverageDirectory",
        alias = "coverage-directory",
        value_name = "DIR"
    )]
    pub coverage_directory: Option<PathBuf>,
    /// Coverage the run must reach, as Jest's JSON: '{"global":{"lines":80}}'
    #[arg(
        long = "coverageThreshold",
        alias = "coverage-threshold",
        value_name = "JSON"
    )]
    pub coverage_threshold: Option<String>,
    /// The config file (default: ./ftrun.config.json, else the "ftrun" key of ./package.json)
    #[arg(short = 'c', long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// An appId argument: 1 to 256 characters, no control characters.
pub fn parse_app_id(s: &str) -> Result<String, String> {
    crate::bundle::check_app_id(s).map(|()| s.to_string())
}

/// `I/N` with 1 <= I <= N.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("'{s}': expected I/N, e.g. 2/4"))?;
    let i: usize = i
        .trim()
        .parse()
        .map_err(|_| format!("'{s}': I is not a number"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("'{s}': N is not a number"))?;
    if n == 0 || i == 0 || i > n {
        return Err(format!("'{s}': need 1 <= I <= N"));
    }
    Ok((i, n))
}

/// HTTP client settings.
#[derive(Debug, Args, Clone)]
pub struct NetArgs {
    /// Extra trusted CA certificates (PEM), e.g. a company CA
    #[arg(long, value_name = "FILE", env = "FTRUN_CA_FILE")]
    pub ca_file: Option<PathBuf>,
    /// One deadline for connect, headers and body of each request
    #[arg(long, value_name = "SECS", default_value = "20", value_parser = parse_secs)]
    pub fetch_timeout: std::time::Duration,
}

/// Per-command overrides of the console config and request parameters.
#[derive(Debug, Args, Clone)]
pub struct FetchOverrides {
    /// customMiniprogramVersion sent with requests
    #[arg(long, value_name = "V", default_value = "devtool")]
    pub app_version: String,
    /// Pre-fetch URL for this command only (overrides the console config)
    #[arg(long, value_name = "U")]
    pub prefetch_url: Option<String>,
    /// Periodic URL for this command only (overrides the console config)
    #[arg(long, value_name = "U")]
    pub periodic_url: Option<String>,
    /// Query parameter names: finclip (appId, timeStamp) or wechat (appid, timestamp)
    #[arg(long, value_name = "NAMES")]
    pub wire: Option<crate::bgfetch::WireNames>,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The bundle folder (for its appId and entry page)
    pub bundle: PathBuf,
    /// Which slot: pre or periodic
    #[arg(long = "type", value_name = "T")]
    pub kind: FetchKind,
    #[command(flatten)]
    pub launch: LaunchArgs,
    /// appId (default: project.config.json's "appid")
    #[arg(long, value_name = "ID", value_parser = parse_app_id)]
    pub app_id: Option<String>,
    #[command(flatten)]
    pub overrides: FetchOverrides,
    #[command(flatten)]
    pub net: NetArgs,
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FetchKind {
    Pre,
    Periodic,
}

impl From<FetchKind> for crate::bgfetch::FetchType {
    fn from(k: FetchKind) -> Self {
        match k {
            FetchKind::Pre => crate::bgfetch::FetchType::Pre,
            FetchKind::Periodic => crate::bgfetch::FetchType::Periodic,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Set fields of an app's console config (others stay)
    Set {
        #[arg(value_parser = parse_app_id)]
        app_id: String,
        #[arg(long, value_name = "U")]
        prefetch_url: Option<String>,
        #[arg(long, value_name = "U")]
        periodic_url: Option<String>,
        /// Hours between periodic updates: 3..=12, or 0 for off (default 12)
        #[arg(long, value_name = "H")]
        period: Option<u32>,
        /// Query parameter names sent to this app's server
        #[arg(long, value_name = "NAMES")]
        wire: Option<crate::bgfetch::WireNames>,
    },
    /// Show an app's console config
    Show {
        #[arg(value_parser = parse_app_id)]
        app_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove fields of an app's console config (all of them when none is named)
    Unset {
        #[arg(value_parser = parse_app_id)]
        app_id: String,
        #[arg(long)]
        prefetch_url: bool,
        #[arg(long)]
        periodic_url: bool,
        #[arg(long)]
        period: bool,
        #[arg(long)]
        wire: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Every app with stored state: slots, token (set or not), last launch, config
    List {
        #[arg(long)]
        json: bool,
    },
    /// One stored record
    Show {
        #[arg(value_parser = parse_app_id)]
        app_id: String,
        #[arg(long = "type", value_name = "T")]
        kind: FetchKind,
        #[arg(long)]
        json: bool,
    },
    /// Remove stored records, tokens and launch state (of one app, or of all)
    Clear {
        #[arg(value_parser = parse_app_id)]
        app_id: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// One pass, then exit (for cron and CI)
    #[arg(long)]
    pub once: bool,
    /// Requests in flight at once
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,
    /// customMiniprogramVersion sent with requests
    #[arg(long, value_name = "V", default_value = "devtool")]
    pub app_version: String,
    #[command(flatten)]
    pub net: NetArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The file to serve as the response body (on every path)
    pub file: PathBuf,
    /// Port on 127.0.0.1 (0 = any free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Write the chosen port to this file once listening (for scripts)
    #[arg(long, value_name = "FILE")]
    pub port_file: Option<PathBuf>,
    /// Status code to answer with
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u16).range(100..=599))]
    pub status: u16,
    /// Wait this many milliseconds before answering
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub delay_ms: u64,
    /// Stop after this many requests (default: run until interrupted)
    #[arg(long, value_name = "N")]
    pub max_requests: Option<usize>,
}

/// How the app is launched.
#[derive(Debug, Args, Clone)]
pub struct LaunchArgs {
    /// Launch page path (default: app.json's entryPagePath, else its first page)
    #[arg(long, value_name = "P")]
    pub path: Option<String>,
    /// Launch query string, as given (e.g. 'id=42&from=share')
    #[arg(long, value_name = "Q", default_value = "")]
    pub query: String,
    /// Launch scene number
    #[arg(long, value_name = "N", default_value_t = 1001)]
    pub scene: u32,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The bundle folder (holds app.json)
    pub bundle: PathBuf,
    #[command(flatten)]
    pub launch: LaunchArgs,
    /// appId (default: project.config.json's "appid")
    #[arg(long, value_name = "ID", value_parser = parse_app_id)]
    pub app_id: Option<String>,
    /// Print the tree as JSON ({ tag, attrs, children }, text as strings)
    #[arg(long)]
    pub json: bool,
    /// Print once the app is idle (timers done, requests answered), not right after onReady
    #[arg(long)]
    pub idle: bool,
    /// Stop after this many seconds in all
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_secs)]
    pub timeout: std::time::Duration,
    /// The phone to pretend to be: screen WIDTHxHEIGHT in px and pixel ratio (default 375x667@2)
    #[arg(long, value_name = "WxH[@R]")]
    pub device: Option<crate::engine::Device>,
    /// Write the page as one self-contained HTML file (its WXSS applied, navigation and tab bars)
    #[arg(long, value_name = "FILE", conflicts_with = "json")]
    pub html: Option<PathBuf>,
    /// Write a screenshot of the page as PNG (headless Chromium: $FTRUN_CHROME, or chromium on PATH)
    #[arg(long, value_name = "FILE", conflicts_with = "json")]
    pub png: Option<PathBuf>,
    /// The screenshot's window, WIDTHxHEIGHT[@RATIO] in CSS px (default: --device, else 375x667@2)
    #[arg(long, value_name = "WxH[@R]")]
    pub viewport: Option<crate::engine::Device>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The bundle folder (holds app.json)
    pub bundle: PathBuf,
    #[command(flatten)]
    pub launch: LaunchArgs,
    /// appId (default: project.config.json's "appid")
    #[arg(long, value_name = "ID", value_parser = parse_app_id)]
    pub app_id: Option<String>,
    /// Stop after this many seconds (exit status 124)
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_secs)]
    pub timeout: std::time::Duration,
    /// JS heap limit, e.g. 256MiB, 1GiB, or a number of MiB
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = parse_size)]
    pub max_memory: usize,
    /// Do not send the pre-fetch request
    #[arg(long)]
    pub no_prefetch: bool,
    /// Make every wx.request fail with "request:fail network disabled"
    #[arg(long)]
    pub offline: bool,
    /// Print every UI or device call the app makes that a headless run cannot perform
    #[arg(long)]
    pub trace: bool,
    /// The phone to pretend to be: screen WIDTHxHEIGHT in px and pixel ratio (default 375x667@2)
    #[arg(long, value_name = "WxH[@R]")]
    pub device: Option<crate::engine::Device>,
    /// Write where the cold start's time went: FILE.html (a picture) or FILE.json (Chrome's
    /// trace-event format, for chrome://tracing and Perfetto)
    #[arg(long, value_name = "FILE")]
    pub timeline: Option<PathBuf>,
    #[command(flatten)]
    pub overrides: FetchOverrides,
    #[command(flatten)]
    pub net: NetArgs,
}

/// Seconds as a positive number (fractions allowed).
pub fn parse_secs(s: &str) -> Result<std::time::Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(v > 0.0 && v.is_finite() && v <= 1e9) {
        return Err(format!("'{s}' must be a positive number of seconds"));
    }
    Ok(std::time::Duration::from_secs_f64(v))
}

/// A byte size: `512KiB`, `64MiB`, `1GiB`, `1G`, or a plain number of MiB.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a size (try 256MiB)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "m" | "mb" | "mib" => (1u64 << 20) as f64,
        "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "g" | "gb" | "gib" => (1u64 << 30) as f64,
        _ => return Err(format!("'{s}': unknown size unit (use KiB, MiB or GiB)")),
    };
    let bytes = n * mult;
    if !(bytes >= (1u64 << 20) as f64 && bytes < (1u64 << 40) as f64) {
        return Err(format!("'{s}' must be between 1MiB and 1TiB"));
    }
    Ok(bytes as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_seconds() {
        assert_eq!(parse_size("256MiB").unwrap(), 256 << 20);
        assert_eq!(parse_size("64").unwrap(), 64 << 20);
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("0").is_err());
        assert_eq!(parse_secs("0.5").unwrap().as_millis(), 500);
        assert!(parse_secs("-1").is_err());
        assert!(parse_secs("abc").is_err());
    }

    use clap::CommandFactory;

    #[test]
    fn deferred_commands_build_whole_with_their_own_about_text() {
        let mut cli = Cli::command();
        cli.build();
        cli.clone().debug_assert();
        for sub in cli.get_subcommands_mut().filter(|s| s.get_name() != "help") {
            let name = sub.get_name().to_string();
            let help = sub.render_help().to_string();
            let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
            assert!(!about.is_empty(), "{name} has no about text");
            assert!(!about.contains("HTTP client settings"), "{name}: {about}");
            assert!(help.contains("Usage: ftrun"), "{name}: {help}");
        }
        let run = Cli::try_parse_from(["ftrun", "run", "b", "--prefetch-url", "http://x/"])
            .map(|c| matches!(c.command, Command::Run(Deferred(a)) if a.overrides.prefetch_url.is_some()));
        assert_eq!(run.ok(), Some(true));
    }
}
