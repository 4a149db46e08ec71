"""The plan files Jalon ships (TOML data, no code): each declares a plan's phases, counting
rules, conventions and targets. `DEFAULT` is the one a store is counted with unless told."""

DEFAULT = "plan-500000.toml"
