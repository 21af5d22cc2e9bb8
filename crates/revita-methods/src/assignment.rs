//! Resettlement site assignment: which households of which origin (a
//! village, a hamlet) go to which resettlement site, at the least total
//! distance, as an exact minimum-cost transportation problem.
//!
//! # The model
//!
//! Origins `i` have `h_i` households, sites `j` have room for `c_j`, and a
//! link `(i, j)` with cost `d_ij` per household (metres, minutes, yuan) says
//! that `i` may move to `j`. Find integer flows `x_ij ≥ 0` on the given links
//! minimising Σ `d_ij · x_ij` subject to Σ_j `x_ij = h_i` (every household
//! placed) and Σ_i `x_ij ≤ c_j` (no site over capacity). This is the
//! Hitchcock transportation problem, a minimum-cost flow problem whose
//! constraint matrix is totally unimodular, so its optimal vertex solutions
//! are integral: the answer is exact, not rounded (Ahuja, Magnanti & Orlin
//! 1993, *Network Flows*, §9 and §11).
//!
//! Real problems can be infeasible (too little room within reach), so each
//! origin also gets an "unplaced" option at a prohibitive cost `M` per
//! household. `M` is chosen so that placing one more household always pays:
//! moving a unit from "unplaced" to a site changes the flow along an
//! alternating path origin → site ← origin → … → site, whose cost is at most
//! (number of its forward links) × (largest link cost) ≤ min(origins, sites)
//! × max `d`, so `M` = that bound + 1 makes the solution lexicographically
//! optimal: first the fewest households unplaced, then the least cost among
//! such placements. Every unplaced household is reported with its reason:
//! [`UnplacedReason::NoLink`] (no site within reach, perhaps because every
//! link is beyond [`Options::max_cost`]) or
//! [`UnplacedReason::CapacityExhausted`] (the origin has links, but in an
//! optimal solution every site it can reach is full; were one not, the
//! solution could place one more household, contradicting minimality).
//!
//! # The solver
//!
//! The primal network simplex method (AMO ch. 11; Kelly & O'Neill 1991, "The
//! minimum cost flow problem and the network simplex solution method"), with
//! strongly feasible trees (Cunningham 1976) against cycling and the block
//! search pivot rule of LEMON's `NetworkSimplex` (Dezső, Jüttner & Kovács
//! 2011; Kovács 2015, who finds it the fastest rule on this kind of network).
//! The unplaced arcs double as the starting basis, so no artificial phase is
//! needed. See `assignment/simplex.rs`.
//!
//! All arithmetic is in `i64`, after a check (in `i128`) that no potential,
//! reduced cost, flow or total can overflow; a problem too large for that is
//! refused with [`AssignmentError::TooLarge`], never wrapped.
//!
//! # Keeping origins together
//!
//! With [`Options::keep_together`], each origin should move as a whole to
//! one site. That is the generalised assignment problem, NP-hard (Fisher,
//! Jaikumar & Van Wassenhove 1986), so it is *not* solved exactly: the exact
//! flow above is solved first, and its cost is a lower bound on any
//! assignment placing as many households; then every origin the flow split
//! is moved, largest origins first, wholly to the site with room that costs
//! it least. The result reports the lower bound, the repaired cost and the
//! gap between them ([`KeepTogether`]), and every origin that could not be
//! made whole, with why ([`SplitReason`]). A zero gap proves the repaired
//! assignment optimal; a positive gap bounds how far from optimal it can be.

mod simplex;

use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;

/// A place households leave: a village, a hamlet, a group of households.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin<I> {
    /// Its identifier, unique among origins.
    pub id: I,
    /// Households to resettle (non-negative).
    pub households: i64,
}

/// A resettlement site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site<I> {
    /// Its identifier, unique among sites.
    pub id: I,
    /// Households it can take (non-negative).
    pub capacity: i64,
}

/// A permitted move: households of `origin` may go to `site`, at `cost` per
/// household. Pairs without a link are not permitted; at most one link per pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link<I> {
    /// The origin's identifier.
    pub origin: I,
    /// The site's identifier.
    pub site: I,
    /// Cost per household moved (non-negative; distance in metres, say).
    pub cost: i64,
}

/// How to assign.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Links costing more than this are dropped before solving (a maximum
    /// resettlement distance). `None`: keep every link.
    pub max_cost: Option<i64>,
    /// Move each origin wholly to one site (a heuristic repair of the exact
    /// flow, with the gap reported; see the module documentation).
    pub keep_together: bool,
}

/// Households of one origin sent to one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow<I> {
    /// The origin.
    pub origin: I,
    /// The site.
    pub site: I,
    /// Households moved (positive).
    pub households: i64,
    /// The link's cost per household.
    pub cost: i64,
}

/// How full a site ends up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteUse<I> {
    /// The site.
    pub site: I,
    /// Its capacity.
    pub capacity: i64,
    /// Households assigned to it.
    pub used: i64,
}

/// Why households of an origin could not be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnplacedReason {
    /// The origin has no link to any site (after dropping links beyond
    /// [`Options::max_cost`]; that many were dropped).
    NoLink {
        /// Links of this origin dropped for costing more than the maximum.
        beyond_max_cost: usize,
    },
    /// The origin has links, but every site it can reach is full.
    CapacityExhausted,
}

/// Households of an origin left without a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced<I> {
    /// The origin.
    pub origin: I,
    /// Households not placed (positive).
    pub households: i64,
    /// Why.
    pub reason: UnplacedReason,
}

/// Why an origin was left split under [`Options::keep_together`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitReason {
    /// No site it can reach is large enough for all its households, even empty.
    LargerThanAnySite,
    /// Some reachable site is large enough, but others already fill them.
    NoSiteWithRoom,
}

/// An origin still split after the keep-together repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftSplit<I> {
    /// The origin.
    pub origin: I,
    /// Its households.
    pub households: i64,
    /// How many destinations share them (sites, plus "unplaced" if any are).
    pub parts: usize,
    /// Why it could not be made whole.
    pub reason: SplitReason,
}

/// The outcome of the keep-together repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeepTogether<I> {
    /// The exact flow's cost: no assignment placing as many households
    /// costs less, whole or split.
    pub lower_bound: i64,
    /// The repaired assignment's cost (its [`Assignment::total_cost`]).
    pub cost: i64,
    /// Origins the exact flow split that were moved wholly to one site.
    pub moved: usize,
    /// Origins left split, with why.
    pub left_split: Vec<LeftSplit<I>>,
}

impl<I> KeepTogether<I> {
    /// Repaired cost − lower bound: how far from optimal the repair can be
    /// (0 proves it optimal).
    pub fn gap(&self) -> i64 {
        self.cost - self.lower_bound
    }

    /// The gap as a fraction of the lower bound (0 when both are 0).
    pub fn relative_gap(&self) -> f64 {
        if self.lower_bound == 0 {
            if self.gap() == 0 { 0.0 } else { f64::INFINITY }
        } else {
            self.gap() as f64 / self.lower_bound as f64
        }
    }
}

/// An assignment, explained.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment<I> {
    /// Σ households × cost over the flows.
    pub total_cost: i64,
    /// Positive flows, by origin then link, in input order.
    pub flows: Vec<Flow<I>>,
    /// Every site, in input order, with its use.
    pub site_use: Vec<SiteUse<I>>,
    /// Origins with households left unplaced, in input order.
    pub unplaced: Vec<Unplaced<I>>,
    /// Links dropped for costing more than [`Options::max_cost`].
    pub links_beyond_max_cost: usize,
    /// The keep-together repair's report, when it was asked for.
    pub keep_together: Option<KeepTogether<I>>,
}

impl<I> Assignment<I> {
    /// Households placed at a site.
    pub fn placed(&self) -> i64 {
        self.flows.iter().map(|f| f.households).sum()
    }

    /// Households left unplaced.
    pub fn unplaced_households(&self) -> i64 {
        self.unplaced.iter().map(|u| u.households).sum()
    }
}

/// Why a problem cannot be solved as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    /// Two origins share an identifier.
    #[error("origin {0} is listed twice")]
    DuplicateOrigin(String),
    /// Two sites share an identifier.
    #[error("site {0} is listed twice")]
    DuplicateSite(String),
    /// Two links join the same origin and site.
    #[error("the link from origin {origin} to site {site} is listed twice")]
    DuplicateLink {
        /// The origin.
        origin: String,
        /// The site.
        site: String,
    },
    /// An origin with fewer than zero households.
    #[error("origin {origin} has a negative number of households ({households})")]
    NegativeHouseholds {
        /// The origin.
        origin: String,
        /// Its households.
        households: i64,
    },
    /// A site with a capacity below zero.
    #[error("site {site} has a negative capacity ({capacity})")]
    NegativeCapacity {
        /// The site.
        site: String,
        /// Its capacity.
        capacity: i64,
    },
    /// A link with a cost below zero.
    #[error("the link from origin {origin} to site {site} has a negative cost ({cost})")]
    NegativeCost {
        /// The origin.
        origin: String,
        /// The site.
        site: String,
        /// The cost.
        cost: i64,
    },
    /// A maximum cost below zero.
    #[error("the maximum cost is negative ({0})")]
    NegativeMaxCost(i64),
    /// A link from an origin not in the list of origins.
    #[error("a link to site {site} names origin {origin}, which is not among the origins")]
    UnknownOrigin {
        /// The unknown origin.
        origin: String,
        /// The link's site.
        site: String,
    },
    /// A link to a site not in the list of sites.
    #[error("a link from origin {origin} names site {site}, which is not among the sites")]
    UnknownSite {
        /// The link's origin.
        origin: String,
        /// The unknown site.
        site: String,
    },
    /// Numbers so large that exact 64-bit arithmetic could overflow.
    #[error("the problem is too large for exact 64-bit arithmetic: {0}")]
    TooLarge(String),
}

/// Assigns every origin's households to sites along the given links at the
/// least total cost, exactly; what cannot be placed is reported with why.
/// See the module documentation for the model and the guarantees.
pub fn assign<I>(
    origins: &[Origin<I>],
    sites: &[Site<I>],
    links: &[Link<I>],
    options: &Options,
) -> Result<Assignment<I>, AssignmentError>
where
    I: Clone + Eq + Hash + Display,
{
    let problem = Problem::build(origins, sites, links, options)?;
    let (mut link_flow, mut unplaced) = problem.solve();
    let exact_cost = problem.cost(&link_flow);
    let keep_together = options.keep_together.then(|| {
        let (moved, left_split) = problem.keep_together(&mut link_flow, &mut unplaced);
        let cost = problem.cost(&link_flow);
        KeepTogether { lower_bound: exact_cost, cost, moved, left_split: problem.name_split(origins, left_split) }
    });
    Ok(problem.explain(origins, sites, &link_flow, &unplaced, keep_together))
}

/// The problem in index form: links grouped by origin (compressed rows, in
/// input order within each origin), after validation and the max-cost cut.
struct Problem {
    households: Vec<i64>,
    capacity: Vec<i64>,
    /// Links of origin `o` are `start[o]..start[o + 1]`.
    start: Vec<usize>,
    link_site: Vec<u32>,
    link_cost: Vec<i64>,
    /// Per origin: links dropped for exceeding the maximum cost.
    beyond_max_cost: Vec<usize>,
    links_beyond_max_cost: usize,
}

/// Identifiers to positions, refusing duplicates.
fn index_ids<'a, I: Eq + Hash + Display>(
    ids: impl Iterator<Item = &'a I>,
    duplicate: fn(String) -> AssignmentError,
) -> Result<HashMap<&'a I, u32>, AssignmentError> {
    let mut index = HashMap::new();
    for (position, id) in ids.enumerate() {
        if index.insert(id, position as u32).is_some() {
            return Err(duplicate(id.to_string()));
        }
    }
    Ok(index)
}

impl Problem {
    /// Validates the input and puts it in index form.
    fn build<I: Eq + Hash + Display>(
        origins: &[Origin<I>],
        sites: &[Site<I>],
        links: &[Link<I>],
        options: &Options,
    ) -> Result<Problem, AssignmentError> {
        // Node and arc numbers must fit the solver's u32 indices.
        let limit = (u32::MAX / 2) as usize;
        if origins.len() > limit || sites.len() > limit || links.len() > limit {
            return Err(AssignmentError::TooLarge("more than 2³¹ origins, sites or links".into()));
        }
        if let Some(o) = origins.iter().find(|o| o.households < 0) {
            return Err(AssignmentError::NegativeHouseholds { origin: o.id.to_string(), households: o.households });
        }
        if let Some(s) = sites.iter().find(|s| s.capacity < 0) {
            return Err(AssignmentError::NegativeCapacity { site: s.id.to_string(), capacity: s.capacity });
        }
        let max_cost = match options.max_cost {
            Some(m) if m < 0 => return Err(AssignmentError::NegativeMaxCost(m)),
            Some(m) => m,
            None => i64::MAX,
        };
        let origin_index = index_ids(origins.iter().map(|o| &o.id), AssignmentError::DuplicateOrigin)?;
        let site_index = index_ids(sites.iter().map(|s| &s.id), AssignmentError::DuplicateSite)?;

        // Resolve every link; keep (origin, site, cost) of those within reach.
        let mut resolved = Vec::with_capacity(links.len());
        let mut beyond_max_cost = vec![0; origins.len()];
        for link in links {
            let names = || (link.origin.to_string(), link.site.to_string());
            let Some(&o) = origin_index.get(&link.origin) else {
                let (origin, site) = names();
                return Err(AssignmentError::UnknownOrigin { origin, site });
            };
            let Some(&s) = site_index.get(&link.site) else {
                let (origin, site) = names();
                return Err(AssignmentError::UnknownSite { origin, site });
            };
            if link.cost < 0 {
                let (origin, site) = names();
                return Err(AssignmentError::NegativeCost { origin, site, cost: link.cost });
            }
            if link.cost > max_cost {
                beyond_max_cost[o as usize] += 1;
            } else {
                resolved.push((o, s, link.cost));
            }
        }
        let problem = Problem::group_by_origin(origins, sites, &resolved, beyond_max_cost, links.len());
        problem.refuse_duplicate_links(origins, sites)?;
        problem.check_magnitudes()?;
        Ok(problem)
    }

    /// Counting sort of the links by origin, stable (input order kept
    /// within an origin).
    fn group_by_origin<I>(
        origins: &[Origin<I>],
        sites: &[Site<I>],
        resolved: &[(u32, u32, i64)],
        beyond_max_cost: Vec<usize>,
        all_links: usize,
    ) -> Problem {
        let mut start = vec![0usize; origins.len() + 1];
        for &(o, _, _) in resolved {
            start[o as usize + 1] += 1;
        }
        for o in 0..origins.len() {
            start[o + 1] += start[o];
        }
        let mut next = start.clone();
        let mut link_site = vec![0u32; resolved.len()];
        let mut link_cost = vec![0i64; resolved.len()];
        for &(o, s, cost) in resolved {
            let k = next[o as usize];
            link_site[k] = s;
            link_cost[k] = cost;
            next[o as usize] += 1;
        }
        Problem {
            households: origins.iter().map(|o| o.households).collect(),
            capacity: sites.iter().map(|s| s.capacity).collect(),
            start,
            link_site,
            link_cost,
            beyond_max_cost,
            links_beyond_max_cost: all_links - resolved.len(),
        }
    }

    /// Positions of origin `o`'s links.
    fn links_of(&self, o: usize) -> std::ops::Range<usize> {
        self.start[o]..self.start[o + 1]
    }

    /// Two links for one pair would make the flows ambiguous: refuse them.
    /// (Links beyond the maximum cost are not checked.)
    fn refuse_duplicate_links<I: Display>(
        &self,
        origins: &[Origin<I>],
        sites: &[Site<I>],
    ) -> Result<(), AssignmentError> {
        // seen[s] = 1 + the last origin that linked to s.
        let mut seen = vec![0usize; self.capacity.len()];
        for (o, origin) in origins.iter().enumerate() {
            for k in self.links_of(o) {
                let s = self.link_site[k] as usize;
                if seen[s] == o + 1 {
                    return Err(AssignmentError::DuplicateLink {
                        origin: origin.id.to_string(),
                        site: sites[s].id.to_string(),
                    });
                }
                seen[s] = o + 1;
            }
        }
        Ok(())
    }

    /// The penalty per unplaced household: more than any alternating path
    /// costs (see the module documentation).
    fn big_m(&self) -> i128 {
        let max_cost = self.link_cost.iter().copied().max().unwrap_or(0);
        let steps = self.households.len().min(self.capacity.len());
        steps as i128 * max_cost as i128 + 1
    }

    /// Refuses problems whose potentials, reduced costs, flows or total
    /// cost might not fit in an i64. Potentials are sums of arc costs along a
    /// tree path (|π| ≤ nodes × M) and a reduced cost is c + π − π'.
    fn check_magnitudes(&self) -> Result<(), AssignmentError> {
        let total: i128 = self.households.iter().map(|&h| h as i128).sum();
        let capacity: i128 = self.capacity.iter().map(|&c| c as i128).sum();
        let max_cost = self.link_cost.iter().copied().max().unwrap_or(0) as i128;
        let nodes = (self.households.len() + self.capacity.len() + 1) as i128;
        let limit = i64::MAX as i128;
        if total >= limit / 2 || capacity >= limit / 2 {
            return Err(AssignmentError::TooLarge(format!("{total} households, {capacity} places")));
        }
        if total * max_cost > limit {
            return Err(AssignmentError::TooLarge(format!("{total} households × cost {max_cost}")));
        }
        if (2 * nodes + 2) * self.big_m() > limit {
            return Err(AssignmentError::TooLarge(format!("{nodes} nodes with costs up to {max_cost}")));
        }
        Ok(())
    }

    /// Solves the exact flow: households per link, and unplaced per origin.
    fn solve(&self) -> (Vec<i64>, Vec<i64>) {
        // Sites without room take no part: their links can carry nothing
        // (and an arc with no room would break the starting tree's strong
        // feasibility). Renumber the others.
        let mut compact = vec![u32::MAX; self.capacity.len()];
        let mut capacity = Vec::with_capacity(self.capacity.len());
        for (s, &c) in self.capacity.iter().enumerate() {
            if c > 0 {
                compact[s] = capacity.len() as u32;
                capacity.push(c);
            }
        }
        let mut net_links = Vec::with_capacity(self.link_site.len());
        let mut positions = Vec::with_capacity(self.link_site.len());
        for o in 0..self.households.len() {
            for k in self.links_of(o) {
                let s = compact[self.link_site[k] as usize];
                if s != u32::MAX {
                    net_links.push((o as u32, s, self.link_cost[k]));
                    positions.push(k);
                }
            }
        }
        // check_magnitudes has bounded M well inside i64.
        let big_m = self.big_m() as i64;
        let network = simplex::Network { supply: &self.households, capacity: &capacity, links: &net_links, big_m };
        let solution = simplex::solve(&network);
        let mut link_flow = vec![0; self.link_site.len()];
        for (&k, &f) in positions.iter().zip(&solution.link_flow) {
            link_flow[k] = f;
        }
        (link_flow, solution.unplaced)
    }

    /// Σ flow × cost (fits: check_magnitudes bounds it by total × max cost).
    fn cost(&self, link_flow: &[i64]) -> i64 {
        link_flow.iter().zip(&self.link_cost).map(|(f, c)| f * c).sum()
    }

    /// Households per site.
    fn site_load(&self, link_flow: &[i64]) -> Vec<i64> {
        let mut used = vec![0; self.capacity.len()];
        for (k, &f) in link_flow.iter().enumerate() {
            used[self.link_site[k] as usize] += f;
        }
        used
    }

    /// Destinations sharing origin `o`'s households.
    fn parts(&self, o: usize, link_flow: &[i64], unplaced: &[i64]) -> usize {
        self.links_of(o).filter(|&k| link_flow[k] > 0).count() + usize::from(unplaced[o] > 0)
    }

    /// The keep-together repair: each split origin, largest first, moves
    /// wholly to the cheapest of its sites with room for all of it (after
    /// giving back the room it held). Each move frees room elsewhere, so the
    /// origins that did not fit are tried again, until a pass moves none.
    /// Returns how many moved, and the origins left split with why.
    fn keep_together(&self, link_flow: &mut [i64], unplaced: &mut [i64]) -> (usize, Vec<(usize, usize, SplitReason)>) {
        let used = self.site_load(link_flow);
        let mut room: Vec<i64> = self.capacity.iter().zip(&used).map(|(c, u)| c - u).collect();
        let mut pending: Vec<usize> =
            (0..self.households.len()).filter(|&o| self.parts(o, link_flow, unplaced) > 1).collect();
        // Large origins first: they are the hardest to fit whole.
        pending.sort_by_key(|&o| (std::cmp::Reverse(self.households[o]), o));

        let mut moved = 0;
        loop {
            let before = pending.len();
            pending.retain(|&o| !self.move_whole(o, link_flow, unplaced, &mut room));
            moved += before - pending.len();
            if pending.len() == before || pending.is_empty() {
                break;
            }
        }
        let left = pending
            .into_iter()
            .map(|o| {
                let h = self.households[o];
                let fits_somewhere = self.links_of(o).any(|k| self.capacity[self.link_site[k] as usize] >= h);
                let reason = if fits_somewhere { SplitReason::NoSiteWithRoom } else { SplitReason::LargerThanAnySite };
                (o, self.parts(o, link_flow, unplaced), reason)
            })
            .collect();
        (moved, left)
    }

    /// Moves origin `o` wholly to its cheapest site with room for all of it,
    /// if there is one; `room` is kept up to date either way.
    fn move_whole(&self, o: usize, link_flow: &mut [i64], unplaced: &mut [i64], room: &mut [i64]) -> bool {
        let h = self.households[o];
        for k in self.links_of(o) {
            room[self.link_site[k] as usize] += link_flow[k];
        }
        let best =
            self.links_of(o).filter(|&k| room[self.link_site[k] as usize] >= h).min_by_key(|&k| (self.link_cost[k], k));
        if let Some(target) = best {
            for k in self.links_of(o) {
                link_flow[k] = if k == target { h } else { 0 };
            }
            unplaced[o] = 0;
        }
        for k in self.links_of(o) {
            room[self.link_site[k] as usize] -= link_flow[k];
        }
        best.is_some()
    }

    /// The origins left split, in the caller's identifiers.
    fn name_split<I: Clone>(&self, origins: &[Origin<I>], left: Vec<(usize, usize, SplitReason)>) -> Vec<LeftSplit<I>> {
        left.into_iter()
            .map(|(o, parts, reason)| LeftSplit {
                origin: origins[o].id.clone(),
                households: self.households[o],
                parts,
                reason,
            })
            .collect()
    }

    /// The solution in the caller's identifiers, with site use and reasons.
    fn explain<I: Clone>(
        &self,
        origins: &[Origin<I>],
        sites: &[Site<I>],
        link_flow: &[i64],
        unplaced: &[i64],
        keep_together: Option<KeepTogether<I>>,
    ) -> Assignment<I> {
        let mut flows = Vec::new();
        for (o, origin) in origins.iter().enumerate() {
            for k in self.links_of(o).filter(|&k| link_flow[k] > 0) {
                let site = &sites[self.link_site[k] as usize];
                flows.push(Flow {
                    origin: origin.id.clone(),
                    site: site.id.clone(),
                    households: link_flow[k],
                    cost: self.link_cost[k],
                });
            }
        }
        let used = self.site_load(link_flow);
        let site_use = sites
            .iter()
            .zip(&used)
            .map(|(s, &used)| SiteUse { site: s.id.clone(), capacity: s.capacity, used })
            .collect();
        let unplaced_report = origins
            .iter()
            .enumerate()
            .filter(|&(o, _)| unplaced[o] > 0)
            .map(|(o, origin)| {
                let reason = if self.links_of(o).is_empty() {
                    UnplacedReason::NoLink { beyond_max_cost: self.beyond_max_cost[o] }
                } else {
                    UnplacedReason::CapacityExhausted
                };
                Unplaced { origin: origin.id.clone(), households: unplaced[o], reason }
            })
            .collect();
        Assignment {
            total_cost: self.cost(link_flow),
            flows,
            site_use,
            unplaced: unplaced_report,
            links_beyond_max_cost: self.links_beyond_max_cost,
            keep_together,
        }
    }
}

#[cfg(test)]
mod tests;
