//! The account hierarchy of one ARR export: for every account, the chain of parent
//! links must end at an account without a parent in the same export (or at a parent
//! the export lacks), so that `[salesforce] rollup = "ultimate_parent"` can give every
//! account exactly one family. A cycle of parent links has no top: the reader fails
//! the load with the accounts it names.

use rustc_hash::FxHashMap;

/// Where the walk from an account stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    New,
    /// On the chain being walked now: meeting it again closes a cycle.
    OnChain,
    /// Its chain ends at a top.
    Done,
}

/// The first cycle among the parent links, as indices into `links` (each an
/// `(account ID, parent ID)`) in the order the links walk it, or None when every chain
/// ends. An account that is its own parent is a cycle of one; a parent ID that no
/// account has ends a chain.
pub(crate) fn parent_cycle(links: &[(&str, Option<&str>)]) -> Option<Vec<usize>> {
    let index: FxHashMap<&str, usize> = links.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
    let parent_of = |i: usize| links[i].1.and_then(|p| index.get(p).copied());
    let mut visit = vec![Visit::New; links.len()];
    let mut chain: Vec<usize> = Vec::new();
    for start in 0..links.len() {
        let mut at = Some(start);
        while let Some(i) = at {
            match visit[i] {
                Visit::Done => break,
                Visit::OnChain => {
                    let from = chain.iter().position(|&c| c == i).unwrap_or(0);
                    return Some(chain.split_off(from));
                }
                Visit::New => {
                    visit[i] = Visit::OnChain;
                    chain.push(i);
                    at = parent_of(i);
                }
            }
        }
        for i in chain.drain(..) {
            visit[i] = Visit::Done;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_ending_at_a_top_or_a_missing_parent_have_no_cycle() {
        let links = [
            ("c", Some("b")),
            ("b", Some("a")),
            ("a", None),
            ("d", Some("outside")),
            ("e", Some("c")),
        ];
        assert_eq!(parent_cycle(&links), None);
    }

    #[test]
    fn a_cycle_is_found_in_link_order_whatever_hangs_below_it() {
        let links = [
            ("top", None),
            ("x", Some("top")),
            ("below", Some("q")),
            ("p", Some("r")),
            ("q", Some("p")),
            ("r", Some("q")),
        ];
        // Walked from `below`: q -> p -> r -> q.
        assert_eq!(parent_cycle(&links), Some(vec![4, 3, 5]));
    }

    #[test]
    fn an_account_that_is_its_own_parent_is_a_cycle_of_one() {
        assert_eq!(parent_cycle(&[("a", None), ("b", Some("b"))]), Some(vec![1]));
    }
}
