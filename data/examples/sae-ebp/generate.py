#!/usr/bin/env python3
"""Synthetic survey and census for trying the census EBP (/sae/ebp,
`revita sae ebp-store`) on the demo's Guizhou counties.

SYNTHETIC: the incomes and covariates are made up by the model below; they
are not survey or census results. Deterministic: the same script gives the
same files. Standard library only.

    log y = 8.6 + 0.45 schooling_years/10 + 0.9 labour_share - 0.06 hh_size + u_county + e
    u_county ~ N(0, 0.15^2), e ~ N(0, 0.45^2)

census.csv: every county of Guizhou in the demo's regions.csv, 60 to 240 units.
sample.csv: a 10% sample of the units of 4 counties in 5 (so about one county
in five is out of sample), with y (yuan per person per year) and a weight
(the inverse sampling fraction).
"""
import csv
import math
import pathlib
import random

HERE = pathlib.Path(__file__).resolve().parent
REGIONS = HERE.parents[1] / "demo" / "regions.csv"

rng = random.Random(20201101)
counties = []
with REGIONS.open(encoding="utf-8") as f:
    for row in csv.DictReader(f):
        if row["code"].startswith("52") and row["level"] == "county" and not row["valid_to"]:
            counties.append(row["code"])
counties.sort()

with (HERE / "census.csv").open("w", newline="", encoding="utf-8") as c, (HERE / "sample.csv").open(
    "w", newline="", encoding="utf-8"
) as s:
    census, sample = csv.writer(c, lineterminator="\n"), csv.writer(s, lineterminator="\n")
    census.writerow(["domain", "schooling_years", "labour_share", "hh_size"])
    sample.writerow(["domain", "y", "weight", "schooling_years", "labour_share", "hh_size"])
    for i, code in enumerate(counties):
        u = rng.gauss(0.0, 0.15)
        level = rng.uniform(-1.5, 1.5)
        surveyed = i % 5 != 4
        for _ in range(rng.randint(60, 240)):
            school = max(0.0, min(16.0, rng.gauss(8.0 + level, 2.5)))
            labour = max(0.0, min(1.0, rng.gauss(0.55, 0.18)))
            size = max(1, min(9, round(rng.gauss(3.6, 1.2))))
            x = [round(school, 1), round(labour, 3), size]
            census.writerow([code] + x)
            if surveyed and rng.random() < 0.10:
                eta = 8.6 + 0.045 * school + 0.9 * labour - 0.06 * size + u + rng.gauss(0.0, 0.45)
                sample.writerow([code, round(math.exp(eta), 2), 10] + x)
print(f"{len(counties)} counties")
