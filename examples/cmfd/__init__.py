"""A synthetic China Meteorological Forcing Dataset-style NetCDF series (3-hourly
precipitation, 0.1 degree, one file a month) for tests and benchmarks."""
