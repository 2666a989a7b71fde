"""The Yakou eddy-covariance example: a spec for a real TPDC station table."""
