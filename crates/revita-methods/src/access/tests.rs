use super::*;
use crate::hierarchy::Hierarchy;

fn code(text: &str) -> RegionCode {
    RegionCode::parse(text).unwrap()
}

fn path(codes: &[&str]) -> Vec<RegionCode> {
    codes.iter().map(|c| code(c)).collect()
}

fn grant(role: Role, scope: &str) -> Grant {
    Grant { role, scope: code(scope) }
}

const NANMING: [&str; 4] = ["000000", "520000", "520100", "520102"];
const YUNYAN: [&str; 4] = ["000000", "520000", "520100", "520103"];
const SHUFU: [&str; 4] = ["000000", "650000", "653100", "653121"];

#[test]
fn roles_allow_what_issue_4_says() {
    use Action::*;
    // Issue 8: personal identifiers unmasked only for case workers (data
    // entry) and administrators.
    let table = [
        (Role::Admin, [true, true, true, true, true, true]),
        (Role::Planner, [true, false, true, false, false, false]),
        (Role::DataEntry, [true, true, false, false, false, true]),
        (Role::Viewer, [true, false, false, false, false, false]),
        (Role::Auditor, [true, false, false, false, true, false]),
    ];
    for (role, expected) in table {
        let actual = [Read, EditData, EditDecisions, ManageUsers, ReadAudit, ReadPersonal].map(|a| role.allows(a));
        assert_eq!(actual, expected, "{role}");
        assert_eq!(Role::parse(role.as_str()), Some(role));
    }
    assert_eq!(Role::parse("data-entry"), Some(Role::DataEntry));
    assert_eq!(Role::parse("root"), None);
}

#[test]
fn a_county_user_acts_in_its_county_only() {
    let access = Access::new(vec![grant(Role::DataEntry, "520102")]);
    assert!(access.permits(Action::EditData, &path(&NANMING)));
    assert!(!access.permits(Action::EditData, &path(&YUNYAN)));
    assert!(!access.permits(Action::Read, &path(&["000000", "520000"])), "not the province above it");
    assert!(!access.permits(Action::EditDecisions, &path(&NANMING)), "data entry decides nothing");
}

#[test]
fn a_provincial_grant_covers_everything_below() {
    let access = Access::new(vec![grant(Role::Planner, "520000")]);
    assert!(access.permits(Action::EditDecisions, &path(&YUNYAN)));
    assert!(!access.permits(Action::EditDecisions, &path(&SHUFU)));
}

#[test]
fn auditors_read_everywhere_but_change_nothing() {
    let access = Access::new(vec![grant(Role::Auditor, "520102")]);
    assert!(access.permits(Action::Read, &path(&SHUFU)));
    assert!(access.permits(Action::ReadAudit, &path(&SHUFU)));
    assert!(!access.permits(Action::EditData, &path(&NANMING)));
    assert_eq!(access.scope(Action::Read, |_| Vec::new()), Scope::Everywhere);
}

#[test]
fn several_grants_combine_and_nested_roots_collapse() {
    let access = Access::new(vec![
        grant(Role::Viewer, "520102"),
        grant(Role::Viewer, "520000"),
        grant(Role::DataEntry, "653121"),
    ]);
    let path_of = |c: &RegionCode| -> Vec<RegionCode> {
        [NANMING, YUNYAN, SHUFU]
            .iter()
            .map(|p| path(p))
            .find_map(|p| p.iter().position(|x| x == c).map(|i| p[..=i].to_vec()))
            .unwrap_or_else(|| vec![c.clone()])
    };
    assert_eq!(access.scope(Action::Read, path_of), Scope::Within(vec![code("520000"), code("653121")]));
    assert_eq!(access.scope(Action::EditData, path_of), Scope::Within(vec![code("653121")]));
    assert_eq!(access.scope(Action::ManageUsers, path_of), Scope::Nowhere);
    assert!(Access::default().scope(Action::Read, path_of) == Scope::Nowhere);
}

/// A small deterministic generator for the property test (no global RNG in
/// this crate, tests included).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn nothing_outside_the_granted_subtrees_is_ever_in_scope() {
    // Property: for random trees and random grants, a region is in the read
    // scope exactly when one of the grants' regions is it or an ancestor.
    for seed in 0..200 {
        let mut rng = Lcg(seed);
        let n = 2 + rng.next(40);
        let mut triples = vec![(code("r0"), "n".to_string(), None)];
        for i in 1..n {
            let parent = rng.next(i);
            triples.push((code(&format!("r{i}")), "n".to_string(), Some(code(&format!("r{parent}")))));
        }
        let tree = Hierarchy::build(triples.clone()).unwrap();
        let path_of = |c: &RegionCode| -> Vec<RegionCode> {
            let mut p: Vec<RegionCode> = tree.ancestors(c).into_iter().rev().cloned().collect();
            p.push(c.clone());
            p
        };
        let grants: Vec<Grant> = (0..1 + rng.next(3))
            .map(|_| Grant {
                role: [Role::Viewer, Role::DataEntry, Role::Planner][rng.next(3)],
                scope: code(&format!("r{}", rng.next(n))),
            })
            .collect();
        let access = Access::new(grants.clone());
        let scope = access.scope(Action::Read, path_of);
        for (region, _, _) in &triples {
            let expected = grants.iter().any(|g| tree.is_within(region, &g.scope));
            assert_eq!(scope.covers(&path_of(region)), expected, "seed {seed}, region {region}");
            assert_eq!(access.permits(Action::Read, &path_of(region)), expected, "seed {seed}, region {region}");
        }
    }
}

#[test]
fn a_grant_never_reaches_further_than_its_granter() {
    // Issue 13: a provincial admin created an auditor (a role that reads
    // the nation) and so read everything.
    let province = Scope::Within(vec![code("520000")]);
    let nanming = path(&NANMING);
    let shufu = path(&SHUFU);
    assert!(may_grant(&province, &grant(Role::Admin, "520102"), &nanming));
    assert!(may_grant(&province, &grant(Role::DataEntry, "520102"), &nanming));
    assert!(!may_grant(&province, &grant(Role::Viewer, "653121"), &shufu), "outside its province");
    assert!(!may_grant(&province, &grant(Role::Auditor, "520102"), &nanming), "an auditor reads everywhere");
    assert!(!may_grant(&province, &grant(Role::Admin, "000000"), &path(&["000000"])), "above its province");
    assert!(may_grant(&Scope::Everywhere, &grant(Role::Auditor, "000000"), &path(&["000000"])));
    assert!(!may_grant(&Scope::Nowhere, &grant(Role::Viewer, "520102"), &nanming));
}

#[test]
fn no_one_manages_an_account_above_them() {
    let province = Scope::Within(vec![code("520000")]);
    let clerk = [(grant(Role::DataEntry, "520102"), path(&NANMING))];
    let national = [(grant(Role::Admin, "000000"), path(&["000000"]))];
    let auditor = [(grant(Role::Auditor, "520102"), path(&NANMING))];
    let straddling = [clerk[0].clone(), (grant(Role::Viewer, "653121"), path(&SHUFU))];
    assert!(may_manage(&province, &clerk));
    assert!(!may_manage(&province, &national));
    assert!(!may_manage(&province, &auditor), "an auditor reads beyond the province");
    assert!(!may_manage(&province, &straddling), "one grant outside is enough");
    assert!(!may_manage(&province, &[]), "users without grants are the nation's");
    assert!(may_manage(&Scope::Everywhere, &[]));
    assert!(may_manage(&Scope::Everywhere, &auditor));
}
