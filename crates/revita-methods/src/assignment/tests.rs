use super::*;

fn origins(list: &[(&'static str, i64)]) -> Vec<Origin<&'static str>> {
    list.iter().map(|&(id, households)| Origin { id, households }).collect()
}

fn sites(list: &[(&'static str, i64)]) -> Vec<Site<&'static str>> {
    list.iter().map(|&(id, capacity)| Site { id, capacity }).collect()
}

fn links(list: &[(&'static str, &'static str, i64)]) -> Vec<Link<&'static str>> {
    list.iter().map(|&(origin, site, cost)| Link { origin, site, cost }).collect()
}

/// The flows as (origin, site, households), for comparing with a hand answer.
fn flows<'a>(a: &Assignment<&'a str>) -> Vec<(&'a str, &'a str, i64)> {
    a.flows.iter().map(|f| (f.origin, f.site, f.households)).collect()
}

const PLAIN: Options = Options { max_cost: None, keep_together: false };

/// Two villages, two sites, worked by hand.
///
/// A has 3 households, B has 2; X and Y take 3 each. Costs: A→X 1, A→Y 4,
/// B→X 2, B→Y 3. Let x = A→X and b = B→X; then A→Y = 3 − x, B→Y = 2 − b
/// and the cost is x + 4(3 − x) + 2b + 3(2 − b) = 18 − 3x − b, with
/// x + b ≤ 3 (X's room). Maximising 3x + b: x = 3, b = 0, so A goes wholly
/// to X, B wholly to Y, cost 3·1 + 2·3 = 9.
#[test]
fn two_by_two_by_hand() {
    let a = assign(
        &origins(&[("A", 3), ("B", 2)]),
        &sites(&[("X", 3), ("Y", 3)]),
        &links(&[("A", "X", 1), ("A", "Y", 4), ("B", "X", 2), ("B", "Y", 3)]),
        &PLAIN,
    )
    .unwrap();
    assert_eq!(a.total_cost, 9);
    assert_eq!(flows(&a), vec![("A", "X", 3), ("B", "Y", 2)]);
    assert_eq!(a.site_use[0], SiteUse { site: "X", capacity: 3, used: 3 });
    assert_eq!(a.site_use[1], SiteUse { site: "Y", capacity: 3, used: 2 });
    assert!(a.unplaced.is_empty());
    assert_eq!(a.placed(), 5);
    assert_eq!(a.keep_together, None);
}

/// Greedy (cheapest link first) takes A→X at 1, then C→Z at 3, and leaves B
/// only B→Y at 10: 10·(1 + 3 + 10) = 140. The optimum gives X to B:
/// A→Y 2, B→X 2, C→Z 3, 10·7 = 70 (the six permutations cost 14, 21, 7, 22,
/// 22, 30 per household).
#[test]
fn three_by_three_beats_greedy() {
    let a = assign(
        &origins(&[("A", 10), ("B", 10), ("C", 10)]),
        &sites(&[("X", 10), ("Y", 10), ("Z", 10)]),
        &links(&[
            ("A", "X", 1),
            ("A", "Y", 2),
            ("A", "Z", 10),
            ("B", "X", 2),
            ("B", "Y", 10),
            ("B", "Z", 10),
            ("C", "X", 10),
            ("C", "Y", 10),
            ("C", "Z", 3),
        ]),
        &PLAIN,
    )
    .unwrap();
    assert_eq!(a.total_cost, 70);
    assert_eq!(flows(&a), vec![("A", "Y", 10), ("B", "X", 10), ("C", "Z", 10)]);
}

/// X takes 6 of the 10 households. The cheapest six: A's five at 1 and one
/// of B's at 2, cost 7; B's other four are unplaced, for want of room.
#[test]
fn capacity_short_reports_the_unplaced() {
    let a =
        assign(&origins(&[("A", 5), ("B", 5)]), &sites(&[("X", 6)]), &links(&[("A", "X", 1), ("B", "X", 2)]), &PLAIN)
            .unwrap();
    assert_eq!(a.total_cost, 7);
    assert_eq!(flows(&a), vec![("A", "X", 5), ("B", "X", 1)]);
    assert_eq!(a.unplaced, vec![Unplaced { origin: "B", households: 4, reason: UnplacedReason::CapacityExhausted }]);
    assert_eq!(a.unplaced_households(), 4);
}

/// The fewest unplaced come before the least cost: A could go to X at 1 and
/// leave B (who reaches only X) out, at cost 1; instead A goes to Y at 100
/// so that B fits, cost 101.
#[test]
fn placing_more_beats_costing_less() {
    let a = assign(
        &origins(&[("A", 1), ("B", 1)]),
        &sites(&[("X", 1), ("Y", 1)]),
        &links(&[("A", "X", 1), ("A", "Y", 100), ("B", "X", 1)]),
        &PLAIN,
    )
    .unwrap();
    assert_eq!(a.total_cost, 101);
    assert_eq!(flows(&a), vec![("A", "Y", 1), ("B", "X", 1)]);
    assert!(a.unplaced.is_empty());
}

#[test]
fn an_origin_without_links_is_unplaced_for_no_link() {
    let a = assign(&origins(&[("A", 2), ("C", 3)]), &sites(&[("X", 10)]), &links(&[("A", "X", 4)]), &PLAIN).unwrap();
    assert_eq!(a.total_cost, 8);
    assert_eq!(
        a.unplaced,
        vec![Unplaced { origin: "C", households: 3, reason: UnplacedReason::NoLink { beyond_max_cost: 0 } }]
    );
}

/// With a maximum of 10, A keeps only X (room 1) and B loses its one link.
#[test]
fn max_cost_drops_links() {
    let o = origins(&[("A", 2), ("B", 1)]);
    let s = sites(&[("X", 1), ("Y", 5)]);
    let l = links(&[("A", "X", 5), ("A", "Y", 50), ("B", "Y", 50)]);
    let unlimited = assign(&o, &s, &l, &PLAIN).unwrap();
    assert_eq!(unlimited.total_cost, 5 + 50 + 50);
    assert!(unlimited.unplaced.is_empty());

    let a = assign(&o, &s, &l, &Options { max_cost: Some(10), keep_together: false }).unwrap();
    assert_eq!(a.links_beyond_max_cost, 2);
    assert_eq!(a.total_cost, 5);
    assert_eq!(flows(&a), vec![("A", "X", 1)]);
    assert_eq!(
        a.unplaced,
        vec![
            Unplaced { origin: "A", households: 1, reason: UnplacedReason::CapacityExhausted },
            Unplaced { origin: "B", households: 1, reason: UnplacedReason::NoLink { beyond_max_cost: 1 } },
        ]
    );
    // A link exactly at the maximum is kept.
    let at = assign(&o, &s, &l, &Options { max_cost: Some(50), keep_together: false }).unwrap();
    assert_eq!(at.links_beyond_max_cost, 0);
}

/// A and B have 4 households each; X and Y take 5 each. Costs A→X 1,
/// A→Y 3, B→X 1, B→Y 2. The exact flow fills X (5 at 1) and sends the
/// other 3 to Y from B, whose detour is cheaper (2 − 1 < 3 − 1): A→X 4,
/// B→X 1, B→Y 3, cost 4 + 1 + 6 = 11, with B split. The repair frees B's
/// room and moves it wholly to the cheapest site with room for 4: X has 1,
/// so Y, cost 4 + 8 = 12. The lower bound is 11, the gap 1 (and 12 is in
/// fact the keep-together optimum: the other whole assignment costs 16).
#[test]
fn keep_together_repairs_a_split_origin() {
    let o = origins(&[("A", 4), ("B", 4)]);
    let s = sites(&[("X", 5), ("Y", 5)]);
    let l = links(&[("A", "X", 1), ("A", "Y", 3), ("B", "X", 1), ("B", "Y", 2)]);
    let exact = assign(&o, &s, &l, &PLAIN).unwrap();
    assert_eq!(exact.total_cost, 11);
    assert_eq!(flows(&exact), vec![("A", "X", 4), ("B", "X", 1), ("B", "Y", 3)]);

    let a = assign(&o, &s, &l, &Options { max_cost: None, keep_together: true }).unwrap();
    assert_eq!(a.total_cost, 12);
    assert_eq!(flows(&a), vec![("A", "X", 4), ("B", "Y", 4)]);
    let report = a.keep_together.unwrap();
    assert_eq!(report, KeepTogether { lower_bound: 11, cost: 12, moved: 1, left_split: vec![] });
    assert_eq!(report.gap(), 1);
    assert!((report.relative_gap() - 1.0 / 11.0).abs() < 1e-12);
}

/// Households 3, 3 and 2 cannot be packed whole into two sites of 4: some
/// origin stays split, because others fill the sites.
#[test]
fn keep_together_reports_what_it_cannot_fix() {
    let o = origins(&[("A", 3), ("B", 3), ("C", 2)]);
    let s = sites(&[("X", 4), ("Y", 4)]);
    let l = links(&[("A", "X", 1), ("A", "Y", 1), ("B", "X", 1), ("B", "Y", 1), ("C", "X", 1), ("C", "Y", 1)]);
    let a = assign(&o, &s, &l, &Options { max_cost: None, keep_together: true }).unwrap();
    let report = a.keep_together.as_ref().unwrap();
    assert!(!report.left_split.is_empty());
    assert!(report.left_split.iter().all(|s| s.reason == SplitReason::NoSiteWithRoom && s.parts == 2));
    assert_eq!((report.lower_bound, report.cost, report.gap()), (8, 8, 0));
    assert!(a.unplaced.is_empty());
    assert!(a.site_use.iter().all(|u| u.used <= u.capacity));

    // An origin larger than every site it reaches.
    let big = assign(
        &origins(&[("A", 6)]),
        &sites(&[("X", 4), ("Y", 4)]),
        &links(&[("A", "X", 1), ("A", "Y", 2)]),
        &Options { max_cost: None, keep_together: true },
    )
    .unwrap();
    assert_eq!(big.total_cost, 4 + 4);
    assert_eq!(
        big.keep_together.unwrap().left_split,
        vec![LeftSplit { origin: "A", households: 6, parts: 2, reason: SplitReason::LargerThanAnySite }]
    );
}

#[test]
fn degenerate_inputs() {
    let none = assign::<&str>(&[], &[], &[], &PLAIN).unwrap();
    assert_eq!((none.total_cost, none.flows.len(), none.unplaced.len()), (0, 0, 0));

    let no_sites = assign(&origins(&[("A", 2)]), &[], &[], &PLAIN).unwrap();
    assert_eq!(no_sites.unplaced[0].reason, UnplacedReason::NoLink { beyond_max_cost: 0 });

    let no_households =
        assign(&origins(&[("A", 0), ("B", 0)]), &sites(&[("X", 3)]), &links(&[("A", "X", 7)]), &PLAIN).unwrap();
    assert_eq!((no_households.total_cost, no_households.flows.len(), no_households.unplaced.len()), (0, 0, 0));

    let no_room = assign(
        &origins(&[("A", 2)]),
        &sites(&[("X", 0), ("Y", 0)]),
        &links(&[("A", "X", 1), ("A", "Y", 1)]),
        &Options { max_cost: None, keep_together: true },
    )
    .unwrap();
    assert_eq!(no_room.unplaced[0], Unplaced { origin: "A", households: 2, reason: UnplacedReason::CapacityExhausted });
    assert_eq!(no_room.site_use[0], SiteUse { site: "X", capacity: 0, used: 0 });
    // Wholly unplaced is not split.
    assert_eq!(no_room.keep_together.unwrap().left_split, vec![]);

    let free = assign(&origins(&[("A", 2)]), &sites(&[("X", 5)]), &links(&[("A", "X", 0)]), &PLAIN).unwrap();
    assert_eq!((free.total_cost, flows(&free)), (0, vec![("A", "X", 2)]));
}

#[test]
fn invalid_inputs_are_refused() {
    let o = origins(&[("A", 1)]);
    let s = sites(&[("X", 1)]);
    let l = links(&[("A", "X", 1)]);
    let err = |o: &[Origin<&str>], s: &[Site<&str>], l: &[Link<&str>], opt: &Options| assign(o, s, l, opt).unwrap_err();

    assert_eq!(err(&origins(&[("A", 1), ("A", 2)]), &s, &[], &PLAIN), AssignmentError::DuplicateOrigin("A".into()));
    assert_eq!(err(&o, &sites(&[("X", 1), ("X", 1)]), &[], &PLAIN), AssignmentError::DuplicateSite("X".into()));
    assert_eq!(
        err(&o, &s, &links(&[("A", "X", 1), ("A", "X", 2)]), &PLAIN),
        AssignmentError::DuplicateLink { origin: "A".into(), site: "X".into() }
    );
    assert_eq!(
        err(&origins(&[("A", -1)]), &s, &l, &PLAIN),
        AssignmentError::NegativeHouseholds { origin: "A".into(), households: -1 }
    );
    assert_eq!(
        err(&o, &sites(&[("X", -2)]), &l, &PLAIN),
        AssignmentError::NegativeCapacity { site: "X".into(), capacity: -2 }
    );
    assert_eq!(
        err(&o, &s, &links(&[("A", "X", -3)]), &PLAIN),
        AssignmentError::NegativeCost { origin: "A".into(), site: "X".into(), cost: -3 }
    );
    assert_eq!(
        err(&o, &s, &l, &Options { max_cost: Some(-1), keep_together: false }),
        AssignmentError::NegativeMaxCost(-1)
    );
    assert_eq!(
        err(&o, &s, &links(&[("B", "X", 1)]), &PLAIN),
        AssignmentError::UnknownOrigin { origin: "B".into(), site: "X".into() }
    );
    assert_eq!(
        err(&o, &s, &links(&[("A", "Z", 1)]), &PLAIN),
        AssignmentError::UnknownSite { origin: "A".into(), site: "Z".into() }
    );
    // Numbers that could overflow are refused, not wrapped.
    let huge =
        |h: i64, c: i64, d: i64| assign(&origins(&[("A", h)]), &sites(&[("X", c)]), &links(&[("A", "X", d)]), &PLAIN);
    assert!(matches!(huge(i64::MAX, 1, 1), Err(AssignmentError::TooLarge(_))));
    assert!(matches!(huge(1, i64::MAX, 1), Err(AssignmentError::TooLarge(_))));
    assert!(matches!(huge(1, 1, i64::MAX), Err(AssignmentError::TooLarge(_))));
    assert!(matches!(huge(1 << 40, 1 << 40, 1 << 30), Err(AssignmentError::TooLarge(_))));
    assert!(huge(1 << 20, 1 << 20, 1 << 30).is_ok());
    // The message names the culprit.
    assert_eq!(
        AssignmentError::UnknownSite { origin: "A".into(), site: "Z".into() }.to_string(),
        "a link from origin A names site Z, which is not among the sites"
    );
}

/// A tiny deterministic generator (SplitMix64), so the random instances are
/// the same on every run.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on 0..n (n > 0).
    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
}

/// A reference: successive shortest paths with Bellman–Ford (AMO §9.7) on
/// source → origin → site → sink, augmenting along a cheapest path while one
/// exists. That is a minimum-cost maximum flow: the most households placed,
/// then the least cost, which is what `assign` promises. Returns (placed,
/// cost).
fn reference(households: &[i64], capacity: &[i64], arcs: &[(usize, usize, i64)]) -> (i64, i64) {
    let (o, s) = (households.len(), capacity.len());
    let (source, sink, n) = (o + s, o + s + 1, o + s + 2);
    // Residual graph as arc pairs (e, e ^ 1): (from, to, room, cost).
    let mut g: Vec<(usize, usize, i64, i64)> = Vec::new();
    let add = |g: &mut Vec<_>, a: usize, b: usize, room: i64, cost: i64| {
        g.push((a, b, room, cost));
        g.push((b, a, 0, -cost));
    };
    for (i, &h) in households.iter().enumerate() {
        add(&mut g, source, i, h, 0);
    }
    for (j, &c) in capacity.iter().enumerate() {
        add(&mut g, o + j, sink, c, 0);
    }
    for &(i, j, d) in arcs {
        add(&mut g, i, o + j, i64::MAX / 4, d);
    }
    let (mut placed, mut cost) = (0, 0);
    loop {
        let mut dist = vec![i64::MAX; n];
        let mut via = vec![usize::MAX; n];
        dist[source] = 0;
        for _ in 0..n {
            let mut changed = false;
            for (e, &(a, b, room, c)) in g.iter().enumerate() {
                if room > 0 && dist[a] != i64::MAX && dist[a] + c < dist[b] {
                    dist[b] = dist[a] + c;
                    via[b] = e;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        if dist[sink] == i64::MAX {
            return (placed, cost);
        }
        let mut push = i64::MAX;
        let mut v = sink;
        while v != source {
            push = push.min(g[via[v]].2);
            v = g[via[v]].0;
        }
        let mut v = sink;
        while v != source {
            let e = via[v];
            g[e].2 -= push;
            g[e ^ 1].2 += push;
            v = g[e].0;
        }
        placed += push;
        cost += push * dist[sink];
    }
}

/// Checks an assignment against its problem: flows on given links within
/// the maximum cost, every origin's households placed or reported, no site
/// over capacity, the total cost the sum of its flows.
fn check_feasible(o: &[Origin<usize>], s: &[Site<usize>], l: &[Link<usize>], opt: &Options, a: &Assignment<usize>) {
    let mut per_origin = vec![0; o.len()];
    let mut per_site = vec![0; s.len()];
    let mut cost = 0;
    for f in &a.flows {
        assert!(f.households > 0);
        let link = l.iter().find(|k| k.origin == f.origin && k.site == f.site).expect("a flow on a given link");
        assert_eq!(link.cost, f.cost);
        assert!(opt.max_cost.is_none_or(|m| f.cost <= m));
        per_origin[f.origin] += f.households;
        per_site[f.site] += f.households;
        cost += f.households * f.cost;
    }
    for u in &a.unplaced {
        per_origin[u.origin] += u.households;
    }
    assert!(o.iter().all(|x| per_origin[x.id] == x.households));
    assert!(s.iter().all(|x| per_site[x.id] <= x.capacity && a.site_use[x.id].used == per_site[x.id]));
    assert_eq!(cost, a.total_cost);
}

/// Many small random instances, some infeasible, some with a maximum cost:
/// the exact flow matches the reference's households placed and cost, and
/// the keep-together repair keeps its promises.
#[test]
fn random_instances_match_successive_shortest_paths() {
    let mut rng = SplitMix(20240601);
    for round in 0..400 {
        let (n_o, n_s) =
            if round % 10 == 0 { (1 + rng.below(40), 1 + rng.below(12)) } else { (rng.below(6), rng.below(5)) };
        let o: Vec<Origin<usize>> =
            (0..n_o as usize).map(|id| Origin { id, households: rng.below(7) * rng.below(3) }).collect();
        let s: Vec<Site<usize>> = (0..n_s as usize).map(|id| Site { id, capacity: rng.below(12) }).collect();
        let mut l = Vec::new();
        for i in 0..o.len() {
            for j in 0..s.len() {
                if rng.below(10) < 6 {
                    l.push(Link { origin: i, site: j, cost: rng.below(25) });
                }
            }
        }
        let max_cost = (rng.below(3) == 0).then(|| rng.below(25));
        let opt = Options { max_cost, keep_together: false };
        let a = assign(&o, &s, &l, &opt).unwrap();
        check_feasible(&o, &s, &l, &opt, &a);

        let kept: Vec<(usize, usize, i64)> =
            l.iter().filter(|k| max_cost.is_none_or(|m| k.cost <= m)).map(|k| (k.origin, k.site, k.cost)).collect();
        let households: Vec<i64> = o.iter().map(|x| x.households).collect();
        let capacity: Vec<i64> = s.iter().map(|x| x.capacity).collect();
        let (placed, cost) = reference(&households, &capacity, &kept);
        assert_eq!((a.placed(), a.total_cost), (placed, cost), "round {round}");

        let together = assign(&o, &s, &l, &Options { max_cost, keep_together: true }).unwrap();
        check_feasible(&o, &s, &l, &opt, &together);
        let report = together.keep_together.as_ref().unwrap();
        assert_eq!(report.lower_bound, cost);
        assert_eq!(report.cost, together.total_cost);
        assert!(report.gap() >= 0);
        assert_eq!(together.placed(), placed, "the repair never unplaces anyone");
        // Every origin not reported as left split is whole: one site, or
        // none at all.
        for x in &o {
            let parts = together.flows.iter().filter(|f| f.origin == x.id).count()
                + usize::from(together.unplaced.iter().any(|u| u.origin == x.id));
            let left = report.left_split.iter().any(|s| s.origin == x.id);
            assert_eq!(parts > 1, left, "round {round}, origin {}", x.id);
        }
    }
}
