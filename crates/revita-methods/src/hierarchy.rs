//! The region tree: parents, children, ancestors and descendants at a level.
//!
//! Built once from (code, level, parent) triples and then walked in memory:
//! China's ~3,200 county-level-and-above regions (or ~660,000 with townships
//! and villages) fit easily, and every walk is then a pointer chase rather
//! than a recursive query.

use std::collections::HashMap;

use crate::region::{Level, RegionCode};

/// One region's place in the tree.
#[derive(Debug, Clone)]
struct Node {
    code: RegionCode,
    level: Level,
    parent: Option<usize>,
    children: Vec<usize>,
}

/// An immutable region tree (a forest when several roots are loaded).
#[derive(Debug, Clone, Default)]
pub struct Hierarchy {
    nodes: Vec<Node>,
    index: HashMap<RegionCode, usize>,
}

/// Why a set of regions does not form a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HierarchyError {
    /// The same code appears twice.
    #[error("region {0} appears more than once")]
    Duplicate(RegionCode),
    /// A parent code names no region.
    #[error("region {child} names parent {parent}, which does not exist")]
    MissingParent {
        /// The region whose parent is missing.
        child: RegionCode,
        /// The missing parent's code.
        parent: RegionCode,
    },
    /// Following parents from a region returns to it.
    #[error("region {0} is its own ancestor")]
    Cycle(RegionCode),
    /// A region's level is not below its parent's (a province under a
    /// county).
    #[error(
        "region {child} ({child_level}) cannot be under {parent} ({parent_level}): a region's level must be below its parent's"
    )]
    LevelOrder {
        /// The region.
        child: RegionCode,
        /// Its level.
        child_level: Level,
        /// Its parent.
        parent: RegionCode,
        /// The parent's level.
        parent_level: Level,
    },
}

impl Hierarchy {
    /// Builds the tree from `(code, level, parent)` triples in any order.
    pub fn build(
        regions: impl IntoIterator<Item = (RegionCode, Level, Option<RegionCode>)>,
    ) -> Result<Hierarchy, HierarchyError> {
        let mut nodes = Vec::new();
        let mut index = HashMap::new();
        let mut parents = Vec::new();
        for (code, level, parent) in regions {
            if index.insert(code.clone(), nodes.len()).is_some() {
                return Err(HierarchyError::Duplicate(code));
            }
            nodes.push(Node { code, level, parent: None, children: Vec::new() });
            parents.push(parent);
        }
        for (child, parent) in parents.into_iter().enumerate() {
            let Some(parent) = parent else { continue };
            let Some(&parent_idx) = index.get(&parent) else {
                return Err(HierarchyError::MissingParent { child: nodes[child].code.clone(), parent });
            };
            nodes[child].parent = Some(parent_idx);
            nodes[parent_idx].children.push(child);
        }
        let mut hierarchy = Hierarchy { nodes, index };
        hierarchy.sort_children_by_code();
        hierarchy.check_acyclic()?;
        Ok(hierarchy)
    }

    /// Checks that every region's level comes after its parent's in
    /// `levels` (the scheme's levels, root first). Levels the scheme does
    /// not name are not ordered and pass.
    pub fn check_level_order(&self, levels: &[&str]) -> Result<(), HierarchyError> {
        let rank = |level: &str| levels.iter().position(|l| *l == level);
        for node in &self.nodes {
            let Some(parent) = node.parent.map(|p| &self.nodes[p]) else { continue };
            if let (Some(child), Some(above)) = (rank(&node.level), rank(&parent.level))
                && child <= above
            {
                return Err(HierarchyError::LevelOrder {
                    child: node.code.clone(),
                    child_level: node.level.clone(),
                    parent: parent.code.clone(),
                    parent_level: parent.level.clone(),
                });
            }
        }
        Ok(())
    }

    fn sort_children_by_code(&mut self) {
        let codes: Vec<RegionCode> = self.nodes.iter().map(|n| n.code.clone()).collect();
        for node in &mut self.nodes {
            node.children.sort_by(|&a, &b| codes[a].cmp(&codes[b]));
        }
    }

    /// A walk up from any node must reach a root within `len` steps.
    fn check_acyclic(&self) -> Result<(), HierarchyError> {
        for (idx, node) in self.nodes.iter().enumerate() {
            let mut current = node.parent;
            let mut steps = 0;
            while let Some(p) = current {
                steps += 1;
                if p == idx || steps > self.nodes.len() {
                    return Err(HierarchyError::Cycle(node.code.clone()));
                }
                current = self.nodes[p].parent;
            }
        }
        Ok(())
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether no region is loaded.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Whether the code is in the tree.
    pub fn contains(&self, code: &RegionCode) -> bool {
        self.index.contains_key(code)
    }

    /// The region's level.
    pub fn level(&self, code: &RegionCode) -> Option<&str> {
        self.index.get(code).map(|&i| self.nodes[i].level.as_str())
    }

    /// The region's parent.
    pub fn parent(&self, code: &RegionCode) -> Option<&RegionCode> {
        let idx = *self.index.get(code)?;
        self.nodes[idx].parent.map(|p| &self.nodes[p].code)
    }

    /// Ancestors from the parent up to the root (a breadcrumb, reversed).
    pub fn ancestors(&self, code: &RegionCode) -> Vec<&RegionCode> {
        let mut out = Vec::new();
        let mut current = self.index.get(code).and_then(|&i| self.nodes[i].parent);
        while let Some(p) = current {
            out.push(&self.nodes[p].code);
            current = self.nodes[p].parent;
        }
        out
    }

    /// Direct children, ordered by code.
    pub fn children(&self, code: &RegionCode) -> Vec<&RegionCode> {
        self.index
            .get(code)
            .map(|&i| self.nodes[i].children.iter().map(|&c| &self.nodes[c].code).collect())
            .unwrap_or_default()
    }

    /// All descendants in depth-first pre-order, excluding the region itself.
    pub fn descendants(&self, code: &RegionCode) -> Vec<&RegionCode> {
        self.descendants_where(code, |_| true)
    }

    /// Descendants at one level, e.g. every county of a province whether or
    /// not it lies under a prefecture.
    pub fn descendants_at_level(&self, code: &RegionCode, level: &str) -> Vec<&RegionCode> {
        self.descendants_where(code, |node| node.level == level)
    }

    fn descendants_where(&self, code: &RegionCode, keep: impl Fn(&Node) -> bool) -> Vec<&RegionCode> {
        let Some(&start) = self.index.get(code) else { return Vec::new() };
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.nodes[start].children.iter().rev().copied().collect();
        while let Some(idx) = stack.pop() {
            let node = &self.nodes[idx];
            if keep(node) {
                out.push(&node.code);
            }
            stack.extend(node.children.iter().rev());
        }
        out
    }

    /// The regions without a parent.
    pub fn roots(&self) -> Vec<&RegionCode> {
        self.nodes.iter().filter(|n| n.parent.is_none()).map(|n| &n.code).collect()
    }

    /// What a map at `level` draws under `root` so that it has no holes:
    /// the regions at the level, and where a branch does not reach it, the
    /// branch's own region — a province-level unit with no prefectures in
    /// the data (Taiwan, Hong Kong, Macao), a prefecture-level city without
    /// counties (东莞), a municipality on a prefecture map (北京) — or the
    /// region below it that hangs directly from above (a county under its
    /// province, 济源, on a prefecture map). `levels` are the scheme's,
    /// root first; by code.
    pub fn cover_at_level(&self, root: &RegionCode, level: &str, levels: &[&str]) -> Vec<&RegionCode> {
        let rank = |l: &str| levels.iter().position(|x| *x == l).unwrap_or(usize::MAX);
        let target = rank(level);
        let Some(&start) = self.index.get(root) else { return Vec::new() };
        let mut out = Vec::new();
        let mut stack = vec![start];
        while let Some(idx) = stack.pop() {
            let node = &self.nodes[idx];
            let above = rank(&node.level) < target;
            let reaches = node.children.iter().any(|&c| rank(&self.nodes[c].level) <= target);
            if above && reaches {
                stack.extend(node.children.iter().rev());
            } else {
                out.push(&node.code);
            }
        }
        out.sort();
        out
    }

    /// Whether `code` is `ancestor` or lies below it: the test behind
    /// jurisdiction scoping ("a region and everything below it").
    pub fn is_within(&self, code: &RegionCode, ancestor: &RegionCode) -> bool {
        code == ancestor || self.ancestors(code).contains(&ancestor)
    }
}

#[cfg(test)]
mod tests;
