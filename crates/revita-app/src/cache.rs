//! A single-flight cache of derived output, for the web server's pages and
//! maps and the app's peer distributions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

/// Derived output (rendered maps, region profiles) keyed by its parameters
/// and the versions of the topics it is made from: a write through any
/// server changes the versions, so no server serves stale output.
///
/// Single-flight (issue 14): concurrent requests for the same key wait for
/// one computation instead of each running it — after a write, 64 readers
/// of one page used to recompute it 64 times. Bounded: the oldest entries
/// go first once it holds `MAX_ENTRIES`, and a failed computation is not
/// kept, so the next request tries again.
pub struct Cache<T> {
    entries: Mutex<Entries<T>>,
}

struct Entries<T> {
    cells: HashMap<String, Arc<OnceCell<Arc<T>>>>,
    /// Keys in the order they were first asked for.
    order: std::collections::VecDeque<String>,
}

impl<T> Default for Cache<T> {
    fn default() -> Cache<T> {
        Cache { entries: Mutex::new(Entries { cells: HashMap::new(), order: std::collections::VecDeque::new() }) }
    }
}

impl<T> Cache<T> {
    const MAX_ENTRIES: usize = 512;

    /// The cell of a key, made if new (evicting the oldest past the bound).
    fn cell(&self, key: &str) -> Arc<OnceCell<Arc<T>>> {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(cell) = entries.cells.get(key) {
            return cell.clone();
        }
        while entries.order.len() >= Self::MAX_ENTRIES {
            if let Some(oldest) = entries.order.pop_front() {
                entries.cells.remove(&oldest);
            }
        }
        let cell = Arc::new(OnceCell::new());
        entries.cells.insert(key.to_string(), cell.clone());
        entries.order.push_back(key.to_string());
        cell
    }

    /// Forgets a key whose computation failed (unless another request has
    /// filled it meanwhile).
    fn forget_failed(&self, key: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.cells.get(key).is_some_and(|cell| !cell.initialized()) {
            entries.cells.remove(key);
            entries.order.retain(|k| k != key);
        }
    }

    /// The value of `key`, computed by `compute` if no one has yet; requests
    /// that arrive while it is being computed wait for that computation.
    pub async fn get_or_compute(
        &self,
        key: String,
        compute: impl AsyncFnOnce() -> crate::AppResult<T>,
    ) -> crate::AppResult<Arc<T>> {
        let cell = self.cell(&key);
        match cell.get_or_try_init(async || compute().await.map(Arc::new)).await {
            Ok(value) => Ok(value.clone()),
            Err(e) => {
                self.forget_failed(&key);
                Err(e)
            }
        }
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.cells.len())
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn concurrent_requests_compute_once() {
        let cache: Cache<usize> = Cache::default();
        let runs = AtomicUsize::new(0);
        let compute = async || {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok(7)
        };
        let all = futures_util::future::join_all((0..64).map(|_| cache.get_or_compute("k".into(), compute))).await;
        assert!(all.iter().all(|v| **v.as_ref().unwrap() == 7));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_computation_is_tried_again_and_the_oldest_entries_go_first() {
        let cache: Cache<usize> = Cache::default();
        let failed = cache.get_or_compute("k".into(), async || Err(crate::AppError::Invalid("no".into()))).await;
        assert!(failed.is_err());
        assert_eq!(*cache.get_or_compute("k".into(), async || Ok(1)).await.unwrap(), 1);
        for i in 0..Cache::<usize>::MAX_ENTRIES + 10 {
            cache.get_or_compute(format!("e{i}"), async || Ok(i)).await.unwrap();
        }
        assert_eq!(cache.len(), Cache::<usize>::MAX_ENTRIES);
        assert_eq!(*cache.get_or_compute("k".into(), async || Ok(2)).await.unwrap(), 2, "k was evicted");
    }
}
