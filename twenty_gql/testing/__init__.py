"""A faithful local emulator of the Twenty API, for demos and tests (see twenty_gql.testing.server)."""
