//! The route map, drawn on the server as SVG: country outlines from Natural
//! Earth (public domain, via world-atlas; `scripts/map-outlines` made
//! `data/outlines.tsv`, 20 KB for the region), flow-monitoring points sized
//! by the people who passed them, incidents sized by their dead and missing.
//! No tiles, no script: the picture is in the page, and every picture has a
//! table beside it. Equirectangular in tenths of a degree: at these
//! latitudes the stretch is small and the arithmetic is one line.

use maud::{html, Markup};
use std::sync::OnceLock;

/// The region the outlines cover (kept in step with `scripts/map-outlines`).
const WEST: f64 = -26.0;
const NORTH: f64 = 47.0;
const WIDTH: f64 = 680.0;
const HEIGHT: f64 = 450.0;

/// (name, SVG path) of every country in the region.
fn outlines() -> &'static [(String, String)] {
    static O: OnceLock<Vec<(String, String)>> = OnceLock::new();
    O.get_or_init(|| {
        include_str!("../data/outlines.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut it = l.splitn(3, '\t');
                let (_, name, path) = (it.next()?, it.next()?, it.next()?);
                Some((name.to_string(), path.to_string()))
            })
            .collect()
    })
}

fn x(lon: f64) -> f64 {
    (lon - WEST) * 10.0
}

fn y(lat: f64) -> f64 {
    (NORTH - lat) * 10.0
}

/// What a circle on the map stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A flow-monitoring point: people who passed.
    Flow,
    /// Incidents: dead and missing.
    Incident,
}

/// One circle: where, how much, and what its tooltip says.
pub struct Spot {
    pub lat: f64,
    pub lon: f64,
    pub value: i64,
    pub label: String,
    pub marker: Marker,
}

/// The map, titled `title` (its accessible name; the table beside it carries the figures).
pub fn route_map(id: &str, title: &str, spots: &[Spot], legend: &[(Marker, String)]) -> Markup {
    let max = |m: Marker| spots.iter().filter(|s| s.marker == m).map(|s| s.value).max().unwrap_or(1).max(1) as f64;
    let (max_flow, max_incident) = (max(Marker::Flow), max(Marker::Incident));
    // Larger circles first, so the small ones stay visible on top.
    let mut order: Vec<&Spot> = spots.iter().filter(|s| (0.0..=WIDTH).contains(&x(s.lon)) && (0.0..=HEIGHT).contains(&y(s.lat))).collect();
    order.sort_by_key(|s| std::cmp::Reverse(s.value));
    let radius = |s: &Spot| match s.marker {
        Marker::Flow => 3.0 + 14.0 * (s.value.max(0) as f64 / max_flow).sqrt(),
        Marker::Incident => 1.5 + 12.0 * (s.value.max(0) as f64 / max_incident).sqrt(),
    };
    html! {
        svg.map xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby=(format!("{id}-title")) viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) width="100%" {
            title id=(format!("{id}-title")) { (title) }
            rect width=(WIDTH) height=(HEIGHT) fill="#dbe7ef" {}
            g fill="#efeadd" stroke="#8c8677" stroke-width="0.6" stroke-linejoin="round" {
                @for (name, path) in outlines() { path d=(path) { title { (name) } } }
            }
            @for s in &order {
                @let (fill, stroke) = match s.marker { Marker::Flow => ("#1d5f7a", "#ffffff"), Marker::Incident => ("#a4251c", "#ffffff") };
                circle cx=(format!("{:.1}", x(s.lon))) cy=(format!("{:.1}", y(s.lat))) r=(format!("{:.1}", radius(s)))
                    fill=(fill) fill-opacity=(if s.marker == Marker::Incident { "0.6" } else { "0.85" }) stroke=(stroke) stroke-width="0.6" {
                    title { (s.label) }
                }
            }
            @for (i, (m, text)) in legend.iter().enumerate() {
                @let ly = HEIGHT - 14.0 - 18.0 * (legend.len() - 1 - i) as f64;
                circle cx="14" cy=(ly) r="6" fill=(if *m == Marker::Flow { "#1d5f7a" } else { "#a4251c" }) {}
                text x="26" y=(ly + 4.0) font-size="12" fill="#1a1a1a" { (text) }
            }
        }
    }
}

/// Weekly lines, one per series, on one small chart; a suppressed week is a
/// gap in its line (never a zero), marked below the axis.
pub fn weekly_chart(id: &str, title: &str, weeks: &[String], series: &[(String, &'static str, Vec<Option<u64>>)]) -> Markup {
    let (w, h, left, bottom) = (360.0, 150.0, 40.0, 24.0);
    let max = series.iter().flat_map(|(_, _, v)| v.iter().flatten()).copied().max().unwrap_or(1).max(1) as f64;
    let step = if weeks.len() > 1 { (w - left - 10.0) / (weeks.len() - 1) as f64 } else { 0.0 };
    let px = |i: usize| left + step * i as f64;
    let py = |v: u64| 10.0 + (h - bottom - 10.0) * (1.0 - v as f64 / max);
    html! {
        svg.chart.small xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby=(format!("{id}-title")) viewBox=(format!("0 0 {w} {h}")) width="100%" {
            title id=(format!("{id}-title")) { (title) }
            line x1=(left) y1=(h - bottom) x2=(w - 10.0) y2=(h - bottom) stroke="#8c8677" {}
            text x=(left - 4.0) y="16" font-size="10" text-anchor="end" { (max as u64) }
            text x=(left - 4.0) y=(h - bottom) font-size="10" text-anchor="end" { "0" }
            @if let (Some(first), Some(last)) = (weeks.first(), weeks.last()) {
                text x=(left) y=(h - 8.0) font-size="10" { (first) }
                text x=(w - 10.0) y=(h - 8.0) font-size="10" text-anchor="end" { (last) }
            }
            @for (name, colour, values) in series {
                @for run in runs(values) {
                    @if run.len() == 1 {
                        circle cx=(format!("{:.1}", px(run[0].0))) cy=(format!("{:.1}", py(run[0].1))) r="2.5" fill=(colour) { title { (name) } }
                    } @else {
                        polyline fill="none" stroke=(colour) stroke-width="2"
                            points=(run.iter().map(|(i, v)| format!("{:.1},{:.1}", px(*i), py(*v))).collect::<Vec<_>>().join(" ")) { title { (name) } }
                    }
                }
                @for (i, v) in values.iter().enumerate() {
                    @if v.is_none() { text x=(format!("{:.1}", px(i))) y=(h - bottom + 10.0) font-size="10" text-anchor="middle" fill=(colour) { "*" } }
                }
            }
        }
    }
}

/// The unbroken stretches of a series: (week index, value).
fn runs(values: &[Option<u64>]) -> Vec<Vec<(usize, u64)>> {
    let mut out: Vec<Vec<(usize, u64)>> = Vec::new();
    let mut open = false;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) if open => out.last_mut().expect("open").push((i, *v)),
            Some(v) => {
                out.push(vec![(i, *v)]);
                open = true;
            }
            None => open = false,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outlines_cover_the_routes() {
        let names: Vec<&str> = outlines().iter().map(|(n, _)| n.as_str()).collect();
        for country in ["Niger", "Libya", "Italy", "Malta", "Mali", "Guinea", "Tunisia", "Spain", "Morocco", "Senegal", "Chad", "Sudan"] {
            assert!(names.contains(&country), "{country} is missing from the map");
        }
        // Agadez and Lampedusa fall inside the drawing.
        assert!((0.0..WIDTH).contains(&x(7.99)) && (0.0..HEIGHT).contains(&y(16.97)));
        assert!((0.0..WIDTH).contains(&x(12.6)) && (0.0..HEIGHT).contains(&y(35.5)));
    }

    #[test]
    fn a_suppressed_week_breaks_the_line() {
        assert_eq!(runs(&[Some(1), Some(2), None, Some(4)]), vec![vec![(0, 1), (1, 2)], vec![(3, 4)]]);
    }
}
