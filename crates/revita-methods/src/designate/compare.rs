//! Two runs side by side: which regions changed class, and the
//! transition matrix of counts.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::run::{DesignationRun, RunRow};

/// Two runs side by side (two methods, or two years): which regions changed
/// class, and the transition matrix of counts.
#[derive(Debug, Clone, Serialize)]
pub struct RunComparison {
    /// The first run: spec and year.
    pub from: String,
    /// The second run.
    pub to: String,
    /// The first run's classes, worst first (rows of the matrix).
    pub from_classes: Vec<String>,
    /// The second run's classes (columns).
    pub to_classes: Vec<String>,
    /// Whether both runs use the same classes (two years of one method), so
    /// that a region whose label differs has changed class; for two methods
    /// with different classes only the matrix is meaningful.
    pub same_classes: bool,
    /// `matrix[i][j]`: regions in class i in the first run and j in the second.
    pub matrix: Vec<Vec<usize>>,
    /// Every region classified in both runs, with both classes.
    pub regions: Vec<Transition>,
    /// Regions classified in only one run (excluded or outside the other's
    /// universe), with where they are classified.
    pub unmatched: Vec<Transition>,
}

/// A region's class in each run.
#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    /// Region code.
    pub code: String,
    /// Region name.
    pub name: String,
    /// Its class in the first run (none if not classified there).
    pub from: Option<String>,
    /// Its class in the second run.
    pub to: Option<String>,
}

impl Transition {
    /// Whether the region is in a different class in the second run.
    pub fn changed(&self) -> bool {
        self.from != self.to
    }
}

impl DesignationRun {
    /// Compares this run with `other`, region by region.
    pub fn compare(&self, other: &DesignationRun) -> RunComparison {
        let theirs: HashMap<&str, &RunRow> = other.rows.iter().map(|r| (r.code.as_str(), r)).collect();
        let position = |classes: &[String], class: &str| classes.iter().position(|c| c == class);
        let mut matrix = vec![vec![0; other.classes.len()]; self.classes.len()];
        let (mut regions, mut unmatched) = (Vec::new(), Vec::new());
        let mut ours: Vec<&RunRow> = self.rows.iter().collect();
        ours.sort_by(|a, b| a.code.cmp(&b.code));
        for row in ours {
            let transition = Transition {
                code: row.code.clone(),
                name: row.name.clone(),
                from: Some(row.class.clone()),
                to: theirs.get(row.code.as_str()).map(|r| r.class.clone()),
            };
            match &transition.to {
                Some(to) => {
                    if let (Some(i), Some(j)) = (position(&self.classes, &row.class), position(&other.classes, to)) {
                        matrix[i][j] += 1;
                    }
                    regions.push(transition);
                }
                None => unmatched.push(transition),
            }
        }
        let ours: HashSet<&str> = self.rows.iter().map(|r| r.code.as_str()).collect();
        let mut only_theirs: Vec<&RunRow> = other.rows.iter().filter(|r| !ours.contains(r.code.as_str())).collect();
        only_theirs.sort_by(|a, b| a.code.cmp(&b.code));
        unmatched.extend(only_theirs.into_iter().map(|r| Transition {
            code: r.code.clone(),
            name: r.name.clone(),
            from: None,
            to: Some(r.class.clone()),
        }));
        RunComparison {
            from: format!("{} {}", self.spec, self.year),
            to: format!("{} {}", other.spec, other.year),
            from_classes: self.classes.clone(),
            to_classes: other.classes.clone(),
            same_classes: self.classes == other.classes,
            matrix,
            regions,
            unmatched,
        }
    }
}
