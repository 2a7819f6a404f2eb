//! Diagnostic: which respelled queries miss their person, and why.
use passage_service::synthetic::{respell, Rng};
use passage_storage::records::Scope;
use passage_storage::search::{search_persons, SearchFilters};
use passage_storage::Db;
use sqlx::Row;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::args().nth(1).expect("db");
    let db = Db::connect(&url).await.unwrap();
    let mut c = db.reader().acquire().await.unwrap();
    let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM persons").fetch_one(&mut *c).await.unwrap().get("n");
    let mut rng = Rng::new(99);
    let (mut miss_trunc, mut miss_small, mut hit) = (0, 0, 0);
    for _ in 0..200 {
        let off = rng.below(total as u64) as i64;
        let r = sqlx::query("SELECT n.person_id, n.given, n.family, p.birth_year FROM person_names n JOIN persons p ON p.id = n.person_id WHERE n.position = 0 ORDER BY n.person_id LIMIT 1 OFFSET $1")
            .bind(off).fetch_one(&mut *c).await.unwrap();
        let (pid, given, family): (String, Option<String>, Option<String>) = (r.get(0), r.get(1), r.get(2));
        let name = format!("{} {}", given.unwrap_or_default(), family.unwrap_or_default()).trim().to_string();
        let variant = name.split(' ').map(|w| respell(w, &mut rng)).collect::<Vec<_>>().join(" ");
        let res = search_persons(&mut c, &variant, &SearchFilters::default(), &Scope::everything(), 50).await.unwrap();
        let found = res.hits.iter().any(|h| h.person_id.to_string() == pid);
        if found {
            hit += 1;
            continue;
        }
        let best = res.hits.first().map(|h| h.score).unwrap_or(0.0);
        let target_rank_score = passage_domain::names::match_score(&variant, &name);
        if res.truncated {
            miss_trunc += 1
        } else {
            miss_small += 1
        }
        println!(
            "MISS {:<30} -> {:<30} truncated={} hits={} best={best:.3} target_score={target_rank_score:.3} keys={:?}",
            name,
            variant,
            res.truncated,
            res.hits.len(),
            passage_domain::names::query_keys(&variant)
        );
    }
    println!("hit {hit}, miss (truncated) {miss_trunc}, miss (not truncated) {miss_small}");
}
