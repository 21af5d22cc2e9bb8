//! The command line, parsed first and resolved into settings second.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// revita: plan and steer the development of lagging regions.
#[derive(Debug, Parser)]
#[command(name = "revita", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log debug messages (or set REVITA_LOG, e.g. REVITA_LOG=revita=debug).
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// A SQLite file path (`sqlite:revita.sqlite` or a plain path) or a
    /// PostgreSQL URL (`postgres://user@host/db`).
    #[arg(long, env = "REVITA_DATABASE_URL", default_value = "revita.sqlite", global = true)]
    pub database_url: String,
    /// Code scheme of regions: `china` (GB/T 2260 / NBS) or a
    /// comma-separated list of level names, root first, for any other
    /// hierarchy (e.g. `country,state,county`). Stored in the database by
    /// the first command that gives it; later commands read it from there.
    /// Without one anywhere, `china`.
    #[arg(long, env = "REVITA_PROFILE", global = true)]
    pub profile: Option<String>,
    /// Act as the user this API token belongs to, within that user's
    /// jurisdiction (for a shared database). Without it the command line acts
    /// with the database owner's rights.
    #[arg(long, env = "REVITA_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<String>,
    /// Database connections to keep open (default: sized to the machine —
    /// one per core, 2 to 8, for SQLite, which writes one at a time; two per
    /// core, 4 to 32, for PostgreSQL).
    #[arg(long, env = "REVITA_POOL_SIZE", global = true, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub pool_size: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web UI and JSON API.
    Serve(ServeArgs),
    /// Create or upgrade the database schema.
    Migrate(DatabaseArgs),
    /// Load the demo dataset (real Chinese regions, boundaries, census 2020, designations).
    Demo(DatabaseArgs),
    /// Import a file: regions, boundaries, indicators, observations, designations, pairings or code history.
    Import(ImportArgs),
    /// Export observations as CSV, XLSX or Parquet.
    Export(ExportArgs),
    /// Look regions up: show, children, descendants, search.
    Region(RegionArgs),
    /// Roll an indicator up from a region's children, with coverage.
    Rollup(RollupArgs),
    /// Run a designation method (a JSON spec) for a year: ranked, classified regions.
    Designate(DesignateArgs),
    /// Monitoring cases: open, move through the procedure, record income checks, show, list overdue.
    Case(CaseArgs),
    /// Development plans: list, show, create, move, import projects, and
    /// export as PDF or XLSX.
    Plan(PlanArgs),
    /// Committed designation lists, or one list's members (--id).
    Lists(ListsArgs),
    /// Allocate a fund by the factor method (a JSON spec) for a year.
    Allocate(AllocateArgs),
    /// Ecological compensation: settle a basin agreement from its water
    /// samples; ecosystem-service value from land use.
    Eco(EcoArgs),
    /// Pairing assistance: the ledger of a year, deliveries imported,
    /// donors' rules, the IATI activity file.
    Pairing(PairingArgs),
    /// The evidence brief on a region (gaps, trends, convergence, years to
    /// close, recommendations, assistance received) as a PDF or JSON.
    Brief(BriefArgs),
    /// Post-disaster recovery: record an event, import its counties,
    /// unit costs and assessment, its damage, losses and needs, the report.
    Disaster(DisasterArgs),
    /// Coal-mining subsidence areas: the fast spatial join of points in
    /// zones (files), areas and village/household points imported, an
    /// area's houses by grade and farmland by class.
    Subsidence(SubsidenceArgs),
    /// Resettlement: the site-assignment optimiser (exact minimum-cost
    /// transportation) over origin, site and link files.
    Relocate(RelocateArgs),
    /// Work-relief (以工代赈): projects, rosters and payments imported,
    /// alerts, totals, the remuneration rules.
    WorkRelief(WorkReliefArgs),
    /// Small-area estimation: Fay–Herriot from stored observations (`fh`),
    /// the census EBP from a survey and a census file (`ebp`).
    Sae(SaeArgs),
    /// Screen a household file (CSV or Parquet): return-to-poverty triggers and the Alkire–Foster MPI by county.
    Screen(ScreenArgs),
    /// Summarise what the database holds.
    Inventory(DatabaseArgs),
    /// Check a running server's /health (exit 0 when healthy).
    Healthcheck(HealthcheckArgs),
    /// Manage users (the first administrator, scripted set-ups).
    User(UserArgs),
    /// Check the audit log: `revita audit verify` recomputes its hash chain.
    Audit(AuditArgs),
    /// Benchmarks (see BENCHMARKS.md).
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Start on a fresh database loaded with the demo dataset
    /// (`revita-demo.sqlite` unless --database-url is given).
    #[arg(long)]
    pub demo: bool,
    /// Address to listen on.
    #[arg(long, env = "REVITA_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "REVITA_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Pages anyone may read without logging in: `map`, `indicators`
    /// (comma-separated). Off by default.
    #[arg(long, env = "REVITA_PUBLIC", value_delimiter = ',')]
    pub public: Vec<String>,
    /// Largest file the import pages accept, in MiB (larger uploads are
    /// refused with 413 as soon as they pass it).
    #[arg(long, env = "REVITA_MAX_UPLOAD_MB", default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_upload_mb: u64,
    /// Where uploads wait between their check and their confirmation: a
    /// private directory (made with mode 0700 if missing; refused if others
    /// may read it). Default: a fresh private directory under the system's
    /// temporary directory, removed when the server stops.
    #[arg(long, env = "REVITA_UPLOAD_DIR")]
    pub upload_dir: Option<std::path::PathBuf>,
    /// Seconds a request's line and headers have to arrive (counted from
    /// when the connection starts waiting for a request, so a kept-alive
    /// connection idle this long is closed too).
    #[arg(long, env = "REVITA_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout_secs: u64,
    /// Seconds a request's body may stop arriving, or its answer stop being
    /// read, before the connection is closed.
    #[arg(long, env = "REVITA_IDLE_TIMEOUT_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub idle_timeout_secs: u64,
    /// Most connections served at once; more wait in the listen queue.
    #[arg(long, env = "REVITA_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// The time zone pages show times in: `Asia/Shanghai` (Beijing time,
    /// the default), `UTC`, or an offset such as `+08:00`.
    #[arg(long, env = "REVITA_TIME_ZONE", default_value = "Asia/Shanghai", value_parser = parse_time_zone)]
    pub time_zone: revita_methods::UtcOffset,
    /// The map approval number (审图号) printed under national maps, e.g.
    /// `GS(2024)0650号`, once the maps a deployment publishes are approved.
    #[arg(long, env = "REVITA_MAP_APPROVAL", value_parser = parse_map_approval)]
    pub map_approval: Option<String>,
    /// With --demo: delete the demo database and start afresh (otherwise
    /// an existing demo database is kept, with whatever was entered in it).
    #[arg(long, requires = "demo")]
    pub reset_demo: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(subcommand)]
    pub action: AuditAction,
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Recompute the audit log's hash chain: exit 0 if every entry follows
    /// from the one before, 1 naming the first that does not.
    Verify {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub action: UserAction,
    #[command(flatten)]
    pub db: DatabaseArgs,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create a user; the password is read from standard input.
    Create {
        /// Login name.
        name: String,
        /// Role: admin, planner, data_entry, viewer or auditor.
        #[arg(long)]
        role: String,
        /// Jurisdiction: a region code (the region and everything below it).
        #[arg(long)]
        scope: String,
    },
    /// Create an API token for a user and print its secret (shown once).
    Token {
        /// The user.
        name: String,
        /// A label for the token.
        #[arg(long, default_value = "cli")]
        label: String,
        /// Days until it expires.
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportKind {
    Regions,
    Boundaries,
    Indicators,
    Observations,
    Designations,
    Pairings,
    CodeHistory,
    MonitoringLines,
    Households,
    /// Members of registry households (replaces each listed household's members).
    HouseholdMembers,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub kind: ImportKind,
    /// The file (.csv, .xlsx; .geojson for boundaries).
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Check the file and report, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// XLSX worksheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Regions: leave regions already loaded unchanged and add only new ones.
    #[arg(long)]
    pub keep_existing: bool,
    /// Observations: replace stored values with the same key.
    #[arg(long)]
    pub replace: bool,
    /// Observations into SQLite: hold the database's write lock for the
    /// whole import, in one transaction — the fastest way in, for a first
    /// load into a database no one else is writing to. Without it rows are
    /// staged and merged a chunk at a time, so other writers (the web
    /// server) are held up for a fraction of a second at most.
    #[arg(long)]
    pub exclusive: bool,
    /// Observations: source for rows that name none.
    #[arg(long)]
    pub source: Option<String>,
    /// Observations: period for wide files without a period column (e.g. 2020).
    #[arg(long)]
    pub period: Option<String>,
    /// Observations: status for rows that state none (final, provisional, estimated, synthetic).
    #[arg(long)]
    pub status: Option<String>,
    /// Boundaries: the feature property holding the region code.
    #[arg(long, default_value = "code")]
    pub code_property: String,
    /// Do not show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
    Parquet,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output file; the format follows its extension unless --format is given.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Only this indicator.
    #[arg(long)]
    pub indicator: Option<String>,
    /// Only this region.
    #[arg(long)]
    pub region: Option<String>,
    /// Only children of this region; with --level, its regions at that level anywhere below it (`--parent 520000 --level county`: Guizhou's counties).
    #[arg(long)]
    pub parent: Option<String>,
    /// Only regions at this level.
    #[arg(long)]
    pub level: Option<String>,
    /// Only this period.
    #[arg(long)]
    pub period: Option<String>,
    /// Export the monitoring registry (CSV) instead of observations:
    /// households with their triggers against --line and their MPI score;
    /// identifiers masked unless the token's user may read them.
    #[arg(long, conflicts_with_all = ["indicator", "region", "parent", "level", "period"])]
    pub registry: bool,
    /// The monitoring line for --registry's trigger columns.
    #[arg(long, default_value_t = revita_methods::screening::DEFAULT_LINE, requires = "registry")]
    pub line: f64,
}

#[derive(Debug, Args)]
pub struct RegionArgs {
    #[command(subcommand)]
    pub action: RegionAction,
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Print JSON.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RegionAction {
    /// A region with its breadcrumb and designations.
    Show { code: String },
    /// Direct children.
    Children { code: String },
    /// Descendants, all or at one level.
    Descendants {
        code: String,
        #[arg(long)]
        level: Option<String>,
    },
    /// Search by code or name (Chinese or English).
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
}

#[derive(Debug, Args)]
pub struct RollupArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[arg(long)]
    pub region: String,
    #[arg(long)]
    pub indicator: String,
    #[arg(long)]
    pub period: String,
    /// Roll up from descendants at this level instead of direct children.
    #[arg(long)]
    pub level: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// What every run of a method spec takes: the spec, the year, where the
/// observations come from and where the result goes.
#[derive(Debug, Args)]
pub struct SpecRun {
    /// The method, a JSON spec (see docs/user-guide.md).
    #[arg(long)]
    pub spec: PathBuf,
    /// The year of the run (the last year averaged).
    #[arg(long)]
    pub year: i32,
    /// Write the result here: .csv or .xlsx (an allocation's keeps its formulas).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Read observations from this file (CSV or XLSX, any layout `import
    /// observations` takes) instead of the database; repeat for several.
    #[arg(long = "observations", value_name = "FILE")]
    pub observations: Vec<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DesignateArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(flatten)]
    pub run: SpecRun,
    /// Compare with a run of this spec (default: the same spec); --out then
    /// writes the comparison.
    #[arg(long, value_name = "FILE")]
    pub against_spec: Option<PathBuf>,
    /// Compare with a run for this year (default: the same year).
    #[arg(long, value_name = "YEAR")]
    pub against_year: Option<i32>,
    /// Commit the run as an official list in this designation category
    /// (e.g. custom:education_lag); needs --classes, --basis and --effective.
    #[arg(long, value_name = "CATEGORY", requires_all = ["classes", "basis", "effective"])]
    pub commit: Option<String>,
    /// The run's classes whose regions are on the list, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub classes: Vec<String>,
    /// The deciding document's title.
    #[arg(long)]
    pub basis: Option<String>,
    /// The deciding document's number.
    #[arg(long)]
    pub basis_number: Option<String>,
    /// The day the list takes effect (YYYY-MM-DD).
    #[arg(long)]
    pub effective: Option<String>,
    /// The last day regions that leave the list stay designated (YYYY-MM-DD).
    #[arg(long)]
    pub transition_until: Option<String>,
    /// Commit the list whose preview had this fingerprint (without it,
    /// --commit only shows what the list would change, and its fingerprint).
    #[arg(long, value_name = "FINGERPRINT", requires = "commit")]
    pub confirm: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(subcommand)]
    pub action: PlanAction,
}

#[derive(Debug, Subcommand)]
pub enum PlanAction {
    /// The plans you may read.
    List,
    /// A plan's targets with their status, and its projects' execution.
    Show {
        /// The plan's number.
        id: i64,
        /// The day to judge progress on (default: today).
        #[arg(long)]
        date: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Create a plan in draft.
    Create {
        /// Title.
        #[arg(long)]
        title: String,
        /// five_year, relocation, reconstruction, transformation or special.
        #[arg(long, default_value = "five_year")]
        kind: String,
        /// The region of the responsible office.
        #[arg(long)]
        region: String,
        /// What it covers: subtree:CODE, regions:CODE,CODE… or list:NUMBER.
        #[arg(long)]
        scope: String,
        /// First year.
        #[arg(long)]
        start: i32,
        /// Last year.
        #[arg(long)]
        end: i32,
        /// The responsible office.
        #[arg(long, default_value = "")]
        office: String,
    },
    /// Move a plan to its next status.
    Move {
        /// The plan's number.
        id: i64,
        /// under_review, approved, in_implementation, completed, evaluated (or draft to return it).
        #[arg(long)]
        to: String,
        /// The plan's version as last seen (see `plan show`).
        #[arg(long)]
        plan_version: i64,
        /// A comment (review notes, the approval's document number).
        #[arg(long)]
        comment: Option<String>,
    },
    /// Import a plan's projects from CSV or XLSX (all or nothing).
    ImportProjects {
        /// The plan's number.
        id: i64,
        /// The project file (see `plan template`).
        file: PathBuf,
        /// Check everything, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the project file template (XLSX).
    Template {
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the plan as a PDF document.
    Pdf {
        /// The plan's number.
        id: i64,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
        /// zh or en.
        #[arg(long, default_value = "zh")]
        lang: String,
        /// The day to judge progress on (default: today).
        #[arg(long)]
        date: Option<String>,
    },
    /// Write the plan's data as an XLSX workbook.
    Export {
        /// The plan's number.
        id: i64,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct CaseArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(subcommand)]
    pub action: CaseAction,
}

#[derive(Debug, Subcommand)]
pub enum CaseAction {
    /// Open a case for a registry household.
    Open {
        /// The household's id in the registry.
        #[arg(long)]
        household: String,
        /// unstable_exited, marginal or sudden_difficulty.
        #[arg(long)]
        category: String,
        /// self_declared, cadre_visit or data_screening.
        #[arg(long)]
        channel: String,
        /// The day it was identified (YYYY-MM-DD).
        #[arg(long)]
        on: String,
        /// What it rests on.
        #[arg(long)]
        evidence: Option<String>,
    },
    /// Move a case to its next step.
    Move {
        /// The case's number.
        id: i64,
        /// verified, consented, appraised, approved, assisted, risk_eliminated or kept_under_monitoring.
        #[arg(long)]
        to: String,
        /// The day the step was taken (YYYY-MM-DD).
        #[arg(long)]
        on: String,
        /// The case's version as last seen (see `case show`).
        #[arg(long)]
        case_version: i64,
        /// What it rests on.
        #[arg(long)]
        evidence: Option<String>,
        /// For an appraisal: the public notice's last day.
        #[arg(long)]
        notice_end: Option<String>,
    },
    /// Record a household's per-capita income over the last twelve months, as checked on a day.
    Income {
        /// The case's number.
        id: i64,
        /// The day of the check (YYYY-MM-DD).
        #[arg(long)]
        on: String,
        /// Per-capita net income, yuan.
        #[arg(long)]
        income: f64,
    },
    /// Record an assistance measure of a case (from county approval on).
    Measure {
        /// The case's number.
        id: i64,
        /// industry, employment, education, health, housing, water, social_security or other.
        #[arg(long)]
        kind: String,
        /// What exactly (a post, a subsidy, a loan).
        #[arg(long, default_value = "")]
        description: String,
        /// Its value in yuan.
        #[arg(long, default_value_t = 0.0)]
        amount: f64,
        /// From when (YYYY-MM-DD).
        #[arg(long)]
        start: String,
        /// Until when (YYYY-MM-DD).
        #[arg(long)]
        end: Option<String>,
    },
    /// Show a case and every step taken.
    Show {
        /// The case's number.
        id: i64,
    },
    /// Cases whose next step is overdue.
    Overdue {
        /// The day to judge on (default: today).
        #[arg(long)]
        today: Option<String>,
        /// Days allowed for a step after the one before, e.g. verified=15 (repeatable;
        /// default: verified=15 consented=7 approved=15 assisted=30, as the web page).
        #[arg(long = "limit", value_name = "STEP=DAYS")]
        limits: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct ListsArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Only lists of this designation category.
    #[arg(long)]
    pub category: Option<String>,
    /// One list: print its members, or write them with --out.
    #[arg(long)]
    pub id: Option<i64>,
    /// Write the list's members here (.csv or .xlsx).
    #[arg(long, requires = "id")]
    pub out: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AllocateArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(flatten)]
    pub run: SpecRun,
}

#[derive(Debug, Args)]
pub struct EcoArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(subcommand)]
    pub action: EcoAction,
}

#[derive(Debug, Subcommand)]
pub enum EcoAction {
    /// Settle a basin agreement for a year: a stored one (--id, from its
    /// stored samples; the settlement and its payments are stored), or one
    /// from files (--agreement and --samples, nothing stored). P with
    /// every step, and who pays whom (methods.md §5.1–5.2).
    Settle {
        /// The stored agreement's number.
        #[arg(long, conflicts_with_all = ["agreement", "samples"], required_unless_present = "agreement")]
        id: Option<i64>,
        /// The agreement's JSON file (see the user guide).
        #[arg(long, requires = "samples")]
        agreement: Option<PathBuf>,
        /// The samples: section,date,indicator,upstream,downstream[,reserve,lab,valid] (CSV or XLSX).
        #[arg(long)]
        samples: Option<PathBuf>,
        /// The assessment year.
        #[arg(long)]
        year: i32,
        /// Print the settlement as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The stored agreements you may read.
    Agreements,
    /// Store an agreement (JSON file) kept by the office of --region, or a
    /// new version of agreement --id at --version.
    Agreement {
        /// The agreement's JSON file.
        file: PathBuf,
        /// The region whose office keeps it.
        #[arg(long)]
        region: String,
        /// The agreement to change.
        #[arg(long, requires = "at_version")]
        id: Option<i64>,
        /// Its version as you read it (`revita eco agreements`).
        #[arg(long)]
        at_version: Option<i64>,
    },
    /// Import a stored agreement's water samples (all or nothing).
    Samples {
        /// The agreement's number.
        #[arg(long)]
        id: i64,
        /// The sample file (CSV or XLSX).
        file: PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The payments ledger (of one agreement with --id).
    Payments {
        /// The agreement's number.
        #[arg(long)]
        id: Option<i64>,
    },
    /// Import land-use areas (region_code,year,type,hectares; all or nothing).
    LandUse {
        /// The land-use file (CSV or XLSX).
        file: PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import GEP line items (region_code,year,service,quantity,unit,price,price_method).
    Gep {
        /// The item file (CSV or XLSX).
        file: PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Ecosystem-service value by Xie et al.'s (2015) equivalent factors,
    /// per region and service (methods.md §5.4): of a land-use file
    /// (--areas), or of the stored land use.
    Esv {
        /// A land-use file (CSV or XLSX); without it, the stored land use.
        #[arg(long)]
        areas: Option<PathBuf>,
        /// The parameter set (JSON: grain_yield, grain_price, corrections);
        /// default: the national 1990–2015 means (1,498.58 yuan/ha).
        #[arg(long)]
        parameters: Option<PathBuf>,
        /// Print the values as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The key ecological function zone transfer per county from a county
    /// file (county,standard_expenditure,standard_revenue,prohibited_area,
    /// rangers,quality_change), each component shown (methods.md §5.3).
    Transfer {
        /// The county file (CSV or XLSX).
        #[arg(long)]
        counties: PathBuf,
        /// The rule and budget (JSON: coefficient, prohibited_rate,
        /// ranger_standard, reward_rate, penalty_rate, budget, unit).
        #[arg(long)]
        rule: PathBuf,
        /// Print the grants as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct PairingArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(subcommand)]
    pub action: PairingAction,
}

#[derive(Debug, Subcommand)]
pub enum PairingAction {
    /// The ledger of a year: obligation, deliveries, fulfilment and the
    /// funds' shares per pairing within your jurisdiction.
    Ledger {
        /// The year.
        #[arg(long)]
        year: i32,
        /// Only this programme.
        #[arg(long)]
        program: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import deliveries (program,donor_code,recipient_code,year,kind,project,amount[,sector,county_level,livelihood]).
    Flows {
        /// The file (CSV or XLSX).
        file: PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Set a donor's rule in a programme.
    Rule {
        /// The programme, as the pairings name it.
        #[arg(long)]
        program: String,
        /// The donor's region code.
        #[arg(long)]
        donor: String,
        /// A share of the donor's fiscal revenue (0.005 for 0.5%).
        #[arg(long, conflicts_with = "base")]
        share: Option<f64>,
        /// Which earlier year's revenue (1: the year before).
        #[arg(long, default_value_t = 1)]
        lag: i32,
        /// Or: the first year's amount (yuan), growing by --growth.
        #[arg(long)]
        base: Option<f64>,
        /// The yearly growth of --base (0.08 for 8%).
        #[arg(long)]
        growth: Option<f64>,
        /// The first year the rule applies.
        #[arg(long)]
        start_year: i32,
        /// The indicator holding the donor's revenue.
        #[arg(long, default_value = "fiscal_revenue")]
        revenue_indicator: String,
    },
    /// The aid projects as an IATI activity file (version 2.03).
    Iati {
        /// The first year.
        #[arg(long)]
        from: i32,
        /// The last year.
        #[arg(long)]
        to: i32,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct DisasterArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(subcommand)]
    pub action: DisasterAction,
}

#[derive(Debug, Subcommand)]
pub enum DisasterAction {
    /// The events you may read.
    List,
    /// Record an event kept by the office of --region.
    Create {
        /// Its name.
        #[arg(long)]
        name: String,
        /// earthquake, flood, landslide, drought, typhoon or other.
        #[arg(long)]
        kind: String,
        /// The day it struck (YYYY-MM-DD).
        #[arg(long)]
        date: String,
        /// Its magnitude as reported.
        #[arg(long)]
        magnitude: Option<String>,
        /// The region whose office keeps it.
        #[arg(long)]
        region: String,
        /// The needs parameters (JSON: uplift by sector, default_uplift, recovery_share).
        #[arg(long)]
        needs: Option<String>,
    },
    /// Import a file of an event: counties, unit_costs or assessment (all or nothing).
    Import {
        /// The event's number.
        #[arg(long)]
        id: i64,
        /// counties, unit_costs or assessment.
        #[arg(long)]
        kind: String,
        /// The file (CSV, or the template's XLSX).
        file: PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Damage, losses and needs of an event (JSON), or its report (--out .pdf or .xlsx).
    Report {
        /// The event's number.
        #[arg(long)]
        id: i64,
        /// Write the report here (.pdf or .xlsx).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The PDF's language: zh or en.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
}

#[derive(Debug, Args)]
pub struct SubsidenceArgs {
    #[command(subcommand)]
    pub action: SubsidenceAction,
}

#[derive(Debug, Subcommand)]
pub enum SubsidenceAction {
    /// Count the points strictly inside each zone and sum their weights:
    /// zones from GeoJSON, points from CSV (lon, lat and the weight
    /// column); writes zone_id,points,<weight> sorted by zone.
    Join {
        /// The zones (GeoJSON FeatureCollection of Polygons/MultiPolygons).
        #[arg(long)]
        zones: PathBuf,
        /// The points (CSV with lon, lat and the weight column).
        #[arg(long)]
        points: PathBuf,
        /// Where to write the counts (CSV).
        #[arg(long)]
        out: PathBuf,
        /// The zones' identifier property.
        #[arg(long, default_value = "zone_id")]
        id_property: String,
        /// The points' weight column (people).
        #[arg(long, default_value = "population")]
        weight: String,
    },
    /// The areas you may read.
    List {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Import areas (GeoJSON) — all or nothing.
    ImportAreas {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The GeoJSON file.
        file: PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import village and household points (CSV: kind,id,name,county_code,lon,lat,population,households).
    ImportPlaces {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The CSV file.
        file: PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import an area's houses or farmland (CSV) — all or nothing.
    Import {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The area's number.
        #[arg(long)]
        id: i64,
        /// houses or farmland.
        #[arg(long)]
        kind: String,
        /// The file.
        file: PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// An area: who lies inside, houses by grade, farmland by class, progress (JSON).
    Area {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The area's number.
        #[arg(long)]
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct RelocateArgs {
    #[command(subcommand)]
    pub action: RelocateAction,
}

#[derive(Debug, Subcommand)]
pub enum RelocateAction {
    /// Assign origins' households to sites at the least total cost (exact):
    /// origins.csv (origin_id, households), sites.csv (site_id, capacity),
    /// arcs.csv (origin_id, site_id, cost); writes origin_id,site_id,households
    /// and prints total_cost=N, with who could not be placed and why.
    Assign {
        /// Origins (CSV: origin_id, households).
        #[arg(long)]
        origins: PathBuf,
        /// Sites (CSV: site_id, capacity).
        #[arg(long)]
        sites: PathBuf,
        /// Permitted moves (CSV: origin_id, site_id, cost).
        #[arg(long)]
        arcs: PathBuf,
        /// Where to write the assignment (CSV).
        #[arg(long)]
        out: PathBuf,
        /// Drop moves costlier than this (a maximum distance).
        #[arg(long)]
        max_cost: Option<i64>,
        /// Move each origin wholly to one site (a repair of the exact
        /// solution; the gap to the exact lower bound is printed).
        #[arg(long)]
        keep_together: bool,
    },
    /// Import resettlement sites, relocated households or their incomes
    /// (CSV/XLSX) — all or nothing.
    Import {
        #[command(flatten)]
        db: DatabaseArgs,
        /// sites, relocations or incomes.
        #[arg(long)]
        kind: String,
        /// The file.
        file: PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Follow-up KPIs by site, sites below target and labour households
    /// with nobody employed (JSON).
    FollowUp {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The year income growth is measured to.
        #[arg(long)]
        year: i32,
    },
    /// The optimiser over stored village (or household) points and sites.
    AssignStored {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The county (default: your jurisdiction).
        #[arg(long)]
        county: Option<String>,
        /// village or household.
        #[arg(long, default_value = "village")]
        origins: String,
        /// Nearest sites per origin.
        #[arg(long, default_value_t = 5)]
        k: usize,
        /// Maximum distance (km).
        #[arg(long)]
        max_km: Option<f64>,
        /// Keep each origin whole.
        #[arg(long)]
        keep_together: bool,
    },
}

#[derive(Debug, Args)]
pub struct WorkReliefArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(subcommand)]
    pub action: WorkReliefAction,
}

#[derive(Debug, Subcommand)]
pub enum WorkReliefAction {
    /// Import projects, a roster (workers) or wage payments — all or nothing.
    Import {
        /// projects, workers or payments.
        #[arg(long)]
        kind: String,
        /// The file.
        file: PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Each project's alerts today.
    Alerts {
        /// Days after which unpaid wages are flagged.
        #[arg(long, default_value_t = 30)]
        unpaid_days: i64,
    },
    /// Totals by province and county (JSON).
    Dashboard,
    /// The remuneration rules, every version.
    Rules,
    /// Add a version of a remuneration rule (national deciders).
    AddRule {
        /// First year it applies to.
        #[arg(long)]
        from_year: i32,
        /// Last year (open-ended when left out).
        #[arg(long)]
        to_year: Option<i32>,
        /// Batch pattern (* for every batch).
        #[arg(long, default_value = "*")]
        batch: String,
        /// Least share of central funds (0.3 for 30%).
        #[arg(long)]
        min_share: f64,
        /// A note.
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct SaeArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(subcommand)]
    pub action: SaeAction,
}

#[derive(Debug, Subcommand)]
pub enum SaeAction {
    /// Fay–Herriot estimates of a spec (JSON) over stored observations,
    /// within your jurisdiction; optionally stored as indicators.
    Fh {
        /// The spec file (see docs/user-guide.md, "Small-area estimation").
        #[arg(long)]
        spec: PathBuf,
        /// Store the estimates as observations of the spec's output indicator.
        #[arg(long)]
        store: bool,
        /// With --store: check and say what would be stored; write nothing.
        #[arg(long, requires = "store")]
        dry_run: bool,
        /// Write the estimates here as CSV.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the run as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The census EBP under the nested-error model (benchmark B2's contract):
    /// writes ebp.csv (--out) and ebp_params.csv beside it. Reads no database.
    Ebp {
        /// The survey sample: domain, y > 0, x1..x5.
        #[arg(long)]
        sample: PathBuf,
        /// The census: domain, x1..x5.
        #[arg(long)]
        population: PathBuf,
        /// Where to write ebp.csv.
        #[arg(long)]
        out: PathBuf,
        /// The poverty line.
        #[arg(long, default_value_t = 7600.0)]
        z: f64,
        /// Monte Carlo replicates.
        #[arg(long = "L", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        l: u64,
        /// Bootstrap replicates for the MSE (0: none).
        #[arg(long = "B", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=10_000))]
        b: u64,
        /// The seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Threads (default: the machine's cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Also estimate each domain's Gini coefficient (columns `gini`, and
        /// `mse_gini` with --B): a sort per domain and replicate more.
        #[arg(long)]
        gini: bool,
    },
    /// The census EBP on any covariates, its estimates stored as indicators
    /// (<output>_mean, _fgt0, _fgt1 in %, with _mse and _cv when B > 0) of
    /// --year for every domain, each a region within your data-entry
    /// jurisdiction; one audited change (or, with --dry-run, what it would be).
    EbpStore {
        /// The survey sample: domain, y > 0, the covariates.
        #[arg(long)]
        sample: PathBuf,
        /// The census: domain, the covariates.
        #[arg(long)]
        population: PathBuf,
        /// The covariates (default: every census column but domain).
        #[arg(long, value_delimiter = ',')]
        covariates: Vec<String>,
        /// The poverty line.
        #[arg(long)]
        z: f64,
        /// The unit of y.
        #[arg(long, default_value = "元")]
        unit: String,
        /// The scale of the model: log or box-cox.
        #[arg(long, default_value = "log", value_parser = ["log", "box-cox"])]
        transformation: String,
        /// The Box–Cox power (0 to 2); absent, chosen by the restricted likelihood.
        #[arg(long)]
        lambda: Option<f64>,
        /// Monte Carlo replicates.
        #[arg(long = "L", default_value_t = 100)]
        l: usize,
        /// Bootstrap replicates for the MSE (0: none).
        #[arg(long = "B", default_value_t = 0)]
        b: usize,
        /// The seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The indicators' name.
        #[arg(long)]
        output: String,
        /// The year the estimates are of.
        #[arg(long)]
        year: i32,
        /// Say what would be stored; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also write the table as CSV here.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct BriefArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// The region's code (650000 for Xinjiang, 540000 for Tibet, or any region).
    pub region: String,
    /// The year the brief looks at.
    #[arg(long)]
    pub year: i32,
    /// Indicator codes, comma-separated (default: the region's rates and means).
    #[arg(long, value_delimiter = ',')]
    pub indicators: Vec<String>,
    /// Write the PDF here (or print JSON with --json).
    #[arg(long, required_unless_present = "json")]
    pub out: Option<PathBuf>,
    /// The PDF's language: zh or en.
    #[arg(long, default_value = "zh")]
    pub lang: String,
    /// Print the brief as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// The household file, .csv or .parquet (the columns are listed in docs/user-guide.md).
    #[arg(required_unless_present = "registry", conflicts_with = "registry")]
    pub households: Option<PathBuf>,
    /// Screen the households of the monitoring registry in the database
    /// (within your jurisdiction with --token) instead of a file.
    #[arg(long)]
    pub registry: bool,
    /// The monitoring line, yuan per person per year.
    #[arg(long, default_value_t = revita_methods::screening::DEFAULT_LINE)]
    pub line: f64,
    /// Write the county table here (CSV).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Also store the county results in the database as observations of --year.
    #[arg(long, requires = "year")]
    pub store: bool,
    /// The year the stored observations belong to.
    #[arg(long)]
    pub year: Option<i32>,
    /// Print a JSON summary.
    #[arg(long)]
    pub json: bool,
    /// Do not draw a progress bar (it is drawn only on a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// The server's health URL.
    #[arg(long, default_value = "http://127.0.0.1:8080/health")]
    pub url: String,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub task: BenchTask,
}

#[derive(Debug, Subcommand)]
pub enum BenchTask {
    /// Import N long-format observations into SQLite and PostgreSQL, each
    /// against the native bulk loader (`sqlite3 .import`, `psql \copy`).
    Import {
        /// Rows to generate.
        #[arg(long, default_value_t = 10_000_000)]
        rows: u64,
        /// PostgreSQL server for the PostgreSQL half (a database is created and dropped).
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        pg_url: String,
        /// Skip the PostgreSQL half.
        #[arg(long)]
        no_postgres: bool,
        /// Working directory (default: a temporary one, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Run designation specs over all counties × N indicators with
    /// multi-year averages, end to end through the CLI (process start,
    /// reading the observations, the method, writing the table).
    Designate {
        /// Indicators per spec.
        #[arg(long, default_value_t = 20)]
        indicators: usize,
        /// Years averaged.
        #[arg(long, default_value_t = 3)]
        years: u32,
        /// Timed repetitions of each run (the median is reported).
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        /// PostgreSQL server for the PostgreSQL half (a database is created and dropped).
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        pg_url: String,
        /// Skip the PostgreSQL half.
        #[arg(long)]
        no_postgres: bool,
    },
    /// Render the PDF of a plan over Guizhou (88 counties mapped) with N
    /// projects, each with milestones and a disbursement, end to end (store
    /// reads, status judgement, layout, font subset), on the demo dataset.
    PlanPdf {
        /// Projects in the plan.
        #[arg(long, default_value_t = 200)]
        projects: usize,
        /// Timed renderings (after one warm-up).
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        /// Keep the PDF here.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Reads `--time-zone` (see [`revita_methods::UtcOffset::parse`]).
/// A map approval number: one line of at most 64 characters.
fn parse_map_approval(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 64 || text.chars().any(char::is_control) {
        return Err("give the approval number as one line of at most 64 characters, e.g. GS(2024)0650号".into());
    }
    Ok(text.to_string())
}

fn parse_time_zone(text: &str) -> Result<revita_methods::UtcOffset, String> {
    revita_methods::UtcOffset::parse(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap checks every subcommand's arguments (unique names, valid
    /// requirements) only when that subcommand is parsed; this checks them
    /// all at once.
    #[test]
    fn every_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
