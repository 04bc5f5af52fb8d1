use super::*;
use chrono::NaiveDate;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn example() -> crate::spec::Spec {
    let checked = crate::spec::check_text(
        "t.yaml",
        include_str!("../../../examples/sci-sync-serverless.yaml"),
        &|_| true,
    );
    checked
        .valid_spec(false)
        .expect("the example is valid")
        .clone()
}

fn tags(stack: TagState, name: TagState) -> BTreeMap<String, TagState> {
    BTreeMap::from([(TAG_STACK.to_string(), stack), (TAG_NAME.to_string(), name)])
}

#[test]
fn the_default_period_is_the_last_30_full_days_with_an_exclusive_end() {
    let p = Period::new(day("2026-12-02"), None, None).unwrap();
    assert_eq!(
        (p.start_text(), p.end_text()),
        ("2026-11-02".into(), "2026-12-02".into())
    );
    assert_eq!(p.days(), 30);
    let p = Period::new(day("2026-12-02"), None, Some("2026-11-20")).unwrap();
    assert_eq!(p.days(), 12);
    assert!(Period::new(day("2026-12-02"), None, Some("2026-12-02")).is_err());
    assert!(Period::new(day("2026-12-02"), None, Some("12/01/2026"))
        .unwrap_err()
        .contains("YYYY-MM-DD"));
    assert!(Period::new(day("2026-12-02"), Some(0), None).is_err());
    assert!(Period::new(day("2026-12-02"), Some(3), Some("2026-11-01")).is_err());
}

#[test]
fn the_question_narrows_with_the_active_tags() {
    let p = Period::new(day("2026-12-02"), Some(7), None).unwrap();
    let (q, s) = query(&p, "sci", &tags(TagState::Active, TagState::Active));
    assert_eq!(
        (s, q.stack.as_deref(), q.by_name),
        (Scope::Resources, Some("sci"), true)
    );
    let (q, s) = query(&p, "sci", &tags(TagState::Active, TagState::Inactive));
    assert_eq!(
        (s, q.stack.as_deref(), q.by_name),
        (Scope::Stack, Some("sci"), false)
    );
    let (q, s) = query(&p, "sci", &tags(TagState::Unknown, TagState::Active));
    assert_eq!((s, q.stack, q.by_name), (Scope::Account, None, false));
    assert_eq!(
        (q.start.as_str(), q.end.as_str()),
        ("2026-11-25", "2026-12-02")
    );
}

#[test]
fn groups_sum_over_periods_and_missing_metrics_are_zero() {
    let spec = example();
    let catalog = crate::cost::Catalog::builtin().unwrap();
    let opts = crate::cost::Options {
        region: "eu-central-1".into(),
        region_from: "test".into(),
        hours: 48.0,
        dcu: None,
        instance_class: "dms.t3.medium".into(),
        compare: false,
    };
    let est = crate::cost::estimate(&spec, &catalog, &opts).unwrap();
    let g = |k: &str, a: Option<f64>| CostGroup {
        key: Some(k.to_string()),
        amount: a,
        unit: Some("USD".into()),
        usage: Some(1.5),
    };
    let answer = CostAnswer {
        groups: vec![
            g("dmsctl:name$invoice-recipients", Some(1.105)),
            g("dmsctl:name$invoice-recipients", Some(2.0)),
            g("dmsctl:name$", Some(0.5)),
            g("dmsctl:name$send-invoice-history", None),
        ],
        estimated: true,
    };
    let p = Period::new(day("2026-12-02"), Some(2), None).unwrap();
    let r = report(
        &p,
        "sci",
        Scope::Resources,
        tags(TagState::Active, TagState::Active),
        &answer,
        &est,
    );
    let names: Vec<_> = r
        .actual
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.amount))
        .collect();
    assert_eq!(
        names,
        vec![
            (UNTAGGED, 0.5),
            ("invoice-recipients", 3.11),
            ("send-invoice-history", 0.0)
        ]
    );
    assert_eq!(r.actual.total, 3.61);
    assert_eq!(r.actual.items[1].usage, Some(3.0));
    // The estimate: two replications at 1 DCU for 48 hours each.
    assert_eq!(r.estimate.items.len(), 2);
    let one = r.estimate.items[0].amount;
    assert_eq!(r.estimate.total, Money::from_amount(one * 2.0).amount());
    assert_eq!(
        r.difference,
        Money(Money::from_amount(3.61).0 - Money::from_amount(r.estimate.total).0).amount()
    );
    assert!(
        r.notes.iter().any(|n| n.contains("no UnblendedCost")),
        "{:?}",
        r.notes
    );
    assert!(r.notes.iter().any(|n| n.contains("estimated by AWS")));
    let json: serde_json::Value = serde_json::from_str(&json(&r).unwrap()).unwrap();
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["actual"]["start"], "2026-11-30");
    assert_eq!(json["actual"]["end"], "2026-12-02");
    assert_eq!(json["actual"]["items"][1]["name"], "invoice-recipients");
    let t = table(&r);
    assert!(t.contains("2026-11-30 to 2026-12-01"), "{t}");
    let h = html(&r);
    assert_eq!(h.matches("class=\"bar bar-actual\"").count(), 3, "{h}");
}

#[test]
fn the_account_fallback_says_so_and_how_to_activate() {
    let spec = example();
    let catalog = crate::cost::Catalog::builtin().unwrap();
    let opts = crate::cost::Options {
        region: "eu-central-1".into(),
        region_from: "test".into(),
        hours: 24.0,
        dcu: None,
        instance_class: "dms.t3.medium".into(),
        compare: false,
    };
    let est = crate::cost::estimate(&spec, &catalog, &opts).unwrap();
    let answer = CostAnswer {
        groups: vec![CostGroup {
            key: None,
            amount: Some(12.0),
            unit: Some("USD".into()),
            usage: None,
        }],
        estimated: false,
    };
    let p = Period::new(day("2026-12-02"), Some(1), None).unwrap();
    let r = report(
        &p,
        "sci",
        Scope::Account,
        tags(TagState::Inactive, TagState::Unknown),
        &answer,
        &est,
    );
    assert_eq!(r.actual.items.len(), 1);
    assert_eq!(r.actual.total, 12.0);
    let note = &r.notes[0];
    assert!(note.contains("whole DMS cost"), "{note}");
    assert!(
        note.contains("TagKey=dmsctl:stack,Status=Active TagKey=dmsctl:name,Status=Active"),
        "{note}"
    );
    assert!(note.contains("Cost allocation tags"), "{note}");
    assert!(headline(&r).contains("whole account"));
}
