use super::*;

#[test]
fn identifiers_follow_aws_rules() {
    assert!(IdKind::Endpoint.validate("sci-sync-source").is_ok());
    assert!(IdKind::Endpoint.validate("1abc").is_err());
    assert!(IdKind::Endpoint.validate("a--b").is_err());
    assert!(IdKind::Endpoint.validate("ab-").is_err());
    assert!(IdKind::Endpoint.validate("a_b").is_err());
    assert!(IdKind::Instance.validate(&"a".repeat(63)).is_ok());
    assert!(IdKind::Instance.validate(&"a".repeat(64)).is_err());
    assert!(IdKind::Replication.validate(&"a".repeat(255)).is_ok());
    assert!(IdKind::SubnetGroup.validate("my group_1.a").is_ok());
    assert!(IdKind::SubnetGroup.validate("default").is_err());
}

#[test]
fn derived_ids_are_lowercase_unless_explicit() {
    assert_eq!(derived_id("sci", "Source", None), "sci-source");
    assert_eq!(derived_id("sci", "Source", Some("Mine")), "Mine");
}

#[test]
fn merge_is_deep() {
    let mut base = json!({"Logging": {"EnableLogging": true}, "A": 1});
    merge(
        &mut base,
        &json!({"Logging": {"LogComponents": []}, "A": {"B": 2}}),
    );
    assert_eq!(
        base,
        json!({"Logging": {"EnableLogging": true, "LogComponents": []}, "A": {"B": 2}})
    );
}

#[test]
fn secrets_print_their_source_only() {
    let s = Sensitive(SecretRef::Env("DB_PW".into()));
    assert_eq!(s.to_string(), "(sensitive, from $DB_PW)");
    assert_eq!(
        serde_json::to_value(&s).expect("serializes"),
        json!("(sensitive, from $DB_PW)")
    );
}
