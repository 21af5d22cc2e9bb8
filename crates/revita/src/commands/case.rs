//! `revita case`: monitoring cases through the procedure.

use anyhow::Context;

use super::{acting, now, open, scope};
use crate::cli::{CaseAction, CaseArgs};

pub(super) async fn case(args: CaseArgs) -> anyhow::Result<()> {
    use revita_methods::monitoring::{Category, Channel, IncomeCheck, Step, TimeLimit};
    let date =
        |text: &str| revita_methods::Date::parse(text).with_context(|| format!("'{text}' is not a date (YYYY-MM-DD)"));
    let app = open(&args.db).await?;
    let acting_as = acting(&app, &args.db).await?;
    let within = scope(&app, &acting_as, revita_methods::access::Action::EditData).await?;
    let name = acting_as.as_ref().map_or("cli", |a| a.name.as_str());
    let origin = revita_app::auth::Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
    let actor = revita_app::cases::CaseActor { name, within: &within, origin: &origin };
    match args.action {
        CaseAction::Open { household, category, channel, on, evidence } => {
            let category =
                Category::parse(&category).context("--category is unstable_exited, marginal or sudden_difficulty")?;
            let channel =
                Channel::parse(&channel).context("--channel is self_declared, cadre_visit or data_screening")?;
            let id = app.open_case(&actor, &household, category, channel, date(&on)?, evidence).await?;
            outln!("case {id} opened for household {household}");
        }
        CaseAction::Move { id, to, on, case_version, evidence, notice_end } => {
            let to = Step::parse(&to).with_context(|| format!("'{to}' is not a step"))?;
            let step = revita_app::cases::Move {
                to,
                on: date(&on)?,
                version: case_version,
                evidence,
                notice_end: notice_end.as_deref().map(date).transpose()?,
            };
            let case = app.move_case(&actor, id, &step).await?;
            outln!("case {id} is at {} since {} (version {})", case.step.as_str(), case.step_since, case.version);
        }
        CaseAction::Measure { id, kind, description, amount, start, end } => {
            let kind = revita_methods::monitoring::MeasureKind::parse(&kind)
                .with_context(|| format!("'{kind}' is not a kind of assistance"))?;
            let measure = revita_methods::monitoring::Measure {
                kind,
                description,
                amount,
                start: date(&start)?,
                end: end.as_deref().map(date).transpose()?,
                actor: String::new(),
                at: 0,
            };
            app.record_measure(&actor, id, &measure).await?;
            outln!("measure recorded for case {id}");
        }
        CaseAction::Income { id, on, income } => {
            app.record_income_check(&actor, id, IncomeCheck { on: date(&on)?, income_pc: income }).await?;
            outln!("income check recorded for case {id}");
        }
        CaseAction::Show { id } => {
            let (case, events) = app.case_with_events(&actor, id).await?;
            outln!(
                "case {} household {} ({}, {}): {} since {}, version {}",
                case.id,
                case.household_id,
                case.category.as_str(),
                case.channel.as_str(),
                case.step.as_str(),
                case.step_since,
                case.version
            );
            for e in events {
                let notice = e.notice_end.map(|d| format!(", notice to {d}")).unwrap_or_default();
                outln!("  {} {} by {}{notice}: {}", e.on, e.step.as_str(), e.actor, e.evidence.unwrap_or_default());
            }
            for m in app.case_measures(&actor, id).await? {
                let end = m.end.map(|d| d.to_string()).unwrap_or_else(|| "open".into());
                outln!(
                    "  measure {} {} yuan {}–{end} by {}: {}",
                    m.kind.as_str(),
                    m.amount,
                    m.start,
                    m.actor,
                    m.description
                );
            }
        }
        CaseAction::Overdue { today, limits } => {
            let today = match today {
                Some(text) => date(&text)?,
                None => revita_methods::Date::from_days_since_epoch(now().div_euclid(86_400)),
            };
            // The same limits as the web page's unless others are given.
            let mut parsed = Vec::new();
            if limits.is_empty() {
                parsed.extend(revita_methods::monitoring::DEFAULT_TIME_LIMITS);
            }
            for limit in &limits {
                let (step, days) =
                    limit.split_once('=').with_context(|| format!("--limit '{limit}' is not STEP=DAYS"))?;
                let step = Step::parse(step).with_context(|| format!("'{step}' is not a step"))?;
                let days = days.trim().parse().with_context(|| format!("'{days}' is not a number of days"))?;
                parsed.push(TimeLimit { step, days });
            }
            for (case, late) in app.overdue_cases(&actor, today, &parsed).await? {
                outln!(
                    "case {} household {}: {} due {} ({} days late)",
                    case.id,
                    case.household_id,
                    late.step.as_str(),
                    late.due,
                    late.days_late
                );
            }
        }
    }
    Ok(())
}
