"""The built-in variable pack: units and physical limits of the usual station variables, so a
spec can say ``variable: relative_humidity`` instead of repeating limits.

Limits are plausibility bounds (a value outside cannot be a real measurement), not climate
ranges; each carries its source or rationale.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    """A physical quantity: its canonical unit, limits and why those limits."""

    name: str
    unit: str
    min: float | None
    max: float | None
    rationale: str
    description: str


VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in (
        Variable(
            "air_temperature",
            "degC",
            -90.0,
            60.0,
            "world records: -89.2 degC (Vostok, 1983) and 56.7 degC (Death Valley, 1913)",
            "Air temperature",
        ),
        Variable(
            "sonic_temperature",
            "degC",
            -90.0,
            60.0,
            "sonic virtual temperature follows air temperature within a few K",
            "Sonic temperature",
        ),
        Variable(
            "relative_humidity",
            "%",
            0.0,
            100.0,
            "relative humidity is a ratio to saturation: 0-100 % by definition",
            "Relative humidity",
        ),
        Variable(
            "air_pressure",
            "hPa",
            300.0,
            1100.0,
            "Everest summit about 330 hPa; sea-level record 1084.8 hPa (Tosontsengel, 2001)",
            "Air pressure",
        ),
        Variable(
            "precipitation",
            "mm",
            0.0,
            500.0,
            "cannot be negative; 500 mm exceeds the world 1-hour record (305 mm) per record",
            "Precipitation",
        ),
        Variable(
            "wind_speed",
            "m/s",
            0.0,
            113.0,
            "cannot be negative; 113 m/s is the highest gust measured (Barrow Island, 1996)",
            "Wind speed",
        ),
        Variable(
            "wind_speed_std",
            "m/s",
            0.0,
            30.0,
            "a standard deviation is non-negative and far below the extreme wind speed",
            "Standard deviation of wind speed",
        ),
        Variable(
            "wind_direction",
            "deg",
            0.0,
            360.0,
            "an azimuth in degrees from north: 0-360 by definition",
            "Wind direction",
        ),
        Variable(
            "shortwave_radiation",
            "W/m2",
            -10.0,
            1500.0,
            "solar constant 1361 W/m2; cloud enhancement stays below 1500; small negative "
            "night offsets of thermopiles",
            "Shortwave radiation (down or up)",
        ),
        Variable(
            "longwave_radiation",
            "W/m2",
            40.0,
            700.0,
            "Stefan-Boltzmann: 40 W/m2 is a -110 degC sky, 700 W/m2 a 60 degC surface",
            "Longwave radiation (down or up)",
        ),
        Variable(
            "net_radiation",
            "W/m2",
            -300.0,
            1200.0,
            "net of the four components within their limits (BSRN-style range)",
            "Net radiation",
        ),
        Variable(
            "par",
            "umol m-2 s-1",
            -5.0,
            3000.0,
            "full sunlight is about 2000-2500 umol m-2 s-1 of photons",
            "Photosynthetically active radiation",
        ),
        Variable(
            "soil_temperature",
            "degC",
            -50.0,
            80.0,
            "bare surfaces reach about 70 degC; permafrost soils stay above -50 degC",
            "Soil temperature",
        ),
        Variable(
            "soil_moisture",
            "%",
            0.0,
            100.0,
            "volumetric water content is a fraction of volume: 0-100 %",
            "Soil moisture",
        ),
        Variable(
            "soil_heat_flux",
            "W/m2",
            -300.0,
            500.0,
            "ground heat flux stays within a fraction of net radiation",
            "Soil heat flux",
        ),
        Variable(
            "sensible_heat_flux",
            "W/m2",
            -500.0,
            1000.0,
            "turbulent fluxes cannot exceed available energy (net radiation <= 1200 W/m2)",
            "Sensible heat flux",
        ),
        Variable(
            "latent_heat_flux",
            "W/m2",
            -500.0,
            1000.0,
            "turbulent fluxes cannot exceed available energy (net radiation <= 1200 W/m2)",
            "Latent heat flux",
        ),
        Variable(
            "co2_flux",
            "mg m-2 s-1",
            -5.0,
            5.0,
            "land ecosystems exchange at most about 2-3 mg CO2 m-2 s-1",
            "CO2 flux",
        ),
        Variable(
            "co2_density",
            "mg/m3",
            200.0,
            2000.0,
            "about 750 mg/m3 at sea level and 450 mg/m3 at 5000 m; 2000 is a polluted limit",
            "CO2 density",
        ),
        Variable(
            "h2o_density",
            "g/m3",
            0.0,
            60.0,
            "saturation vapour density is about 51 g/m3 at 40 degC",
            "Water vapour density",
        ),
        Variable(
            "friction_velocity",
            "m/s",
            0.0,
            5.0,
            "u* rarely exceeds 2 m/s even in storms",
            "Friction velocity",
        ),
        Variable(
            "obukhov_length",
            "m",
            None,
            None,
            "unbounded: tends to +-infinity in neutral conditions",
            "Obukhov length",
        ),
        Variable(
            "stability",
            "1",
            -100.0,
            100.0,
            "z/L beyond +-100 has no physical meaning for surface-layer theory",
            "Stability parameter z/L",
        ),
        Variable(
            "qa_class",
            "1",
            1.0,
            9.0,
            "Foken et al. (2004) quality classes run from 1 (best) to 9",
            "Quality class",
        ),
    )
}


def variable(name: str) -> Variable:
    """A variable of the pack by name; KeyError lists what exists."""
    try:
        return VARIABLES[name]
    except KeyError:
        raise KeyError(
            f"unknown variable {name!r}; known: {', '.join(sorted(VARIABLES))}"
        ) from None
