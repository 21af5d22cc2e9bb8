//! Where a user may take an action: everywhere, or within subtrees of the
//! region tree (each granted region and everything below it), built from
//! the pure core's [`Scope`](revita_methods::access::Scope).
//!
//! A jurisdiction carries its roots, so that reads filter by it in SQL (the
//! store's paths make a subtree a range of an index: pages come back full),
//! and the set of its regions, for the checks made in memory (a row of a
//! file, a region on a map).

use std::collections::HashSet;
use std::sync::Arc;

use revita_methods::RegionCode;

/// Where an action is permitted. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Jurisdiction {
    /// `None`: everywhere.
    within: Option<Arc<Within>>,
}

#[derive(Debug)]
struct Within {
    /// The subtrees' roots (none inside another).
    roots: Vec<RegionCode>,
    /// Every region in the subtrees, roots included.
    members: HashSet<RegionCode>,
}

impl Jurisdiction {
    /// Everywhere.
    pub fn everywhere() -> Jurisdiction {
        Jurisdiction { within: None }
    }

    /// Nowhere (a role that does not permit the action).
    pub fn nowhere() -> Jurisdiction {
        Jurisdiction::within(Vec::new(), HashSet::new())
    }

    /// Within the subtrees under `roots`, whose regions are `members`.
    pub fn within(roots: Vec<RegionCode>, members: HashSet<RegionCode>) -> Jurisdiction {
        Jurisdiction { within: Some(Arc::new(Within { roots, members })) }
    }

    /// Within exactly these regions, each a subtree of its own (regions
    /// below them are not included unless listed: for tests and files that
    /// name every region).
    pub fn of_regions(codes: impl IntoIterator<Item = RegionCode>) -> Jurisdiction {
        let members: HashSet<RegionCode> = codes.into_iter().collect();
        let mut roots: Vec<RegionCode> = members.iter().cloned().collect();
        roots.sort();
        Jurisdiction::within(roots, members)
    }

    /// Whether it is everywhere.
    pub fn is_everywhere(&self) -> bool {
        self.within.is_none()
    }

    /// Whether it is nowhere.
    pub fn is_nowhere(&self) -> bool {
        self.within.as_ref().is_some_and(|w| w.members.is_empty())
    }

    /// Whether a region lies in it.
    pub fn covers(&self, code: &RegionCode) -> bool {
        self.within.as_ref().is_none_or(|w| w.members.contains(code))
    }

    /// The roots of its subtrees (`None`: everywhere), for SQL filters.
    pub fn roots(&self) -> Option<&[RegionCode]> {
        self.within.as_ref().map(|w| w.roots.as_slice())
    }

    /// Every region in it (`None`: everywhere).
    pub fn members(&self) -> Option<&HashSet<RegionCode>> {
        self.within.as_ref().map(|w| &w.members)
    }

    /// A stable key for caches (`*` for everywhere).
    pub fn key(&self) -> String {
        match &self.within {
            None => "*".to_string(),
            Some(w) => {
                let mut roots: Vec<&str> = w.roots.iter().map(|c| c.as_str()).collect();
                roots.sort_unstable();
                roots.join(",")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> RegionCode {
        RegionCode::parse(text).unwrap()
    }

    #[test]
    fn a_jurisdiction_covers_its_members_and_keys_by_its_roots() {
        let everywhere = Jurisdiction::everywhere();
        assert!(everywhere.covers(&code("520102")) && everywhere.roots().is_none() && everywhere.key() == "*");
        let guiyang = Jurisdiction::within(vec![code("520100")], [code("520100"), code("520102")].into());
        assert!(guiyang.covers(&code("520102")) && !guiyang.covers(&code("520300")));
        assert_eq!(guiyang.key(), "520100");
        assert!(Jurisdiction::nowhere().is_nowhere() && !guiyang.is_nowhere());
        let listed = Jurisdiction::of_regions([code("520103"), code("520102")]);
        assert_eq!(listed.key(), "520102,520103");
    }
}
