use super::*;

fn day(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn code(text: &str) -> RegionCode {
    RegionCode::parse(text).unwrap()
}

#[test]
fn the_nearest_line_for_the_year_applies() {
    let line =
        |region: &str, year, amount| MonitoringLine { region: code(region), year, amount, rule: LineRule::Fixed };
    // 2021: 6,000 nationally (1.5 × the 4,000 standard); from 2022 provinces
    // set their own (Guizhou 6,600 as an example), and a county may go higher.
    let lines = [
        MonitoringLine { rule: LineRule::PovertyStandardMultiple(1.5), ..line("000000", 2021, 6000.0) },
        line("000000", 2022, 6600.0),
        line("520000", 2022, 6900.0),
        line("520102", 2022, 7200.0),
    ];
    let nanming = [code("520102"), code("520100"), code("520000"), code("000000")];
    let yunyan = [code("520103"), code("520100"), code("520000"), code("000000")];
    assert_eq!(applicable_line(&lines, 2021, &nanming).unwrap().amount, 6000.0);
    assert_eq!(applicable_line(&lines, 2022, &nanming).unwrap().amount, 7200.0);
    assert_eq!(applicable_line(&lines, 2022, &yunyan).unwrap().amount, 6900.0);
    assert_eq!(applicable_line(&lines, 2023, &yunyan), None);
}

#[test]
fn the_procedure_runs_in_order() {
    assert_eq!(check_move(Step::Identified, Step::Verified), Ok(()));
    assert_eq!(check_move(Step::Assisted, Step::KeptUnderMonitoring), Ok(()));
    assert_eq!(check_move(Step::KeptUnderMonitoring, Step::Assisted), Ok(()));
    let skipped = check_move(Step::Identified, Step::Approved).unwrap_err();
    assert_eq!(skipped.to_string(), "a case at 'identified' cannot move to 'approved' (next: verified)");
    assert!(check_move(Step::RiskEliminated, Step::Assisted).is_err(), "an ended case stays ended");
    for step in Step::ALL {
        assert_eq!(Step::parse(step.as_str()), Some(step));
    }
}

#[test]
fn approval_waits_for_the_notice_to_end() {
    // A notice running 5–11 March: approval from the 12th.
    assert!(check_notice_over(day("2024-03-11"), day("2024-03-11")).is_err());
    assert_eq!(check_notice_over(day("2024-03-11"), day("2024-03-12")), Ok(()));
}

const ABLE: ExitConditions = ExitConditions { has_labour: true, expenditure_resolved: true, guarantees_secured: true };

/// Line 7,000. Checks: Jan 6,500 (below), Mar 7,400, Jun 7,600, Sep 7,800.
/// On 1 Sep the six-month window starts 1 Mar: the anchor is the Mar check
/// (7,400 > 7,000) and every check since is above: exit allowed. On 15 Aug
/// the window starts 15 Feb and the last check on or before it is Jan's
/// 6,500: not yet.
#[test]
fn six_months_above_the_line_allow_the_exit() {
    let checks = [
        IncomeCheck { on: day("2024-01-10"), income_pc: 6500.0 },
        IncomeCheck { on: day("2024-03-01"), income_pc: 7400.0 },
        IncomeCheck { on: day("2024-06-01"), income_pc: 7600.0 },
        IncomeCheck { on: day("2024-09-01"), income_pc: 7800.0 },
    ];
    assert_eq!(check_exit(&checks, 7000.0, ABLE, day("2024-09-01")), Ok(()));
    let early = check_exit(&checks, 7000.0, ABLE, day("2024-08-15")).unwrap_err();
    assert!(early.to_string().contains("6500") && early.to_string().contains("2024-01-10"), "{early}");
    // A dip inside the window restarts the clock.
    let dipped = [checks[1], IncomeCheck { on: day("2024-07-01"), income_pc: 6900.0 }, checks[3]];
    assert!(check_exit(&dipped, 7000.0, ABLE, day("2024-09-01")).is_err());
    // Exactly on the line is not above it.
    let on_line = [IncomeCheck { on: day("2024-03-01"), income_pc: 7000.0 }];
    assert!(check_exit(&on_line, 7000.0, ABLE, day("2024-09-01")).is_err());
    // No check old enough: stability is not observed yet.
    let recent = [checks[2], checks[3]];
    assert!(check_exit(&recent, 7000.0, ABLE, day("2024-09-01")).unwrap_err().to_string().contains("no income check"));
}

#[test]
fn no_exit_without_labour_or_with_open_gaps() {
    let checks = [IncomeCheck { on: day("2024-01-01"), income_pc: 9000.0 }];
    let today = day("2024-09-01");
    let no_labour = ExitConditions { has_labour: false, ..ABLE };
    assert!(check_exit(&checks, 7000.0, no_labour, today).unwrap_err().to_string().contains("labour"));
    let gaps = ExitConditions { guarantees_secured: false, ..ABLE };
    assert!(check_exit(&checks, 7000.0, gaps, today).unwrap_err().to_string().contains("guarantees"));
    let bills = ExitConditions { expenditure_resolved: false, ..ABLE };
    assert!(check_exit(&checks, 7000.0, bills, today).unwrap_err().to_string().contains("expenditure"));
}

#[test]
fn six_months_back_clamps_to_the_month_end() {
    assert_eq!(months_before(day("2024-08-31"), 6), day("2024-02-29"));
    assert_eq!(months_before(day("2024-03-15"), 6), day("2023-09-15"));
    assert_eq!(months_before(day("2024-01-31"), 1), day("2023-12-31"));
}

/// Identified on 1 March with a 15-day limit for verification: due 16
/// March; on 20 March 4 days late; on 16 March not yet late.
#[test]
fn overdue_steps_are_counted_in_days() {
    let limits = [TimeLimit { step: Step::Verified, days: 15 }, TimeLimit { step: Step::Approved, days: 10 }];
    let late = overdue(Step::Identified, day("2024-03-01"), &limits, day("2024-03-20")).unwrap();
    assert_eq!(late, Overdue { step: Step::Verified, due: day("2024-03-16"), days_late: 4 });
    assert_eq!(overdue(Step::Identified, day("2024-03-01"), &limits, day("2024-03-16")), None);
    // No limit on consent: never overdue.
    assert_eq!(overdue(Step::Verified, day("2024-03-01"), &limits, day("2025-01-01")), None);
}

/// The default limits: consent within a week of verification, assistance
/// within a month of approval (both the web page and the CLI use them).
#[test]
fn the_default_limits_give_consent_a_week_and_assistance_a_month() {
    let consent = overdue(Step::Verified, day("2024-03-01"), &DEFAULT_TIME_LIMITS, day("2024-03-10")).unwrap();
    assert_eq!(consent, Overdue { step: Step::Consented, due: day("2024-03-08"), days_late: 2 });
    let assisted = overdue(Step::Approved, day("2024-03-01"), &DEFAULT_TIME_LIMITS, day("2024-03-31"));
    assert_eq!(assisted, None, "due on 31 March, not yet late");
    let late = overdue(Step::Approved, day("2024-03-01"), &DEFAULT_TIME_LIMITS, day("2024-04-01")).unwrap();
    assert_eq!((late.step, late.days_late), (Step::Assisted, 1));
}

#[test]
fn line_rules_read_back_from_their_parts() {
    for rule in [LineRule::Fixed, LineRule::PovertyStandardMultiple(1.5), LineRule::DibaoMultiple(2.0)] {
        let (keyword, multiple) = rule.parts();
        assert_eq!(LineRule::from_parts(keyword, multiple), Ok(rule));
    }
    assert_eq!(LineRule::from_parts("dibao", None), Err(LineError::NoMultiple("dibao".into())));
    assert!(LineError::NoMultiple("dibao".into()).to_string().contains("multiple"));
    assert_eq!(LineRule::from_parts("weekly", None), Err(LineError::UnknownRule("weekly".into())));
    let line = MonitoringLine { region: code("000000"), year: 2021, amount: 0.0, rule: LineRule::Fixed };
    assert!(line.validate().is_err());
}

#[test]
fn identifiers_are_masked_in_lists() {
    assert_eq!(mask_name("张三丰"), "张**");
    assert_eq!(mask_name(""), "");
    assert_eq!(mask_middle("520102199001011234", 6, 4), "520102********1234");
    assert_eq!(mask_middle("13812345678", 3, 4), "138****5678");
    assert_eq!(mask_middle("123", 3, 4), "***", "too short to show anything");
    let h = RegisteredHousehold {
        income_sources: None,
        relocation_site: None,
        id: "H1".into(),
        household: Household::default(),
        head_name: Some("王五".into()),
        id_number: Some("520102199001011234".into()),
        phone: None,
    };
    let masked = h.masked();
    assert_eq!((masked.head_name.as_deref(), masked.id_number.as_deref()), (Some("王*"), Some("520102********1234")));
    assert_eq!(masked.household, h.household);
}

#[test]
fn a_registry_record_shows_the_exit_conditions() {
    use crate::screening::Deprivation;
    // 3 people, 1 working, income 9,000: half is 13,500, spending 2,000.
    let h = Household {
        village_code: 520_102_001_001,
        size: 3,
        labor: 1,
        income_pc: 9000.0,
        income_pc_prev: 8000.0,
        medical_exp: 2000.0,
        ..Household::default()
    };
    assert_eq!(
        exit_conditions(&h, 7600.0),
        ExitConditions { has_labour: true, expenditure_resolved: true, guarantees_secured: true }
    );
    let unsafe_housing = Household { deprived: Deprivation::Housing.bit(), labor: 0, medical_exp: 20_000.0, ..h };
    assert_eq!(
        exit_conditions(&unsafe_housing, 7600.0),
        ExitConditions { has_labour: false, expenditure_resolved: false, guarantees_secured: false }
    );
    for c in Category::ALL {
        assert_eq!(Category::parse(c.as_str()), Some(c));
    }
    for c in Channel::ALL {
        assert_eq!(Channel::parse(c.as_str()), Some(c));
    }
}

/// Flagged rate 12% (2023) → 18.5% (2024): +6.5 points ≥ 5, an alert; from
/// 2022's 20% the series fell first, but only the two latest years count.
#[test]
fn a_rise_between_the_two_latest_years_alerts() {
    let series = [(2024, 18.5), (2022, 20.0), (2023, 12.0)];
    assert_eq!(rise(&series, 5.0), Some(Rise { from: (2023, 12.0), to: (2024, 18.5) }));
    assert_eq!(rise(&series, 7.0), None);
    assert_eq!(rise(&[(2024, 50.0)], 1.0), None);
    assert_eq!(
        rise(&[(2023, 10.0), (2024, 15.0)], 5.0).map(|r| r.to.1),
        Some(15.0),
        "a rise of exactly the threshold counts"
    );
}

#[test]
fn measures_follow_approval_and_assisted_needs_one() {
    assert!(!measures_allowed(Step::Consented));
    assert!(measures_allowed(Step::Approved) && measures_allowed(Step::KeptUnderMonitoring));
    assert_eq!(check_assisted(0), Err(WorkflowError::NoMeasure));
    assert_eq!(check_assisted(2), Ok(()));
    let day = |t: &str| Date::parse(t).unwrap();
    let measure = Measure {
        kind: MeasureKind::Employment,
        description: "公益性岗位".into(),
        amount: 6000.0,
        start: day("2024-05-01"),
        end: Some(day("2024-12-31")),
        actor: "clerk".into(),
        at: 0,
    };
    assert_eq!(measure.check(), Ok(()));
    assert!(
        Measure { end: Some(day("2024-04-01")), ..measure.clone() }
            .check()
            .unwrap_err()
            .to_string()
            .contains("before it starts")
    );
    assert!(Measure { amount: -1.0, ..measure }.check().is_err());
    assert_eq!(MeasureKind::parse("social_security"), Some(MeasureKind::SocialSecurity));
}
