//! Loading and querying the embedded catalog.

use apiprobe_catalog::Catalog;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn lookups(c: &mut Criterion) {
    let catalog = Catalog::builtin();
    c.bench_function("get status 404", |b| {
        b.iter(|| catalog.get(black_box("404")))
    });
    c.bench_function("get code prb-3001", |b| {
        b.iter(|| catalog.get(black_box("prb-3001")))
    });
    c.bench_function("get name connection refused", |b| {
        b.iter(|| catalog.get(black_box("connection refused")))
    });
    c.bench_function("search 'rate limit'", |b| {
        b.iter(|| catalog.search(black_box("rate limit"), 5))
    });
    c.bench_function("search typo 'timout'", |b| {
        b.iter(|| catalog.search(black_box("timout"), 5))
    });
    c.bench_function("load from embedded JSON", |b| {
        let json = serde_json::to_string(catalog.entries()).unwrap_or_default();
        b.iter(|| {
            let entries: Vec<apiprobe_catalog::Entry> =
                serde_json::from_str(black_box(&json)).unwrap_or_default();
            Catalog::from_entries(entries)
        })
    });
}

criterion_group!(benches, lookups);
criterion_main!(benches);
