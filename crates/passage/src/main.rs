//! The `passage` command: serve the web app and API, run the demo, generate
//! synthetic data, add users, migrate and check the database. Settings come
//! from flags, then `PASSAGE_*` environment variables, then an optional TOML
//! file, then defaults.

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use passage_domain::user::Role;
use passage_service::Passage;
use passage_storage::Db;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc rather than the system's allocator: an import builds and drops
/// millions of small strings between large statement buffers, and glibc's
/// allocator fragmented under it — half the import's own time was spent in
/// `malloc` (BENCHMARKS.md run 10: SQLite import 4,900 → 7,600 rows/s).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "passage", version, about = "Case management for protection, return and reintegration of migrants", long_about = None)]
struct Cli {
    /// TOML file with `database_url` and `bind` (flags and environment win over it).
    #[arg(long, global = true, env = "PASSAGE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Database: an SQLite file path or sqlite:// URL (default ./passage.db), or postgres://user:pass@host/db.
    #[arg(long, env = "PASSAGE_DATABASE_URL")]
    database_url: Option<String>,
    /// The data key file that seals notes, document numbers and second-factor secrets (default, for SQLite: the
    /// database file's path with `.key` added, created with the database; required for PostgreSQL).
    #[arg(long, env = "PASSAGE_DATA_KEY_FILE")]
    data_key_file: Option<PathBuf>,
    /// Seconds a request waits for a database connection before it is answered 503 with Retry-After
    /// (default 5 on PostgreSQL, 30 on SQLite, where the wait is for the one writer).
    #[arg(long, env = "PASSAGE_DB_TIMEOUT", value_parser = clap::value_parser!(u64).range(1..=600))]
    db_timeout: Option<u64>,
    /// A PostgreSQL replica for the reads that may lag a moment: programme figures, exports and name search.
    /// Everything a user must see right after writing it (their case, the record they just saved) is read
    /// from the primary. The replica may be a multi-host URL like the primary's.
    #[arg(long, env = "PASSAGE_READ_DATABASE_URL")]
    read_database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app and the API (migrations run first).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "PASSAGE_BIND")]
        bind: Option<String>,
        /// Mark cookies Secure (set when Passage is behind TLS).
        #[arg(long, env = "PASSAGE_SECURE_COOKIES")]
        secure_cookies: bool,
        /// The reverse proxy's address: its X-Forwarded-For names the client (for throttling and the audit trail).
        #[arg(long, env = "PASSAGE_TRUSTED_PROXY")]
        trusted_proxy: Option<std::net::IpAddr>,
    },
    /// Create a fresh SQLite database with synthetic data and demo users, print the logins, and serve.
    Demo {
        /// Folder for the demo database (default: a new temporary folder).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// How many synthetic persons to create: by default enough for the programme figures to be of the order of the
        /// seeds' key achievements (some 18,000 migrants reached).
        #[arg(long, default_value_t = 20_000)]
        persons: u64,
        #[arg(long, env = "PASSAGE_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
    },
    /// Add deterministic synthetic persons, cases, screenings and assistance.
    Generate {
        #[command(flatten)]
        db: DbArgs,
        /// Number of persons (re-registrations of the same human count as persons).
        #[arg(long)]
        persons: u64,
        /// Seed: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Confirm that this database is for demonstration or testing: `generate` creates the demo offices and the demo
        /// accounts, whose password is published (`passage demo` prints it).
        #[arg(long)]
        demo_users: bool,
        /// Leave out the route data (missing-migrant incidents and flow counts) the demo otherwise gets.
        #[arg(long)]
        no_route_data: bool,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Apply database migrations.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Check the database's integrity; exits non-zero on any problem.
    Check {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print the access policy (what each role may do) as Markdown: docs/permissions.md.
    Permissions,
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Reintegration sustainability: the scoring schemes, and rescoring stored surveys.
    Reintegration {
        #[command(subcommand)]
        command: ReintegrationCommand,
    },
    /// Record linkage: find the records of one person.
    Linkage {
        #[command(subcommand)]
        command: LinkageCommand,
    },
    /// The indicator summaries dashboards read.
    Figures {
        #[command(subcommand)]
        command: FiguresCommand,
    },
    /// Show or change the disclosure rules every published figure of persons follows (threshold, rounding).
    Disclosure {
        #[command(flatten)]
        db: DbArgs,
        /// Hide counts of persons from 1 to N-1 (at least 2; default 5).
        #[arg(long)]
        threshold: Option<u64>,
        /// Round published counts to a multiple of N (2 to 100), or `none`.
        #[arg(long)]
        rounding: Option<String>,
    },
    /// Import data collected in the field (KoboToolbox / ODK exports).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Flow monitoring: counts of the people passing transit points, from a CSV file, and their figures.
    Flows {
        #[command(subcommand)]
        command: FlowsCommand,
    },
    /// Missing-migrant incidents: the Missing Migrants Project's published CSV, and its figures.
    Incidents {
        #[command(subcommand)]
        command: IncidentsCommand,
    },
    /// Appeal budgets: offices × the six headings of the Migration Governance Framework, in US dollars.
    Budget {
        #[command(subcommand)]
        command: BudgetCommand,
    },
    /// The data key that seals notes, document numbers and second-factor secrets.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Write a consistent snapshot of the database while it serves (SQLite: a database file; PostgreSQL: a pg_dump
    /// custom-format file). The data key file is not in it: keep a copy of that apart.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file to write (must not exist yet).
        out: PathBuf,
    },
    /// Restore a backup into a new SQLite file or an empty PostgreSQL database, then check it.
    Restore {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file written by `passage backup`.
        backup: PathBuf,
    },
    /// The retention schedule: erase the identity of persons whose cases closed longer ago than their kind's period.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// An API token for an integration, shown once.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Apply the schedule (periods per case kind: defaults, or `[retention]` in the config file, in months).
    Apply {
        #[command(flatten)]
        db: DbArgs,
        /// Only count who is due, by case kind; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// The day to apply it on (YYYY-MM-DD; default today).
        #[arg(long)]
        today: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Seal everything under a new key and drop the old one from the key file (safe to run again after a crash).
    Rotate {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for a user, limited to one of their roles, for some days (at most 365).
    Create {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// What the token is for, e.g. "kobo-sync".
        #[arg(long)]
        name: String,
        #[command(flatten)]
        grant: RoleArgs,
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// Revoke a token by its id.
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        id: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and report the first entry altered, removed or reordered; exits 1 if any.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum ReintegrationCommand {
    /// Sustainability scoring schemes (docs/reintegration.md).
    Scheme {
        #[command(subcommand)]
        command: SchemeCommand,
    },
    /// Score every stored survey again under a scheme (ID@VERSION); the old scores are kept. Audited.
    Rescore {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        scheme: String,
    },
}

#[derive(Subcommand)]
enum SchemeCommand {
    /// Import a scheme table (CSV, one row per answer; header
    /// dimension,dimension_weight,indicator,indicator_weight,answer,answer_score,question_en,question_fr,answer_en,answer_fr).
    /// Every problem is listed and nothing is written unless the whole table is valid.
    Import {
        #[command(flatten)]
        db: DbArgs,
        file: PathBuf,
        /// The scheme's id (a-z, 0-9, _ and -).
        #[arg(long)]
        id: String,
        /// Its version: a revision is a new version, never an edit.
        #[arg(long)]
        version: String,
        /// The composite score at or above which reintegration is sustainable, in [0, 1].
        #[arg(long)]
        threshold: f64,
        /// Where the weights come from (a citation), shown beside every score.
        #[arg(long)]
        source: String,
    },
    /// List the schemes and the programmes each is active for.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print one scheme (ID@VERSION) whole.
    Show {
        #[command(flatten)]
        db: DbArgs,
        scheme: String,
    },
    /// Write a scheme's (ID@VERSION) survey as an XLSForm, for KoboToolbox or ODK Central (Passage itself serves it to
    /// ODK Collect as the form passage_sustainability_survey).
    Xlsform {
        #[command(flatten)]
        db: DbArgs,
        scheme: String,
        /// The .xlsx file to write (not overwritten if it exists).
        #[arg(long)]
        output: PathBuf,
    },
    /// Make a scheme (ID@VERSION) the one in use for a programme (the default programme unless --programme). Audited.
    Activate {
        #[command(flatten)]
        db: DbArgs,
        scheme: String,
        /// The programme's code.
        #[arg(long)]
        programme: Option<String>,
    },
}

#[derive(Subcommand)]
enum LinkageCommand {
    /// Write a labelled evaluation set: records of persons registered one to four times with the field's variations,
    /// and the truth (record_id,person_id).
    Generate {
        #[arg(long)]
        records: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        output: PathBuf,
        #[arg(long)]
        truth: PathBuf,
    },
    /// Pairwise precision, recall and F1 of clusters (record_id,cluster_id) against the truth (record_id,person_id).
    /// With --input (and the same reading options as dedupe): also the blocking's pair completeness, the share of
    /// true pairs that dedupe compares at all.
    Evaluate {
        #[arg(long)]
        clusters: PathBuf,
        #[arg(long)]
        truth: PathBuf,
        #[arg(long)]
        input: Option<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Cluster a file of person records into persons: `record_id,cluster_id` for every input record. Columns are
    /// found by Passage's names (record_id, given_name, family_name, sex, birth_date or date_of_birth, nationality,
    /// phone, document, place_of_birth, father_name, mother_name, address, locality; all but record_id and a name
    /// optional) or mapped with --columns. A value that cannot be read (31 February, `n/a`) is treated as missing
    /// for its record and listed in OUTPUT.ignored.csv (--strict refuses the file instead). The model is estimated
    /// from the file (u from random pairs, m by EM; the estimation report goes to stderr); files under 1,000
    /// records use the configured m. With --database-url instead of a file: every person in the database, each
    /// linked pair put in the review queue of likely duplicates (/duplicates).
    Dedupe {
        #[arg(long, requires = "output")]
        input: Option<PathBuf>,
        #[arg(long, requires = "input")]
        output: Option<PathBuf>,
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        read: ReadArgs,
        /// Link pairs at least this likely to be one person (0.5 to 0.999; 0.5: more likely one person than two).
        #[arg(long, default_value_t = 0.5)]
        threshold: f64,
        /// Estimate the model from the file even when it is small (the default estimates from 1,000 records).
        #[arg(long, conflicts_with = "configured")]
        estimate: bool,
        /// Use the configured m instead of estimating it (u and lambda still come from the file).
        #[arg(long)]
        configured: bool,
    },
    /// Encode person records (read as dedupe reads them) into keyed Bloom-filter encodings, `record_id,version,
    /// key_check,clk`, to link with another organisation's file without exchanging names. Both sides use the same
    /// secret (a file of at least 32 bytes, e.g. 32 random bytes in base64) and keep it from the matcher. See
    /// docs/linkage.md for what the encodings still reveal.
    Encode {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        output: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
        /// The shared secret's file.
        #[arg(long)]
        secret: PathBuf,
    },
    /// Link two encoded files: `left_id,right_id,score` (Dice similarity, 0 to 1) for every pair at or above the
    /// threshold, best first.
    Match {
        #[arg(long)]
        left: PathBuf,
        #[arg(long)]
        right: PathBuf,
        #[arg(long)]
        output: PathBuf,
        /// The least similarity of a match (0.5 to 1).
        #[arg(long, default_value_t = DEFAULT_MATCH_THRESHOLD)]
        threshold: f64,
    },
}

/// `passage linkage match`'s default threshold: the best F1 on the evaluation set (BENCHMARKS.md run 11).
const DEFAULT_MATCH_THRESHOLD: f64 = 0.8;

/// How a linkage file is read.
#[derive(clap::Args)]
struct ReadArgs {
    /// Which of the file's columns hold which field: `given_name=FirstName,family_name=LastName,birth_date=dob`;
    /// several columns for one field with `+` (`address=street_number+address_1`).
    #[arg(long, conflicts_with = "columns_file")]
    columns: Option<String>,
    /// The same mapping as a TOML file: `[columns]` with `given_name = "FirstName"` or `address = ["a", "b"]`.
    #[arg(long)]
    columns_file: Option<PathBuf>,
    /// How dates are written: `iso` or a pattern of %Y, %m, %d (`%Y%m%d`, `%d/%m/%Y`); detected when not given.
    #[arg(long)]
    date_format: Option<String>,
    /// Refuse the file when any value cannot be read, instead of treating it as missing.
    #[arg(long)]
    strict: bool,
}

impl ReadArgs {
    fn options(&self) -> Result<passage_service::linkage::ReadOptions, String> {
        use passage_service::linkage::ColumnMap;
        let columns = match (&self.columns, &self.columns_file) {
            (Some(spec), _) => ColumnMap::parse(spec).map_err(|e| format!("--columns: {e}"))?,
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let doc: toml::Table = text.parse().map_err(|e| format!("{}: not TOML: {e}", path.display()))?;
                let table = doc
                    .get("columns")
                    .and_then(|c| c.as_table())
                    .ok_or_else(|| format!("{}: a [columns] table is needed", path.display()))?;
                let mut pairs = Vec::new();
                for (field, v) in table {
                    let cols = match v {
                        toml::Value::String(c) => vec![c.clone()],
                        toml::Value::Array(a) => a
                            .iter()
                            .map(|x| {
                                x.as_str()
                                    .map(str::to_string)
                                    .ok_or_else(|| format!("{}: {field}: column names are strings", path.display()))
                            })
                            .collect::<Result<_, _>>()?,
                        _ => return Err(format!("{}: {field}: a column name or a list of them", path.display())),
                    };
                    pairs.push((field.clone(), cols));
                }
                ColumnMap::from_pairs(pairs).map_err(|e| format!("{}: {e}", path.display()))?
            }
            (None, None) => ColumnMap::default(),
        };
        let date_format = match &self.date_format {
            Some(f) => Some(passage_domain::linkage::DateFormat::parse(f).map_err(|e| format!("--date-format: {e}"))?),
            None => None,
        };
        Ok(passage_service::linkage::ReadOptions { columns, date_format, strict: self.strict })
    }

    /// Read the file, print what was ignored; a refused file is the exit code to return.
    fn read(&self, path: &std::path::Path) -> Result<Result<passage_service::linkage::PersonsFile, ExitCode>, String> {
        let options = self.options()?;
        match passage_service::linkage::read_persons(&read_utf8(path)?, &options) {
            Ok(file) => {
                for line in file.ignored_summary() {
                    eprintln!("warning: {}: {line}", path.display());
                }
                Ok(Ok(file))
            }
            Err(problems) => Ok(Err(file_refused(path, &problems))),
        }
    }
}

#[derive(Subcommand)]
enum FiguresCommand {
    /// Recompute every indicator summary from the records (they are kept up to date on every write; `check` tells when
    /// they are not).
    Rebuild {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a KoboToolbox or ODK export (CSV or XLSX) of one of Passage's forms. Every row is checked as the
    /// web form checks it; nothing is written unless every row is valid (or --valid-only: the rows with
    /// problems go to the quarantine). Rows imported before (the same _uuid) are skipped. Ctrl-C cancels and
    /// writes nothing.
    Kobo {
        #[command(flatten)]
        db: DbArgs,
        /// The export file (.csv or .xlsx).
        file: PathBuf,
        /// Which form the file holds: registration, assistance, campaign_event or monitoring_visit.
        #[arg(long)]
        form: String,
        /// The user the records are recorded by (their rights decide what may be imported).
        #[arg(long)]
        user: String,
        /// Check every row and report; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid rows and send the rows with problems to the quarantine.
        #[arg(long)]
        valid_only: bool,
        /// The language of the problems reported: en, fr or ar.
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Write an example KoboToolbox export of the registration form (synthetic persons), to try the import with.
    Example {
        /// How many rows.
        #[arg(long, default_value_t = 100)]
        rows: usize,
        /// The office code the rows register in.
        #[arg(long, default_value = "NER-AGZ")]
        office: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The CSV file to write (it must not exist).
        #[arg(long)]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum BudgetCommand {
    /// Import an appeal table (CSV: `,` or `;` separated, thousands grouped or not, `-` or empty for nothing planned).
    /// Nothing is written unless every row is valid; importing the same code again replaces the budget.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The CSV file.
        file: PathBuf,
        /// The budget's code (default: from the file name, e.g. WCA-2020-APPEAL-BUDGET).
        #[arg(long)]
        code: Option<String>,
        /// A title for pages and exports (default: the code).
        #[arg(long)]
        title: Option<String>,
        /// The programme the budget belongs to (its code, e.g. SSS2-CMR): its IATI export carries the budget.
        #[arg(long)]
        programme: Option<String>,
        /// The calendar year the budget plans.
        #[arg(long)]
        year: Option<i64>,
    },
    /// Print a budget: offices as rows, the six headings and the total as columns, a totals row.
    Table {
        #[command(flatten)]
        db: DbArgs,
        /// Which budget (default: the most recently imported).
        #[arg(long)]
        budget: Option<String>,
        #[arg(long, value_enum, default_value_t = TableFormat::Text)]
        format: TableFormat,
        /// Add an HXL hashtag row under the header (CSV only).
        #[arg(long)]
        hxl: bool,
    },
}

#[derive(Subcommand)]
enum FlowsCommand {
    /// Import a flow file (the columns `passage flows export` writes; a new point described on its rows). Nothing is
    /// written unless every row is valid; an observation already stored (same point, period, direction, transport and
    /// countries) is replaced, never counted twice.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The CSV file.
        file: PathBuf,
        /// Check the file and say what the import would do, without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Persons counted by point, nationality, direction or week, under disclosure control.
    Summary {
        #[command(flatten)]
        db: DbArgs,
        /// First day (YYYY-MM-DD) of the periods counted (default: every period).
        #[arg(long)]
        from: Option<String>,
        /// Last day (YYYY-MM-DD) of the periods counted (default: today).
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_enum)]
        by: FlowsBy,
        #[arg(long, value_enum, default_value_t = TableFormat::Text)]
        format: TableFormat,
        /// Add an HXL hashtag row under the header (CSV only).
        #[arg(long)]
        hxl: bool,
    },
    /// Write the counts (and their points) as a flow file, which imports into another database as it is.
    Export {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        /// Add an HXL hashtag row under the header.
        #[arg(long)]
        hxl: bool,
        /// Write to this file instead of the standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FlowsBy {
    Point,
    Nationality,
    Direction,
    Week,
}

#[derive(Subcommand)]
enum IncidentsCommand {
    /// Import the Missing Migrants Project's CSV as it is published. Nothing is written unless the whole file
    /// reads; a newer file updates incidents by Main ID and says what changed.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The CSV file.
        file: PathBuf,
        /// Check the file and say what the import would do, without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Incidents, dead, missing, and dead and missing by region, route, cause or country.
    Summary {
        #[command(flatten)]
        db: DbArgs,
        /// The incidents' year (the file's Incident Year); every year when absent.
        #[arg(long, value_parser = clap::value_parser!(i32).range(1900..=2100))]
        year: Option<i32>,
        #[arg(long, value_enum)]
        by: IncidentsBy,
        #[arg(long, value_enum, default_value_t = TableFormat::Text)]
        format: TableFormat,
        /// Add an HXL hashtag row under the header (CSV only).
        #[arg(long)]
        hxl: bool,
    },
    /// Write the stored incidents in the published file's format (which imports back as it is).
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// Only this year's incidents.
        #[arg(long, value_parser = clap::value_parser!(i32).range(1900..=2100))]
        year: Option<i32>,
        /// Add an HXL hashtag row under the header.
        #[arg(long)]
        hxl: bool,
        /// Write to this file instead of the standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum IncidentsBy {
    Region,
    Route,
    Cause,
    Country,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TableFormat {
    Text,
    Csv,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Give an existing user a role for some offices (replacing what they held of that role).
    Grant {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        #[command(flatten)]
        grant: RoleArgs,
    },
    /// Add a user. The password is read from standard input (or asked for on a terminal), never from the command line.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        #[command(flatten)]
        grant: RoleArgs,
        /// Full name as shown in the app (default: the username).
        #[arg(long)]
        name: Option<String>,
    },
}

/// A role and the offices it is held for.
#[derive(clap::Args)]
struct RoleArgs {
    /// One of: caseworker, protection_officer, movement_officer, reintegration_officer, me_officer,
    /// programme_viewer, partner, admin.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// Office code (repeat for several offices), e.g. NER-AGZ; `all` for every office (the default for admin).
    #[arg(long = "office")]
    offices: Vec<String>,
}

/// An import refused whole: every problem (the first 500), in words, and exit 2.
fn import_refused(path: &std::path::Path, problems: &[passage_service::error::FileProblem]) -> ExitCode {
    for p in problems.iter().take(500) {
        let mut p = p.clone();
        if let Some(e) = &p.error {
            p.reason = passage_web::i18n::field_error(passage_web::i18n::Lang::En, e);
        }
        eprintln!("error: {}: {p}", path.display());
    }
    if problems.len() > 500 {
        eprintln!("… and {} more problem(s)", problems.len() - 500);
    }
    eprintln!("nothing was imported ({} problem(s))", problems.len());
    ExitCode::from(2)
}

/// A `--from`/`--to` day, or the default.
fn day_flag(
    flag: &str,
    v: Option<&str>,
    default: passage_domain::date::CalendarDate,
) -> Result<passage_domain::date::CalendarDate, String> {
    match v {
        None => Ok(default),
        Some(s) => passage_domain::date::CalendarDate::parse(flag, s).map_err(|_| format!("--{flag} wants a day as YYYY-MM-DD, not {s:?}")),
    }
}

async fn flows(command: FlowsCommand, file: &FileConfig) -> Result<ExitCode, String> {
    use passage_domain::date::CalendarDate;
    use passage_domain::flow::FlowGrouping;
    let first_day = CalendarDate::from_ymd(1900, 1, 1).expect("a day");
    match command {
        FlowsCommand::Import { db, file: path, dry_run } => {
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let passage = open(&db, file).await?;
            let started = std::time::Instant::now();
            match passage.import_flows(None, &bytes, dry_run).await {
                Ok(r) => {
                    let verb = if r.dry_run { "would import" } else { "imported" };
                    println!(
                        "{verb} {} counts in {:.1} s: {} new, {} updated, {} unchanged; {} new point(s)",
                        r.rows,
                        started.elapsed().as_secs_f64(),
                        r.added,
                        r.updated,
                        r.unchanged,
                        r.points_added
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(passage_service::ServiceError::File(problems)) => Ok(import_refused(&path, &problems)),
                Err(e) => Err(e.to_string()),
            }
        }
        FlowsCommand::Summary { db, from, to, by, format, hxl } => {
            let from = day_flag("from", from.as_deref(), first_day)?;
            let to = day_flag("to", to.as_deref(), CalendarDate::today())?;
            if to < from {
                return Err("--to is before --from".into());
            }
            let by = match by {
                FlowsBy::Point => FlowGrouping::Point,
                FlowsBy::Nationality => FlowGrouping::Nationality,
                FlowsBy::Direction => FlowGrouping::Direction,
                FlowsBy::Week => FlowGrouping::Week,
            };
            let passage = open(&db, file).await?;
            let s = passage.flow_summary(None, from, to, by).await.map_err(|e| e.to_string())?;
            match format {
                TableFormat::Text => print!("{}", passage_service::flows::summary_text(&s)),
                TableFormat::Csv => print!("{}", passage_service::flows::summary_csv(&s, hxl)),
            }
            Ok(ExitCode::SUCCESS)
        }
        FlowsCommand::Export { db, from, to, hxl, output } => {
            let from = day_flag("from", from.as_deref(), first_day)?;
            let to = day_flag("to", to.as_deref(), CalendarDate::today())?;
            let passage = open(&db, file).await?;
            let rows = match &output {
                Some(p) => {
                    let f = std::fs::File::create(p).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
                    let mut w = std::io::BufWriter::new(f);
                    passage.export_flows(None, from, to, hxl, &mut w).await.map_err(|e| e.to_string())?
                }
                None => {
                    let mut w = std::io::BufWriter::new(std::io::stdout().lock());
                    passage.export_flows(None, from, to, hxl, &mut w).await.map_err(|e| e.to_string())?
                }
            };
            if let Some(p) = output {
                eprintln!("wrote {rows} counts to {}", p.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn incidents(command: IncidentsCommand, file: &FileConfig) -> Result<ExitCode, String> {
    use passage_domain::incident::IncidentGrouping;
    match command {
        IncidentsCommand::Import { db, file: path, dry_run } => {
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let passage = open(&db, file).await?;
            match passage.import_incidents(None, &bytes, dry_run).await {
                Ok(r) => {
                    for n in &r.notes {
                        println!("note: {}: {n}", path.display());
                    }
                    let verb = if r.dry_run { "would import" } else { "imported" };
                    println!(
                        "{verb} {} incidents: {} new, {} updated, {} unchanged; {} stored incidents are not in this file (kept); {} cells noted",
                        r.rows,
                        r.added,
                        r.updated.len(),
                        r.unchanged,
                        r.not_in_file,
                        r.notes.len()
                    );
                    for (id, columns) in r.updated.iter().take(50) {
                        println!("updated {id}: {}", columns.join(", "));
                    }
                    if r.updated.len() > 50 {
                        println!("… and {} more updated", r.updated.len() - 50);
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(passage_service::ServiceError::File(problems)) => Ok(import_refused(&path, &problems)),
                Err(e) => Err(e.to_string()),
            }
        }
        IncidentsCommand::Export { db, year, hxl, output } => {
            let passage = open(&db, file).await?;
            let incidents = passage.incidents(None, year).await.map_err(|e| e.to_string())?;
            let text = passage_service::incidents::write_mmp_with(&incidents, hxl);
            match output {
                Some(p) => {
                    std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
                    eprintln!("wrote {} incidents to {}", incidents.len(), p.display());
                }
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        IncidentsCommand::Summary { db, year, by, format, hxl } => {
            let by = match by {
                IncidentsBy::Region => IncidentGrouping::Region,
                IncidentsBy::Route => IncidentGrouping::Route,
                IncidentsBy::Cause => IncidentGrouping::Cause,
                IncidentsBy::Country => IncidentGrouping::Country,
            };
            let passage = open(&db, file).await?;
            let rows = passage.incident_summary(None, year, by).await.map_err(|e| e.to_string())?;
            match format {
                TableFormat::Text => print!("{}", passage_service::incidents::summary_text(by, &rows)),
                TableFormat::Csv => print!("{}", passage_service::incidents::summary_csv(by, &rows, hxl)),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The sustainability schemes and rescoring (docs/reintegration.md).
async fn reintegration(command: ReintegrationCommand, file: &FileConfig) -> Result<ExitCode, String> {
    use passage_domain::sustainability::SchemeRef;
    match command {
        ReintegrationCommand::Scheme { command: SchemeCommand::Import { db, file: path, id, version, threshold, source } } => {
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let passage = open(&db, file).await?;
            match passage.import_scheme(&bytes, &id, &version, threshold, &source).await {
                Ok(i) if i.new => {
                    println!(
                        "imported scheme {}: {} dimensions, {} indicators, {} answers",
                        i.scheme, i.dimensions, i.indicators, i.answers
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Ok(i) => {
                    println!("scheme {} was imported already with this content; nothing changed", i.scheme);
                    Ok(ExitCode::SUCCESS)
                }
                Err(passage_service::ServiceError::File(problems)) => Ok(import_refused(&path, &problems)),
                Err(e @ passage_service::ServiceError::Conflict(_)) => {
                    eprintln!("error: {e}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.to_string()),
            }
        }
        ReintegrationCommand::Scheme { command: SchemeCommand::List { db } } => {
            let passage = open(&db, file).await?;
            for s in passage.schemes().await.map_err(|e| e.to_string())? {
                let active = if s.active_for.is_empty() { String::new() } else { format!("  active for {}", s.active_for.join(", ")) };
                println!("{}  threshold {}  imported {}  source: {}{active}", s.scheme, s.threshold, s.imported_at, s.source);
            }
            Ok(ExitCode::SUCCESS)
        }
        ReintegrationCommand::Scheme { command: SchemeCommand::Show { db, scheme } } => {
            let r = SchemeRef::parse(&scheme)?;
            let passage = open(&db, file).await?;
            let s = match passage.scheme(&r).await {
                Ok(s) => s,
                Err(passage_service::ServiceError::NotFound) => {
                    return Err(format!("no scheme {r} (see `passage reintegration scheme list`)"))
                }
                Err(e) => return Err(e.to_string()),
            };
            println!("{}: {}; sustainable at a composite of {} or more", s.scheme, s.label(), s.threshold);
            for d in &s.dimensions {
                println!("{} (weight {})", d.code, d.weight);
                for i in &d.indicators {
                    println!("  {} (weight {}): {} / {}", i.code, i.weight, i.question_en, i.question_fr);
                    for a in &i.answers {
                        println!("    {} = {}: {} / {}", a.code, a.score, a.label_en, a.label_fr);
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ReintegrationCommand::Scheme { command: SchemeCommand::Xlsform { db, scheme, output } } => {
            let r = SchemeRef::parse(&scheme)?;
            refuse_existing(&output)?;
            let passage = open(&db, file).await?;
            let s = match passage.scheme(&r).await {
                Ok(s) => s,
                Err(passage_service::ServiceError::NotFound) => {
                    return Err(format!("no scheme {r} (see `passage reintegration scheme list`)"))
                }
                Err(e) => return Err(e.to_string()),
            };
            let bytes = passage_service::sustainability::survey_xlsform(&s)?;
            write_whole(&output, &bytes)?;
            println!("wrote the survey of {r} as an XLSForm to {}", output.display());
            Ok(ExitCode::SUCCESS)
        }
        ReintegrationCommand::Scheme { command: SchemeCommand::Activate { db, scheme, programme } } => {
            let r = SchemeRef::parse(&scheme)?;
            let passage = open(&db, file).await?;
            let before = passage.activate_scheme(&r, programme.as_deref()).await.map_err(|e| e.to_string())?;
            let was = before.map(|b| format!(" (was {b})")).unwrap_or_default();
            println!("scheme {r} is active{was}");
            Ok(ExitCode::SUCCESS)
        }
        ReintegrationCommand::Rescore { db, scheme } => {
            let r = SchemeRef::parse(&scheme)?;
            let passage = open(&db, file).await?;
            let done = passage.rescore(&r).await.map_err(|e| e.to_string())?;
            println!("{} surveys scored again under {}; the earlier scores are kept", done.surveys, done.scheme);
            for (indicator, n) in &done.ignored {
                println!("  {indicator}: answered in {n} surveys, not in {}; now unanswered", done.scheme);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Field errors on standard error, exit code 2 (bad input).
fn refused(inv: passage_domain::Invalid) -> ExitCode {
    for e in inv.errors {
        eprintln!("error: {}: {}", e.field, passage_web::i18n::field_error(passage_web::i18n::Lang::En, &e));
    }
    ExitCode::from(2)
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse("role", s)
        .map_err(|_| format!("unknown role {s:?}: use one of {}", Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")))
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    data_key_file: Option<PathBuf>,
    bind: Option<String>,
    secure_cookies: Option<bool>,
    trusted_proxy: Option<std::net::IpAddr>,
    /// Months after closure, per case kind, before the retention schedule erases identities.
    retention: Option<std::collections::BTreeMap<String, u32>>,
    /// Text messages: the gateway (Kannel), its pace, and the broadcast policy.
    sms: Option<passage_service::sms::SmsSettings>,
}

fn load_config(path: &Option<PathBuf>) -> Result<FileConfig, String> {
    match path {
        None => Ok(FileConfig::default()),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read config file {}: {e}", p.display()))?;
            toml::from_str(&text).map_err(|e| format!("config file {}: {e}", p.display()))
        }
    }
}

fn database_url(db: &DbArgs, file: &FileConfig) -> String {
    db.database_url.clone().or_else(|| file.database_url.clone()).unwrap_or_else(|| "./passage.db".to_string())
}

/// Where the data key file is: the flag or setting, else beside an SQLite file.
fn key_path(db: &DbArgs, file: &FileConfig, url: &str) -> Result<PathBuf, String> {
    if let Some(p) = db.data_key_file.clone().or_else(|| file.data_key_file.clone()) {
        return Ok(p);
    }
    match passage_storage::db::normalise_url(url) {
        Ok((passage_storage::Backend::Sqlite, _)) => {
            let path = url.trim().trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            Ok(PathBuf::from(format!("{path}.key")))
        }
        Err(e) => Err(e.to_string()),
        Ok(_) => Err("PostgreSQL needs a data key file: give --data-key-file PATH (or PASSAGE_DATA_KEY_FILE); \
                  a new file is created there if none exists"
            .into()),
    }
}

/// The database, migrated, with its data keys. A key file is created only
/// beside a database that holds no sealed value yet.
async fn open_with(url: &str, key_file: &std::path::Path) -> Result<Passage, String> {
    open_waiting(url, key_file, None, None).await
}

async fn open_waiting(url: &str, key_file: &std::path::Path, timeout: Option<u64>, replica: Option<&str>) -> Result<Passage, String> {
    let timeout = timeout.map(std::time::Duration::from_secs);
    let mut db = Db::connect_with(url, timeout).await.map_err(|e| format!("cannot open the database: {e}"))?;
    if let Some(r) = replica.filter(|r| !r.trim().is_empty()) {
        db.attach_replica(r, timeout).await.map_err(|e| format!("cannot open the read replica: {e}"))?;
    }
    db.migrate().await.map_err(|e| format!("cannot migrate the database: {e}"))?;
    let keys = if key_file.exists() {
        passage_storage::sealed::Keyring::load(key_file).map_err(|e| e.to_string())?
    } else {
        if db.holds_sealed_values().await.map_err(|e| e.to_string())? {
            return Err(format!(
                "the data key file {} does not exist, and this database holds values sealed with a key: give the key file it was \
                 created with (--data-key-file)",
                key_file.display()
            ));
        }
        let (keys, _) = passage_storage::sealed::Keyring::load_or_create(key_file).map_err(|e| e.to_string())?;
        tracing::info!(path = %key_file.display(), "created a new data key file; keep a copy apart from the database backups");
        keys
    };
    let passage = Passage::new(db, keys);
    passage.ensure_default_programme().await.map_err(|e| format!("cannot set up the default programme: {e}"))?;
    passage.ensure_default_scheme().await.map_err(|e| format!("cannot set up the default sustainability scheme: {e}"))?;
    Ok(passage)
}

/// A command whose output is piped into `head` stops quietly when the
/// reader goes, as any Unix tool does, instead of panicking in `println!`:
/// Rust ignores SIGPIPE, so the write fails and `println!` panics. Not for
/// the server, which must outlive a client that hangs up.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread is started;
    // restoring a signal's default disposition has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

async fn open(db: &DbArgs, file: &FileConfig) -> Result<Passage, String> {
    let url = database_url(db, file);
    let key = key_path(db, file, &url)?;
    open_waiting(&url, &key, db.db_timeout, db.read_database_url.as_deref()).await
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve { .. } | Command::Demo { .. }) {
        quiet_on_closed_pipe();
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("PASSAGE_LOG").unwrap_or_else(|_| "info,sqlx=error".into()))
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

async fn listen(bind: &str) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(bind).await.map_err(|e| format!("cannot listen on {bind}: {e}"))
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    let file = load_config(&cli.config)?;
    match cli.command {
        Command::Serve { db, bind, secure_cookies, trusted_proxy } => {
            let passage = open(&db, &file).await?;
            let passage = match file.sms.clone() {
                Some(settings) => passage.with_sms(settings.build().map_err(|e| format!("config file: {e}"))?),
                None => passage,
            };
            let bind = bind.or(file.bind.clone()).unwrap_or_else(|| "127.0.0.1:8080".into());
            let listener = listen(&bind).await?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            // Tests read this line to find the port when binding to :0.
            println!("Passage listening on http://{addr}");
            let _ = std::io::stdout().flush();
            let state = passage_web::AppState {
                passage,
                secure_cookies: secure_cookies || file.secure_cookies.unwrap_or(false),
                trusted_proxy: trusted_proxy.or(file.trusted_proxy),
            };
            passage_web::serve(listener, state).await.map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { dir, persons, bind } => {
            let dir = match dir {
                Some(d) => d,
                None => std::env::temp_dir().join(format!("passage-demo-{}", std::process::id())),
            };
            std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let path = dir.join("passage.db");
            for suffix in ["", "-wal", "-shm", ".key"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            let passage = open_with(&path.display().to_string(), &PathBuf::from(format!("{}.key", path.display()))).await?;
            eprintln!("Creating {persons} synthetic persons in {} …", path.display());
            let bar = progress(persons, "persons");
            let g = passage.generate(persons, 2026, |n| bar.set_position(n)).await.map_err(|e| e.to_string())?;
            bar.finish_and_clear();
            let listener = listen(&bind).await?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!(
                "Passage demo: {} persons, {} cases, {} screenings, {} assistance records.",
                g.persons, g.cases, g.screenings, g.assistance
            );
            println!("Open http://{addr} and log in with one of these (password for all: {}):", passage_service::synthetic::DEMO_PASSWORD);
            for (u, name, role, offices) in passage_service::synthetic::DEMO_USERS {
                let reach = if offices.is_empty() { "(every office)".to_string() } else { offices.join(" ") };
                println!("  {u:<10} {role:<21} {name} {reach}");
            }
            println!("admin and protection need a second factor: at their first login, scan the QR code with an authenticator app.");
            let _ = std::io::stdout().flush();
            passage_web::serve(listener, passage_web::AppState { passage, secure_cookies: false, trusted_proxy: None })
                .await
                .map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate { db, persons, seed, demo_users, no_route_data } => {
            if persons == 0 {
                return Err("--persons must be at least 1".into());
            }
            if !demo_users {
                return Err("generate creates demo accounts with a published password (admin included): pass --demo-users to \
                            confirm that this database is for demonstration or testing, never for real work"
                    .into());
            }
            let passage = open(&db, &file).await?;
            let bar = progress(persons, "persons");
            let start = std::time::Instant::now();
            let g = passage.generate_with(persons, seed, !no_route_data, |n| bar.set_position(n)).await.map_err(|e| e.to_string())?;
            bar.finish_and_clear();
            println!(
                "generated {} persons, {} cases, {} screenings, {} assistance records, {} missing-migrant incidents and {} flow counts in {:.1} s",
                g.persons,
                g.cases,
                g.screenings,
                g.assistance,
                g.incidents,
                g.flow_counts,
                start.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command: UserCommand::Add { db, username, grant: RoleArgs { role, offices }, name } } => {
            let password = read_password()?;
            let passage = open(&db, &file).await?;
            let display = name.unwrap_or_else(|| username.clone());
            match passage.add_user(None, &username, &display, &password, role, &offices).await {
                Ok(u) => {
                    println!("added user {} ({role})", u.username);
                    Ok(ExitCode::SUCCESS)
                }
                Err(passage_service::ServiceError::Invalid(inv)) => Ok(refused(inv)),
                Err(e) => Err(e.to_string()),
            }
        }
        Command::User { command: UserCommand::Grant { db, username, grant: RoleArgs { role, offices } } } => {
            let passage = open(&db, &file).await?;
            match passage.grant_role(None, &username, role, &offices).await {
                Ok(u) => {
                    println!("{} now holds {role}", u.username);
                    Ok(ExitCode::SUCCESS)
                }
                Err(passage_service::ServiceError::Invalid(inv)) => Ok(refused(inv)),
                Err(e) => Err(e.to_string()),
            }
        }
        Command::Migrate { db } => {
            open(&db, &file).await?;
            println!("database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Budget { command: BudgetCommand::Import { db, file: path, code, title, programme, year } } => {
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let code = code.unwrap_or_else(|| passage_service::budgets::code_from_file_name(&path.to_string_lossy()));
            let title = title.unwrap_or_else(|| code.clone());
            let passage = open(&db, &file).await?;
            let belongs = passage_service::budgets::BudgetOf { programme: programme.as_deref(), year };
            match passage.import_budget(None, &code, &title, belongs, &bytes).await {
                Ok(i) => {
                    let verb = if i.replaced { "replaced" } else { "imported" };
                    println!("{verb} budget {}: {} offices, total USD {}", i.code, i.rows, i.total);
                    Ok(ExitCode::SUCCESS)
                }
                Err(passage_service::ServiceError::File(problems)) => Ok(import_refused(&path, &problems)),
                Err(passage_service::ServiceError::Invalid(inv)) => Ok(refused(inv)),
                Err(e) => Err(e.to_string()),
            }
        }
        Command::Reintegration { command } => reintegration(command, &file).await,
        Command::Incidents { command } => incidents(command, &file).await,
        Command::Flows { command } => flows(command, &file).await,
        Command::Linkage { command: LinkageCommand::Generate { records, seed, output, truth } } => {
            if records == 0 || records > 10_000_000 {
                return Err("--records: from 1 to 10,000,000".into());
            }
            let (data, labels) = passage_service::linkage::evaluation_set(records, seed);
            std::fs::write(&output, data).map_err(|e| format!("cannot write {}: {e}", output.display()))?;
            std::fs::write(&truth, labels).map_err(|e| format!("cannot write {}: {e}", truth.display()))?;
            println!("wrote {records} records to {} and their persons to {}", output.display(), truth.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Linkage { command: LinkageCommand::Evaluate { clusters, truth, input, read } } => {
            let load = |p: &PathBuf| -> Result<std::collections::HashMap<String, String>, String> {
                let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
                passage_service::linkage::read_pairs(&text).map_err(|e| format!("{}: {e}", p.display()))
            };
            let (c, t) = (load(&clusters)?, load(&truth)?);
            let missing = t.keys().filter(|k| !c.contains_key(*k)).count();
            if missing > 0 {
                return Err(format!("{missing} records of the truth have no cluster: every record needs one"));
            }
            let (p, r, f1) = passage_service::linkage::pairwise_scores(&c, &t);
            println!("pairwise precision {p:.4}  recall {r:.4}  F1 {f1:.4}");
            if let Some(input) = input {
                let file = match read.read(&input)? {
                    Ok(f) => f,
                    Err(code) => return Ok(code),
                };
                let b = passage_service::linkage::pair_completeness(&file.records, &t, &Default::default());
                println!(
                    "blocking: {} of {} true pairs compared (pair completeness {:.4}); {} pairs compared in all, {} oversized blocks, {} of their pairs not compared",
                    b.true_compared, b.true_pairs, b.completeness(), b.report.compared, b.report.oversized_blocks, b.report.not_compared
                );
                for ((rule, compared, _, _), found) in
                    b.report.rules.iter().map(|r| (r, b.by_rule.iter().find(|x| x.0 == r.0).map(|x| x.1).unwrap_or(0)))
                {
                    println!("  {}: {found} true pairs first found, {compared} pairs compared", rule.describe());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Linkage { command: LinkageCommand::Dedupe { input, output, db, read, threshold, estimate, configured } } => {
            if !(0.5..=0.999).contains(&threshold) {
                return Err(format!("--threshold {threshold}: between 0.5 and 0.999"));
            }
            let (Some(input), Some(output)) = (input, output) else {
                if db.database_url.is_none() {
                    return Err("give --input and --output (a file), or --database-url (the persons in a database)".into());
                }
                let passage = open(&db, &file).await?;
                let bar = progress(1000, "‰");
                let found = passage
                    .find_duplicates(threshold, estimate, |f| bar.set_position((f * 1000.0) as u64))
                    .await
                    .map_err(|e| e.to_string())?;
                bar.finish_and_clear();
                println!(
                    "{} persons: {} likely duplicate pairs, {} new in the review queue (/duplicates)",
                    found.persons, found.pairs, found.new_pairs
                );
                return Ok(ExitCode::SUCCESS);
            };
            refuse_existing(&output)?;
            let ignored_path = PathBuf::from(format!("{}.ignored.csv", output.display()));
            refuse_existing(&ignored_path)?;
            let started = std::time::Instant::now();
            let file = match read.read(&input)? {
                Ok(f) => f,
                Err(code) => return Ok(code),
            };
            let records = &file.records;
            eprintln!(
                "read {} records in {:.1} s; fields: {}; dates {}{}",
                records.len(),
                started.elapsed().as_secs_f64(),
                file.mapping.iter().map(|(f, c)| format!("{f}={}", c.join("+"))).collect::<Vec<_>>().join(", "),
                file.date_format.pattern(),
                if file.unused.is_empty() { String::new() } else { format!("; columns not used: {}", file.unused.join(", ")) }
            );
            let model = if configured {
                passage_domain::linkage::ModelChoice::Configured
            } else if estimate {
                passage_domain::linkage::ModelChoice::Estimate
            } else {
                passage_domain::linkage::ModelChoice::Auto
            };
            let bar = progress(1000, "‰");
            let options = passage_domain::linkage::DedupeOptions { threshold, model, ..Default::default() };
            let report = passage_domain::linkage::dedupe(records, &options, |f| bar.set_position((f * 1000.0) as u64));
            bar.finish_and_clear();
            let csv = passage_service::linkage::clusters_csv(records, &report.clusters);
            write_whole(&output, &csv)?;
            if !file.ignored.is_empty() {
                write_whole(&ignored_path, file.ignored_csv())?;
                eprintln!("{} unreadable values treated as missing: listed in {}", file.ignored.len(), ignored_path.display());
            }
            for line in passage_service::linkage::dedupe_report_lines(&report) {
                eprintln!("{line}");
            }
            let persons = report.clusters.iter().enumerate().filter(|(i, c)| *i as u32 == **c).count();
            println!(
                "{} records → {persons} persons in {:.1} s ({} candidate pairs compared, {} linked, {} refused as joining different persons; {} oversized blocks, {} of their pairs not compared)",
                records.len(),
                started.elapsed().as_secs_f64(),
                report.blocking.compared,
                report.linked_pairs,
                report.refused_links,
                report.blocking.oversized_blocks,
                report.blocking.not_compared
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Linkage { command: LinkageCommand::Encode { input, output, read, secret } } => {
            refuse_existing(&output)?;
            let secret = std::fs::read(&secret)
                .map_err(|e| format!("cannot read the secret {}: {e}", secret.display()))
                .and_then(|b| passage_service::linkage::read_secret(&b).map_err(|e| format!("{}: {e}", secret.display())))?;
            let records = match read.read(&input)? {
                Ok(f) => f.records,
                Err(code) => return Ok(code),
            };
            let started = std::time::Instant::now();
            write_whole(&output, passage_service::linkage::encode_csv(&records, &secret))?;
            println!("{} records encoded in {:.1} s (key check {})", records.len(), started.elapsed().as_secs_f64(), secret.check());
            Ok(ExitCode::SUCCESS)
        }
        Command::Linkage { command: LinkageCommand::Match { left, right, output, threshold } } => {
            if !(0.5..=1.0).contains(&threshold) {
                return Err(format!("--threshold {threshold}: between 0.5 and 1"));
            }
            refuse_existing(&output)?;
            let mut files = Vec::new();
            for path in [&left, &right] {
                match passage_service::linkage::read_encoded(&read_utf8(path)?) {
                    Ok(f) => files.push(f),
                    Err(problems) => return Ok(file_refused(path, &problems)),
                }
            }
            let started = std::time::Instant::now();
            let bar = progress(1000, "‰ of the left file");
            let (csv, n) = passage_service::linkage::match_csv(&files[0], &files[1], threshold, |f| bar.set_position((f * 1000.0) as u64))?;
            bar.finish_and_clear();
            write_whole(&output, &csv)?;
            println!(
                "{} × {} records: {n} pairs at or above {threshold} in {:.1} s",
                files[0].ids.len(),
                files[1].ids.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { command: ImportCommand::Kobo { db, file: path, form, user, dry_run, valid_only, lang } } => {
            if dry_run && valid_only {
                return Err("--dry-run writes nothing; --valid-only says what to write: use one or the other".into());
            }
            let lang = match lang.as_str() {
                "en" => passage_web::i18n::Lang::En,
                "fr" => passage_web::i18n::Lang::Fr,
                "ar" => passage_web::i18n::Lang::Ar,
                other => return Err(format!("--lang {other:?}: en, fr or ar")),
            };
            let form_id = match form.trim() {
                f if f.starts_with("passage_") => f.to_string(),
                f => format!("passage_{f}"),
            };
            if passage_service::fieldforms::form(&form_id).is_none() {
                return Err(format!("--form {form:?}: registration, assistance, campaign_event or monitoring_visit"));
            }
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let passage = open(&db, &file).await?;
            let actor = match passage.acting_as(&user).await {
                Ok(a) => a,
                Err(_) => return Err(format!("--user {user:?}: no active user with this name")),
            };
            let progress = std::sync::Arc::new(passage_service::kobo::ImportProgress::default());
            let cancel = progress.clone();
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    cancel.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            });
            let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let check = with_bar(&progress, "rows checked", passage.check_import(&actor, &form_id, &name, &bytes, &progress)).await;
            let check = match check {
                Ok(c) => c,
                Err(passage_service::ServiceError::Invalid(inv)) => return Ok(refused(inv)),
                Err(e) => return Err(e.to_string()),
            };
            for p in check.problems.iter().take(500) {
                let at = match (p.row, &p.column) {
                    (0, None) => String::new(),
                    (0, Some(c)) => format!("column {c:?}: "),
                    (r, None) => format!("row {r}: "),
                    (r, Some(c)) => format!("row {r}, column {c:?}: "),
                };
                let value = p.value.as_deref().map(|v| format!(" (value {v:?})")).unwrap_or_default();
                eprintln!("{}: {at}{}{value}", path.display(), passage_web::i18n::import_problem(lang, p));
            }
            if check.problems.len() > 500 {
                eprintln!("… and {} more problem(s)", check.problems.len() - 500);
            }
            println!("{} row(s): {} ready, {} imported before, {} with problems", check.rows, check.ready, check.already, check.invalid);
            if check.fatal || (check.invalid > 0 && !valid_only) {
                eprintln!(
                    "nothing was imported: correct the file{}",
                    if check.fatal { "" } else { ", or use --valid-only to send the rows with problems to the quarantine" }
                );
                return Ok(ExitCode::from(2));
            }
            if dry_run {
                println!("dry run: nothing was written");
                return Ok(ExitCode::SUCCESS);
            }
            let started = std::time::Instant::now();
            match with_bar(&progress, "rows imported", passage.run_import(&actor, check, valid_only, &progress)).await {
                Ok(o) => {
                    println!(
                        "imported {} row(s) in {:.1} s; {} imported before were skipped; {} sent to the quarantine",
                        o.applied,
                        started.elapsed().as_secs_f64(),
                        o.already,
                        o.quarantined
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(passage_service::ServiceError::Operation(m)) => {
                    eprintln!("{m}");
                    Ok(ExitCode::from(130))
                }
                Err(e) => Err(e.to_string()),
            }
        }
        Command::Import { command: ImportCommand::Example { rows, office, seed, output } } => {
            if rows == 0 || rows > 2_000_000 {
                return Err("--rows: from 1 to 2,000,000".into());
            }
            refuse_existing(&output)?;
            let csv = passage_service::kobo::example_registration_export(rows, seed, &office);
            std::fs::write(&output, csv).map_err(|e| format!("cannot write {}: {e}", output.display()))?;
            println!("wrote {rows} registration rows for {office} to {}", output.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Figures { command: FiguresCommand::Rebuild { db } } => {
            let passage = open(&db, &file).await?;
            let started = std::time::Instant::now();
            passage.rebuild_figures().await.map_err(|e| e.to_string())?;
            println!("indicator summaries rebuilt in {:.1} s", started.elapsed().as_secs_f64());
            Ok(ExitCode::SUCCESS)
        }
        Command::Disclosure { db, threshold, rounding } => {
            let passage = open(&db, &file).await?;
            let current = passage.disclosure_rules().await.map_err(|e| e.to_string())?;
            let rules = if threshold.is_some() || rounding.is_some() {
                let rounding = match rounding.as_deref().map(str::trim) {
                    None => current.rounding_base,
                    Some("none") | Some("0") => None,
                    Some(r) => Some(r.parse::<u64>().map_err(|_| format!("--rounding {r:?}: a whole number from 2 to 100, or none"))?),
                };
                match passage.set_disclosure_rules(None, threshold.unwrap_or(current.threshold), rounding).await {
                    Ok(r) => r,
                    Err(passage_service::ServiceError::Invalid(_)) => {
                        return Err("the threshold is a whole number from 2 to 100 (below 2 would publish single persons), the rounding from 2 to 100 or none".into())
                    }
                    Err(e) => return Err(e.to_string()),
                }
            } else {
                current
            };
            let rounding = rules.rounding_base.map_or("none".to_string(), |b| format!("to multiples of {b}"));
            println!("counts of persons below {} are hidden, with complementary cells; rounding: {rounding}", rules.threshold);
            Ok(ExitCode::SUCCESS)
        }
        Command::Budget { command: BudgetCommand::Table { db, budget, format, hxl } } => {
            if hxl && format == TableFormat::Text {
                return Err("--hxl adds a hashtag row to CSV: use it with --format csv".into());
            }
            let passage = open(&db, &file).await?;
            match passage.budget(None, budget.as_deref()).await {
                Ok((_, table)) => {
                    match format {
                        TableFormat::Text => print!("{}", passage_service::budgets::budget_text(&table)),
                        TableFormat::Csv => print!("{}", passage_service::budgets::budget_csv(&table, hxl)),
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(passage_service::ServiceError::NotFound) => Err(match budget {
                    Some(code) => format!("no budget with the code {code:?} (passage budget import FILE --code …)"),
                    None => "no budget yet: import one with passage budget import FILE".into(),
                }),
                Err(e) => Err(e.to_string()),
            }
        }
        Command::Audit { command: AuditCommand::Verify { db } } => {
            let passage = open(&db, &file).await?;
            let started = std::time::Instant::now();
            let bar = progress(0, "entries");
            let v = passage.verify_audit(|n| bar.set_position(n)).await.map_err(|e| e.to_string())?;
            bar.finish_and_clear();
            let secs = started.elapsed().as_secs_f64();
            match v.result {
                Ok(()) => {
                    println!("audit trail intact: {} entries verified in {secs:.1} s", v.checked);
                    Ok(ExitCode::SUCCESS)
                }
                Err(b) => {
                    eprintln!("audit trail broken: {b} ({} entries verified before it)", v.checked);
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Retention { command: RetentionCommand::Apply { db, dry_run, today } } => {
            let today = match today {
                None => passage_domain::date::CalendarDate::today(),
                Some(t) => {
                    passage_domain::date::CalendarDate::parse("--today", &t).map_err(|_| format!("--today {t:?}: use YYYY-MM-DD"))?
                }
            };
            let mut months: std::collections::HashMap<passage_domain::case::CaseKind, u32> =
                passage_domain::case::CaseKind::ALL.iter().map(|k| (*k, k.default_retention_months())).collect();
            for (kind, m) in file.retention.clone().unwrap_or_default() {
                let k = passage_domain::case::CaseKind::parse("retention", &kind).map_err(|_| {
                    format!(
                        "[retention] {kind:?} is not a case kind: use {}",
                        passage_domain::case::CaseKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                    )
                })?;
                if m == 0 {
                    return Err(format!("[retention] {kind} = 0: a period is at least one month"));
                }
                months.insert(k, m);
            }
            let passage = open(&db, &file).await?;
            let bar = progress(0, "persons");
            let r = passage.apply_retention(today, |k| months[&k], dry_run, |n| bar.set_position(n)).await.map_err(|e| e.to_string())?;
            bar.finish_and_clear();
            println!("{} persons have all their cases closed", r.examined);
            for (kind, n) in &r.due {
                println!("  {n} due ({kind}: {} months after closure)", months[kind]);
            }
            if dry_run {
                println!("dry run: nothing changed; {} would be erased", r.due.iter().map(|(_, n)| n).sum::<u64>());
            } else {
                println!("{} identities erased (cases, findings and assistance kept for the figures)", r.anonymised);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys { command: KeysCommand::Rotate { db } } => {
            let url = database_url(&db, &file);
            let key = key_path(&db, &file, &url)?;
            if !key.exists() {
                return Err(format!("no data key file at {}: nothing to rotate", key.display()));
            }
            let passage = open_with(&url, &key).await?;
            let bar = progress(0, "values");
            let r = passage.rotate_keys(&key, |n| bar.set_position(n)).await.map_err(|e| e.to_string())?;
            bar.finish_and_clear();
            for (col, n) in &r.resealed {
                println!("{col:<28} {n} re-sealed");
            }
            println!("data key {} replaced by {} in {}", r.old_keys.join(", "), r.new_key, key.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { db, out } => {
            let url = database_url(&db, &file);
            let passage = open(&db, &file).await?;
            let started = std::time::Instant::now();
            passage.backup(&url, &out).await.map_err(|e| e.to_string())?;
            let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            println!("backup written to {} ({:.1} MB) in {:.1} s", out.display(), size as f64 / 1e6, started.elapsed().as_secs_f64());
            println!("the data key file is not in the backup: keep a copy of it apart, or the sealed values cannot be read");
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { db, backup } => {
            let url = database_url(&db, &file);
            passage_service::keys::restore(&url, &backup).await.map_err(|e| e.to_string())?;
            // What was restored must open with the key given, migrate, and pass its checks.
            let passage = open(&db, &file).await?;
            let report = passage.check().await.map_err(|e| e.to_string())?;
            let v = passage.verify_audit(|_| {}).await.map_err(|e| e.to_string())?;
            if !report.problems.is_empty() || v.result.is_err() {
                for p in &report.problems {
                    eprintln!("problem: {p}");
                }
                if let Err(b) = v.result {
                    eprintln!("audit trail broken: {b}");
                }
                return Ok(ExitCode::from(1));
            }
            let persons = report.counts.iter().find(|(t, _)| *t == "persons").map(|(_, n)| *n).unwrap_or(0);
            println!("restored {} into {url}: {persons} persons, audit trail intact ({} entries)", backup.display(), v.checked);
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { command: TokenCommand::Create { db, username, name, grant: RoleArgs { role, offices }, days } } => {
            let passage = open(&db, &file).await?;
            match passage.create_api_token(None, &username, &name, role, &offices, days).await {
                Ok(t) => {
                    println!("{}", t.token);
                    eprintln!("token {} for {username} ({role}), expires in {days} days; shown only now", t.record.id);
                    Ok(ExitCode::SUCCESS)
                }
                Err(passage_service::ServiceError::Invalid(inv)) => Ok(refused(inv)),
                Err(e) => Err(e.to_string()),
            }
        }
        Command::Token { command: TokenCommand::Revoke { db, id } } => {
            let passage = open(&db, &file).await?;
            match passage.revoke_api_token(None, &id).await {
                Ok(()) => {
                    println!("token {id} revoked");
                    Ok(ExitCode::SUCCESS)
                }
                Err(passage_service::ServiceError::NotFound) => Err(format!("no token with id {id}")),
                Err(e) => Err(e.to_string()),
            }
        }
        Command::Permissions => {
            print!("{}", passage_domain::policy::render_markdown());
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { db } => {
            let passage = open(&db, &file).await?;
            let report = passage.check().await.map_err(|e| e.to_string())?;
            for (table, n) in &report.counts {
                println!("{table:<20} {n}");
            }
            if report.problems.is_empty() {
                println!("ok: no problem found");
                Ok(ExitCode::SUCCESS)
            } else {
                for p in &report.problems {
                    println!("problem: {p}");
                }
                Ok(ExitCode::from(1))
            }
        }
    }
}

/// Run `work` while a progress bar follows `p`.
async fn with_bar<T>(p: &passage_service::kobo::ImportProgress, unit: &str, work: impl std::future::Future<Output = T>) -> T {
    use std::sync::atomic::Ordering;
    let bar = progress(0, unit);
    let mut work = std::pin::pin!(work);
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
    loop {
        tokio::select! {
            out = &mut work => {
                bar.finish_and_clear();
                return out;
            }
            _ = tick.tick() => {
                bar.set_length(p.total.load(Ordering::Relaxed) as u64);
                bar.set_position(p.done.load(Ordering::Relaxed) as u64);
            }
        }
    }
}

/// A file's text, refused with a plain reason when it is not UTF-8.
fn read_utf8(path: &std::path::Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text: save it as UTF-8 CSV", path.display()))
}

/// An output file is never overwritten: it may be the other side's data.
fn refuse_existing(path: &std::path::Path) -> Result<(), String> {
    if path.exists() {
        return Err(format!("{} exists already: choose another output file", path.display()));
    }
    Ok(())
}

/// Write beside, then rename: a cut-short run leaves no half file.
fn write_whole(path: &std::path::Path, text: impl AsRef<[u8]>) -> Result<(), String> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, path)).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Every problem of an input file (the first 200), and exit code 2: nothing was written.
fn file_refused(path: &std::path::Path, problems: &[passage_service::error::FileProblem]) -> ExitCode {
    for p in problems.iter().take(200) {
        eprintln!("error: {}: {p}", path.display());
    }
    eprintln!("nothing was written ({} problem(s))", problems.len());
    ExitCode::from(2)
}

fn progress(total: u64, unit: &str) -> ProgressBar {
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(total);
        let template = if total == 0 {
            format!("{{pos}} {unit}  {{per_sec}}")
        } else {
            format!("{{bar:40}} {{pos}}/{{len}} {unit}  {{per_sec}}  eta {{eta}}")
        };
        bar.set_style(ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()));
        bar
    } else {
        ProgressBar::hidden()
    }
}

/// The password, from a prompt on a terminal or the first line of standard input.
fn read_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password (12 characters or more; it will be shown as you type): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(|e| format!("cannot read the password: {e}"))?;
    let pw = line.trim_end_matches(['\n', '\r']).to_string();
    if pw.is_empty() {
        return Err("no password given on standard input".into());
    }
    Ok(pw)
}
