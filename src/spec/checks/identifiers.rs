//! Derived identifiers: valid for AWS and unique within each kind.

use super::*;

impl Checker<'_> {
    /// Derived and explicit identifiers: valid for AWS, and unique per kind.
    pub(super) fn identifiers(&mut self) {
        let spec = self.spec;
        let stack = spec.stack.as_str();
        let groups: Vec<(IdKind, &str, Vec<NamedId>)> = vec![
            (
                IdKind::Endpoint,
                "endpoints",
                spec.endpoints
                    .iter()
                    .map(|(n, e)| (n, e.id.as_ref()))
                    .collect(),
            ),
            (
                IdKind::Replication,
                "replications",
                spec.replications
                    .iter()
                    .map(|(n, r)| (n, r.id.as_ref()))
                    .collect(),
            ),
            (
                IdKind::Instance,
                "compute/instances",
                spec.compute
                    .instances
                    .iter()
                    .map(|(n, i)| (n, i.id.as_ref()))
                    .collect(),
            ),
            (
                IdKind::Certificate,
                "certificates",
                spec.certificates
                    .iter()
                    .map(|(n, c)| (n, c.id.as_ref()))
                    .collect(),
            ),
            (
                IdKind::EventSubscription,
                "alerts/events",
                spec.alerts
                    .events
                    .iter()
                    .map(|(n, e)| (n, e.id.as_ref()))
                    .collect(),
            ),
            (
                IdKind::SubnetGroup,
                "subnet_groups",
                spec.subnet_groups
                    .iter()
                    .map(|(n, g)| (n, g.id.as_ref()))
                    .collect(),
            ),
        ];
        for (kind, section, entries) in groups {
            let mut seen: BTreeMap<String, &str> = BTreeMap::new();
            for (name, explicit) in entries {
                let base = format!("/{section}/{}", name.replace('~', "~0").replace('/', "~1"));
                let id = derived_id(stack, name, explicit.map(String::as_str));
                let (pointer, at_key) = match explicit {
                    Some(_) => (child_pointer(&base, "id"), false),
                    None => (base.clone(), true),
                };
                if let Err(why) = kind.validate(&id) {
                    let msg = format!("{} identifier `{id}` is invalid: {why}", kind.noun());
                    let d = if at_key {
                        self.error_key("invalid-identifier", pointer.clone(), msg)
                    } else {
                        self.error("invalid-identifier", pointer.clone(), msg)
                    };
                    if explicit.is_none() {
                        d.help = Some(format!(
                            "the identifier is `<stack>-<name>`; rename `{name}` or set `id:`"
                        ));
                    }
                } else if let Some(first) = seen.insert(id.clone(), name) {
                    let msg = format!("`{name}` and `{first}` both have the identifier `{id}`");
                    if at_key {
                        self.error_key("duplicate-identifier", pointer, msg);
                    } else {
                        self.error("duplicate-identifier", pointer, msg);
                    }
                }
            }
        }
    }
}
