use super::*;

fn code(text: &str) -> RegionCode {
    RegionCode::parse(text).unwrap()
}

fn check_level(text: &str, expected: &str) {
    assert_eq!(ChinaScheme.level_of(&code(text)), Some(expected), "{text}");
}

#[test]
fn levels_follow_the_trailing_zero_pairs() {
    check_level("000000", "country");
    check_level("110000", "province"); // 北京市
    check_level("130100", "prefecture"); // 石家庄市
    check_level("130102", "county"); // 长安区
    check_level("429004", "county"); // 仙桃市, 省直辖县级
    check_level("110101001", "township"); // 东华门街道
    check_level("110101001001", "village"); // 多福巷社区居委会
}

#[test]
fn nbs_codes_normalise_to_their_shortest_form() {
    let n = |t: &str| ChinaScheme.normalize(&code(t)).unwrap().to_string();
    assert_eq!(n("110101000000"), "110101");
    assert_eq!(n("110101001000"), "110101001");
    assert_eq!(n("110101001001"), "110101001001");
    assert_eq!(n("52"), "520000");
    assert_eq!(n("5201"), "520100");
}

#[test]
fn malformed_codes_say_why() {
    let reason = |t: &str| match ChinaScheme.normalize(&code(t)) {
        Err(RegionError::Scheme { reason, .. }) => reason,
        other => panic!("{t}: expected a scheme error, got {other:?}"),
    };
    assert_eq!(reason("11010A"), "it must consist of digits only");
    assert_eq!(reason("1101011"), "it has 7 digits, not 2, 4, 6, 9 or 12");
    assert_eq!(reason("990000"), "99 is not a province prefix");
    assert_eq!(reason("110001"), "a county code needs a prefecture part other than 00");
    assert_eq!(reason("110101000"), "township part 000 is empty");
}

#[test]
fn parents_are_implied_by_the_prefixes() {
    let parents =
        |t: &str| -> Vec<String> { ChinaScheme.parent_candidates(&code(t)).iter().map(|c| c.to_string()).collect() };
    assert_eq!(parents("110101001001"), ["110101001"]);
    assert_eq!(parents("110101001"), ["110101"]);
    // A county's parent is its prefecture, or its province when it has none.
    assert_eq!(parents("110101"), ["110100", "110000"]);
    assert_eq!(parents("130100"), ["130000"]);
    assert_eq!(parents("130000"), ["000000"]);
    assert!(parents("000000").is_empty());
}

#[test]
fn a_stated_level_must_agree_with_the_digits() {
    assert!(ChinaScheme.check_level(&code("130102"), "county").is_ok());
    assert!(matches!(ChinaScheme.check_level(&code("130100"), "county"), Err(RegionError::Scheme { .. })));
    assert!(matches!(ChinaScheme.check_level(&code("130102"), "district"), Err(RegionError::UnknownLevel { .. })));
}
