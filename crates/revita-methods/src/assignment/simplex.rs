//! The primal network simplex method on a transportation network with an
//! "unplaced" way out, after Ahuja, Magnanti & Orlin (1993), *Network Flows*,
//! ch. 11, with the strongly feasible spanning trees of Cunningham (1976) and
//! the block-search pivot rule of LEMON's `NetworkSimplex` (Kovács 2015,
//! "Minimum-cost flow algorithms: an experimental evaluation").
//!
//! # The network
//!
//! Node `o` (one per origin, `0..origins`) supplies `supply[o]`; node
//! `origins + s` is site `s`; the last node is the sink, the tree's root,
//! which takes in everything. Arcs, in this order:
//!
//! 1. the links origin → site, cost per household as given, uncapacitated
//!    (an origin's own supply bounds them);
//! 2. site → sink, cost 0, capacity = the site's capacity;
//! 3. origin → sink, the "unplaced" arc, cost `big_m`, uncapacitated.
//!
//! The unplaced arcs make the problem always feasible, and they give the
//! starting basis for free: every origin hangs from the root by its unplaced
//! arc (carrying its whole supply) and every site by its site arc (empty).
//! Both kinds point towards the root with room left on them, so that tree is
//! *strongly feasible* (AMO §11.5: a positive amount can be sent from every
//! node to the root along the tree), which the leaving-arc rule below keeps,
//! and which makes the method terminate without cycling.
//!
//! # One pivot
//!
//! Node potentials `pi` keep every tree arc's reduced cost
//! `cost + pi[tail] − pi[head]` at zero. A non-tree arc at its lower bound
//! with a negative reduced cost (or at its upper bound with a positive one)
//! improves the flow when pushed round the cycle it closes with the tree; the
//! block search looks at the arcs a block of about √m at a time, round-robin,
//! and takes the best of the first block that holds any. The cycle's
//! bottleneck leaves the tree (the *last* blocking arc met going round the
//! cycle from its apex, Cunningham's rule), the entering arc joins it, the
//! cut-off subtree is re-hung from the entering arc and its potentials are
//! shifted by one constant.
//!
//! The tree is stored as parent pointers plus doubly linked child lists
//! (AMO's "thread" index does the same job; child lists make re-hanging a
//! subtree a few pointer swaps and walking it a plain preorder traversal).

/// "No node", in the tree's index arrays.
const NONE: u32 = u32::MAX;

/// Arc state: a non-tree arc at its lower bound (flow 0).
const LOWER: i8 = 1;
/// Arc state: an arc of the spanning tree.
const TREE: i8 = 0;
/// Arc state: a non-tree arc at its upper bound (flow = capacity).
const UPPER: i8 = -1;

/// A transportation problem in index form, already validated: every
/// quantity non-negative, every capacity positive, and sizes and magnitudes
/// checked against overflow by the caller (`Problem::check_magnitudes` in the parent module).
pub(super) struct Network<'a> {
    /// Households at each origin.
    pub supply: &'a [i64],
    /// Capacity of each site (all positive).
    pub capacity: &'a [i64],
    /// Links as (origin, site, cost per household).
    pub links: &'a [(u32, u32, i64)],
    /// Cost per household left unplaced; larger than any alternating path's cost.
    pub big_m: i64,
}

/// An optimal flow of a [`Network`].
pub(super) struct Solution {
    /// Households on each link, in the order of `Network::links`.
    pub link_flow: Vec<i64>,
    /// Households of each origin left unplaced.
    pub unplaced: Vec<i64>,
}

/// The solver's working state: arc arrays (structure of arrays, for the
/// pricing loop) and the spanning tree.
struct Simplex {
    tail: Vec<u32>,
    head: Vec<u32>,
    cost: Vec<i64>,
    cap: Vec<i64>,
    flow: Vec<i64>,
    state: Vec<i8>,
    /// Node potentials.
    pi: Vec<i64>,
    /// Tree: each node's parent (the root's is `NONE`).
    parent: Vec<u32>,
    /// Tree: the arc joining each node to its parent.
    pred: Vec<u32>,
    /// Tree: whether that arc points up (node → parent).
    pred_up: Vec<bool>,
    /// Tree: distance from the root, to find where two paths meet.
    depth: Vec<u32>,
    first_child: Vec<u32>,
    next_sibling: Vec<u32>,
    prev_sibling: Vec<u32>,
    /// Where the next block search starts.
    next_arc: usize,
    block: usize,
}

/// The entering arc's cycle, worked out by [`Simplex::leaving`].
struct Pivot {
    entering: usize,
    /// The apex: where the two tree paths from the entering arc's ends meet.
    join: u32,
    /// Amount pushed round the cycle.
    delta: i64,
    /// The tree node whose parent arc leaves (`NONE`: the entering arc only
    /// swaps bounds and the tree stays).
    u_out: u32,
    /// The entering arc's end inside the subtree cut off by the leaving arc.
    u_in: u32,
    /// Its other end.
    v_in: u32,
}

/// Solves the network to optimality.
pub(super) fn solve(net: &Network) -> Solution {
    let mut simplex = Simplex::new(net);
    while let Some(entering) = simplex.entering() {
        let pivot = simplex.leaving(entering);
        simplex.augment(&pivot);
        if pivot.u_out != NONE {
            simplex.rehang(&pivot);
        }
    }
    let links = net.links.len();
    let origins = net.supply.len();
    let first_unplaced = links + net.capacity.len();
    Solution {
        link_flow: simplex.flow[..links].to_vec(),
        unplaced: simplex.flow[first_unplaced..first_unplaced + origins].to_vec(),
    }
}

impl Simplex {
    /// The network with its starting tree: every origin on its unplaced
    /// arc, every site on its (empty) site arc, all links at zero.
    fn new(net: &Network) -> Simplex {
        let origins = net.supply.len();
        let sites = net.capacity.len();
        let nodes = origins + sites + 1;
        let root = (nodes - 1) as u32;
        let arcs = net.links.len() + sites + origins;
        // Larger than any flow: the total supply bounds every arc's flow.
        let unbounded = net.supply.iter().sum::<i64>() + 1;

        let mut s = Simplex {
            tail: Vec::with_capacity(arcs),
            head: Vec::with_capacity(arcs),
            cost: Vec::with_capacity(arcs),
            cap: Vec::with_capacity(arcs),
            flow: vec![0; arcs],
            state: vec![LOWER; arcs],
            pi: vec![0; nodes],
            parent: vec![root; nodes],
            pred: vec![NONE; nodes],
            pred_up: vec![true; nodes],
            depth: vec![1; nodes],
            first_child: vec![NONE; nodes],
            next_sibling: vec![NONE; nodes],
            prev_sibling: vec![NONE; nodes],
            next_arc: 0,
            // LEMON's default block size: √m, at least 10.
            block: (arcs as f64).sqrt().ceil().max(10.0) as usize,
        };
        for &(o, site, cost) in net.links {
            s.push_arc(o, origins as u32 + site, cost, unbounded);
        }
        for (site, &capacity) in net.capacity.iter().enumerate() {
            let node = (origins + site) as u32;
            s.push_arc(node, root, 0, capacity);
            s.make_tree_arc(node, s.tail.len() - 1, 0);
        }
        for (o, &supply) in net.supply.iter().enumerate() {
            s.push_arc(o as u32, root, net.big_m, unbounded);
            s.make_tree_arc(o as u32, s.tail.len() - 1, supply);
            // Reduced cost 0 on the tree arc: big_m + pi[o] − pi[root] = 0.
            s.pi[o] = -net.big_m;
        }
        s.parent[root as usize] = NONE;
        s.depth[root as usize] = 0;
        for node in 0..root {
            s.attach(node, root);
        }
        s
    }

    fn push_arc(&mut self, tail: u32, head: u32, cost: i64, cap: i64) {
        self.tail.push(tail);
        self.head.push(head);
        self.cost.push(cost);
        self.cap.push(cap);
    }

    /// Makes `arc` (pointing from `node` to the root) `node`'s tree arc.
    fn make_tree_arc(&mut self, node: u32, arc: usize, flow: i64) {
        self.flow[arc] = flow;
        self.state[arc] = TREE;
        self.pred[node as usize] = arc as u32;
    }

    /// Reduced cost of `arc` under the current potentials.
    #[inline]
    fn reduced_cost(&self, arc: usize) -> i64 {
        self.cost[arc] + self.pi[self.tail[arc] as usize] - self.pi[self.head[arc] as usize]
    }

    /// Block search: scans the arcs round-robin a block at a time and
    /// returns the most violating arc of the first block that has one, or
    /// `None` when no arc violates optimality (the flow is optimal).
    fn entering(&mut self) -> Option<usize> {
        let arcs = self.tail.len();
        let mut best = usize::MAX;
        let mut best_violation = 0;
        let mut left_in_block = self.block;
        // Two passes, [next_arc, arcs) then [0, next_arc), to avoid a
        // wrap-around test per arc.
        for range in [self.next_arc..arcs, 0..self.next_arc] {
            for arc in range {
                // state × reduced cost < 0 ⇔ the arc can improve the flow
                // (tree arcs have state 0).
                let violation = i64::from(self.state[arc]) * self.reduced_cost(arc);
                if violation < best_violation {
                    best_violation = violation;
                    best = arc;
                }
                left_in_block -= 1;
                if left_in_block == 0 {
                    if best != usize::MAX {
                        self.next_arc = if arc + 1 == arcs { 0 } else { arc + 1 };
                        return Some(best);
                    }
                    left_in_block = self.block;
                }
            }
        }
        (best != usize::MAX).then_some(best)
    }

    /// Finds the cycle the entering arc closes, how much can go round it,
    /// and which arc blocks it.
    fn leaving(&self, entering: usize) -> Pivot {
        // Flow goes round the cycle first → (entering arc) → second → up to
        // the apex → down to first.
        let (first, second) = if self.state[entering] == LOWER {
            (self.tail[entering], self.head[entering])
        } else {
            (self.head[entering], self.tail[entering])
        };
        let join = self.join(first, second);
        let mut delta = self.cap[entering];
        let mut u_out = NONE;
        let mut out_on_first_side = false;

        // Down from the apex to `first`: flow runs parent → node. Walking up
        // from `first`, a strict `<` keeps the blocking arc nearest `first`,
        // i.e. the last one met in the cycle's direction.
        let mut u = first;
        while u != join {
            let room = self.room(u, false);
            if room < delta {
                delta = room;
                u_out = u;
                out_on_first_side = true;
            }
            u = self.parent[u as usize];
        }
        // Up from `second` to the apex: flow runs node → parent. Here `<=`
        // keeps the blocking arc nearest the apex, the last one met; and any
        // tie with the first side goes to this side, met later still.
        let mut u = second;
        while u != join {
            let room = self.room(u, true);
            if room <= delta {
                delta = room;
                u_out = u;
                out_on_first_side = false;
            }
            u = self.parent[u as usize];
        }
        let (u_in, v_in) = if out_on_first_side { (first, second) } else { (second, first) };
        Pivot { entering, join, delta, u_out, u_in, v_in }
    }

    /// Where the tree paths from `u` and `v` to the root meet.
    fn join(&self, mut u: u32, mut v: u32) -> u32 {
        while u != v {
            let (du, dv) = (self.depth[u as usize], self.depth[v as usize]);
            if du >= dv {
                u = self.parent[u as usize];
            }
            if dv >= du {
                v = self.parent[v as usize];
            }
        }
        u
    }

    /// How much more flow `node`'s tree arc can carry towards the root
    /// (`upward`) or away from it.
    #[inline]
    fn room(&self, node: u32, upward: bool) -> i64 {
        let arc = self.pred[node as usize] as usize;
        if self.pred_up[node as usize] == upward { self.cap[arc] - self.flow[arc] } else { self.flow[arc] }
    }

    /// Pushes `delta` round the cycle and updates the arc states.
    fn augment(&mut self, p: &Pivot) {
        let e = p.entering;
        if p.delta > 0 {
            // Signed amount along the entering arc's own direction.
            let along = i64::from(self.state[e]) * p.delta;
            self.flow[e] += along;
            // From the entering arc's head up to the apex flow runs towards
            // the root; from the apex down to its tail, away from it.
            let mut u = self.head[e];
            while u != p.join {
                let arc = self.pred[u as usize] as usize;
                self.flow[arc] += if self.pred_up[u as usize] { along } else { -along };
                u = self.parent[u as usize];
            }
            let mut u = self.tail[e];
            while u != p.join {
                let arc = self.pred[u as usize] as usize;
                self.flow[arc] -= if self.pred_up[u as usize] { along } else { -along };
                u = self.parent[u as usize];
            }
        }
        if p.u_out == NONE {
            // The entering arc itself blocks: it moves to its other bound.
            self.state[e] = -self.state[e];
        } else {
            self.state[e] = TREE;
            let out = self.pred[p.u_out as usize] as usize;
            self.state[out] = if self.flow[out] == 0 { LOWER } else { UPPER };
        }
    }

    /// Re-hangs the subtree cut off by the leaving arc from the entering
    /// arc: the path u_in … u_out (the "stem") reverses, each node on it
    /// taking the node below as its parent, and u_in hangs from v_in. Then
    /// the depths and potentials of the moved subtree are brought up to date.
    fn rehang(&mut self, p: &Pivot) {
        let mut node = p.u_in;
        let mut new_parent = p.v_in;
        let mut new_pred = p.entering as u32;
        let mut new_up = self.tail[p.entering] == p.u_in;
        loop {
            let (old_parent, old_pred, old_up) =
                (self.parent[node as usize], self.pred[node as usize], self.pred_up[node as usize]);
            self.detach(node);
            self.pred[node as usize] = new_pred;
            self.pred_up[node as usize] = new_up;
            self.attach(node, new_parent);
            if node == p.u_out {
                break;
            }
            // The arc that joined `node` to its old parent now joins the old
            // parent to `node`, pointing the other way relative to the root.
            new_parent = node;
            new_pred = old_pred;
            new_up = !old_up;
            node = old_parent;
        }
        // The entering arc's reduced cost must become 0; every other arc in
        // the subtree keeps its own, so one shift serves the whole subtree.
        let e = p.entering;
        let sigma = if self.pred_up[p.u_in as usize] {
            self.pi[p.v_in as usize] - self.cost[e] - self.pi[p.u_in as usize]
        } else {
            self.pi[p.v_in as usize] + self.cost[e] - self.pi[p.u_in as usize]
        };
        self.update_subtree(p.u_in, sigma);
    }

    /// Preorder walk of the subtree under `top`: depth = parent's + 1,
    /// potential shifted by `sigma`.
    fn update_subtree(&mut self, top: u32, sigma: i64) {
        let mut u = top;
        loop {
            let ui = u as usize;
            self.depth[ui] = self.depth[self.parent[ui] as usize] + 1;
            self.pi[ui] += sigma;
            if self.first_child[ui] != NONE {
                u = self.first_child[ui];
                continue;
            }
            // No children: climb until a node with a next sibling, or `top`.
            while u != top && self.next_sibling[u as usize] == NONE {
                u = self.parent[u as usize];
            }
            if u == top {
                return;
            }
            u = self.next_sibling[u as usize];
        }
    }

    /// Puts `node` first in `parent`'s child list.
    fn attach(&mut self, node: u32, parent: u32) {
        let (n, p) = (node as usize, parent as usize);
        self.parent[n] = parent;
        let old_first = self.first_child[p];
        self.next_sibling[n] = old_first;
        self.prev_sibling[n] = NONE;
        if old_first != NONE {
            self.prev_sibling[old_first as usize] = node;
        }
        self.first_child[p] = node;
    }

    /// Takes `node` out of its parent's child list.
    fn detach(&mut self, node: u32) {
        let n = node as usize;
        let (prev, next) = (self.prev_sibling[n], self.next_sibling[n]);
        if prev == NONE {
            self.first_child[self.parent[n] as usize] = next;
        } else {
            self.next_sibling[prev as usize] = next;
        }
        if next != NONE {
            self.prev_sibling[next as usize] = prev;
        }
    }
}
