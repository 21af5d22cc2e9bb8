//! Hand-checked values for ecological compensation (methods.md §5).

use super::*;

fn xinan(weights: [f64; 4]) -> Vec<AssessedIndicator> {
    // Limits of a made-up baseline (mg/L), one per pollutant.
    let limits = [2.0, 0.1, 1.0, 0.02];
    ["codmn", "nh3n", "tn", "tp"]
        .iter()
        .zip(weights.iter().zip(limits))
        .map(|(code, (weight, limit))| AssessedIndicator { code: code.to_string(), weight: *weight, limit })
        .collect()
}

#[test]
fn the_index_with_equal_weights_is_k0_times_the_mean_ratio() {
    // Annual means 1.6, 0.1, 1.2, 0.02 → ratios 0.8, 1.0, 1.2, 1.0, mean
    // 1.0; with round 1's k0 = 0.85, P = 0.85: the standard is met and
    // Zhejiang (downstream) pays Anhui.
    let samples = vec![vec![1.5, 1.7], vec![0.1], vec![1.0, 1.4], vec![0.02, 0.02, 0.02]];
    let index = compensation_index(&xinan([0.25; 4]), &samples, 0.85).unwrap();
    assert_eq!(index.means, [1.6, 0.1, 1.2, 0.02]);
    let ratios: Vec<f64> = index.ratios.iter().map(|r| (r * 1e9).round() / 1e9).collect();
    assert_eq!(ratios, [0.8, 1.0, 1.2, 1.0]);
    assert!((index.p - 0.85).abs() < 1e-12, "{}", index.p);
    assert_eq!(index.direction, Direction::DownstreamPays);
}

#[test]
fn the_round_three_weights_move_p_with_nitrogen_and_phosphorus() {
    // Weights 0.22, 0.22, 0.28, 0.28 and k0 = 0.9 on ratios 0.8, 1.0, 1.5, 1.25:
    // Σ = 0.176 + 0.22 + 0.42 + 0.35 = 1.166; P = 0.9 × 1.166 = 1.0494 > 1:
    // Anhui (upstream) pays.
    let samples = vec![vec![1.6], vec![0.1], vec![1.5], vec![0.025]];
    let index = compensation_index(&xinan([0.22, 0.22, 0.28, 0.28]), &samples, 0.9).unwrap();
    assert!((index.p - 1.0494).abs() < 1e-9, "{}", index.p);
    assert_eq!(index.direction, Direction::UpstreamPays);
}

#[test]
fn p_of_exactly_one_meets_the_standard() {
    // Every ratio 1 and k0 = 1: P = 1, which is "P ≤ 1", even computed as
    // 0.1 + 0.2 + … rounding would make it a hair above.
    let samples = vec![vec![2.0], vec![0.1], vec![1.0], vec![0.02]];
    let index = compensation_index(&xinan([0.1, 0.2, 0.3, 0.4]), &samples, 1.0).unwrap();
    assert!((index.p - 1.0).abs() < 1e-12);
    assert_eq!(index.direction, Direction::DownstreamPays);
}

#[test]
fn an_index_that_cannot_be_computed_says_why() {
    let samples = vec![vec![1.6], vec![], vec![1.2], vec![0.02]];
    assert_eq!(compensation_index(&xinan([0.25; 4]), &samples, 0.85), Err(EcoError::NoSamples("nh3n".into())));
    let full = vec![vec![1.6], vec![0.1], vec![1.2], vec![0.02]];
    assert_eq!(compensation_index(&xinan([0.3; 4]), &full, 0.85), Err(EcoError::Weights(1.2)));
    assert!(matches!(compensation_index(&xinan([0.25; 4]), &full, 0.0), Err(EcoError::NotPositive(_))));
}

#[test]
fn joint_samples_agree_within_tolerance_or_go_to_the_reserve() {
    // 1.9 and 2.1 differ by 0.2, 10% of their mean 2.0: agreed, 2.0.
    assert_eq!(joint_sample(1.9, 2.1, 0.1, None), JointSample::Agreed(2.0));
    // 1.8 and 2.2 differ by 20%: the reserve decides, or nothing yet.
    assert_eq!(joint_sample(1.8, 2.2, 0.1, Some(2.05)), JointSample::Reserve(2.05));
    assert_eq!(joint_sample(1.8, 2.2, 0.1, None), JointSample::Disputed);
}

#[test]
fn chishui_sections_settle_one_by_one() {
    // methods.md §5.2: failure at 清水铺 → Yunnan's deduction paid 50/50 to
    // Guizhou and Sichuan; at 鲢鱼溪 → Guizhou pays Sichuan; above 茅台 →
    // Guizhou and Sichuan each bear 50%. A pool of 0.2 bn, 1/3 a section.
    let rules = vec![
        SectionRule {
            section: "清水铺".into(),
            amount: 60.0,
            payers: vec![("云南".into(), 1.0)],
            payees: vec![("贵州".into(), 0.5), ("四川".into(), 0.5)],
        },
        SectionRule {
            section: "鲢鱼溪".into(),
            amount: 60.0,
            payers: vec![("贵州".into(), 1.0)],
            payees: vec![("四川".into(), 1.0)],
        },
    ];
    let paid = segment_settlement(&rules, &["清水铺"]);
    let flows: Vec<(&str, &str, f64)> = paid.iter().map(|t| (t.from.as_str(), t.to.as_str(), t.amount)).collect();
    assert_eq!(flows, [("云南", "贵州", 30.0), ("云南", "四川", 30.0)]);
    assert!(segment_settlement(&rules, &[]).is_empty(), "every section passed: nothing to pay");
    assert_eq!(segment_settlement(&rules, &["清水铺", "鲢鱼溪"]).len(), 3);
}

#[test]
fn one_standard_equivalent_is_a_seventh_of_the_grain_value() {
    // methods.md §5.4: 4,600.89 kg/ha × 2.28 yuan/kg ÷ 7 = 1,498.58 yuan/ha.
    let vc = standard_equivalent(4_600.89, 2.28).unwrap();
    assert_eq!((vc * 100.0).round() / 100.0, 1_498.58);
    assert!(standard_equivalent(-1.0, 2.0).is_err());
}

#[test]
fn esv_is_area_times_factor_times_the_equivalent() {
    // 100 ha of paddy at VC = 1,000: food 1.36 × 100 × 1,000 = 136,000;
    // water supply −2.63 → −263,000; all eleven factors sum to 3.89 → 389,000.
    // 10 ha of water: hydrological regulation 102.24 × 10 × 1,000 = 1,022,400.
    let table = ecosystem_service_value(&[("paddy", 100.0), ("water", 10.0)], 1_000.0, 1.0).unwrap();
    assert!((table.values[0][0] - 136_000.0).abs() < 1e-6);
    assert!((table.values[0][2] + 263_000.0).abs() < 1e-6);
    assert!((table.by_type(0) - 389_000.0).abs() < 1e-6);
    assert!((table.values[1][6] - 1_022_400.0).abs() < 1e-6);
    assert!((table.total() - table.by_type(0) - table.by_type(1)).abs() < 1e-6);
    let services: f64 = (0..SERVICES.len()).map(|s| table.by_service(s)).sum();
    assert!((services - table.total()).abs() < 1e-6);
    // A regional coefficient scales every value.
    let scaled = ecosystem_service_value(&[("paddy", 100.0)], 1_000.0, 0.5).unwrap();
    assert!((scaled.total() - 194_500.0).abs() < 1e-6);
    assert_eq!(ecosystem_service_value(&[("orchard", 1.0)], 1.0, 1.0), Err(EcoError::UnknownType("orchard".into())));
}

#[test]
fn the_factor_table_is_xie_2015s() {
    assert_eq!(XIE_2015.len(), 14);
    // Wetland's hydrological regulation and water's are the table's peaks.
    let wetland = XIE_2015.iter().find(|(k, _)| *k == "wetland").unwrap().1;
    assert_eq!(wetland[6], 24.23);
    // Each row's sum, added by hand from methods.md §5.4's table, so that a
    // mistyped factor shows up here.
    let sums = [4.01, 3.89, 17.53, 23.09, 22.95, 15.22, 5.07, 19.69, 11.43, 52.02, 1.10, 0.20, 125.61, 10.27];
    for ((kind, factors), expected) in XIE_2015.iter().zip(sums) {
        let sum: f64 = factors.iter().sum();
        assert!((sum - expected).abs() < 1e-9, "{kind}: {sum} vs {expected}");
    }
}

#[test]
fn gep_is_quantity_times_price_summed_by_group() {
    // 2 × 10⁶ m³ water conserved at the reservoir-building cost 6.1 yuan/m³
    // = 12.2 × 10⁶; 500 t of tea at 40,000 yuan/t = 20 × 10⁶; 10⁵ visits at
    // a travel cost of 300 yuan = 30 × 10⁶; GEP 62.2 × 10⁶.
    let items = [("water_conservation", 2e6, 6.1), ("food", 500.0, 40_000.0), ("recreation", 1e5, 300.0)];
    let (groups, total) = gep(&items).unwrap();
    assert_eq!(groups[GepGroup::Material as usize], 20e6);
    assert!((groups[GepGroup::Regulating as usize] - 12.2e6).abs() < 1e-6);
    assert_eq!(groups[GepGroup::Cultural as usize], 30e6);
    assert!((total - 62.2e6).abs() < 1e-6);
    assert_eq!(gep(&[("scenery", 1.0, 1.0)]), Err(EcoError::UnknownService("scenery".into())));
    assert!(gep(&[("food", -1.0, 1.0)]).is_err());
}
