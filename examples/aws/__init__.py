"""A synthetic automatic-weather-station year (Qilian AWS layout) and its spec."""
