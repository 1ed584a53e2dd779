"""What operators watch: Prometheus metrics and structured logs free of personal data.

``metrics`` is the only module importing prometheus_client; ``logs`` uses the standard library.
"""
