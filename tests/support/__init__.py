"""Test helpers shared by integration tests (real Prometheus/Alertmanager, small local servers)."""
