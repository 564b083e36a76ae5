//! Work over many files on every core: parsing is per file, so a corpus parses in parallel.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The stack of a worker: parsing and checking the deepest input [`crate::MAX_NESTING`] allows
/// takes about 1 MiB in a release build and more than Rust's default 2 MiB unoptimised.
const WORKER_STACK: usize = 32 << 20;

/// Applies `f` to every item on all available cores and returns the results in the items'
/// order. Items are handed out one at a time, so a few large files do not leave cores idle.
/// Runs on the calling thread alone when there is one core or one item.
pub fn par_map<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                std::thread::Builder::new()
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, || {
                        let mut mine = vec![];
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(item) = items.get(i) else {
                                return mine;
                            };
                            mine.push((i, f(item)));
                        }
                    })
                    .expect("a worker thread")
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(mine) => mine,
                // A panic in `f` is the caller's: pass it on.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}
