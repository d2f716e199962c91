"""Every write to events goes through a function here (keyword-only, atomic, validated, audited);
pages, API and commands call the same ones. One module per area."""
