//! The demo's synthetic examples, so that every page has something to show
//! on first start: a monitoring registry of 3,000 made-up households in six
//! Guizhou counties (ids `DEMO-…`, heads named 示例户…, no ID numbers or
//! phones), their members, monitoring cases at every step, and a sample
//! county plan with targets and projects. Nothing here is real: the numbers
//! come from a fixed pseudo-random sequence, so every demo is the same.
//!
//! Everything is loaded through the importers and use cases a user runs,
//! acting as the demo users, so the examples are checked and audited like
//! any entry.

use std::fmt::Write as _;
use std::path::Path;

use revita_methods::Date;
use revita_methods::monitoring::{Category, Channel, Measure, MeasureKind, Step};
use revita_methods::plan::{PlanKind, PlanScope, PlanTarget, Target};

use crate::auth::{ChangeBy, Origin};
use crate::cases::{CaseActor, Move};
use crate::import::FileImport;
use crate::plans::PlanDraft;
use crate::{App, AppError, AppResult, Jurisdiction};

/// The counties the registry covers, with their households.
const COUNTIES: [(u32, usize); 6] =
    [(520102, 300), (520502, 700), (520521, 500), (520526, 600), (520527, 500), (522622, 400)];

/// The return-to-poverty line the examples are drawn around (SPEC B1).
const LINE: f64 = 7600.0;

/// What the examples added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Examples {
    /// Registry households.
    pub households: usize,
    /// Their members.
    pub members: usize,
    /// Monitoring cases opened.
    pub cases: usize,
    /// The sample plan.
    pub plan: Option<i64>,
    /// The shipped example specs, saved so that the saved-spec list has
    /// something to open.
    pub specs: usize,
    /// Basin agreements, with samples, settlements and payments.
    pub agreements: usize,
    /// Pairing-assistance deliveries.
    pub deliveries: usize,
    /// The post-disaster example event.
    pub disaster: Option<i64>,
    /// Subsidence areas.
    pub subsidence_areas: usize,
    /// Resettlement sites.
    pub resettlement_sites: usize,
    /// Counties with a synthetic direct poverty estimate (small-area
    /// estimation's example).
    pub sae_counties: usize,
}

/// SplitMix64: a small, fixed pseudo-random sequence (the examples must be
/// the same on every machine; no statistical quality is needed).
pub(super) struct Sequence(pub(super) u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(super) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Whether an event of probability `p` happens.
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: i32, hi: i32) -> i32 {
        lo + (self.next() % (hi - lo + 1) as u64) as i32
    }

    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-12), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// One made-up member.
struct Member {
    birth_year: i32,
    female: bool,
    labour: &'static str,
    schooling: &'static str,
    disabled: bool,
    ill: bool,
    insured: bool,
}

/// One made-up household's members, head first.
fn members(seq: &mut Sequence, year: i32) -> Vec<Member> {
    let mut births = vec![year - seq.between(28, 70)];
    if seq.chance(0.8) {
        births.push(births[0] + seq.between(-4, 4));
    }
    for _ in 0..seq.between(0, 3) {
        births.push(year - seq.between(0, 20).min(year - births[0] - 18).max(0));
    }
    if seq.chance(0.3) {
        births.push(year - seq.between(70, 88));
    }
    births
        .into_iter()
        .enumerate()
        .map(|(i, birth_year)| {
            let age = year - birth_year;
            let disabled = seq.chance(0.04);
            let labour = match age {
                16..=60 if disabled => "partial",
                16..=60 if seq.chance(0.9) => "full",
                16..=64 => "partial",
                _ => "none",
            };
            let schooling = match age {
                3..=5 => "preschool",
                6..=15 if seq.chance(0.01) => "out_of_school",
                6..=15 => "compulsory",
                16..=18 if seq.chance(0.7) => "beyond",
                _ => "not_in_school",
            };
            Member {
                birth_year,
                female: if i == 1 { true } else { seq.chance(0.5) },
                labour,
                schooling,
                disabled,
                ill: seq.chance(0.08),
                insured: seq.chance(0.995),
            }
        })
        .collect()
}

/// The registry and members files: (households CSV, members CSV, flagged
/// household ids by county).
fn registry_files(year: i32) -> (String, String, Vec<(u32, String)>) {
    let mut seq = Sequence(2026);
    let mut households = String::from(
        "hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,disaster_loss,\
         d_nutrition,d_child_mortality,d_schooling,d_attendance,d_cooking,d_sanitation,d_water,d_electricity,\
         d_housing,d_assets,d_health_ins,head_name,income_wage,income_business,income_property,income_transfer\n",
    );
    let mut member_rows =
        String::from("hh_id,seq,name,sex,birth_year,labour,disabled,chronically_ill,schooling,insured\n");
    let mut flagged = Vec::new();
    let mut n = 0;
    for (county, count) in COUNTIES {
        // The city district is better off than the Bijie and Qiandongnan counties.
        let typical = if county == 520102 { 21_000.0 } else { 12_500.0 };
        for i in 1..=count {
            n += 1;
            let id = format!("DEMO-{county}-{i:04}");
            let village = u64::from(county) * 1_000_000 + seq.between(1, 4) as u64 * 1000 + seq.between(1, 8) as u64;
            let people = members(&mut seq, year);
            let size = people.len();
            let labour = people.iter().filter(|m| m.labour != "none").count();
            let income_pc = (typical * (0.55 * seq.normal()).exp()).round();
            let income_prev = (income_pc / (1.0 + 0.05 + 0.15 * seq.normal()).max(0.5)).round();
            let medical = if seq.chance(0.05) { seq.between(15_000, 60_000) } else { seq.between(0, 3_000) };
            let education = if people.iter().any(|m| m.schooling == "beyond") { seq.between(2_000, 9_000) } else { 0 };
            let disaster = if seq.chance(0.03) { seq.between(5_000, 40_000) } else { 0 };
            let out_of_school = people.iter().any(|m| m.schooling == "out_of_school");
            let uninsured = people.iter().any(|m| !m.insured);
            let flags = [
                seq.chance(0.03),
                seq.chance(0.01),
                seq.chance(0.06),
                out_of_school,
                seq.chance(0.08),
                seq.chance(0.07),
                seq.chance(0.015),
                seq.chance(0.005),
                seq.chance(0.02),
                seq.chance(0.06),
                uninsured,
            ];
            let total = income_pc * size as f64;
            let wage = (total * 0.55).round();
            let business = (total * 0.18).round();
            let property = (total * 0.03).round();
            let transfer = total - wage - business - property;
            let flags: Vec<&str> = flags.iter().map(|f| if *f { "1" } else { "0" }).collect();
            let _ = writeln!(
                households,
                "{id},{village},{size},{labour},{income_pc},{income_prev},{medical},{education},{disaster},{},示例户{n},{wage},{business},{property},{transfer}",
                flags.join(",")
            );
            for (k, m) in people.iter().enumerate() {
                let sex = if m.female { "female" } else { "male" };
                let _ = writeln!(
                    member_rows,
                    "{id},{},示例成员{n}-{},{sex},{},{},{},{},{},{}",
                    k + 1,
                    k + 1,
                    m.birth_year,
                    m.labour,
                    u8::from(m.disabled),
                    u8::from(m.ill),
                    m.schooling,
                    u8::from(m.insured)
                );
            }
            if income_pc < LINE || medical > 30_000 || disaster > 20_000 {
                flagged.push((county, id));
            }
        }
    }
    (households, member_rows, flagged)
}

/// Loads the examples, acting as the demo users (see [`super::USERS`]),
/// unless the registry already holds households. `today` dates the cases.
pub async fn load_examples(app: &App, today: Date, now: i64) -> AppResult<Examples> {
    if app.store().household_count().await? > 0 {
        return Ok(Examples::default());
    }
    let dir = tempfile::tempdir().map_err(|e| anyhow::anyhow!("cannot create a temporary directory: {e}"))?;
    let write = |name: &str, text: &str| -> AppResult<std::path::PathBuf> {
        let path = dir.path().join(name);
        std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("cannot write {name}: {e}"))?;
        Ok(path)
    };
    let origin = Origin { now, request_id: None, client_addr: Some("demo".into()) };
    let admin = app.actor_named("admin").await?;
    let by = ChangeBy::new(&admin, &origin);
    let import = FileImport { by, within: Jurisdiction::everywhere(), ..Default::default() };
    let (households, members, flagged) = registry_files(today.year());
    let households = app.import_households(&write("demo_registry.csv", &households)?, &import).await?;
    let members = app.import_household_members(&write("demo_members.csv", &members)?, &import, today.year()).await?;
    let cases = open_cases(app, &flagged, today, &origin).await?;
    let plan = sample_plan(app, dir.path(), today, &origin).await?;
    let specs = save_example_specs(app, &origin).await?;
    let agreements = super::eco::load(app, dir.path(), &origin).await?;
    let deliveries = super::pairing::load(app, dir.path(), &origin).await?;
    let disaster = Some(super::disaster::load(app, dir.path(), &origin).await?);
    let subsidence_areas = super::subsidence::load(app, dir.path(), &origin).await?;
    let resettlement_sites = super::relocation::load(app, dir.path(), &origin).await?;
    let sae_counties = super::sae::load(app, dir.path(), &origin).await?;
    Ok(Examples {
        resettlement_sites,
        subsidence_areas,
        sae_counties,
        disaster,
        deliveries,
        agreements,
        specs,
        households: households.records_written as usize,
        members: members.records_written as usize,
        cases,
        plan: Some(plan),
    })
}

/// Cases for some flagged households, at every step of the procedure: a
/// few identified long ago (overdue for verification), others verified,
/// appraised, approved with a measure, assisted.
async fn open_cases(app: &App, flagged: &[(u32, String)], today: Date, origin: &Origin) -> AppResult<usize> {
    let everywhere = Jurisdiction::everywhere();
    let actor = CaseActor { name: "admin", within: &everywhere, origin };
    let day = |ago: i64| Date::from_days_since_epoch(today.days_since_epoch() - ago);
    let mut opened = 0;
    // Six cases in each county, one at each stage.
    let chosen = COUNTIES.iter().flat_map(|(county, _)| flagged.iter().filter(move |(c, _)| c == county).take(6));
    for (k, (_, id)) in chosen.enumerate() {
        let category = Category::ALL[k % Category::ALL.len()];
        let channel = Channel::ALL[k % Channel::ALL.len()];
        let case = app.open_case(&actor, id, category, channel, day(60), Some("示例：数据比对预警".into())).await?;
        opened += 1;
        // How far this case has come: 0 stays identified (overdue), 5 is assisted.
        let stage = k % 6;
        let mut version = 0;
        let mut step = |to: Step, on: i64, notice_end: Option<i64>| Move {
            to,
            on: day(on),
            version: {
                version += 1;
                version
            },
            evidence: Some("示例".into()),
            notice_end: notice_end.map(day),
        };
        let moves = [
            (Step::Verified, 52, None),
            (Step::Consented, 48, None),
            (Step::Appraised, 44, Some(38)),
            (Step::Approved, 36, None),
        ];
        for (to, on, notice) in moves.into_iter().take(stage.min(4)) {
            app.move_case(&actor, case, &step(to, on, notice)).await?;
        }
        if stage >= 4 {
            let measure = Measure {
                kind: MeasureKind::ALL[k % MeasureKind::ALL.len()],
                description: "示例帮扶措施".into(),
                amount: 2000.0 + 500.0 * (k % 7) as f64,
                start: day(34),
                end: None,
                actor: String::new(),
                at: 0,
            };
            app.record_measure(&actor, case, &measure).await?;
        }
        if stage == 5 {
            app.move_case(&actor, case, &step(Step::Assisted, 30, None)).await?;
        }
    }
    Ok(opened)
}

/// The example specs of `data/specs`, saved by the provincial planner.
async fn save_example_specs(app: &App, origin: &Origin) -> AppResult<usize> {
    use crate::specs::SpecKind;
    const SPECS: [(SpecKind, &str); 4] = [
        (SpecKind::Designation, include_str!("../../../../data/specs/education-lag-arc.json")),
        (SpecKind::Designation, include_str!("../../../../data/specs/education-lag-rule.json")),
        (SpecKind::Allocation, include_str!("../../../../data/specs/fund-factor-method.json")),
        (SpecKind::Designation, include_str!("../../../../data/specs/resource-city-types.json")),
    ];
    let planner = app.actor_named("gz_planner").await?;
    for (kind, spec) in SPECS {
        let name = serde_json::from_str::<serde_json::Value>(spec)
            .ok()
            .and_then(|v| v["name"].as_str().map(str::to_string))
            .unwrap_or_else(|| "example".into());
        app.save_spec(&planner, kind, &name, spec, Some("shipped example (data/specs)"), origin).await?;
    }
    Ok(SPECS.len())
}

/// A county's consolidation plan with goals, targets and projects.
async fn sample_plan(app: &App, dir: &Path, today: Date, origin: &Origin) -> AppResult<i64> {
    let planner = app.actor_named("gz_planner").await?;
    let county = app.parse_region_code("520502")?;
    let year = today.year();
    let draft = PlanDraft {
        title: "七星关区巩固拓展脱贫攻坚成果规划（示例）".into(),
        kind: PlanKind::ALL[0],
        region: county.clone(),
        scope: PlanScope::Subtree(county.clone()),
        start_year: year - 1,
        end_year: year + 3,
        office: "七星关区乡村振兴局（示例）".into(),
    };
    let plan = app.create_plan(&planner, &draft, origin).await?;
    let chapter = app.add_goal(&planner, plan, None, "巩固脱贫成果", origin).await?;
    let goal = app.add_goal(&planner, plan, Some(chapter), "提高受教育水平", origin).await?;
    let indicator = revita_methods::IndicatorCode::parse("avg_years_schooling_15plus")
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let target = PlanTarget {
        id: 0,
        goal_id: goal,
        indicator,
        region: Some(county.clone()),
        target: Target {
            baseline_year: 2020,
            baseline: 8.2,
            target_year: year + 3,
            target: 9.0,
            binding: true,
            intermediate: Vec::new(),
        },
    };
    app.add_target(&planner, plan, &target, origin).await?;
    let start = |months: i32| format!("{}-{:02}-01", year - 1 + (months / 12), months % 12 + 1);
    let mut projects = revita_ingest::records::project_columns().join(",");
    projects.push('\n');
    for (k, (code, name, category, percent)) in [
        ("QXG-01", "易地搬迁安置点配套学校（示例）", "public_services", 60),
        ("QXG-02", "产业路硬化（示例）", "infrastructure", 100),
        ("QXG-03", "食用菌产业园（示例）", "industry", 35),
        ("QXG-04", "农村饮水安全巩固（示例）", "infrastructure", 10),
    ]
    .into_iter()
    .enumerate()
    {
        let status = if percent == 100 { "completed" } else { "underway" };
        let budget = 400 + 300 * k;
        let _ = writeln!(
            projects,
            "{code},{name},{category},520502,,,{},{},{status},{percent},{goal},{budget},{},0,{},0,0",
            start(k as i32 * 3),
            start(k as i32 * 3 + 18),
            budget / 2,
            budget / 4
        );
    }
    let path = dir.join("demo_projects.csv");
    std::fs::write(&path, projects).map_err(|e| anyhow::anyhow!("cannot write demo projects: {e}"))?;
    app.import_projects(&planner, plan, &path, false, origin).await?;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_are_the_same_every_time_and_consistent() {
        let (households, members, flagged) = registry_files(2026);
        assert_eq!(registry_files(2026).0, households, "a fixed sequence");
        assert_eq!(households.lines().count(), 3001);
        assert!(households.lines().skip(1).all(|l| l.starts_with("DEMO-")));
        // Each household's size is its number of members.
        let listed = members.lines().skip(1).count();
        let sizes: usize =
            households.lines().skip(1).map(|l| l.split(',').nth(2).unwrap().parse::<usize>().unwrap()).sum();
        assert_eq!(listed, sizes);
        // Some, not most, fall below the line or face a shock.
        assert!((100..1500).contains(&flagged.len()), "{}", flagged.len());
    }
}
