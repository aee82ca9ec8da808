"""Bench suite (FrappeTestCase): run with `bench --site S run-tests --app scheduler_integration`."""
