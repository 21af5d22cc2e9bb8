use super::*;

fn code(text: &str) -> RegionCode {
    RegionCode::parse(text).unwrap()
}

fn record(c: &str, status: CodeStatus, first: i32, end: Option<i32>, successors: &str) -> CodeRecord {
    CodeRecord {
        code: code(c),
        name: String::new(),
        level: "county".into(),
        status,
        first_year: first,
        end_year: end,
        successors: parse_successors(successors).unwrap(),
    }
}

/// Real rows of the MCA 1981–2024 history, Beijing and Hebei:
/// 崇文区 110103 and 宣武区 110104 merged into 东城区 110101 / 西城区 110102 in 2010;
/// 石家庄 郊区 130107 became 井陉矿区 130121 → re-coded; a split 130102 → 130104;130105;
/// a chain 130111 (retired) → 130108 (retired) → 130109 (in use).
fn history() -> CodeHistory {
    use CodeStatus::*;
    CodeHistory::new([
        record("110101", InUse, 1981, None, ""),
        record("110102", InUse, 1981, None, ""),
        record("110103", Retired, 1981, Some(2010), "110101"),
        record("110104", Retired, 1981, Some(2010), "110102"),
        record("130104", InUse, 1981, None, ""),
        record("130105", InUse, 1981, None, ""),
        record("130102", Retired, 1981, Some(2014), "130104;130105[2013]"),
        record("130109", InUse, 2014, None, ""),
        record("130108", Retired, 1990, Some(2014), "130109"),
        record("130111", Retired, 1981, Some(1990), "130108"),
        record("120110", InUse, 1992, None, ""),
        record("120110", Changed, 1981, Some(1992), "120110"),
        record("139999", Retired, 1981, Some(1985), ""),
        record("138888", Retired, 1981, Some(1985), "138887"),
        record("138887", Retired, 1981, Some(1985), "138888"),
    ])
}

#[test]
fn codes_in_use_are_current_even_after_a_rename() {
    assert_eq!(history().resolve(&code("110101")), Resolution::Current);
    assert_eq!(history().resolve(&code("120110")), Resolution::Current);
}

#[test]
fn a_merged_code_maps_to_its_successor() {
    assert_eq!(
        history().resolve(&code("110103")),
        Resolution::Mapped { targets: vec![code("110101")], retired_in: Some(2010) }
    );
}

#[test]
fn a_split_code_maps_to_every_successor() {
    assert_eq!(
        history().resolve(&code("130102")),
        Resolution::Mapped { targets: vec![code("130104"), code("130105")], retired_in: Some(2014) }
    );
}

#[test]
fn chains_of_retirements_are_followed_to_the_current_code() {
    assert_eq!(
        history().resolve(&code("130111")),
        Resolution::Mapped { targets: vec![code("130109")], retired_in: Some(1990) }
    );
}

#[test]
fn dead_ends_cycles_and_strangers_are_reported() {
    let h = history();
    assert_eq!(h.resolve(&code("139999")), Resolution::Retired { retired_in: Some(1985) });
    assert_eq!(h.resolve(&code("138888")), Resolution::Retired { retired_in: Some(1985) });
    assert_eq!(h.resolve(&code("999999")), Resolution::Unknown);
}

#[test]
fn successor_lists_drop_their_year_suffixes() {
    let parsed = parse_successors("130108[2001];130111").unwrap();
    assert_eq!(parsed, vec![code("130108"), code("130111")]);
    assert!(parse_successors("").unwrap().is_empty());
}
