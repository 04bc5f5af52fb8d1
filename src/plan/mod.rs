//! plan(&Desired, &Live) -> Plan: what apply would do, with reasons, diffs and hazards.
