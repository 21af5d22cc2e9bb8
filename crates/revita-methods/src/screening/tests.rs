use super::*;

fn household(
    village_code: i64,
    size: i32,
    income: f64,
    prev: f64,
    spending: [f64; 3],
    deprived: &[Deprivation],
) -> Household {
    Household {
        village_code,
        size,
        labor: 1,
        income_pc: income,
        income_pc_prev: prev,
        medical_exp: spending[0],
        education_exp: spending[1],
        disaster_loss: spending[2],
        deprived: deprived.iter().fold(0, |bits, d| bits | d.bit()),
    }
}

use Deprivation::*;

/// Income 7,000 < 7,600: below the line. 0.7 × 8,000 = 5,600 ≤ 7,000: no
/// drop. Spending 10,000 ≤ 0.5 × 7,000 × 4 = 14,000: no expense flag.
/// Score 3 (nutrition) + 1 + 1 = 5 < 6: not MPI-poor.
fn h1() -> Household {
    household(520_102_001_001, 4, 7000.0, 8000.0, [10_000.0, 0.0, 0.0], &[Nutrition, Cooking, Sanitation])
}

/// Income 9,000 ≥ 7,600; 9,000 < 1.5 × 7,600 = 11,400 and < 0.7 × 14,000 =
/// 9,800: a drop. Spending (5,000 + 3,000) + 1,000 = 9,000 is not above
/// 0.5 × 9,000 × 2 = 9,000 (a tie is not a trigger). Attendance: a guarantee
/// gap. Score 3 + 3 = 6 ≥ 6: MPI-poor.
fn h2() -> Household {
    household(520_102_003_210, 2, 9000.0, 14_000.0, [5000.0, 3000.0, 1000.0], &[Schooling, Attendance])
}

/// Income 20,000, no drop. Spending 30,001 > 0.5 × 20,000 × 3 = 30,000.
/// Water and housing: guarantee gaps. Score 3 + 3 + 1 + 1 + 1 + 1 = 10: poor.
fn h3() -> Household {
    household(
        530_102_002_003,
        3,
        20_000.0,
        20_000.0,
        [0.0, 0.0, 30_001.0],
        &[Nutrition, ChildMortality, Water, Electricity, Housing, Assets],
    )
}

#[test]
fn each_trigger_fires_on_its_own_inequality() {
    assert_eq!(h1().flags(7600.0), Flags { income: true, drop: false, expense: false, guarantee: false });
    assert_eq!(h2().flags(7600.0), Flags { income: false, drop: true, expense: false, guarantee: true });
    assert_eq!(h3().flags(7600.0), Flags { income: false, drop: false, expense: true, guarantee: true });
    // Health insurance is a guarantee gap but no MPI indicator.
    let uninsured = household(520_102_001_001, 1, 9000.0, 9000.0, [0.0; 3], &[HealthInsurance]);
    assert!(uninsured.flags(7600.0).guarantee);
    assert_eq!(uninsured.mpi_score(), 0);
    // A drop needs both: below 1.5 × line (11,400) and below 70% of last year.
    let rich_drop = household(520_102_001_001, 1, 12_000.0, 50_000.0, [0.0; 3], &[]);
    assert!(!rich_drop.flags(7600.0).drop);
    assert!(!rich_drop.flags(7600.0).any());
}

#[test]
fn spending_is_summed_left_to_right() {
    // (0.1 + 0.2) + 0.3 = 0.6000000000000001 > (0.5 × 1.2) × 1 = 0.6, whereas
    // 0.1 + (0.2 + 0.3) = 0.6 would be a tie and no trigger.
    let h = household(520_102_001_001, 1, 1.2, 1.2, [0.1, 0.2, 0.3], &[]);
    assert!(h.flags(7600.0).expense);
}

#[test]
fn mpi_scores_are_in_eighteenths() {
    assert_eq!(h1().mpi_score(), 5);
    assert!(!h1().is_mpi_poor());
    assert_eq!(h2().mpi_score(), 6);
    assert!(h2().is_mpi_poor());
    assert_eq!(h3().mpi_score(), 10);
    let all = household(520_102_001_001, 1, 0.0, 0.0, [0.0; 3], &Deprivation::ALL);
    assert_eq!(all.mpi_score(), MPI_SCALE, "the ten MPI weights sum to one");
    assert_eq!(Deprivation::MPI.iter().map(|d| d.mpi_weight()).sum::<u32>(), MPI_SCALE);
}

/// County 520102 holds h1 (4 people) and h2 (2 people): households 2, people
/// 6, flagged 2 (h1 income; h2 drop and guarantee), MPI-poor people 2 (h2),
/// Σ size × score = 2 × 6 = 12 eighteenths.
/// H = 2/6 = 0.333333; A = 12/18/2 = 0.333333; M0 = 1/9 = 0.111111;
/// ch_schooling = ch_attendance = 2/6; each contributes 3 × 2 / 12 = 50%.
#[test]
fn a_county_tally_gives_spec_b1_row() {
    let mut t = Tally::default();
    t.add(&h1(), 7600.0);
    t.add(&h2(), 7600.0);
    assert_eq!((t.households, t.people, t.flagged), (2, 6, 2));
    assert_eq!((t.f_income, t.f_drop, t.f_expense, t.f_guarantee), (1, 1, 0, 1));
    assert_eq!((t.mpi_poor_people, t.poor_score), (2, 12));
    assert!((t.headcount() - 1.0 / 3.0).abs() < 1e-15);
    assert!((t.intensity() - 1.0 / 3.0).abs() < 1e-15);
    assert!((t.m0() - 1.0 / 9.0).abs() < 1e-15);
    assert_eq!(t.censored, [0, 0, 2, 2, 0, 0, 0, 0, 0, 0]);
    let shares = t.contributions();
    assert_eq!(shares[2], 0.5);
    assert_eq!(shares[3], 0.5);
}

/// The worked example of methods.md §9.2 on h1, h2, h3 (n = 9 people):
/// poor are h2 (2 people, c = 6/18) and h3 (3 people, c = 10/18), so
/// q = 5, H = 5/9; Σ c_i(k) = 2 × 6/18 + 3 × 10/18 = 42/18, A = 42/18/5 =
/// 0.466667; M0 = H × A = 42/162 = 0.259259.
/// Step 7: M0 = Σ w_j h_j(k): nutrition (1/6)(3/9) + child mortality
/// (1/6)(3/9) + schooling (1/6)(2/9) + attendance (1/6)(2/9) + water,
/// electricity, housing, assets (1/18)(3/9) each = (30 + 12)/162. ✓
/// Step 8: M0 = Σ v_l M0_l = (6/9)(1/9) + (3/9)(30/54) = 42/162. ✓
#[test]
fn alkire_foster_decomposes_by_indicator_and_subgroup() {
    let mut tallies = CountyTallies::new(7600.0);
    for h in [h1(), h2(), h3()] {
        tallies.add(&h);
    }
    let total = tallies.total();
    assert!((total.headcount() - 5.0 / 9.0).abs() < 1e-15);
    assert!((total.intensity() - 42.0 / 18.0 / 5.0).abs() < 1e-15);
    assert!((total.m0() - 42.0 / 162.0).abs() < 1e-15);

    let by_indicator: f64 = Deprivation::MPI
        .iter()
        .zip(total.censored_headcounts())
        .map(|(d, h)| f64::from(d.mpi_weight()) / 18.0 * h)
        .sum();
    assert!((by_indicator - total.m0()).abs() < 1e-15);
    assert!((total.contributions().iter().sum::<f64>() - 1.0).abs() < 1e-15);

    let rows = tallies.sorted();
    assert_eq!(rows.iter().map(|(c, _)| *c).collect::<Vec<_>>(), [520_102, 530_102]);
    let by_county: f64 = rows.iter().map(|(_, t)| t.people as f64 / total.people as f64 * t.m0()).sum();
    assert!((by_county - total.m0()).abs() < 1e-15);
    let (_, south) = rows[1];
    assert!((south.intensity() - 30.0 / 18.0 / 3.0).abs() < 1e-15);
}

#[test]
fn nobody_poor_means_zero_intensity_not_nan() {
    let mut t = Tally::default();
    t.add(&h1(), 7600.0);
    assert_eq!((t.headcount(), t.intensity(), t.m0()), (0.0, 0.0, 0.0));
    assert_eq!(t.contributions(), [0.0; 10]);
    assert_eq!(Tally::default().headcount(), 0.0);
}

#[test]
fn merging_tallies_in_any_order_gives_the_same_totals() {
    let households = [h1(), h2(), h3(), h2(), h1()];
    let mut whole = CountyTallies::new(7600.0);
    households.iter().for_each(|h| whole.add(h));
    let (mut left, mut right) = (CountyTallies::new(7600.0), CountyTallies::new(7600.0));
    households[..2].iter().for_each(|h| right.add(h));
    households[2..].iter().for_each(|h| left.add(h));
    left.merge(&right);
    assert_eq!(left.sorted(), whole.sorted());
}

#[test]
fn checks_name_the_column_at_fault() {
    assert_eq!(h1().check(), Ok(()));
    let column = |h: Household| h.check().unwrap_err().column;
    assert_eq!(column(Household { size: 0, ..h1() }), "size");
    assert_eq!(column(Household { size: -2, ..h1() }), "size");
    assert_eq!(column(Household { labor: 5, ..h1() }), "labor");
    assert_eq!(column(Household { labor: -1, ..h1() }), "labor");
    assert_eq!(column(Household { village_code: 0, ..h1() }), "village_code");
    assert_eq!(column(Household { village_code: 1_000_000_000_000, ..h1() }), "village_code");
    assert_eq!(column(Household { village_code: 5_201_020, ..h1() }), "village_code");
    assert_eq!(column(Household { medical_exp: -1.0, ..h1() }), "medical_exp");
    assert_eq!(column(Household { income_pc: f64::NAN, ..h1() }), "income_pc");
    // Net income may be negative.
    assert_eq!(Household { income_pc: -50.0, ..h1() }.check(), Ok(()));
    let labor = Household { labor: 5, ..h1() }.check().unwrap_err();
    assert_eq!(labor.to_string(), "labor: 5 members able to work is outside 0..=4 (the household size)");
}

/// At k = 1/2 (9 eighteenths, "severe") only h3 (score 10) is poor: H =
/// 3/9, A = 30/18/3 = 0.5556; h2 (score 6) no longer counts.
#[test]
fn the_cutoff_k_can_be_raised() {
    let mut severe = CountyTallies::with_cutoff(7600.0, 9);
    for h in [h1(), h2(), h3()] {
        severe.add(&h);
    }
    let total = severe.total();
    assert_eq!((total.mpi_poor_people, total.poor_score), (3, 30));
    assert!((total.headcount() - 1.0 / 3.0).abs() < 1e-15);
    assert!((total.intensity() - 30.0 / 18.0 / 3.0).abs() < 1e-15);
}

#[test]
fn village_codes_group_by_their_leading_digits() {
    let v = 520_102_003_210;
    let codes: Vec<String> = GroupLevel::ALL.iter().map(|l| l.code_of(v)).collect();
    assert_eq!(codes, ["520000", "520100", "520102", "520102003", "520102003210"]);
    assert_eq!(GroupLevel::County.below(), Some(GroupLevel::Township));
    assert_eq!(GroupLevel::Village.below(), None);
    assert_eq!(GroupLevel::parse("township"), Some(GroupLevel::Township));
}

#[test]
fn global_weights_reproduce_the_fixed_global_mpi() {
    let global = MpiWeights::GLOBAL;
    assert_eq!(global.scale(), MPI_SCALE);
    assert_eq!(global.cutoff(1.0 / 3.0), Ok(MPI_POOR_CUTOFF));
    assert_eq!(global.cutoff(0.3333), Ok(6), "a rounded k means the fraction it stands for");
    assert_eq!(global.cutoff(0.5), Ok(9));
    for h in [h1(), h2(), h3()] {
        assert_eq!(global.score(h.deprived), h.mpi_score());
    }
    let (mut fixed, mut weighted) = (Tally::default(), Tally::default());
    for h in [h1(), h2(), h3()] {
        fixed.add(&h, 7600.0);
        weighted.add_weighted(&h, 7600.0, &global, 6);
    }
    assert_eq!(fixed, weighted);
    assert_eq!(weighted.m0_under(&global), fixed.m0());
    assert_eq!(weighted.contributions_under(&global), fixed.contributions());
}

/// Equal weights (1/10 each), k = 1/3: the cut-off is 4 parts of 10 (3.33
/// rounded up). h1 scores 3 and h2 2: not poor; h3 scores 6: poor. H = 3/9,
/// A = 3 × 6 / 10 / 3 = 0.6, M0 = 0.2; each of h3's six indicators has
/// censored headcount 3/9 and contributes (1/10 × 3/9) / 0.2 = 1/6.
#[test]
fn equal_weights_change_who_is_poor_and_the_decomposition_still_sums() {
    let equal = MpiWeights::parse("1,1,1,1,1,1,1,1,1,1").unwrap();
    let cutoff = equal.cutoff(1.0 / 3.0).unwrap();
    assert_eq!(cutoff, 4);
    let mut t = Tally::default();
    for h in [h1(), h2(), h3()] {
        t.add_weighted(&h, 7600.0, &equal, cutoff);
    }
    assert_eq!((t.mpi_poor_people, t.poor_score), (3, 18));
    assert!((t.headcount() - 1.0 / 3.0).abs() < 1e-15);
    assert!((t.intensity_under(&equal) - 0.6).abs() < 1e-15);
    assert!((t.m0_under(&equal) - 0.2).abs() < 1e-15);
    let shares = t.contributions_under(&equal);
    for (d, share) in Deprivation::MPI.iter().zip(shares) {
        let expected = if h3().is_deprived(*d) { 1.0 / 6.0 } else { 0.0 };
        assert!((share - expected).abs() < 1e-15, "{}", d.name());
    }
    let by_indicator: f64 = t.censored_headcounts().iter().enumerate().map(|(j, h)| equal.weight(j) * h).sum();
    assert!((by_indicator - t.m0_under(&equal)).abs() < 1e-15);
}

#[test]
fn a_groups_share_of_m0_is_its_population_share_times_its_m0_over_the_whole() {
    // Hand-checked (methods.md §9.2 step 8): group A has 4 people, of whom a
    // household of 2 is poor with a score of 9/18; group B has 6 people, of
    // whom a household of 3 is poor with 6/18. M0_A = 2/4 · 9/18 = 0.25,
    // M0_B = 3/6 · 6/18 = 1/6, M0 = (4 · 0.25 + 6 · 1/6) / 10 = 0.2; A's
    // contribution is 0.4 · 0.25 / 0.2 = 0.5, B's 0.6 · (1/6) / 0.2 = 0.5.
    let a = Tally { people: 4, mpi_poor_people: 2, poor_score: 18, ..Default::default() };
    let b = Tally { people: 6, mpi_poor_people: 3, poor_score: 18, ..Default::default() };
    let mut whole = a;
    whole.merge(&b);
    assert!((a.m0() - 0.25).abs() < 1e-15 && (b.m0() - 1.0 / 6.0).abs() < 1e-15 && (whole.m0() - 0.2).abs() < 1e-15);
    for group in [a, b] {
        let by_definition = group.people as f64 / whole.people as f64 * group.m0() / whole.m0();
        assert!((group.share_of_m0(&whole) - by_definition).abs() < 1e-15);
        assert!((group.share_of_m0(&whole) - 0.5).abs() < 1e-15);
    }
    let c = Tally { people: 5, mpi_poor_people: 5, poor_score: 30, ..Default::default() };
    whole.merge(&c);
    let sum: f64 = [a, b, c].iter().map(|g| g.share_of_m0(&whole)).sum();
    assert!((sum - 1.0).abs() < 1e-15, "the contributions sum to 1");
    assert_eq!(Tally::default().share_of_m0(&Tally::default()), 0.0);
}

#[test]
fn weights_and_cutoffs_are_checked() {
    assert_eq!(MpiWeights::parse("1,1,1"), Err(ScreeningError::WeightCount(3)));
    assert_eq!(MpiWeights::parse("1,1,1,1,1,1,1,1,1,x"), Err(ScreeningError::WeightNotWhole("x".into())));
    assert_eq!(MpiWeights::parse("0 0 0 0 0 0 0 0 0 0"), Err(ScreeningError::NoPositiveWeight));
    assert_eq!(MpiWeights::parse("1,1,1,1,1,1,1,1,1,1001"), Err(ScreeningError::WeightAboveLimit(1001)));
    assert!(ScreeningError::WeightNotWhole("x".into()).to_string().contains("'x'"));
    assert_eq!(MpiWeights::parse("3，3，3，3，1，1，1，1，1，1"), Ok(MpiWeights::GLOBAL));
    assert_eq!(MpiWeights::GLOBAL.to_text(), "3,3,3,3,1,1,1,1,1,1");
    assert_eq!(parse_cutoff("1/3"), Ok(1.0 / 3.0));
    assert_eq!(parse_cutoff(" 0.5 "), Ok(0.5));
    assert_eq!(parse_cutoff("0"), Err(ScreeningError::CutoffOutOfRange("0".into())));
    assert_eq!(parse_cutoff("4/3"), Err(ScreeningError::CutoffOutOfRange("4/3".into())));
    assert_eq!(parse_cutoff("a/3"), Err(ScreeningError::CutoffNotANumber("a/3".into())));
    assert_eq!(MpiWeights::GLOBAL.cutoff(1.5), Err(ScreeningError::CutoffOutOfRange("1.5".into())));
}
