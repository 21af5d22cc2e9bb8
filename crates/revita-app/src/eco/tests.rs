//! Settlement over samples, hand-checked; the agreement's checks.

use revita_store::eco::StoredSample;

use super::*;

const PAIR: &str = r#"{
    "name": "新安江 test", "upstream": "安徽", "downstream": "浙江", "section": "街口",
    "rounds": [{
        "name": "1", "from": 2012, "to": 2020, "k0": 0.85, "amount": 100000000,
        "indicators": [
            {"code": "codmn", "weight": 0.25, "limit": 2.0}, {"code": "nh3n", "weight": 0.25, "limit": 0.1},
            {"code": "tn", "weight": 0.25, "limit": 1.0}, {"code": "tp", "weight": 0.25, "limit": 0.02}
        ]
    }]
}"#;

fn sample(
    section: &str,
    on: &str,
    indicator: &str,
    up: f64,
    down: f64,
    reserve: Option<f64>,
) -> (String, StoredSample) {
    let s = StoredSample {
        section: section.into(),
        sampled_on: on.into(),
        indicator: indicator.into(),
        upstream: up,
        downstream: down,
        reserve,
        lab: None,
        valid: true,
    };
    (format!("{on} {section}"), s)
}

#[test]
fn a_year_is_settled_from_its_joint_samples() {
    // codmn: 1.5/1.7 disagree by 12.5% → reserve 1.6; 1.6/1.6 → 1.6.
    // nh3n 0.1; tn 1.2; tp 0.02. Ratios 0.8, 1, 1.2, 1 average 1; × 0.85 =
    // 0.85 ≤ 1: downstream (浙江) pays upstream (安徽). Another section and
    // another year are left out; a disputed sample without a reserve is
    // listed; a void one counted as void.
    let mut samples = vec![
        sample("街口", "2020-01-05", "codmn", 1.5, 1.7, Some(1.6)),
        sample("街口", "2020-02-05", "codmn", 1.6, 1.6, None),
        sample("街口", "2020-01-05", "nh3n", 0.1, 0.1, None),
        sample("街口", "2020-01-05", "tn", 1.2, 1.2, None),
        sample("街口", "2020-01-05", "tp", 0.02, 0.02, None),
        sample("街口", "2020-03-05", "tp", 0.01, 0.05, None),
        sample("鸠坑口", "2020-01-05", "tp", 0.9, 0.9, None),
        sample("街口", "2019-01-05", "tp", 0.9, 0.9, None),
    ];
    let mut void = sample("街口", "2020-04-05", "tp", 0.9, 0.9, None);
    void.1.valid = false;
    samples.push(void);
    let agreement = BasinAgreement::from_json(PAIR).unwrap();
    let s = settle(&agreement, 2020, &samples).unwrap();
    let section = &s.sections[0];
    assert_eq!(section.samples, [2, 1, 1, 1]);
    assert!((section.p - 0.85).abs() < 1e-9, "{}", section.p);
    assert!(section.met && !section.alert);
    assert_eq!((s.reserves, s.void, s.disputed.len()), (1, 1, 1));
    let paid = &s.transfers[0];
    assert_eq!((paid.payer.as_str(), paid.payee.as_str(), paid.amount), ("浙江", "安徽", 1e8));
    // No round covers 2030.
    assert_eq!(settle(&agreement, 2030, &samples), Err(SettleError::NoRound(2030)));
}

#[test]
fn p_exactly_one_is_met_and_above_one_reverses_the_payment() {
    // tp at 0.02/0.85 ≈ 0.0235 with the others at their limits × 1/0.85:
    // every ratio 1/0.85, P = 0.85 × 1/0.85 = 1 exactly — met.
    let agreement = BasinAgreement::from_json(PAIR).unwrap();
    let at = |factor: f64| {
        let s: Vec<_> = [("codmn", 2.0), ("nh3n", 0.1), ("tn", 1.0), ("tp", 0.02)]
            .iter()
            .map(|(i, limit)| sample("街口", "2020-06-01", i, limit * factor / 0.85, limit * factor / 0.85, None))
            .collect();
        settle(&agreement, 2020, &s).unwrap()
    };
    let one = at(1.0);
    assert!((one.sections[0].p - 1.0).abs() < 1e-12 && one.sections[0].met && one.sections[0].alert);
    assert_eq!(one.transfers[0].payer, "浙江");
    let above = at(1.01);
    assert!(!above.sections[0].met);
    assert_eq!((above.transfers[0].payer.as_str(), above.transfers[0].payee.as_str()), ("安徽", "浙江"));
}

#[test]
fn segments_settle_section_by_section() {
    // The Chishui example: 清水铺 fails (P = 1.2), 鲢鱼溪 passes (P = 0.5):
    // 云南 pays 0.6 亿 half to 贵州, half to 四川; 贵州 pays nothing.
    let agreement = BasinAgreement::from_json(CHISHUI_EXAMPLE).unwrap();
    let mut samples = Vec::new();
    for (section, factor) in [("清水铺", 1.2), ("鲢鱼溪", 0.5)] {
        for (i, limit) in [("codmn", 4.0), ("nh3n", 0.5), ("tp", 0.1)] {
            samples.push(sample(section, "2019-05-01", i, limit * factor, limit * factor, None));
        }
    }
    let s = settle(&agreement, 2019, &samples).unwrap();
    assert!((s.sections[0].p - 1.2).abs() < 1e-9 && !s.sections[0].met);
    assert!(s.sections[1].met);
    let flows: Vec<(&str, &str, f64)> =
        s.transfers.iter().map(|t| (t.payer.as_str(), t.payee.as_str(), t.amount)).collect();
    assert_eq!(flows, [("云南省", "四川省", 3e7), ("云南省", "贵州省", 3e7)]);
}

#[test]
fn agreements_that_cannot_settle_are_refused() {
    for (from, to, why) in [
        ("0.85", "0", "k0"),
        ("\"k0\"", "\"kk\"", "unknown field"),
        ("\"nh3n\"", "\"codmn\"", "named twice"),
        ("\"weight\": 0.25, \"limit\": 0.02", "\"weight\": 0.35, \"limit\": 0.02", "sum to"),
        ("\"section\": \"街口\",", "", "either upstream"),
        ("\"to\": 2020", "\"to\": 2000", "years"),
    ] {
        let err = BasinAgreement::from_json(&PAIR.replace(from, to)).unwrap_err().to_string();
        assert!(err.contains(why), "{from} → {to}: {err}");
    }
    // Shipped examples are valid.
    BasinAgreement::from_json(XINAN_EXAMPLE).unwrap();
    EsvParameters::from_json(XIE_2015_DEFAULT).unwrap();
    assert!(EsvParameters::from_json(&XIE_2015_DEFAULT.replace("4600.89", "-1")).is_err());
}
