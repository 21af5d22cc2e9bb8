use super::*;

fn code(text: &str) -> RegionCode {
    RegionCode::parse(text).unwrap()
}

/// Part of Guizhou: the province, Guiyang with two districts, a 省直辖-style
/// county directly under the province, and a township under one district.
fn guizhou() -> Hierarchy {
    let rows = [
        ("000000", "country", None),
        ("520000", "province", Some("000000")),
        ("520100", "prefecture", Some("520000")),
        ("520103", "county", Some("520100")),
        ("520102", "county", Some("520100")),
        ("529001", "county", Some("520000")),
        ("520102001", "township", Some("520102")),
    ];
    Hierarchy::build(rows.iter().map(|(c, l, p)| (code(c), l.to_string(), p.map(code)))).unwrap()
}

fn strings(codes: Vec<&RegionCode>) -> Vec<String> {
    codes.into_iter().map(|c| c.to_string()).collect()
}

#[test]
fn walking_up_gives_the_breadcrumb() {
    let h = guizhou();
    assert_eq!(h.parent(&code("520102")), Some(&code("520100")));
    assert_eq!(strings(h.ancestors(&code("520102001"))), ["520102", "520100", "520000", "000000"]);
    assert!(h.ancestors(&code("000000")).is_empty());
}

#[test]
fn children_are_ordered_by_code() {
    let h = guizhou();
    assert_eq!(strings(h.children(&code("520100"))), ["520102", "520103"]);
    assert_eq!(strings(h.children(&code("520000"))), ["520100", "529001"]);
}

#[test]
fn descendants_at_a_level_skip_intermediate_levels() {
    let h = guizhou();
    // Three counties, one of them directly under the province.
    assert_eq!(strings(h.descendants_at_level(&code("520000"), "county")), ["520102", "520103", "529001"]);
    assert_eq!(strings(h.descendants(&code("520000"))), ["520100", "520102", "520102001", "520103", "529001"]);
    assert!(h.descendants_at_level(&code("999999"), "county").is_empty());
}

#[test]
fn jurisdiction_covers_the_region_and_everything_below() {
    let h = guizhou();
    assert!(h.is_within(&code("520102001"), &code("520000")));
    assert!(h.is_within(&code("520100"), &code("520100")));
    assert!(!h.is_within(&code("529001"), &code("520100")));
}

#[test]
fn broken_trees_are_rejected() {
    let dup = [(code("1"), "a".to_string(), None), (code("1"), "a".to_string(), None)];
    assert_eq!(Hierarchy::build(dup).unwrap_err(), HierarchyError::Duplicate(code("1")));
    let orphan = [(code("2"), "a".to_string(), Some(code("9")))];
    assert!(matches!(Hierarchy::build(orphan), Err(HierarchyError::MissingParent { .. })));
    let cycle = [(code("1"), "a".to_string(), Some(code("2"))), (code("2"), "a".to_string(), Some(code("1")))];
    assert!(matches!(Hierarchy::build(cycle), Err(HierarchyError::Cycle(_))));
}

#[test]
fn a_region_must_sit_below_its_parents_level() {
    let levels = ["country", "province", "prefecture", "county", "township"];
    // A county directly under its province skips a level, which is fine.
    assert_eq!(guizhou().check_level_order(&levels), Ok(()));
    // Issue 13: a province under a county.
    let rows =
        [("000000", "country", None), ("520102", "county", Some("000000")), ("530000", "province", Some("520102"))];
    let tree = Hierarchy::build(rows.iter().map(|(c, l, p)| (code(c), l.to_string(), p.map(code)))).unwrap();
    let err = tree.check_level_order(&levels).unwrap_err();
    assert_eq!(
        err.to_string(),
        "region 530000 (province) cannot be under 520102 (county): a region's level must be below its parent's"
    );
    // Two regions of the same level cannot nest either; unknown levels are not ordered.
    let rows =
        [("520100", "prefecture", None), ("520300", "prefecture", Some("520100")), ("x1", "zone", Some("520100"))];
    let tree = Hierarchy::build(rows.iter().map(|(c, l, p)| (code(c), l.to_string(), p.map(code)))).unwrap();
    assert!(matches!(tree.check_level_order(&levels), Err(HierarchyError::LevelOrder { .. })));
}

#[test]
fn a_map_covers_every_branch_at_its_level_or_above() {
    let levels = ["country", "province", "prefecture", "county"];
    let rows = [
        ("000000", "country", None),
        ("110000", "province", Some("000000")), // 北京: districts straight under it
        ("110101", "county", Some("110000")),
        ("110102", "county", Some("110000")),
        ("410000", "province", Some("000000")), // 河南: prefectures and 济源
        ("410100", "prefecture", Some("410000")),
        ("410102", "county", Some("410100")),
        ("419001", "county", Some("410000")),
        ("440000", "province", Some("000000")), // 广东: 东莞 has no counties
        ("441900", "prefecture", Some("440000")),
        ("710000", "province", Some("000000")), // 台湾: no children in the data
    ];
    let tree = Hierarchy::build(rows.iter().map(|(c, l, p)| (code(c), l.to_string(), p.map(code)))).unwrap();
    let cover = |level: &str| -> Vec<&str> {
        tree.cover_at_level(&code("000000"), level, &levels).into_iter().map(|c| c.as_str()).collect()
    };
    assert_eq!(cover("province"), ["110000", "410000", "440000", "710000"]);
    assert_eq!(cover("prefecture"), ["110000", "410100", "419001", "441900", "710000"]);
    assert_eq!(cover("county"), ["110101", "110102", "410102", "419001", "441900", "710000"]);
    // Within one province, and a region at the level itself.
    assert_eq!(tree.cover_at_level(&code("410000"), "county", &levels), [&code("410102"), &code("419001")]);
    assert_eq!(tree.cover_at_level(&code("410102"), "county", &levels), [&code("410102")]);
    assert_eq!(tree.roots(), [&code("000000")]);
}
