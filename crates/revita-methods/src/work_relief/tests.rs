//! Hand-checked cases for work-relief (methods.md §3): which rule a batch
//! is held to, the share at and just below the line, every alert, masking,
//! and the dashboard's totals.

use super::*;

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

#[test]
fn each_year_and_batch_gets_its_rule() {
    let rules = default_rules();
    let share = |year, batch| rule_for(&rules, year, batch).map(|r| r.min_share);
    assert_eq!(share(2021, "第一批"), Some(0.15));
    assert_eq!(share(2022, "第一批"), Some(0.30));
    assert_eq!(share(2025, "第二批"), Some(0.30));
    // The 2025 extra batch, in Chinese or English; the same name in 2024 is an ordinary batch.
    assert_eq!(share(2025, "2025年加力扩围批次"), Some(0.40));
    assert_eq!(share(2025, "Extra batch"), Some(0.40));
    assert_eq!(share(2024, "加力扩围"), Some(0.30));
    assert_eq!(share(1900, "any"), None);
}

#[test]
fn a_newer_version_of_a_key_replaces_it_and_a_narrower_range_wins() {
    let mut rules = default_rules();
    rules.push(RemunerationRule {
        from_year: 2022,
        to_year: None,
        batch_pattern: "*".into(),
        min_share: 0.35,
        version: 2,
    });
    assert_eq!(rule_for(&rules, 2023, "x").map(|r| (r.min_share, r.version)), Some((0.35, 2)));
    rules.push(RemunerationRule {
        from_year: 2024,
        to_year: Some(2024),
        batch_pattern: "*".into(),
        min_share: 0.32,
        version: 1,
    });
    assert_eq!(rule_for(&rules, 2024, "x").map(|r| r.min_share), Some(0.32));
    assert_eq!(rule_for(&rules, 2025, "extra").map(|r| r.min_share), Some(0.40));
}

#[test]
fn rules_a_planner_adds_are_checked() {
    let ok = RemunerationRule {
        from_year: 2026,
        to_year: Some(2026),
        batch_pattern: "特别".into(),
        min_share: 0.5,
        version: 1,
    };
    assert_eq!(check_rule(&ok), Ok(()));
    assert_eq!(check_rule(&RemunerationRule { min_share: 1.2, ..ok.clone() }), Err(RuleError::Share));
    assert_eq!(check_rule(&RemunerationRule { to_year: Some(2020), ..ok.clone() }), Err(RuleError::Years));
    assert_eq!(check_rule(&RemunerationRule { batch_pattern: " | ".into(), ..ok }), Err(RuleError::Pattern));
}

#[test]
fn a_share_of_29_9_percent_misses_30_and_30_0_meets_it() {
    let rule = &default_rules()[1];
    let money =
        |planned, paid| ProjectMoney { central: 1_000_000.0, remuneration_planned: planned, remuneration_paid: paid };
    let [planned, paid] = remuneration_shares(&money(299_000.0, 300_000.0), rule);
    assert_eq!((planned.share, planned.meets), (Some(0.299), false));
    assert_eq!((paid.share, paid.meets), (Some(0.3), true));
    // 0.1 + 0.2 of a central amount of 1: rounding is no shortfall against 0.3.
    let tiny = ProjectMoney { central: 1.0, remuneration_planned: 0.1 + 0.2, remuneration_paid: 0.0 };
    assert!(remuneration_shares(&tiny, rule)[0].meets);
    let none = ProjectMoney { central: 0.0, remuneration_planned: 0.0, remuneration_paid: 0.0 };
    assert!(remuneration_shares(&none, rule).iter().all(|c| c.meets && c.share.is_none()));
}

#[test]
fn account_references_keep_their_last_four_characters() {
    assert_eq!(mask_account("6222 0212 3456 1234"), "****1234");
    assert_eq!(mask_account("12"), "****12");
    assert_eq!(mask_account("农商行卡尾号五六七八"), "****五六七八");
    assert_eq!(mask_account(""), "****");
}

fn project() -> ProjectFacts {
    let worker = |id: &str, category| RosterWorker { worker_id: id.into(), category };
    let pay = |id: &str, amount, on: &str| WagePayment { worker_id: id.into(), amount, paid_on: date(on) };
    ProjectFacts {
        year: 2023,
        batch: "第一批".into(),
        money: ProjectMoney { central: 1_000_000.0, remuneration_planned: 299_000.0, remuneration_paid: 200_000.0 },
        end: Some(date("2024-06-30")),
        accepted: None,
        roster: vec![worker("W1", WorkerCategory::PovertyExited), worker("W2", WorkerCategory::MonitoringObject)],
        payments: vec![pay("W1", 150_000.0, "2024-07-15"), pay("X9", 50_000.0, "2024-05-31")],
    }
}

#[test]
fn every_alert_of_a_project_is_raised() {
    let alerts = project_alerts(&project(), &default_rules(), date("2024-08-20"), &AlertOptions::default());
    assert_eq!(alerts.len(), 6, "{alerts:?}");
    // Planned 29.9% and paid 20% both below 30%.
    assert!(matches!(&alerts[0], ReliefAlert::ShareBelowRule(c) if c.basis == Basis::Planned));
    assert!(matches!(&alerts[1], ReliefAlert::ShareBelowRule(c) if c.basis == Basis::Paid && c.share == Some(0.2)));
    // 99,000 outstanding; the last payment (15 Jul) is later than the end (30 Jun): 36 days > 30.
    assert_eq!(alerts[2], ReliefAlert::WagesUnpaid { outstanding: 99_000.0, days: 36, since: date("2024-07-15") });
    assert_eq!(alerts[3], ReliefAlert::NeverPaid(vec!["W2".into()]));
    assert_eq!(alerts[4], ReliefAlert::PaidOffRoster(vec!["X9".into()]));
    assert_eq!(alerts[5], ReliefAlert::BehindSchedule { end: date("2024-06-30"), days: 51 });
}

#[test]
fn a_project_in_order_raises_nothing() {
    let mut p = project();
    p.money.remuneration_planned = 300_000.0;
    p.money.remuneration_paid = 300_000.0;
    p.roster.push(RosterWorker { worker_id: "X9".into(), category: WorkerCategory::ReturningMigrant });
    p.payments.push(WagePayment { worker_id: "W2".into(), amount: 100_000.0, paid_on: date("2024-07-20") });
    p.accepted = Some(date("2024-08-01"));
    assert_eq!(project_alerts(&p, &default_rules(), date("2024-12-31"), &AlertOptions::default()), vec![]);
}

#[test]
fn unpaid_wages_wait_for_the_allowed_days() {
    let mut p = project();
    p.payments.clear();
    p.roster.clear();
    p.accepted = Some(date("2024-07-01"));
    p.money.remuneration_planned = 300_000.0;
    let unpaid = |today: &str, days| {
        project_alerts(&p, &default_rules(), date(today), &AlertOptions { unpaid_days: days })
            .into_iter()
            .filter(|a| matches!(a, ReliefAlert::WagesUnpaid { .. }))
            .count()
    };
    // End 30 Jun + 30 days = 30 Jul: not yet; 31 Jul: 31 days.
    assert_eq!(unpaid("2024-07-30", 30), 0);
    assert_eq!(unpaid("2024-07-31", 30), 1);
    assert_eq!(unpaid("2024-07-31", 60), 0);
}

#[test]
fn a_project_of_a_year_without_a_rule_says_so() {
    let mut p = project();
    p.year = 1950;
    assert_eq!(
        project_alerts(&p, &default_rules(), date("2024-01-01"), &AlertOptions::default())[0],
        ReliefAlert::NoRule
    );
}

#[test]
fn totals_add_up_by_group() {
    let input = |central, planned, paid, workers: &[(WorkerCategory, i64)]| ProjectTotalsInput {
        total_investment: central * 2.0,
        money: ProjectMoney { central, remuneration_planned: planned, remuneration_paid: paid },
        workers: workers.iter().copied().collect(),
    };
    use WorkerCategory::*;
    let projects = [
        ("520102", input(1_000_000.0, 300_000.0, 240_000.0, &[(PovertyExited, 10), (ReturningMigrant, 2)])),
        ("520102", input(500_000.0, 200_000.0, 120_000.0, &[(PovertyExited, 3)])),
        ("520103", input(0.0, 0.0, 0.0, &[])),
    ];
    let totals = totals_by(&projects, |p| &p.1, |p| p.0);
    let t = &totals["520102"];
    assert_eq!((t.projects, t.central, t.total_investment), (2, 1_500_000.0, 3_000_000.0));
    // 500,000 / 1,500,000 planned; 360,000 / 1,500,000 paid = 24%; 15 workers, 24,000 each.
    assert_eq!(t.planned_share(), Some(1.0 / 3.0));
    assert_eq!(t.paid_share(), Some(0.24));
    assert_eq!((t.worker_count(), t.workers[&PovertyExited]), (15, 13));
    assert_eq!(t.average_pay(), Some(24_000.0));
    assert_eq!((totals["520103"].paid_share(), totals["520103"].average_pay()), (None, None));
}
